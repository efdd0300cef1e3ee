// Charts drawn with the vendored ECharts (no CDN) from figures a page puts in a
// json_script element; the page's tables hold the same figures, for screen readers,
// printing and browsers without JavaScript.
(function () {
  "use strict";

  function figures(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  // A case's effect evaluations: the change over time.
  function evaluationChart() {
    var data = figures("evaluation-data");
    var element = document.querySelector("[data-testid=evaluation-chart]");
    if (!data || !element) { return; }
    var chart = echarts.init(element, null, {renderer: "svg"});
    chart.setOption({
      legend: {}, tooltip: {trigger: "axis"}, animation: false,
      grid: {left: 8, right: 16, top: 32, bottom: 8, containLabel: true},
      xAxis: {type: "category", data: data.dates},
      yAxis: {type: "value", min: 1, max: 10},
      series: data.series.map(function (s) { return {type: "line", name: s.name, data: s.data, connectNulls: true}; })
    });
  }

  // The case statistics: one bar chart per [data-chart] figure.
  function statisticsCharts() {
    var data = figures("case-stats-data");
    if (!data) { return; }
    var colour = getComputedStyle(document.documentElement).getPropertyValue("--pico-primary").trim() || "#2f6f73";
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var series = data[element.dataset.chart];
      if (!series) { return; }
      var horizontal = element.dataset.chart === "category" || element.dataset.chart === "counselor";
      // A suppressed count is null: no bar is drawn, and its axis label says why.
      var hidden = element.dataset.suppressedLabel;
      var label = function (name, index) { return series.counts[index] === null ? name + (horizontal ? " (" : "\n(") + hidden + ")" : name; };
      var names = {type: "category", data: series.labels, axisLabel: {interval: 0, hideOverlap: !horizontal, formatter: label}, inverse: horizontal};
      var values = {type: "value", minInterval: 1};
      var chart = echarts.init(element, null, {renderer: "svg"});
      chart.setOption({
        color: [colour],
        grid: {left: 8, right: 24, top: 16, bottom: 8, containLabel: true},
        tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
        xAxis: horizontal ? values : names,
        yAxis: horizontal ? names : values,
        series: [{type: "bar", data: series.counts, barMaxWidth: 32, label: {show: true, position: horizontal ? "right" : "top"}}],
        animation: false
      });
      element.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    evaluationChart();
    statisticsCharts();
  });
})();
