// Where each label of a map goes, and drawing it: the web map (map.js) and the offline map
// (webviz/templates/standalone/map.html) both use this file.
//
// vis-network draws a label centred under its node, whatever lies there, and at a size fixed in
// canvas units, so the fitted scale decides whether it can be read (0.8 at 1400 x 900, 0.4 at
// 200 % zoom on the same map).  Only the browser knows the pane and the scale the view opens at,
// so labels are placed here, on the screen, each time the view's scale or position changes:
//
// * A label is drawn at its font size times the scale, but a required label (the view's main
//   records: bodies, a centre, every record of a small view; ``rule.required_font``) never under
//   ``rule.legible_px`` (the legibility rule), so at a small scale it grows in canvas units.
//   Other labels are drawn only at ``legible_px`` or more: they appear as the reader zooms in.
// * Labels are placed in order (required ones first, larger first) beside their node: under it,
//   right, above, left, then the corners; the first spot that lies inside the map and clear of
//   every node and every label placed before it wins.  A label with no clear spot gives way
//   (is not drawn); a required one is drawn where it overlaps no other label, or not at all.
// * When the view opens (``arrange``), it is fitted with room for the required labels; if one
//   still finds no clear spot, the nodes are pushed apart to make room for it (a plain version
//   of Gansner and Hu's PRISM overlap removal, on the boxes of each node and its label at the
//   scale the result will be drawn at), and fitted again.  The picture the server laid out
//   keeps its shape: each overlap is undone by the smallest move.  Rows that mean something
//   (the accountability view, a path) stay rows; but where a row of the accountability view is
//   wider than the pane has room for its names (a phone), it wraps onto several rows in reading
//   order first (wrapRows).  No node is drawn under MIN_NODE_PX across.
// * Where the page scrolls (a narrow window: a phone, a browser zoomed in) and that is still
//   not enough, the map grows taller until it is (``--map-needs``, read by the stylesheets):
//   a phone 320 px wide has room for the seed's 22 bodies' names only in a map about 900 px
//   tall.  Its stylesheet lets a finger swiping up or down scroll the page past it.
// * A map of more than SPREAD_LIMIT nodes is not pushed apart, and its required labels are not
//   forced to the legibility rule's size: at the scale such a map is fitted at, every body's
//   name would cover the map.  Its labels appear as the reader zooms in, where they are clear.
//
// Labels are plain text on the canvas: never HTML.
(function (root) {
  "use strict";

  var FACE = "system-ui, sans-serif";
  var INK = "#1d232a";
  // Screen pixels between a node and its label, and kept clear round each label and node.
  var GAP = 3, PAD = 2;
  // A line of text is this many times its font size tall.
  var LINE = 1.25;
  // Past this size on screen a label stops growing (as vis-network's maxVisible).
  var MAX_PX = 40;
  // Above this many nodes, labels only give way (see the top of this file); a round of pushing
  // apart costs O(n log n + overlaps), a trial up to SPREAD_ROUNDS rounds.
  var SPREAD_LIMIT = 300;
  var CELL = 48;
  // Fitting a small view would blow it up: past this it stays at this scale.
  var MAX_FIT_SCALE = 1.4;
  // No node is opened smaller than this across, in screen pixels.
  var MIN_NODE_PX = 8;
  var GROWABLE = ["dot", "square", "diamond", "triangle", "triangleDown", "star", "hexagon"];
  // Scales tried when making room: the fitted one times STEP, STEP^2, ...; a map fitted at less
  // than SMALLEST of the scale it would have without making room is specks and names, so there
  // some required labels give way instead (drawn over a node, or not at all).
  var STEP = 0.94, TRIALS = 30, SMALLEST = 0.4;
  // Rounds of pushing apart in one trial.
  var SPREAD_ROUNDS = 150;
  // A pane that may grow down (see arrange()) starts at the height its required labels would
  // fill to DENSITY (pushing apart clears labels at a third of the pane, rarely at half), then
  // grows GROW_STEP at a time, up to MAX_GROW times the height the stylesheet gave it.
  var DENSITY = 0.3, GROW_STEP = 1.15, MAX_GROW = 2.5;

  var measurer = null;
  var widths = {};

  // A line's width at 100 px, measured once; widths scale with the font size.
  function lineWidth(text, px) {
    var w = widths[text];
    if (w === undefined) {
      if (!measurer) measurer = document.createElement("canvas").getContext("2d");
      measurer.font = "100px " + FACE;
      w = widths[text] = measurer.measureText(text).width;
    }
    return w * px / 100;
  }

  // -- a grid of boxes, to find what a box would overlap without looking at every one ----------

  function Grid() { this.cells = {}; }
  Grid.prototype.each = function (b, fn) {
    for (var i = Math.floor(b.l / CELL); i <= Math.floor(b.r / CELL); i++)
      for (var j = Math.floor(b.t / CELL); j <= Math.floor(b.b / CELL); j++) fn(i + "," + j);
  };
  Grid.prototype.add = function (b) {
    var cells = this.cells;
    this.each(b, function (k) { (cells[k] || (cells[k] = [])).push(b); });
  };
  // The boxes overlapping b, except those owned by ``skip``.
  Grid.prototype.hits = function (b, skip) {
    var cells = this.cells, out = [];
    this.each(b, function (k) {
      (cells[k] || []).forEach(function (o) {
        if (o.owner !== skip && o.l < b.r && b.l < o.r && o.t < b.b && b.t < o.b && out.indexOf(o) < 0) out.push(o);
      });
    });
    return out;
  };

  function area(a, b) {
    return Math.max(0, Math.min(a.r, b.r) - Math.max(a.l, b.l)) * Math.max(0, Math.min(a.b, b.b) - Math.max(a.t, b.t));
  }

  // -- one map's labels -------------------------------------------------------------------------

  // ``items``: the map's records as the page holds them ({id, label, font: {size}, kind, centre});
  // ``rule``: {legible_px, required_font}; ``opts``: {keepRows, wrapRows}.
  function Labels(network, nodes, container, items, rule, opts) {
    this.network = network;
    this.nodes = nodes;
    this.container = container;
    this.rule = rule;
    this.opts = opts || {};
    this.items = items.filter(function (n) { return n.label; }).map(function (n) {
      var font = (n.font && n.font.size) || 13;
      return { id: n.id, lines: String(n.label).split("\n"), font: font, size: n.size || 0,
               required: font >= rule.required_font, centre: !!n.centre };
    });
    this.items.sort(function (a, b) {
      return (b.required - a.required) || (b.font - a.font) || (b.size - a.size) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    });
    this.placed = [];      // what is drawn now: {id, lines, px, align, left, top, width, height} (screen px)
    this.unplaced = [];    // required labels with no clear spot at the last placement
    this.spotOf = {};      // where each label last found a clear spot (an index into spots())
    // Required labels are forced to the legible size only on a map that can make room for them.
    this.forced = nodes.length <= SPREAD_LIMIT;
    // Shapes vis-network draws ``size`` across from the centre (not an ellipse round its label,
    // nor a caption): arrange() may grow them to MIN_NODE_PX on screen.
    this.growable = {};
    this.grown = {};
    nodes.get().forEach(function (n) {
      if (!n.decor && n.size && GROWABLE.indexOf(n.shape) >= 0) this.growable[n.id] = n.size;
    }, this);
    this.key = null;
    this.moved = 0;        // bumped when nodes move, so the next frame places labels again
    var self = this;
    network.on("beforeDrawing", function () { self.update(); });
    network.on("afterDrawing", function (ctx) { self.draw(ctx); });
    network.on("dragEnd", function (params) { if (params.nodes && params.nodes.length) { self.moved++; network.redraw(); } });
  }

  // The label's size on screen at ``scale``, or 0 when it is not drawn there.
  Labels.prototype.px = function (it, scale) {
    var px = it.font * scale;
    if (it.required && this.forced) px = Math.max(px, this.rule.legible_px);
    return px < this.rule.legible_px ? 0 : Math.min(px, MAX_PX);
  };

  Labels.prototype.size = function (it, px) {
    var w = 0;
    for (var i = 0; i < it.lines.length; i++) w = Math.max(w, lineWidth(it.lines[i], px));
    return { w: Math.ceil(w) + 2, h: Math.ceil(it.lines.length * px * LINE) };
  };

  // Every drawn node's box in canvas units, relative to its position (vis-network's own).
  // (A node grown by arrange() counts at its new size before vis-network has drawn it so.)
  Labels.prototype.shapes = function () {
    var net = this.network, ids = this.nodes.getIds(), pos = net.getPositions(ids), out = {}, grown = this.grown;
    ids.forEach(function (id) {
      var b = net.getBoundingBox(id), p = pos[id], m = grown[id] || 0;
      if (b && p) out[id] = { l: Math.min(b.left - p.x, -m), t: Math.min(b.top - p.y, -m),
                              r: Math.max(b.right - p.x, m), b: Math.max(b.bottom - p.y, m) };
    });
    return { boxes: out, pos: pos };
  };

  // A node's box at ``scale``: a shape drawn smaller than MIN_NODE_PX across on screen counts as
  // that size (arrange() draws it so).
  Labels.prototype.box = function (geo, id, scale) {
    var b = geo.boxes[id];
    if (!this.growable[id]) return b;
    var m = MIN_NODE_PX / 2 / scale;
    return { l: Math.min(b.l, -m), t: Math.min(b.t, -m), r: Math.max(b.r, m), b: Math.max(b.b, m) };
  };

  function spots(s, w, h) {
    var below = s.b + GAP, above = s.t - GAP - h, right = s.r + GAP, left = s.l - GAP - w;
    return [
      { x: -w / 2, y: below, align: "center" },
      { x: right, y: -h / 2, align: "left" },
      { x: -w / 2, y: above, align: "center" },
      { x: left, y: -h / 2, align: "right" },
      { x: s.r * 0.5, y: below, align: "left" },
      { x: s.l * 0.5 - w, y: below, align: "right" },
      { x: s.r * 0.5, y: above, align: "left" },
      { x: s.l * 0.5 - w, y: above, align: "right" }
    ];
  }

  // Where every label goes for nodes at ``geo`` (shapes()) seen in ``view`` ({scale, x, y}: the
  // canvas point at the map's centre): see the top of this file.  Changes nothing.
  Labels.prototype.layout = function (geo, view) {
    var scale = view.scale, W = this.container.clientWidth, H = this.container.clientHeight;
    var grid = new Grid(), screen = {}, spotOf = {}, k;
    for (k in this.spotOf) spotOf[k] = this.spotOf[k];
    Object.keys(geo.boxes).forEach(function (id) {
      var b = this.box(geo, id, scale), p = geo.pos[id];
      var s = { l: b.l * scale, t: b.t * scale, r: b.r * scale, b: b.b * scale,
                x: (p.x - view.x) * scale + W / 2, y: (p.y - view.y) * scale + H / 2 };
      screen[id] = s;
      grid.add({ l: s.x + s.l - PAD, t: s.y + s.t - PAD, r: s.x + s.r + PAD, b: s.y + s.b + PAD, owner: id });
    }, this);
    var placed = [], unplaced = [];
    this.items.forEach(function (it) {
      var s = screen[it.id];
      if (!s) return;
      var px = this.px(it, scale);
      if (!px) return;
      if (s.x + s.r < 0 || s.x + s.l > W || s.y + s.b < 0 || s.y + s.t > H) return; // off screen
      var size = this.size(it, px), options = spots(s, size.w, size.h), first = spotOf[it.id] || 0;
      var best = null, bestCost = Infinity;
      // The spot it had last is tried first, so labels do not jump about as the reader zooms.
      for (var tried = 0; tried < options.length; tried++) {
        var at = tried === 0 ? first : tried <= first ? tried - 1 : tried, o = options[at];
        var box = { l: s.x + o.x, t: s.y + o.y, r: s.x + o.x + size.w, b: s.y + o.y + size.h };
        var inside = box.l >= 1 && box.t >= 1 && box.r <= W - 1 && box.b <= H - 1;
        var hits = grid.hits(box, it.id);
        if (inside && !hits.length) { best = { o: o, box: box }; bestCost = 0; spotOf[it.id] = at; break; }
        if (!it.required || !this.forced) continue;
        // A required label with no clear spot: the spot that covers least, never another label.
        var cost = inside ? 0 : 1e6, onLabel = false;
        hits.forEach(function (h) { if (h.label) onLabel = true; cost += area(h, box); });
        if (!onLabel && cost < bestCost) { best = { o: o, box: box }; bestCost = cost; }
      }
      if (bestCost > 0 && it.required && this.forced) unplaced.push(it.id);
      if (!best) return;
      grid.add({ l: best.box.l - PAD, t: best.box.t - PAD, r: best.box.r + PAD, b: best.box.b + PAD, owner: it.id, label: true });
      placed.push({ id: it.id, lines: it.lines, px: px, align: best.o.align, dx: best.o.x, dy: best.o.y,
                    left: best.box.l, top: best.box.t, width: size.w, height: size.h, clear: bestCost === 0 });
    }, this);
    return { placed: placed, unplaced: unplaced, spotOf: spotOf, scale: scale };
  };

  // Place every label for the view as it is now.
  Labels.prototype.place = function () {
    var c = this.network.getViewPosition();
    this.commit(this.layout(this.shapes(), { scale: this.network.getScale(), x: c.x, y: c.y }));
  };

  Labels.prototype.commit = function (result) {
    this.placed = result.placed;
    this.unplaced = result.unplaced;
    this.spotOf = result.spotOf;
    this.key = this.keyNow();
  };

  Labels.prototype.keyNow = function () {
    var c = this.network.getViewPosition();
    return [this.network.getScale(), c.x, c.y, this.container.clientWidth, this.container.clientHeight, this.moved].join(",");
  };

  Labels.prototype.update = function () {
    if (this.keyNow() !== this.key) this.place();
  };

  Labels.prototype.draw = function (ctx) {
    if (!this.placed.length) return;
    var net = this.network, scale = net.getScale();
    var pos = net.getPositions(this.placed.map(function (p) { return p.id; }));
    ctx.save();
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#ffffff";
    ctx.fillStyle = INK;
    ctx.lineWidth = 3 / scale;
    this.placed.forEach(function (p) {
      var at = pos[p.id];
      if (!at) return;
      var node = this.nodes.get(p.id);
      ctx.globalAlpha = node && node.opacity !== undefined ? node.opacity : 1;
      ctx.font = (p.px / scale) + "px " + FACE;
      ctx.textAlign = p.align;
      var left = at.x + p.dx / scale, top = at.y + p.dy / scale, w = p.width / scale;
      var x = p.align === "center" ? left + w / 2 : p.align === "left" ? left + 1 / scale : left + w - 1 / scale;
      var lh = p.px * LINE / scale;
      for (var i = 0; i < p.lines.length; i++) {
        var y = top + i * lh + (lh - p.px / scale) / 2;
        ctx.strokeText(p.lines[i], x, y);
        ctx.fillText(p.lines[i], x, y);
      }
    }, this);
    ctx.restore();
  };

  // -- opening the view -------------------------------------------------------------------------

  // A required label's box in canvas units, relative to its node, at ``scale``: at the spot where
  // it was last placed clear of everything, else under its node.
  Labels.prototype.roomFor = function (it, b, scale) {
    var size = this.size(it, this.px(it, scale));
    var at = this.spotOf[it.id] || 0;
    var o = spots({ l: b.l * scale, t: b.t * scale, r: b.r * scale, b: b.b * scale }, size.w, size.h)[at];
    return { l: o.x / scale, t: o.y / scale, r: (o.x + size.w) / scale, b: (o.y + size.h) / scale };
  };

  // Each node's box in canvas units relative to its position, with its required label's room.
  Labels.prototype.footprints = function (geo, scale) {
    var out = {}, byId = {};
    this.items.forEach(function (it) { byId[it.id] = it; });
    Object.keys(geo.boxes).forEach(function (id) {
      var b = this.box(geo, id, scale), it = byId[id], f = { l: b.l, t: b.t, r: b.r, b: b.b };
      if (it && it.required) {
        var room = this.roomFor(it, b, scale);
        f = { l: Math.min(f.l, room.l), t: Math.min(f.t, room.t), r: Math.max(f.r, room.r), b: Math.max(f.b, room.b), label: true };
      }
      out[id] = f;
    }, this);
    return out;
  };

  // The view that shows every node and every required label inside the map, at a scale no
  // larger than ``maxFitScale``: labels of a set size on screen take more canvas as the scale
  // falls, so the scale is found in a few rounds.  ``geo``: shapes() or a trial of spreadAt().
  Labels.prototype.fitOf = function (geo, scale) {
    var W = this.container.clientWidth, H = this.container.clientHeight, ids = Object.keys(geo.boxes);
    var margin = 2 * (GAP + PAD), box = null;
    for (var round = 0; round < 12; round++) {
      var feet = this.footprints(geo, scale);
      box = { l: Infinity, t: Infinity, r: -Infinity, b: -Infinity };
      ids.forEach(function (id) {
        var f = feet[id], p = geo.pos[id];
        box.l = Math.min(box.l, p.x + f.l); box.t = Math.min(box.t, p.y + f.t);
        box.r = Math.max(box.r, p.x + f.r); box.b = Math.max(box.b, p.y + f.b);
      });
      var next = Math.min((W - margin) / Math.max(box.r - box.l, 1), (H - margin) / Math.max(box.b - box.t, 1),
                          MAX_FIT_SCALE);
      var done = Math.abs(next - scale) < 1e-3 * scale;
      scale = next;
      if (done) break;
    }
    return { scale: scale, x: (box.l + box.r) / 2, y: (box.t + box.b) / 2 };
  };

  Labels.prototype.show = function (view) {
    this.network.moveTo({ position: { x: view.x, y: view.y }, scale: view.scale, animation: false });
  };

  // Positions where no footprint with a required label's room in it (at ``scale``) overlaps
  // another footprint or another node's box: each overlapping pair moves apart along the axis
  // where the overlap is the smaller share of the map's width or height, by just enough.  Where
  // rows must stay rows: ``sideways`` only, or else up and down a row at a time.  Null if
  // nothing overlapped.
  Labels.prototype.spreadAt = function (geo, scale, sideways) {
    var feet = this.footprints(geo, scale), pad = PAD / scale;
    var W = this.container.clientWidth, H = this.container.clientHeight;
    var ids = Object.keys(geo.boxes).sort(), n = ids.length;
    var x = new Float64Array(n), y = new Float64Array(n), l = new Float64Array(n), t = new Float64Array(n);
    var r = new Float64Array(n), b = new Float64Array(n), lab = new Uint8Array(n);
    ids.forEach(function (id, i) {
      var f = feet[id];
      x[i] = geo.pos[id].x; y[i] = geo.pos[id].y;
      l[i] = f.l - pad; t[i] = f.t - pad; r[i] = f.r + pad; b[i] = f.b + pad; lab[i] = f.label ? 1 : 0;
    });
    var moved = false, order = [], eps = 0.5 / scale;
    // Where rows must stay rows, a node's move up or down is its row's: the mean of its members'.
    var rowOf = null, rowCount = 0;
    if (this.opts.keepRows && !sideways) {
      var rowIds = {};
      rowOf = new Int32Array(n);
      for (var q = 0; q < n; q++) {
        var key = Math.round(y[q]);
        if (rowIds[key] === undefined) rowIds[key] = rowCount++;
        rowOf[q] = rowIds[key];
      }
    }
    for (var i0 = 0; i0 < n; i0++) order.push(i0);
    var sx = new Float64Array(n), sy = new Float64Array(n);
    for (var iter = 0; iter < SPREAD_ROUNDS && n > 1; iter++) {
      sx.fill(0); sy.fill(0);
      var clash = false;
      // Sweep along x: only boxes whose x-ranges meet are compared.
      order.sort(function (p, q) { return x[p] + l[p] - (x[q] + l[q]) || p - q; });
      for (var ii = 0; ii < n; ii++) {
        var i = order[ii], right = x[i] + r[i];
        for (var jj = ii + 1; jj < n; jj++) {
          var j = order[jj];
          if (x[j] + l[j] >= right) break;
          // Nodes without labels may overlap (vis-network draws them so as it is); a label keeps
          // PAD clear of every node and label.
          if (!lab[i] && !lab[j]) continue;
          var ox = Math.min(right, x[j] + r[j]) - Math.max(x[i] + l[i], x[j] + l[j]);
          if (ox <= 0) continue;
          var oy = Math.min(y[i] + b[i], y[j] + b[j]) - Math.max(y[i] + t[i], y[j] + t[j]);
          if (oy <= 0) continue;
          clash = true;
          // The boxes' centres give the direction; a tie goes by index, the same every time.
          if (sideways || ox / W <= oy / H) {
            var dx = x[i] + (l[i] + r[i]) / 2 - (x[j] + (l[j] + r[j]) / 2);
            var mx = (dx > 0 || (dx === 0 && i > j) ? 1 : -1) * (ox / 2 + eps);
            sx[i] += mx; sx[j] -= mx;
          } else {
            var dy = y[i] + (t[i] + b[i]) / 2 - (y[j] + (t[j] + b[j]) / 2);
            var my = (dy > 0 || (dy === 0 && i > j) ? 1 : -1) * (oy / 2 + eps);
            sy[i] += my; sy[j] -= my;
          }
        }
      }
      if (!clash) break;
      moved = true;
      if (rowOf) {
        var sum = new Float64Array(rowCount), members = new Float64Array(rowCount);
        for (var m = 0; m < n; m++) { sum[rowOf[m]] += sy[m]; members[rowOf[m]]++; }
        for (m = 0; m < n; m++) sy[m] = sum[rowOf[m]] / members[rowOf[m]];
      }
      for (var k = 0; k < n; k++) { x[k] += sx[k]; y[k] += sy[k]; }
    }
    var list = ids.map(function (id, i) { return { id: id, x: x[i], y: y[i] }; });
    if (!moved) return null;
    // The view's centre node keeps its place.
    var offx = 0, offy = 0;
    this.items.forEach(function (it) {
      if (!it.centre || !geo.pos[it.id]) return;
      list.forEach(function (m) { if (m.id === it.id) { offx = geo.pos[it.id].x - m.x; offy = geo.pos[it.id].y - m.y; } });
    });
    var pos = {};
    list.forEach(function (m) { pos[m.id] = { x: m.x + offx, y: m.y + offy }; });
    return { boxes: geo.boxes, pos: pos };
  };

  // -- levels that wrap --------------------------------------------------------------------------

  // Where the rows are levels that may wrap (the accountability view: ``opts.wrapRows``) and a
  // row is wider than the pane has room for at the legibility rule's size, each such row is
  // broken into as few rows as fit, of about equal length, in reading order: the first nodes
  // from the left on the first, and so on.  A level's rows stay together, the rows below move
  // down to make room, and rows keep their order top to bottom.  A row caption (a decoration)
  // is centred over the narrower rows.  Returns positions for ``geo``'s boxes, or null when
  // every row fits as it is.
  //
  // The width a row needs is measured at the scale at which every required label just fits the
  // distance between its node and its nearest neighbour in the row: the narrower layout is
  // fitted at about that scale.
  Labels.prototype.wrapRows = function (geo) {
    var W = this.container.clientWidth - 2 * (GAP + PAD), legible = this.rule.legible_px;
    var byId = {}, rows = {}, keys = [], nodes = this.nodes;
    this.items.forEach(function (it) { if (it.required) byId[it.id] = it; });
    Object.keys(geo.pos).sort().forEach(function (id) {
      var k = Math.round(geo.pos[id].y);
      if (!rows[k]) { rows[k] = []; keys.push(k); }
      rows[k].push(id);
    });
    keys.sort(function (a, b) { return a - b; });
    var pos = geo.pos, scale = 0, rowGap = Infinity, prev = null;
    var need = {}, tall = {};
    keys.forEach(function (k) {
      var ids = rows[k].sort(function (a, b) { return pos[a].x - pos[b].x || (a < b ? -1 : 1); });
      var decor = ids.every(function (id) { var n = nodes.get(id); return n && n.decor; });
      if (decor) return;
      if (prev !== null) rowGap = Math.min(rowGap, k - prev);
      prev = k;
      ids.forEach(function (id, i) {
        var it = byId[id], b = geo.boxes[id];
        need[id] = 0;
        tall[id] = { node: b.b - b.t, label: 0 };
        if (!it) return;
        var size = this.size(it, legible);
        need[id] = size.w + 2 * PAD + GAP;
        tall[id].label = size.h + GAP + 2 * PAD;
        var gap = Math.min(i > 0 ? pos[id].x - pos[ids[i - 1]].x : Infinity,
                           i < ids.length - 1 ? pos[ids[i + 1]].x - pos[id].x : Infinity);
        if (gap > 0 && gap < Infinity) scale = Math.max(scale, need[id] / gap);
      }, this);
    }, this);
    if (!scale) return null;
    // A node's width on screen at ``scale``: its label's, or its shape's.
    function width(id) { var b = geo.boxes[id]; return Math.max(need[id] || 0, (b.r - b.l) * scale); }
    function fits(chunk) {
      var a = chunk[0], z = chunk[chunk.length - 1];
      return (pos[z].x - pos[a].x) * scale + width(a) / 2 + width(z) / 2 <= W;
    }
    // Each row's nodes in ``parts`` runs of about equal length, in order.
    function split(ids, parts) {
      var out = [], at = 0;
      for (var p = 0; p < parts; p++) {
        var len = Math.floor((ids.length - at) / (parts - p)) + ((ids.length - at) % (parts - p) ? 1 : 0);
        out.push(ids.slice(at, at + len));
        at += len;
      }
      return out;
    }
    var wrapped = false, plan = keys.map(function (k) {
      var ids = rows[k], parts = 1;
      while (parts < ids.length && !split(ids, parts).every(fits)) parts++;
      if (parts > 1) wrapped = true;
      return split(ids, parts);
    });
    if (!wrapped) return null;
    // Rows one under another as far apart as a node and its label need at ``scale``: the rows of
    // a level ``step`` apart, and the gaps between rows as they were, grown in proportion (before
    // any pushing apart, a new level starts further down than a level's next row).
    var step = rowGap < Infinity ? rowGap : 0;
    Object.keys(tall).forEach(function (id) { step = Math.max(step, tall[id].node + tall[id].label / scale); });
    var grow = rowGap < Infinity ? step / rowGap : 1;
    var out = {}, y = keys[0], left = Infinity, right = -Infinity, captions = [];
    keys.forEach(function (k, r) {
      if (r > 0) y += (k - keys[r - 1]) * grow;
      var first = rows[k][0], last = rows[k][rows[k].length - 1], centre = (pos[first].x + pos[last].x) / 2;
      plan[r].forEach(function (chunk, j) {
        var mid = (pos[chunk[0]].x + pos[chunk[chunk.length - 1]].x) / 2;
        chunk.forEach(function (id) {
          var n = nodes.get(id);
          out[id] = { x: pos[id].x - mid + centre, y: y + (pos[id].y - k) + j * step };
          if (n && n.decor) { captions.push(id); return; }
          left = Math.min(left, out[id].x); right = Math.max(right, out[id].x);
        });
      });
      y += (plan[r].length - 1) * step;
    });
    captions.forEach(function (id) { out[id].x = (left + right) / 2; });
    return { boxes: geo.boxes, pos: out };
  };

  Labels.prototype.canArrange = function () { return this.forced; };

  // Open the view: fit it with room for the required labels and place every label; if a
  // required one finds no clear spot, push the nodes apart for labels of the size they will
  // have at the scale the result is fitted at (arrangeFrom).  If one still finds none and the
  // pane may grow down, it grows until every one does: the stylesheet makes a pane's height at
  // least ``--map-needs`` where the page scrolls anyway (a narrow window: a phone, a zoomed
  // browser), so a phone's map is as tall as its names need, and a wide window's map keeps the
  // window's height.  If some are still without one in the accountability view, its levels wrap
  // onto narrower rows (wrapRows) and all this is done again.  Returns the required labels left
  // without a clear spot (none, normally).
  Labels.prototype.arrange = function () {
    var geo = this.shapes();
    if (!Object.keys(geo.boxes).length || !this.container.clientWidth) return [];
    var start = { scale: this.network.getScale(), spotOf: this.spotOf };
    if (this.baseHeight === undefined) this.baseHeight = this.container.clientHeight;
    var unplaced = this.arrangeGrowing(geo, start);
    // Only where rows as they are leave a name without room, even in the tallest pane, do the
    // levels of the accountability view wrap (wrapRows), and then from the pane's own height:
    // a view that can be named as it is keeps its rows.
    var wrapped = unplaced.length && this.opts.wrapRows ? this.wrapRows(geo) : null;
    if (!wrapped) return unplaced;
    var left = this.arrangeGrowing(wrapped, start, true);
    return left.length > unplaced.length ? this.arrangeGrowing(geo, start, true) : left;
  };

  // arrangeFrom(), in a pane grown as tall as it may be until every required label finds a clear
  // spot; ``again``: starting from the pane's own height.
  Labels.prototype.arrangeGrowing = function (geo, start, again) {
    var pane = this.container.parentNode, W = this.container.clientWidth;
    if (again && pane.style.getPropertyValue("--map-needs")) {
      pane.style.removeProperty("--map-needs");
      this.network.setSize();
    }
    var unplaced = this.arrangeFrom(geo, start);
    var most = this.baseHeight * MAX_GROW;
    var h = Math.max(this.container.clientHeight * GROW_STEP, this.roomNeeded() / DENSITY / W);
    for (; unplaced.length && h <= most; h *= GROW_STEP) {
      var was = this.container.clientHeight;
      pane.style.setProperty("--map-needs", Math.ceil(h) + "px");
      if (this.container.clientHeight <= was) {
        // This pane keeps its height (a wide window): leave it as it was.
        if (was <= this.baseHeight) pane.style.removeProperty("--map-needs");
        break;
      }
      this.network.setSize(); // the canvas follows its pane now, not at vis-network's next check
      unplaced = this.arrangeFrom(geo, start);
    }
    return unplaced;
  };

  // The screen area the required labels take at the legible size, with the room kept round them.
  Labels.prototype.roomNeeded = function () {
    var total = 0;
    this.items.forEach(function (it) {
      if (!it.required) return;
      var size = this.size(it, this.rule.legible_px);
      total += (size.w + 2 * PAD) * (size.h + 2 * PAD + GAP);
    }, this);
    return total;
  };

  // Fit the view on nodes at ``geo`` (shapes()) with room for the required labels, and push
  // the nodes apart where one finds no clear spot.  Pushing apart is not monotone in the scale
  // (at a small one every label overlaps every other and the pile flies apart), so scales are
  // tried from the fitted one down, and the first at which every required label finds a clear
  // spot wins (else the one that left fewest without).  ``start``: the scale the fit starts
  // from and the spots labels had, the same for every height of the pane tried.
  Labels.prototype.arrangeFrom = function (geo, start) {
    this.spotOf = start.spotOf;
    var view = this.fitOf(geo, start.scale);
    var best = { geo: geo, view: view, result: this.layout(geo, view) };
    // Rows that must stay rows are first pushed apart sideways only, then row by row as well.
    var ways = this.opts.keepRows ? [true, false] : [false];
    for (var trial = 1; trial <= TRIALS && best.result.unplaced.length; trial++) {
      var s = view.scale * Math.pow(STEP, trial), small = 0;
      for (var w = 0; w < ways.length && best.result.unplaced.length; w++) {
        var tried = this.spreadAt(geo, s, ways[w]) || geo, fitted = this.fitOf(tried, s);
        if (fitted.scale < view.scale * SMALLEST) { small++; continue; }
        var result = this.layout(tried, fitted);
        if (result.unplaced.length < best.result.unplaced.length) best = { geo: tried, view: fitted, result: result };
      }
      if (small === ways.length) break;
    }
    // Nodes go where the best trial put them, and shapes too small to see grow (both undone
    // where an earlier height of the pane needed them and this one does not).
    var pos = best.geo.pos, now = this.network.getPositions(), m = MIN_NODE_PX / 2 / best.view.scale, changes = [];
    Object.keys(pos).forEach(function (id) {
      var change = { id: id }, b = geo.boxes[id];
      if (now[id] && (now[id].x !== pos[id].x || now[id].y !== pos[id].y)) { change.x = pos[id].x; change.y = pos[id].y; }
      if (this.growable[id] && Math.max(-b.l, b.r, -b.t, b.b) < m) { change.size = m; this.grown[id] = m; }
      else if (this.grown[id]) { change.size = this.growable[id]; delete this.grown[id]; }
      if (Object.keys(change).length > 1) changes.push(change);
    }, this);
    if (changes.length) { this.nodes.update(changes); this.moved++; }
    this.show(best.view);
    this.commit(best.result);
    this.network.redraw();
    return this.unplaced;
  };

  root.govmapLabels = {
    MAX_FIT_SCALE: MAX_FIT_SCALE,
    // Take over drawing the labels of ``items`` on ``network`` (their nodes must have been given
    // to vis-network without a label).
    attach: function (network, nodes, container, items, rule, opts) {
      return new Labels(network, nodes, container, items, rule, opts);
    },
    // The node as vis-network gets it: without the label this file draws, unless the shape holds
    // its label inside (an ellipse) or the node is decoration (a row caption).
    unlabelled: function (node) {
      if (node.shape === "ellipse" || node.decor) return node;
      var copy = {};
      for (var k in node) if (Object.prototype.hasOwnProperty.call(node, k) && k !== "label") copy[k] = node[k];
      return copy;
    },
    ownsLabel: function (node) { return !!node.label && node.shape !== "ellipse" && !node.decor; }
  };
})(window);
