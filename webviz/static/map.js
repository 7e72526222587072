// Draws every .govmap-map from the JSON block its data-source names.
// Text from the register only ever goes through textContent, vis-network's
// canvas labels, or its plain-text tooltips (innerText): never innerHTML.
(function () {
  "use strict";

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el) el.textContent = text == null ? "" : String(text);
  }

  function focusUrl(id) {
    var params = new URLSearchParams(window.location.search);
    params.set("focus", id);
    if (!params.get("hops")) params.set("hops", "1");
    return window.location.pathname + "?" + params.toString();
  }

  function showPanel(node) {
    var panel = document.getElementById("panel");
    if (!panel || !node) return false;
    setText("panel-name", node.name);
    setText("panel-kind", node.subtype && node.subtype !== node.kind ? node.kind + " · " + node.subtype : node.kind);
    setText("panel-status", node.status || "");
    var status = document.getElementById("panel-status");
    if (status) status.className = "badge " + (node.status === "unconfirmed" ? "unconfirmed" : "confirmed");
    var open = document.getElementById("panel-open");
    var focus = document.getElementById("panel-focus");
    // Collapsed groups have no page.
    if (open) { open.hidden = !node.url; if (node.url) open.setAttribute("href", node.url); }
    if (focus) { focus.hidden = !node.url; if (node.url) focus.setAttribute("href", focusUrl(node.id)); }
    panel.hidden = false;
    panel.dataset.entity = node.id;
    return true;
  }

  function draw(container) {
    var data = readJSON(container.dataset.source);
    if (!data || typeof vis === "undefined") return null;
    var nodes = new vis.DataSet(data.nodes);
    var edges = new vis.DataSet(data.edges);
    var options = {
      autoResize: true,
      physics: data.physics
        ? { enabled: true, solver: "barnesHut", barnesHut: { gravitationalConstant: -3000, centralGravity: 0.6, springLength: 140, avoidOverlap: 0.1 },
            stabilization: { enabled: true, iterations: 120, fit: true } }
        : false,
      layout: { improvedLayout: false },
      interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: data.nodes.length > 500 },
      nodes: { font: { size: 13, face: "system-ui, sans-serif" }, borderWidth: 1 },
      edges: { smooth: false, arrows: { to: { scaleFactor: 0.5 } }, font: { size: 0 } }
    };
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
    // data-stable tells a reader (and the browser tests) that nodes stay where they are now.
    function markStable() { container.dataset.stable = "1"; }
    if (data.physics && data.nodes.length) {
      network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: false }); markStable(); });
    } else {
      network.once("afterDrawing", markStable);
    }
    network.on("click", function (params) {
      if (!params.nodes.length) return;
      var node = nodes.get(params.nodes[0]);
      if (!showPanel(node) && node.url) window.location.assign(node.url);
    });
    network.on("doubleClick", function (params) {
      if (!params.nodes.length) return;
      var node = nodes.get(params.nodes[0]);
      if (node.url) window.location.assign(node.url);
    });
    var focused = data.nodes.filter(function (n) { return n.focus; })[0];
    if (focused && document.getElementById("panel")) {
      network.selectNodes([focused.id]);
      showPanel(focused);
    }
    container.govmap = { network: network, nodes: nodes, edges: edges, data: data };
    network.once("afterDrawing", function () { container.dataset.drawn = String(data.nodes.length); });
    return container.govmap;
  }

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
      map.network.focus(node.id, { scale: 1.3, animation: false });
      showPanel(node);
      setText("map-search-status", "Found: " + node.name);
    });
  }

  document.querySelectorAll(".govmap-map").forEach(function (container) {
    var map = draw(container);
    if (map && container.id === "map-data-view") wireSearch(map);
  });
})();
