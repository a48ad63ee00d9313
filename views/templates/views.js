// views.js — draws the network of an incident-kg page with vis-network, offline.
//
// The page holds its graph as JSON in <script type="application/json" id="graph-data">
// (written by views/pages.py). Every text from the reports (labels, tooltips) is put
// into the page as text (textContent, or vis-network labels drawn on the canvas), never
// as HTML, so a report that contains markup shows the markup and runs nothing.
(function () {
  "use strict";

  // A line is a text (from a report: shown as written) or a pair [ja, en] of the page's own
  // words, shown in the page's language.
  function textBlock(lines, className, lang) {
    var block = document.createElement("div");
    block.className = className;
    lines.forEach(function (line) {
      var row = document.createElement("div");
      row.textContent = Array.isArray(line) ? (lang === "en" ? line[1] : line[0]) : line;
      block.appendChild(row);
    });
    return block;
  }

  function setLanguage(lang, drawn) {
    document.body.setAttribute("data-lang", lang);
    document.documentElement.setAttribute("lang", lang);
    document.querySelectorAll("[data-set-lang]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-set-lang") === lang));
    });
    // a select's options cannot hold two spans: each carries both names and shows one
    document.querySelectorAll("option[data-ja]").forEach(function (option) {
      option.textContent = option.getAttribute(lang === "en" ? "data-en" : "data-ja");
    });
    // attributes in both languages (titles, placeholders): data-NAME-ja / data-NAME-en
    ["title", "placeholder"].forEach(function (name) {
      document.querySelectorAll("[data-" + name + "-ja]").forEach(function (el) {
        el.setAttribute(name, el.getAttribute("data-" + name + "-" + (lang === "en" ? "en" : "ja")));
      });
    });
    if (detailed) { showDetails(detailed, lang); }
    if (drawn) {
      drawn.nodes.update(drawn.nodes.get().map(function (n) {
        return {
          id: n.id,
          label: lang === "en" ? n.label_en : n.label_ja,
          title: textBlock(n.tip || [], "ikg-tip", lang)
        };
      }));
      drawn.edges.update(drawn.edges.get().filter(function (e) {
        return e.tip && e.tip.length;
      }).map(function (e) {
        return { id: e.id, title: textBlock(e.tip, "ikg-tip", lang) };
      }));
      // edges named by a relation (legend.yaml "relations") carry both names
      drawn.edges.update(drawn.edges.get().filter(function (e) {
        return e.label_ja !== undefined;
      }).map(function (e) {
        return { id: e.id, label: lang === "en" ? e.label_en : e.label_ja };
      }));
    }
  }

  // -- tables: search, filters (the index), sorting (every table) ----------------------

  function lines(row, name) {
    var value = row.getAttribute("data-" + name);
    return value ? value.split("\n") : [];
  }

  function inPeriod(periods, from, to) {
    // a period is YYYY-MM, or YYYY when the report gives only the year
    if (!from && !to) { return true; }
    return periods.some(function (p) {
      return (!from || p >= from.slice(0, p.length)) && (!to || p <= to.slice(0, p.length));
    });
  }

  function applyFilters() {
    var form = document.getElementById("filters");
    if (!form) { return; }
    var text = document.getElementById("filter-text").value.trim().toLowerCase();
    var tier = document.getElementById("filter-tier").value;
    var body = document.getElementById("filter-body").value.trim();
    var from = document.getElementById("filter-from");
    var to = document.getElementById("filter-to");
    // the full range the page offers is no filter (undated rows stay)
    var fromValue = from.value && from.value !== from.getAttribute("min") ? from.value : "";
    var toValue = to.value && to.value !== to.getAttribute("max") ? to.value : "";
    document.querySelectorAll("table[data-filterable] tbody tr").forEach(function (row) {
      var show = (!text || row.textContent.toLowerCase().indexOf(text) >= 0) &&
        (!tier || lines(row, "tiers").indexOf(tier) >= 0) &&
        (!body || lines(row, "bodies").some(function (b) { return b.indexOf(body) >= 0; })) &&
        inPeriod(lines(row, "periods"), fromValue, toValue);
      row.hidden = !show;
    });
    document.querySelectorAll("[data-shown-of]").forEach(function (span) {
      var rows = document.querySelectorAll("#" + span.getAttribute("data-shown-of") + " tbody tr");
      var shown = Array.prototype.filter.call(rows, function (r) { return !r.hidden; }).length;
      span.textContent = "(" + shown + " / " + rows.length + ")";
    });
  }

  function cellKey(cell, numeric) {
    var key = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.innerText.trim();
    if (numeric) {
      var n = parseFloat(key);
      return isNaN(n) ? -Infinity : n;
    }
    return key;
  }

  function sortBy(th) {
    var table = th.closest("table");
    var column = Array.prototype.indexOf.call(th.parentNode.children, th);
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    th.parentNode.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var numeric = rows.length > 0 && rows.every(function (r) {
      var c = r.cells[column];
      return !c || c.classList.contains("num") || c.hasAttribute("data-sort");
    }) && rows.some(function (r) { return r.cells[column] && r.cells[column].classList.contains("num"); });
    var keyed = rows.map(function (r, i) { return [cellKey(r.cells[column], numeric), i, r]; });
    keyed.sort(function (a, b) {
      var order = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1];
      if (a[0] === b[0]) { return a[1] - b[1]; }
      return ascending ? order : -order;
    });
    keyed.forEach(function (k) { body.appendChild(k[2]); });
  }

  function setUpTables() {
    document.querySelectorAll("table[data-sortable] th").forEach(function (th) {
      th.addEventListener("click", function () { sortBy(th); });
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(th); }
      });
    });
    var form = document.getElementById("filters");
    if (form) {
      form.addEventListener("input", applyFilters);
      form.addEventListener("change", applyFilters);
      form.addEventListener("submit", function (event) { event.preventDefault(); });
      form.addEventListener("reset", function () { window.setTimeout(applyFilters, 0); });
      applyFilters();
    }
  }

  var detailed = null;  // what the details panel shows: shown again in the other language

  function showDetails(item, lang) {
    var panel = document.getElementById("details");
    if (!panel) { return; }
    detailed = item;
    panel.replaceChildren(textBlock(item.tip || [], "ikg-tip", lang));
    if (item.href) {
      var link = document.createElement("a");
      link.setAttribute("href", item.href);
      link.textContent = lang === "en" ? "Open its page" : "詳細ページを開く";
      panel.appendChild(link);
    }
  }

  function draw() {
    var source = document.getElementById("graph-data");
    var lang = document.body.getAttribute("data-lang") || "ja";
    var data = JSON.parse(source.textContent);
    var nodes = new vis.DataSet(data.nodes.map(function (n) {
      return Object.assign({}, n, {
        label: lang === "en" ? n.label_en : n.label_ja,
        title: textBlock(n.tip || [], "ikg-tip", lang)
      });
    }));
    var edges = new vis.DataSet(data.edges.map(function (e, i) {
      var edge = Object.assign({ id: "e" + i }, e);
      if (e.label_ja !== undefined) { edge.label = lang === "en" ? e.label_en : e.label_ja; }
      edge.title = e.tip && e.tip.length ? textBlock(e.tip, "ikg-tip", lang) : undefined;
      return edge;
    }));
    var container = document.getElementById("network");
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
    window.ikgView = { network: network, nodes: nodes, edges: edges, drawn: false };
    network.once("afterDrawing", function () {
      // the fit is to the nodes: step back a little so that the labels at the edges show whole
      network.moveTo({ scale: network.getScale() * 0.88 });
      window.ikgView.drawn = true;
      document.body.setAttribute("data-drawn", "true");
    });
    network.on("click", function (params) {
      var current = document.body.getAttribute("data-lang") || "ja";
      if (params.nodes.length) {
        showDetails(nodes.get(params.nodes[0]), current);
      } else if (params.edges.length) {
        showDetails(edges.get(params.edges[0]), current);
      }
    });
    network.on("doubleClick", function (params) {
      if (params.nodes.length) {
        var node = nodes.get(params.nodes[0]);
        if (node.href) { window.location.href = node.href; }
      }
    });
    return { nodes: nodes, edges: edges };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var drawn = document.getElementById("graph-data") ? draw() : null;
    document.querySelectorAll("[data-set-lang]").forEach(function (button) {
      button.addEventListener("click", function () {
        setLanguage(button.getAttribute("data-set-lang"), drawn);
      });
    });
    setLanguage(document.body.getAttribute("data-lang") || "ja", null);
    setUpTables();
    document.body.setAttribute("data-ready", "true");
  });
})();
