/* CMDB impact graph: draws the result of the impact API with Cytoscape.js and expands a node when it is clicked.

   Markup (templates/cmdb/_impact_graph.html):
     <section data-cmdb-graph data-impact-url="/api/v1/cmdb/cis/__id__/impact/" data-root-id="7"
              data-controls="impact-controls" data-msg-*="...">
       <div data-graph-canvas></div> <div data-graph-status></div> <div data-graph-info></div> <ul data-graph-cycles></ul>
     </section>
   The controls form (its id in data-controls) contains "direction", "depth" and the "types" checkboxes. The table
   view reads the same form, so both views show the same question. Every text comes from data-msg-* attributes, which the
   template fills in the page's language. No inline script or style: the Content-Security-Policy forbids them. */
(function () {
  "use strict";

  var COLUMN_GAP = 230;
  var ROW_GAP = 64;
  var EXPAND_LIMIT = 200;

  function format(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function CmdbGraph(section) {
    this.section = section;
    this.canvas = section.querySelector("[data-graph-canvas]");
    this.status = section.querySelector("[data-graph-status]");
    this.info = section.querySelector("[data-graph-info]");
    this.cycleList = section.querySelector("[data-graph-cycles]");
    this.controls = document.getElementById(section.getAttribute("data-controls") || "");
    this.urlTemplate = section.getAttribute("data-impact-url");
    this.rootId = Number(section.getAttribute("data-root-id"));
    this.language = document.documentElement.lang || "fa";
    this.rtl = document.documentElement.dir === "rtl";
    this.numbers = new Intl.NumberFormat(this.language === "fa" ? "fa-IR" : "en-US");
    this.nodes = {};      // id -> {id, name, depth, path, expanded, ...}
    this.cycles = [];     // lists of ids, first and last the same
    this.request = 0;     // the newest load; responses to older loads are dropped
    this.cy = null;
  }

  CmdbGraph.prototype.message = function (name, values) {
    var text = this.section.getAttribute("data-msg-" + name) || "";
    var self = this;
    var localised = {};
    Object.keys(values || {}).forEach(function (key) {
      var value = values[key];
      localised[key] = typeof value === "number" ? self.numbers.format(value) : value;
    });
    return format(text, localised);
  };

  CmdbGraph.prototype.setStatus = function (text, isError) {
    if (!this.status) {
      return;
    }
    this.status.textContent = text;
    this.status.classList.toggle("text-danger", Boolean(isError));
    if (this.cy) {
      // A longer or shorter message moves the canvas; Cytoscape caches where the canvas is on the page,
      // and clicks would otherwise land beside the nodes.
      this.cy.resize();
    }
  };

  CmdbGraph.prototype.question = function () {
    var result = { direction: "down", depth: "3", types: [] };
    if (!this.controls) {
      return result;
    }
    var data = new FormData(this.controls);
    result.direction = data.get("direction") === "up" ? "up" : "down";
    result.depth = String(data.get("depth") || "3");
    result.types = data.getAll("types").filter(function (value) { return value !== ""; });
    return result;
  };

  CmdbGraph.prototype.url = function (ciId, depth) {
    var question = this.question();
    var params = new URLSearchParams();
    params.set("direction", question.direction);
    params.set("depth", String(depth || question.depth));
    params.set("limit", String(EXPAND_LIMIT));
    if (question.types.length) {
      params.set("types", question.types.join(","));
    }
    return this.urlTemplate.replace("__id__", String(ciId)) + "?" + params.toString();
  };

  CmdbGraph.prototype.fetchImpact = function (ciId, depth) {
    return fetch(this.url(ciId, depth), {
      credentials: "same-origin",
      headers: { "Accept": "application/json", "Accept-Language": this.language },
    }).then(function (response) {
      if (!response.ok) {
        var error = new Error("HTTP " + response.status);
        error.status = response.status;
        throw error;
      }
      return response.json();
    });
  };

  CmdbGraph.prototype.style = function () {
    var font = getComputedStyle(document.body).fontFamily || "sans-serif";
    return [
      { selector: "node", style: {
        "label": "data(label)", "font-family": font, "font-size": 12, "color": "#1d2a26",
        "text-valign": "bottom", "text-halign": "center", "text-margin-y": 5,
        "text-wrap": "ellipsis", "text-max-width": 170, "width": 26, "height": 26,
        "background-color": "#5b8fb9", "border-width": 2, "border-color": "#ffffff",
      } },
      { selector: "node.service", style: { "shape": "round-rectangle", "background-color": "#e35d2f", "width": 34 } },
      { selector: "node.inactive", style: { "background-color": "#adb5bd", "color": "#6c757d" } },
      { selector: "node.root", style: {
        "background-color": "#1f6f5c", "width": 36, "height": 36, "font-weight": "bold", "border-color": "#16513f",
      } },
      { selector: "node.expandable", style: { "border-color": "#1f6f5c", "border-style": "dashed" } },
      { selector: "node.cycle", style: { "border-color": "#b02a37", "border-width": 3, "border-style": "double" } },
      { selector: "node:selected", style: { "overlay-color": "#1f6f5c", "overlay-opacity": 0.15, "overlay-padding": 6 } },
      { selector: "edge", style: {
        "width": 1.5, "line-color": "#9aa8a3", "target-arrow-color": "#9aa8a3", "target-arrow-shape": "triangle",
        "curve-style": "bezier", "label": "data(label)", "font-family": font, "font-size": 10, "color": "#5c6770",
        "text-rotation": "autorotate", "text-background-color": "#ffffff", "text-background-opacity": 0.85,
        "text-background-padding": 2,
        // Edge labels disappear while too small to read, so a large graph stays legible; zooming in shows them.
        "min-zoomed-font-size": 7,
      } },
      { selector: "edge.cycle", style: { "line-color": "#b02a37", "target-arrow-color": "#b02a37", "line-style": "dashed" } },
    ];
  };

  CmdbGraph.prototype.ensureCy = function () {
    if (this.cy) {
      return;
    }
    var self = this;
    this.cy = window.cytoscape({
      container: this.canvas,
      style: this.style(),
      minZoom: 0.2,
      maxZoom: 2.5,
      boxSelectionEnabled: false,
    });
    this.cy.on("tap", "node", function (event) {
      self.select(Number(event.target.id().slice(1)));
    });
  };

  CmdbGraph.prototype.nodeClasses = function (node) {
    var classes = [];
    if (node.id === this.rootId) {
      classes.push("root");
    }
    if (/service/.test(node["class"] || "")) {
      classes.push("service");
    }
    if (node.status === "retired" || node.status === "disposed") {
      classes.push("inactive");
    }
    if (!node.expanded) {
      classes.push("expandable");
    }
    return classes.join(" ");
  };

  // Add the nodes and edges of one impact response. ``parent`` is the node that was expanded (null for the first load).
  CmdbGraph.prototype.merge = function (answer, parent) {
    var self = this;
    var added = [];
    var rootEntry = answer.root || {};
    if (!this.nodes[rootEntry.id]) {
      this.nodes[rootEntry.id] = Object.assign({}, rootEntry, { depth: 0, path: [rootEntry.id], expanded: false });
      added.push(this.nodes[rootEntry.id]);
    }
    (answer.nodes || []).forEach(function (entry) {
      var known = self.nodes[entry.id];
      if (parent) {
        if (known && parent.path.indexOf(entry.id) >= 0) {
          // The expanded node leads back to one of its own ancestors: a cycle.
          self.addCycle(parent.path.slice(parent.path.indexOf(entry.id)).concat([entry.id]));
        }
        if (!known) {
          self.nodes[entry.id] = Object.assign({}, entry, {
            depth: parent.depth + entry.depth, path: parent.path.concat(entry.path.slice(1)), expanded: false,
          });
          added.push(self.nodes[entry.id]);
        }
      } else if (!known) {
        // Nodes at the depth limit may have more behind them; the others were walked already.
        self.nodes[entry.id] = Object.assign({}, entry, { expanded: false });
        added.push(self.nodes[entry.id]);
      }
    });
    if (!parent) {
      var depthLimit = Number(answer.depth || this.question().depth);
      Object.keys(this.nodes).forEach(function (id) {
        var node = self.nodes[id];
        // Without truncation the walk reached everything; otherwise items at the depth limit may lead further.
        node.expanded = !answer.truncated || node.depth < depthLimit;
      });
    }
    (answer.cycles || []).forEach(function (cycle) { self.addCycle(cycle); });

    this.cy.batch(function () {
      added.forEach(function (node) {
        self.cy.add({ group: "nodes", data: { id: "n" + node.id, label: node.name } });
      });
      (answer.edges || []).forEach(function (edge) {
        var id = "e" + edge.source + "-" + edge.target + "-" + edge.type;
        if (self.cy.getElementById(id).empty() && self.nodes[edge.source] && self.nodes[edge.target]) {
          self.cy.add({ group: "edges", data: {
            id: id, source: "n" + edge.source, target: "n" + edge.target, label: edge.label || edge.type,
          } });
        }
      });
      Object.keys(self.nodes).forEach(function (id) {
        var element = self.cy.getElementById("n" + id);
        element.classes(self.nodeClasses(self.nodes[id]));
      });
      self.markCycles();
    });
    return added.length;
  };

  CmdbGraph.prototype.addCycle = function (cycle) {
    var key = cycle.join(">");
    var known = this.cycles.some(function (existing) { return existing.join(">") === key; });
    if (!known && cycle.length > 1) {
      this.cycles.push(cycle);
    }
  };

  CmdbGraph.prototype.markCycles = function () {
    var self = this;
    this.cycles.forEach(function (cycle) {
      cycle.forEach(function (id, index) {
        self.cy.getElementById("n" + id).addClass("cycle");
        var next = cycle[index + 1];
        if (next !== undefined) {
          self.cy.edges().filter(function (edge) {
            var ends = [edge.source().id(), edge.target().id()];
            return ends.indexOf("n" + id) >= 0 && ends.indexOf("n" + next) >= 0;
          }).addClass("cycle");
        }
      });
    });
    this.showCycles();
  };

  CmdbGraph.prototype.showCycles = function () {
    if (!this.cycleList) {
      return;
    }
    var self = this;
    this.cycleList.replaceChildren();
    this.cycles.forEach(function (cycle) {
      var item = document.createElement("li");
      var names = cycle.map(function (id) { return self.nodes[id] ? self.nodes[id].name : self.numbers.format(id); });
      item.textContent = self.message("cycle", { path: names.join(self.rtl ? " ← " : " → ") });
      self.cycleList.appendChild(item);
    });
    this.cycleList.hidden = this.cycles.length === 0;
  };

  // Columns by depth, the root at the inline start: on the right on Persian pages, on the left on English ones.
  CmdbGraph.prototype.layout = function () {
    var self = this;
    var columns = {};
    var order = {};
    var ids = Object.keys(this.nodes).map(Number);
    ids.sort(function (a, b) { return self.nodes[a].depth - self.nodes[b].depth; });
    ids.forEach(function (id) {
      var node = self.nodes[id];
      var parentId = node.path.length > 1 ? node.path[node.path.length - 2] : null;
      node.sortKey = [parentId === null ? 0 : (order[parentId] || 0), node.name || ""];
      (columns[node.depth] = columns[node.depth] || []).push(node);
    });
    var positions = {};
    Object.keys(columns).forEach(function (depth) {
      var column = columns[depth];
      column.sort(function (a, b) {
        return a.sortKey[0] - b.sortKey[0] || String(a.sortKey[1]).localeCompare(String(b.sortKey[1]), self.language);
      });
      column.forEach(function (node, index) {
        order[node.id] = index;
        positions["n" + node.id] = {
          x: (self.rtl ? -1 : 1) * Number(depth) * COLUMN_GAP,
          y: (index - (column.length - 1) / 2) * ROW_GAP,
        };
      });
    });
    this.cy.layout({
      name: "preset",
      positions: function (element) { return positions[element.id()]; },
      fit: true,
      padding: 30,
      animate: Object.keys(positions).length < 150,
      animationDuration: 250,
    }).run();
  };

  CmdbGraph.prototype.summary = function (answer) {
    var shown = Object.keys(this.nodes).length - 1;
    if (shown === 0) {
      this.setStatus(this.message(this.question().direction === "up" ? "empty-up" : "empty-down"));
      return;
    }
    var text = this.message("summary", { shown: shown, total: answer.total });
    if (answer.next_offset !== null && answer.next_offset !== undefined) {
      text += " " + this.message("paged");
    }
    if (answer.truncated) {
      text += " " + this.message("deeper");
    }
    this.setStatus(text);
  };

  CmdbGraph.prototype.load = function () {
    var self = this;
    var ticket = ++this.request;
    this.setStatus(this.message("loading"));
    if (this.info) {
      this.info.hidden = true;
    }
    this.fetchImpact(this.rootId).then(function (answer) {
      if (ticket !== self.request) {
        return;
      }
      self.ensureCy();
      self.cy.elements().remove();
      self.nodes = {};
      self.cycles = [];
      self.merge(answer, null);
      self.layout();
      self.summary(answer);
    }).catch(function (error) {
      if (ticket === self.request) {
        self.setStatus(self.message(error.status === 403 || error.status === 404 ? "forbidden" : "error"), true);
      }
    });
  };

  CmdbGraph.prototype.select = function (id) {
    var node = this.nodes[id];
    if (!node) {
      return;
    }
    this.showInfo(node);
    if (!node.expanded) {
      this.expand(node);
    }
  };

  CmdbGraph.prototype.expand = function (node) {
    var self = this;
    var ticket = this.request;
    node.expanded = true;
    this.setStatus(this.message("expanding", { name: node.name }));
    this.fetchImpact(node.id, 1).then(function (answer) {
      if (ticket !== self.request) {
        return;
      }
      var added = self.merge(answer, node);
      self.layout();
      self.setStatus(added ? self.message("expanded", { name: node.name, count: added }) :
        self.message("nothing-more", { name: node.name }));
    }).catch(function () {
      node.expanded = false;
      self.setStatus(self.message("error"), true);
    });
  };

  CmdbGraph.prototype.showInfo = function (node) {
    if (!this.info) {
      return;
    }
    var name = this.info.querySelector("[data-info-name]");
    var kind = this.info.querySelector("[data-info-class]");
    var depth = this.info.querySelector("[data-info-depth]");
    var link = this.info.querySelector("[data-info-link]");
    name.textContent = node.name;
    kind.textContent = node.class_label || node["class"] || "";
    depth.textContent = this.message("depth", { depth: node.depth });
    if (node.url) {
      link.href = node.url;
      link.hidden = false;
    } else {
      link.hidden = true;
    }
    this.info.hidden = false;
  };

  CmdbGraph.prototype.start = function () {
    var self = this;
    if (!window.cytoscape || !this.canvas || !this.urlTemplate) {
      return;
    }
    if (this.controls) {
      this.controls.addEventListener("change", function () { self.load(); });
    }
    this.section.querySelectorAll("[data-graph-fit]").forEach(function (button) {
      button.addEventListener("click", function () {
        if (self.cy) {
          self.cy.fit(undefined, 30);
        }
      });
    });
    this.section.querySelectorAll("[data-graph-reset]").forEach(function (button) {
      button.addEventListener("click", function () { self.load(); });
    });
    // Draw once the page font is ready, so that labels are measured with it.
    var fonts = document.fonts && document.fonts.ready ? document.fonts.ready : Promise.resolve();
    fonts.then(function () { self.load(); });
  };

  function startAll(root) {
    (root || document).querySelectorAll("[data-cmdb-graph]").forEach(function (section) {
      if (section.cmdbGraph) {
        return;
      }
      section.cmdbGraph = new CmdbGraph(section);
      section.cmdbGraph.start();
    });
  }

  document.addEventListener("DOMContentLoaded", function () { startAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { startAll(event.target); });
  // A graph drawn in a hidden tab has no size; fit it when its tab is shown.
  document.addEventListener("shown.bs.tab", function () {
    document.querySelectorAll("[data-cmdb-graph]").forEach(function (section) {
      var graph = section.cmdbGraph;
      if (graph && graph.cy) {
        graph.cy.resize();
        graph.cy.fit(undefined, 30);
      }
    });
  });
})();
