// The case workbench and case statistics: selecting cases for a bulk assignment, and the
// charts of the statistics page (the tables beside them carry the same figures).
(function () {
  "use strict";

  // -- bulk assignment: "select all" and the count on the button ------------------------
  function picks() { return document.querySelectorAll("#bulk-form .case-pick"); }

  function refreshCount() {
    var chosen = 0;
    picks().forEach(function (box) { if (box.checked) { chosen += 1; } });
    var badge = document.getElementById("picked-count");
    if (badge) { badge.textContent = String(chosen); }
    var all = document.getElementById("select-all");
    if (all) {
      all.checked = chosen > 0 && chosen === picks().length;
      all.indeterminate = chosen > 0 && chosen < picks().length;
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement)) { return; }
    if (target.id === "select-all") {
      picks().forEach(function (box) { box.checked = target.checked; });
      refreshCount();
    } else if (target.classList.contains("case-pick")) {
      refreshCount();
    }
  });
  document.addEventListener("htmx:afterSwap", refreshCount);
  document.addEventListener("DOMContentLoaded", refreshCount);

  // -- statistics charts -------------------------------------------------------------------
  var COLOURS = ["#b45309", "#1d4ed8", "#0f766e", "#6d28d9", "#b91c1c"];

  function option(kind, data) {
    var series = data.series.map(function (s) {
      var one = { name: s.name, type: "bar", data: s.values, barMaxWidth: 28 };
      if (kind === "stacked") { one.stack = "all"; }
      return one;
    });
    var common = {
      color: COLOURS,
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true }
    };
    if (data.series.length > 1) { common.legend = { top: 0, type: "scroll" }; }
    if (kind === "bars") {
      // Horizontal bars: area names are long.
      common.grid.top = 8;
      common.xAxis = { type: "value", max: 100, axisLabel: { formatter: "{value}%" } };
      common.yAxis = { type: "category", data: data.labels.slice().reverse(), axisLabel: { fontSize: 11 } };
      series.forEach(function (s) { s.data = s.data.slice().reverse(); });
    } else {
      common.xAxis = { type: "category", data: data.labels, axisLabel: { fontSize: 11 } };
      common.yAxis = { type: "value", minInterval: 1 };
    }
    common.series = series;
    return common;
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    document.querySelectorAll(".case-chart[data-chart-data]").forEach(function (el) {
      var data = JSON.parse(el.getAttribute("data-chart-data"));
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option(el.getAttribute("data-chart"), data));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  });
})();
