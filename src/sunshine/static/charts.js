// Draws the dashboard charts from the data-chart attributes (tables beside them carry the
// same figures for screen readers and for printing).
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) { return; }
  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var data = JSON.parse(el.getAttribute("data-chart"));
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      color: ["#b45309"],
      grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.labels.slice().reverse(), axisLabel: { fontSize: 11 } },
      series: [{ type: "bar", barMaxWidth: 22, data: data.values.slice().reverse() }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
