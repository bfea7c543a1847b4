// 党内统计 charts: data from the json_script block "stats-data" (no inline scripts, CSP).
(function () {
  "use strict";
  var holder = document.getElementById("stats-data");
  if (!holder || typeof echarts === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  var charts = [];

  function bar(el, series, horizontal) {
    var chart = echarts.init(el);
    var cat = { type: "category", data: series.labels, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } };
    var val = { type: "value", minInterval: 1 };
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: horizontal ? 110 : 50, right: 20, top: 20, bottom: horizontal ? 30 : 70 },
      xAxis: horizontal ? val : cat,
      yAxis: horizontal ? cat : val,
      series: [{ type: "bar", data: series.values, itemStyle: { color: "#c0392b" }, label: { show: true, position: horizontal ? "right" : "top" } }]
    });
    return chart;
  }

  function pie(el, series) {
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      series: [{
        type: "pie", radius: ["35%", "65%"],
        data: series.labels.map(function (l, i) { return { name: l, value: series.values[i] }; })
      }]
    });
    return chart;
  }

  var specs = { age: "bar", education: "pie", occupation: "hbar", org_types: "pie" };
  Object.keys(specs).forEach(function (key) {
    var el = document.getElementById("chart-" + key);
    if (!el || !data[key]) { return; }
    var kind = specs[key];
    charts.push(kind === "pie" ? pie(el, data[key]) : bar(el, data[key], kind === "hbar"));
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
