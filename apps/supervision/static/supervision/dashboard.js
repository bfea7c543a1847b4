// 领导驾驶舱 and 大屏: charts from the json_script block "dashboard-data" (no inline
// scripts, CSP). Clicking a unit's column (its bar, the space above it or its label)
// opens that unit: the shared drill-down of static/js/chart-drill.js.
(function () {
  "use strict";
  var holder = document.getElementById("dashboard-data");
  if (!holder || typeof echarts === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  var big = document.body.classList.contains("screen");
  var text = big ? "#f5e6c8" : "#333";
  var font = big ? 20 : 12;
  var charts = [];

  function bar(el, labels, values, color, urls) {
    var chart = echarts.init(el);
    // labels that do not fit under their bar are slanted and cut (the tooltip has them whole)
    var longest = Math.max.apply(null, labels.map(function (l) { return String(l).length; }).concat([0]));
    var tight = labels.length > 6 || longest * font > el.clientWidth / Math.max(labels.length, 1) - 8;
    chart.setOption({
      textStyle: { fontSize: font, color: text },
      tooltip: { trigger: "axis" },
      grid: { left: big ? 70 : 50, right: 20, top: 20, bottom: big ? 110 : 80 },
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0, rotate: tight ? 35 : 0, width: tight ? (big ? 200 : 110) : undefined, overflow: "truncate", fontSize: font, color: text } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: font, color: text } },
      series: [{
        type: "bar", data: values, itemStyle: { color: color },
        label: { show: true, position: "top", fontSize: font, color: text }, cursor: urls ? "pointer" : "default"
      }]
    });
    if (urls && window.DangjianChartDrill) { window.DangjianChartDrill.attach(chart, urls, false); }
    return chart;
  }

  var u = data.units;
  var el = document.getElementById("chart-units");
  if (el && u && u.labels.length) { charts.push(bar(el, u.labels, u.members, "#c0392b", u.urls)); }
  el = document.getElementById("chart-health");
  if (el && u && u.labels.length) { charts.push(bar(el, u.labels, u.health, "#d4a017", u.urls)); }
  (data.sections || []).forEach(function (s, i) {
    var e = document.getElementById("chart-section-" + i);
    if (e) { charts.push(bar(e, s.labels, s.values, i % 2 ? "#d35400" : "#a93226", null)); }
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
