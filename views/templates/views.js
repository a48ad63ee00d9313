// views.js — draws the network of an incident-kg page with vis-network, offline.
//
// The page holds its graph as JSON in <script type="application/json" id="graph-data">
// (written by views/pages.py). Every text from the reports (labels, tooltips) is put
// into the page as text (textContent, or vis-network labels drawn on the canvas), never
// as HTML, so a report that contains markup shows the markup and runs nothing.
(function () {
  "use strict";

  function textBlock(lines, className) {
    var block = document.createElement("div");
    block.className = className;
    lines.forEach(function (line) {
      var row = document.createElement("div");
      row.textContent = line;
      block.appendChild(row);
    });
    return block;
  }

  function setLanguage(lang, nodes) {
    document.body.setAttribute("data-lang", lang);
    document.querySelectorAll("[data-set-lang]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-set-lang") === lang));
    });
    if (nodes) {
      nodes.update(nodes.get().map(function (n) {
        return { id: n.id, label: lang === "en" ? n.label_en : n.label_ja };
      }));
    }
  }

  function showDetails(item, lang) {
    var panel = document.getElementById("details");
    if (!panel) { return; }
    panel.replaceChildren(textBlock(item.tip || [], "ikg-tip"));
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
        title: textBlock(n.tip || [], "ikg-tip")
      });
    }));
    var edges = new vis.DataSet(data.edges.map(function (e, i) {
      var edge = Object.assign({ id: "e" + i }, e);
      edge.title = e.tip && e.tip.length ? textBlock(e.tip, "ikg-tip") : undefined;
      return edge;
    }));
    var container = document.getElementById("network");
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
    window.ikgView = { network: network, nodes: nodes, edges: edges, drawn: false };
    network.once("afterDrawing", function () {
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
    return nodes;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var nodes = document.getElementById("graph-data") ? draw() : null;
    document.querySelectorAll("[data-set-lang]").forEach(function (button) {
      button.addEventListener("click", function () {
        setLanguage(button.getAttribute("data-set-lang"), nodes);
      });
    });
    setLanguage(document.body.getAttribute("data-lang") || "ja", null);
  });
})();
