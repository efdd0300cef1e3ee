// Screening reports drawn with the vendored ECharts (no CDN) from the figures the page puts in
// a json_script element; the tables beside each chart hold the same figures. A hidden count
// (a small group, for readers outside the counseling side) is null: no bar is drawn for it.
(function () {
  "use strict";

  function figures() {
    var element = document.getElementById("screening-report-data");
    return element ? JSON.parse(element.textContent) : null;
  }

  var PALETTE = ["#5b8e7d", "#8cb369", "#f4a259", "#e76f51", "#bc4b51", "#9a8c98", "#6d597a"];

  function draw(element, option) {
    var chart = echarts.init(element, null, {renderer: "svg"});
    chart.setOption(Object.assign({animation: false, color: PALETTE,
      grid: {left: 8, right: 16, top: 40, bottom: 8, containLabel: true},
      legend: {type: "scroll", top: 0}, tooltip: {trigger: "axis", axisPointer: {type: "shadow"}}}, option));
    element.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  // Stacked bars: each class's bands (the school's when the campaign has no classes).
  function bands(scale, element) {
    draw(element, {
      xAxis: {type: "category", data: scale.groups, axisLabel: {interval: 0, rotate: scale.groups.length > 6 ? 30 : 0}},
      yAxis: {type: "value", minInterval: 1},
      series: scale.bands.map(function (band) {
        return {type: "bar", stack: "bands", name: band.name, data: band.counts, barMaxWidth: 40};
      })
    });
  }

  // Mean scores per grade and the school, the total and each subscale side by side.
  function profile(scale, element) {
    draw(element, {
      xAxis: {type: "category", data: scale.scores},
      yAxis: {type: "value"},
      series: scale.profile.map(function (row) {
        return {type: "bar", name: row.name, data: row.means, barMaxWidth: 32};
      })
    });
  }

  // A student's totals per scale, or a class's bands per campaign.
  function trend(item, element) {
    if (item.totals) {
      draw(element, {
        legend: {show: false}, tooltip: {trigger: "axis"},
        xAxis: {type: "category", data: item.dates},
        yAxis: {type: "value", minInterval: 1, min: item.min === null ? undefined : item.min, max: item.max === null ? undefined : item.max},
        series: [{type: "line", name: item.name, data: item.totals, connectNulls: true, symbolSize: 8}]
      });
      return;
    }
    draw(element, {
      xAxis: {type: "category", data: item.campaigns, axisLabel: {interval: 0}},
      yAxis: {type: "value", minInterval: 1},
      series: item.bands.map(function (band) {
        return {type: "bar", stack: "bands", name: band.name, data: band.counts, barMaxWidth: 40};
      })
    });
  }

  // Nothing to draw (every count hidden or nothing submitted yet): say so instead of axes.
  function nothingToDraw(element, series) {
    var shown = series.some(function (values) {
      return values.some(function (v) { return v !== null && v !== 0; });
    });
    if (shown) { return false; }
    element.textContent = element.dataset.emptyLabel || "";
    element.style.height = "auto";
    element.classList.add("muted");
    element.removeAttribute("aria-hidden");
    element.dataset.rendered = "empty";
    return true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var data = figures();
    if (!window.echarts || !data) { return; }
    document.querySelectorAll("[data-report-chart]").forEach(function (element) {
      var index = Number(element.dataset.index);
      var kind = element.dataset.reportChart;
      if (kind === "trend") { trend(data.trends[index], element); return; }
      var scale = data.scales[index];
      if (kind === "bands") {
        if (!nothingToDraw(element, scale.bands.map(function (b) { return b.counts; }))) { bands(scale, element); }
      } else if (!nothingToDraw(element, scale.profile.map(function (p) { return p.means; }))) {
        profile(scale, element);
      }
    });
  });
})();
