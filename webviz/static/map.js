// Draws every .govmap-map from the JSON block its data-source names, and makes it work
// from the keyboard.  Text from the register only ever goes through textContent,
// vis-network's canvas labels, or its plain-text tooltips (innerText): never innerHTML.
(function () {
  "use strict";

  // Labels are placed and drawn by labels.js (govmapLabels): bodies' never under the
  // legibility rule's size, others' only at that size or more, none over a node or a label.
  var MAX_FIT_SCALE = govmapLabels.MAX_FIT_SCALE;
  var ZOOM_STEP = 1.25;
  // Dash patterns (the link types, unconfirmed links and outlines) are drawn only at a scale
  // where they can be told apart: below it a 12 px dash is under 4 px on screen.  Stroking
  // thousands of dashed lines is what the browser's software rasteriser spent most of a frame
  // on (0.3 s of 0.5 s at 2,000 records and 6,600 links); solid lines take a tenth of that.
  // Zoomed in, every pattern is drawn as the legend shows it.
  var MIN_DASH_SCALE = 0.35;

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? expand(JSON.parse(el.textContent)) : null;
  }

  // The page leaves out what map.js can make (webviz/mapdata.py, MapData.to_page): each
  // kind's and link type's style, null fields, and the tooltips.  They are put back here, so
  // map.data is what /api/graph sends.  Tooltips stay plain text: vis-network shows a string
  // title with innerText.
  function expand(data) {
    var names = {};
    var nullable = data.nullable || {};
    function fill(item, shared, nulls) {
      var k;
      for (k in shared || {}) if (item[k] === undefined) item[k] = shared[k];
      for (k = 0; k < (nulls || []).length; k++) if (item[nulls[k]] === undefined) item[nulls[k]] = null;
    }
    (data.nodes || []).forEach(function (n) {
      fill(n, (data.node_styles || {})[n.kind], nullable.nodes);
      if (n.title === undefined) n.title = nodeTitle(n);
      names[n.id] = n.name;
    });
    (data.edges || []).forEach(function (e) {
      if (e.type === undefined) return;
      fill(e, (data.edge_styles || {})[e.type], nullable.edges);
      if (e.title === undefined) e.title = edgeTitle(names[e.from], e.words, names[e.to], e.status);
    });
    return data;
  }

  // As webviz/mapstyle.py _title and webviz/mapdata.py edge_title.
  function nodeTitle(n) {
    var lines = [n.name || "", (n.kind || "") + (n.subtype && n.subtype !== n.kind ? ", " + n.subtype : "")];
    if (n.status === "unconfirmed") lines.push("unconfirmed");
    return lines.join("\n");
  }

  function edgeTitle(from, words, to, status) {
    return from + " " + words + " " + to + (status === "unconfirmed" ? " (unconfirmed)" : "");
  }

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el) el.textContent = text == null ? "" : String(text);
  }

  function focusUrl(id) {
    var params = new URLSearchParams(window.location.search);
    params.set("focus", id);
    if (!params.get("hops")) params.set("hops", "1");
    params.delete("layout");
    return window.location.pathname + "?" + params.toString();
  }

  function describe(node, links) {
    var words = [node.name, node.subtype && node.subtype !== node.kind ? node.kind + ", " + node.subtype : node.kind];
    if (node.status === "unconfirmed" || node.status === "disputed") words.push(node.status);
    words.push(links + (links === 1 ? " link" : " links"));
    return words.join(", ");
  }

  // -- the side panel ---------------------------------------------------------

  var panelReturn = null; // the node button focus goes back to when the panel closes

  function showPanel(node, moveFocus, from) {
    var panel = document.getElementById("panel");
    if (!panel || !node) return false;
    setText("panel-name", node.name);
    setText("panel-kind", node.subtype && node.subtype !== node.kind ? node.kind + " · " + node.subtype : node.kind);
    setText("panel-status", node.status || "");
    var status = document.getElementById("panel-status");
    if (status) status.className = "badge " + (node.status === "unconfirmed" || node.status === "disputed" ? node.status : "confirmed");
    var open = document.getElementById("panel-open");
    var focus = document.getElementById("panel-focus");
    // Collapsed groups have no page.
    if (open) { open.hidden = !node.url; if (node.url) open.setAttribute("href", node.url); }
    if (focus) { focus.hidden = !node.url; if (node.url) focus.setAttribute("href", focusUrl(node.id)); }
    panel.hidden = false;
    panel.dataset.entity = node.id;
    if (moveFocus) {
      panelReturn = from || null;
      var heading = document.getElementById("panel-name");
      if (heading) heading.focus();
    }
    return true;
  }

  function closePanel() {
    var panel = document.getElementById("panel");
    if (!panel || panel.hidden) return false;
    panel.hidden = true;
    if (panelReturn && document.body.contains(panelReturn)) panelReturn.focus();
    panelReturn = null;
    return true;
  }

  function wirePanel() {
    var panel = document.getElementById("panel");
    if (!panel) return;
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { if (closePanel()) event.preventDefault(); }
    });
    var close = document.getElementById("panel-close");
    if (close) close.addEventListener("click", closePanel);
  }

  // -- drawing ----------------------------------------------------------------

  // Fit the view with room for its labels (labels.js), pushing nodes apart where a body's label
  // has none; a map too large for that is fitted by vis-network, its labels giving way.
  function fit(map) {
    var network = map.network;
    if (map.labels.canArrange()) {
      map.labels.arrange();
      if (captionSize(map)) map.labels.arrange(); // the captions' new size is room taken
    } else {
      network.fit({ animation: false });
      if (network.getScale() > MAX_FIT_SCALE) network.moveTo({ scale: MAX_FIT_SCALE, animation: false });
      captionSize(map);
    }
    recordScale(map);
  }

  // Row captions stay at least 13 px on screen however small the fit; true if they changed.
  function captionSize(map) {
    var size = Math.max(18, 13 / map.network.getScale());
    var captions = map.data.captions || [];
    if (!captions.length || map.captionSize === size) return false;
    map.captionSize = size;
    captions.forEach(function (c, i) { map.nodes.update({ id: "caption:" + i, font: { size: size } }); });
    map.network.redraw();
    return true;
  }

  function recordScale(map) {
    map.container.dataset.scale = String(map.network.getScale());
  }

  // Before each frame: with dashes off, vis-network's calls to setLineDash do nothing (an own
  // property of this one context hides the prototype's), so every line is drawn solid.
  function setDashes(map, ctx) {
    var on = map.network.getScale() >= MIN_DASH_SCALE;
    if (on) {
      delete ctx.setLineDash;
    } else if (!Object.prototype.hasOwnProperty.call(ctx, "setLineDash")) {
      ctx.setLineDash([]);
      ctx.setLineDash = function () {};
    }
    map.container.dataset.dashes = on ? "drawn" : "solid";
  }

  function draw(container) {
    var data = readJSON(container.dataset.source);
    if (!data || typeof vis === "undefined") return null;
    var nodes = new vis.DataSet(data.nodes.map(govmapLabels.unlabelled));
    (data.captions || []).forEach(function (c, i) {
      // Row captions are read at any zoom: no draw threshold for them.
      nodes.add({ id: "caption:" + i, label: c.text, x: c.x, y: c.y, shape: "text", decor: true, chosen: false,
                  scaling: { label: { enabled: false, drawThreshold: 1 } },
                  font: { size: 18, color: "#1d232a", face: "system-ui, sans-serif" } });
    });
    var edges = new vis.DataSet(data.edges);
    var options = {
      autoResize: true,
      physics: data.physics
        ? { enabled: true, solver: "barnesHut", barnesHut: { gravitationalConstant: -3000, centralGravity: 0.6, springLength: 140, avoidOverlap: 0.1 },
            stabilization: { enabled: true, iterations: 120, fit: true } }
        : false,
      layout: { improvedLayout: false },
      interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: data.nodes.length > 500, keyboard: false },
      nodes: {
        font: { size: 13, face: "system-ui, sans-serif", color: "#1d232a", strokeWidth: 3, strokeColor: "#ffffff" },
        borderWidth: 1,
        // The labels vis-network still draws (inside an ellipse): only when legible.
        scaling: { label: { enabled: false, drawThreshold: data.label_rule.legible_px + 1, maxVisible: 40 } }
      },
      edges: { smooth: false, arrows: { to: { scaleFactor: 0.5 } }, font: { size: 0 } }
    };
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
    var map = { network: network, nodes: nodes, edges: edges, data: data, container: container, focused: null };
    map.labels = govmapLabels.attach(network, nodes, container, data.nodes.filter(govmapLabels.ownsLabel),
                                     data.label_rule, { keepRows: data.keep_rows, wrapRows: data.wrap_rows });
    container.govmap = map;
    // The canvas frame is not a tab stop: the node buttons are (see wireKeys).
    container.querySelectorAll("[tabindex]").forEach(function (el) { if (el !== container) el.setAttribute("tabindex", "-1"); });
    // data-stable tells a reader (and the browser tests) that nodes stay where they are now.
    // The keyboard's node buttons are made once the map is first drawn: at 2,000 records
    // they cost a quarter of a second that the first picture need not wait for.
    // Without physics vis-network has fitted the view already: for a map too large to make room
    // for its labels, fitting again would draw a second frame (a third of a second at 2,000
    // records), so only a view too close is refitted.
    function settle() {
      if (map.labels.canArrange() || data.physics || (data.captions || []).length || network.getScale() > MAX_FIT_SCALE) fit(map);
      else recordScale(map);
      wireKeys(map);
      focusFirst();
      container.dataset.stable = "1";
    }
    if (data.physics && data.nodes.length) {
      network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: false }); settle(); });
    } else {
      network.once("afterDrawing", settle);
    }
    network.on("zoom", function () { recordScale(map); });
    network.on("beforeDrawing", function (ctx) { setDashes(map, ctx); });
    network.on("afterDrawing", function (ctx) { drawFocusRing(map, ctx); });
    network.on("click", function (params) {
      if (!params.nodes.length) return;
      var node = nodes.get(params.nodes[0]);
      if (!node || node.decor) return;
      setCurrent(map, node.id, false);
      if (!showPanel(node, false) && node.url) window.location.assign(node.url);
    });
    network.on("doubleClick", function (params) {
      if (!params.nodes.length) return;
      var node = nodes.get(params.nodes[0]);
      if (node && node.url) window.location.assign(node.url);
    });
    var focused = data.nodes.filter(function (n) { return n.focus; })[0];
    if (focused && document.getElementById("panel")) {
      network.selectNodes([focused.id]);
      showPanel(focused, false);
    }
    function focusFirst() { if (focused && document.getElementById("panel")) setCurrent(map, focused.id, false); }
    network.once("afterDrawing", function () { container.dataset.drawn = String(data.nodes.length); });
    return map;
  }

  // -- the keyboard -------------------------------------------------------------

  function neighbours(map, id) {
    var out = {};
    map.network.getConnectedNodes(id).forEach(function (n) { out[n] = true; });
    return out;
  }

  // Reading order: the centre (a focus, the first step of a path) first, then top to bottom,
  // left to right; in the accountability view that is level by level.
  // Positions as drawn: labels.js may have pushed nodes apart to make room for labels.
  function readingOrder(map) {
    var list = map.data.nodes.slice(), pos = map.network.getPositions();
    list.sort(function (a, b) {
      var fa = a.focus ? 0 : 1, fb = b.focus ? 0 : 1;
      if (fa !== fb) return fa - fb;
      var pa = pos[a.id] || a, pb = pos[b.id] || b;
      var ra = Math.round(pa.y / 60), rb = Math.round(pb.y / 60);
      return ra !== rb ? ra - rb : pa.x - pb.x;
    });
    return list;
  }

  // Where Tab enters the map: the view's centre (a focus, a path's first step) if it has one,
  // else its top body, the body with most links (the largest drawn), so a reader starts at
  // the landscape's head, not at whichever record sits top left.
  function entryPoint(map, order) {
    if (order.length && order[0].focus) return order[0].id;
    var best = null;
    order.forEach(function (n) {
      if (n.kind !== "body") return;
      if (!best || (n.size || 0) > (best.size || 0)) best = n;
    });
    return (best || order[0] || { id: null }).id;
  }

  // The node an arrow key leads to: the nearest linked node within 60 degrees of that
  // direction; failing that, the nearest node of any kind there; else none.
  function step(map, id, dx, dy) {
    var here = map.network.getPositions([id])[id];
    var linked = neighbours(map, id);
    var best = null, bestAny = null;
    map.data.nodes.forEach(function (n) {
      if (n.id === id) return;
      var p = map.network.getPositions([n.id])[n.id];
      var vx = p.x - here.x, vy = p.y - here.y;
      var dist = Math.sqrt(vx * vx + vy * vy) || 1;
      var cos = (vx * dx + vy * dy) / dist;
      if (cos < 0.5) return;
      var cost = dist * (2 - cos);
      if (linked[n.id] && (!best || cost < best.cost)) best = { id: n.id, cost: cost };
      if (!bestAny || cost < bestAny.cost) bestAny = { id: n.id, cost: cost };
    });
    return (best || bestAny || { id: null }).id;
  }

  function buttonOf(map, id) {
    return (map.buttons && map.buttons[id]) || null;
  }

  function setCurrent(map, id, moveFocus) {
    if (!map.buttons || !map.buttons[id]) return;
    if (map.focused && map.buttons[map.focused]) map.buttons[map.focused].setAttribute("tabindex", "-1");
    map.focused = id;
    var button = map.buttons[id];
    button.setAttribute("tabindex", "0");
    if (moveFocus) button.focus({ preventScroll: true }); // reveal() shows its node instead
  }

  // Bring a node into view by the least move: the view shifts just enough to show it inside
  // a margin, keeping the rest where the reader saw it (re-centring on each node sent half
  // the map off the screen at each key).
  function reveal(map, id) {
    var network = map.network;
    network.selectNodes([id]);
    var p = network.canvasToDOM(network.getPositions([id])[id]);
    var box = map.container.getBoundingClientRect();
    var margin = Math.min(60, box.width / 4, box.height / 4);
    var dx = p.x < margin ? p.x - margin : p.x > box.width - margin ? p.x - (box.width - margin) : 0;
    var dy = p.y < margin ? p.y - margin : p.y > box.height - margin ? p.y - (box.height - margin) : 0;
    if (dx || dy) {
      var scale = network.getScale(), centre = network.getViewPosition();
      network.moveTo({ position: { x: centre.x + dx / scale, y: centre.y + dy / scale }, animation: false });
    }
    network.redraw();
  }

  // A map taller than the window (a phone, where the map grows to name its bodies): the page
  // scrolls by the least that shows the node too.  Run after the browser's own scrolling to the
  // focused button (it lies at the map's edge, not at the node).
  function scrollToNode(map, id) {
    var at = map.network.getPositions([id])[id];
    if (!at) return;
    var y = map.container.getBoundingClientRect().top + map.network.canvasToDOM(at).y;
    var margin = Math.min(60, window.innerHeight / 4);
    if (y < margin) window.scrollBy(0, y - margin);
    else if (y > window.innerHeight - margin) window.scrollBy(0, y - (window.innerHeight - margin));
  }

  function drawFocusRing(map, ctx) {
    if (!map.keyboard || !map.focused) return;
    var pos = map.network.getPositions([map.focused])[map.focused];
    var node = map.nodes.get(map.focused);
    if (!pos || !node) return;
    var r = (node.size || 16) + 9;
    ctx.save();
    ctx.lineWidth = 6;
    ctx.strokeStyle = "#ffdd00"; // the GOV.UK focus colour, with a black ring inside it
    ctx.beginPath(); ctx.arc(pos.x, pos.y, r, 0, 2 * Math.PI); ctx.stroke();
    ctx.lineWidth = 3;
    ctx.strokeStyle = "#0b0c0c";
    ctx.beginPath(); ctx.arc(pos.x, pos.y, r - 4, 0, 2 * Math.PI); ctx.stroke();
    ctx.restore();
  }

  function wireKeys(map) {
    var list = document.createElement("ul");
    list.className = "map-keys";
    list.setAttribute("aria-label", "Records on the map: arrow keys move along links, Enter opens details");
    map.buttons = {};
    var order = readingOrder(map);
    var entry = entryPoint(map, order);
    order.forEach(function (n) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "map-node";
      button.dataset.id = n.id;
      button.setAttribute("tabindex", n.id === entry ? "0" : "-1");
      button.textContent = describe(n, map.network.getConnectedNodes(n.id).length);
      li.appendChild(button);
      list.appendChild(li);
      map.buttons[n.id] = button;
    });
    if (entry) map.focused = entry;
    map.container.appendChild(list);
    var status = document.createElement("p");
    status.className = "map-focus-label";
    status.hidden = true;
    map.container.appendChild(status);

    list.addEventListener("focusin", function (event) {
      var id = event.target && event.target.dataset ? event.target.dataset.id : null;
      if (!id) return;
      map.keyboard = true;
      setCurrent(map, id, false);
      var node = map.nodes.get(id);
      status.textContent = node.name + " — Enter: details · arrows: linked records · + / −: zoom";
      status.hidden = false;
      map.container.classList.add("keyboard");
      reveal(map, id);
      setTimeout(function () { if (map.focused === id && map.keyboard) scrollToNode(map, id); }, 0);
    });
    list.addEventListener("focusout", function (event) {
      if (event.relatedTarget && list.contains(event.relatedTarget)) return;
      map.keyboard = false;
      status.hidden = true;
      map.container.classList.remove("keyboard");
      map.network.redraw();
    });
    list.addEventListener("keydown", function (event) {
      var id = event.target.dataset.id;
      if (!id) return;
      var next = null;
      var network = map.network;
      switch (event.key) {
        case "ArrowRight": next = step(map, id, 1, 0); break;
        case "ArrowLeft": next = step(map, id, -1, 0); break;
        case "ArrowDown": next = step(map, id, 0, 1); break;
        case "ArrowUp": next = step(map, id, 0, -1); break;
        case "Home": next = order[0].id; break;
        case "End": next = order[order.length - 1].id; break;
        case "+": case "=":
          network.moveTo({ scale: network.getScale() * ZOOM_STEP, animation: false }); recordScale(map);
          event.preventDefault(); return;
        case "-": case "_":
          network.moveTo({ scale: network.getScale() / ZOOM_STEP, animation: false }); recordScale(map);
          event.preventDefault(); return;
        case "Enter": case " ":
          event.preventDefault();
          var node = map.nodes.get(id);
          if (!showPanel(node, true, event.target) && node.url) window.location.assign(node.url);
          return;
        case "Escape":
          if (closePanel()) event.preventDefault();
          return;
        default: return;
      }
      event.preventDefault();
      if (next) setCurrent(map, next, true);
    });
  }

  // -- search -------------------------------------------------------------------

  function find(map, text) {
    var needle = text.trim().toLowerCase();
    if (!needle) return null;
    var all = map.data.nodes;
    var exact = all.filter(function (n) { return (n.name || "").toLowerCase() === needle || n.id === needle; });
    if (exact.length) return exact[0];
    var part = all.filter(function (n) { return (n.name || "").toLowerCase().indexOf(needle) !== -1; });
    return part.length ? part[0] : null;
  }

  function wireSearch(map) {
    var form = document.getElementById("map-search");
    var input = document.getElementById("map-search-q");
    if (!form || !input) return;
    form.addEventListener("submit", function (event) {
      var node = find(map, input.value);
      if (!node) {
        setText("map-search-status", "Not on this map. Press Find again to search every record.");
        if (form.dataset.missed === input.value) return; // second try: let the form search the register
        form.dataset.missed = input.value;
        event.preventDefault();
        return;
      }
      event.preventDefault();
      map.network.selectNodes([node.id]);
      map.network.focus(node.id, { scale: Math.max(1.3, map.network.getScale()), animation: false });
      recordScale(map);
      setCurrent(map, node.id, false);
      setText("map-search-status", "Found: " + node.name);
      showPanel(node, true, buttonOf(map, node.id));
    });
  }

  // The search and focus fields' suggestions: every record of the view, by name and by id,
  // made when the field is first focused rather than parsed with the page.
  function wireSuggestions(map) {
    var records = map.data.nodes.filter(function (n) { return !n.decor; }).concat(map.data.isolated || []);
    [["map-search-q", "map-names", "name", null], ["f-focus", "map-ids", "id", "name"]].forEach(function (spec) {
      var input = document.getElementById(spec[0]);
      var list = document.getElementById(spec[1]);
      if (!input || !list) return;
      input.addEventListener("focus", function () {
        if (list.childElementCount) return;
        var frag = document.createDocumentFragment();
        records.forEach(function (r) {
          var option = document.createElement("option");
          option.value = r[spec[2]];
          if (spec[3]) option.textContent = r[spec[3]];
          frag.appendChild(option);
        });
        list.appendChild(frag);
      }, { once: true });
    });
  }

  function wireFit(map) {
    var button = document.getElementById("map-fit");
    if (button) button.addEventListener("click", function () { fit(map); });
  }

  wirePanel();
  document.querySelectorAll(".govmap-map").forEach(function (container) {
    var map = draw(container);
    if (map && container.id === "map-data-view") { wireSearch(map); wireFit(map); wireSuggestions(map); }
  });
})();
