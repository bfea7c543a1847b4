// 党内统计 charts: data from the json_script block "stats-data" (no inline scripts, CSP).
(function () {
  "use strict";
  var holder = document.getElementById("stats-data");
  if (!holder || typeof echarts === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  var charts = [];

  // SVG, and labels that wrap inside the chart (containLabel) instead of being cut off on a phone.
  function init(el) { return echarts.init(el, null, { renderer: "svg" }); }
  function narrow(el) { return el.clientWidth < 520; }

  function bar(el, series, horizontal) {
    var chart = init(el);
    var small = narrow(el);
    var labelWidth = horizontal ? (small ? 72 : 120) : (small ? 48 : 80);
    // organisations (with urls) read top down in the order of the table below the chart
    var cat = { type: "category", inverse: !!(horizontal && series.urls), data: series.labels, axisLabel: { interval: 0, rotate: horizontal || small ? 0 : 30, width: labelWidth, overflow: "break", fontSize: small ? 10 : 12 } };
    var val = { type: "value", minInterval: 1 };
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: horizontal ? 40 : 12, top: 24, bottom: 8, containLabel: true },
      xAxis: horizontal ? val : cat,
      yAxis: horizontal ? cat : val,
      series: [{ type: "bar", data: series.values, itemStyle: { color: "#c0392b" }, label: { show: true, position: horizontal ? "right" : "top" } }]
    });
    // a chart of organisations (series.urls): a click on a row opens that organisation
    if (series.urls && window.DangjianChartDrill) { window.DangjianChartDrill.attach(chart, series.urls, horizontal); }
    return chart;
  }

  function pie(el, series) {
    var chart = init(el);
    var small = narrow(el);
    chart.setOption({
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: small ? { bottom: 0, left: 0, right: 0, itemGap: 6, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 10 } } : undefined,
      series: [{
        type: "pie", radius: small ? ["20%", "38%"] : ["35%", "65%"], center: ["50%", small ? "36%" : "50%"],
        label: small ? { show: false } : { width: 90, overflow: "break" },
        labelLine: { show: !small },
        data: series.labels.map(function (l, i) { return { name: l, value: series.values[i] }; })
      }]
    });
    return chart;
  }

  var specs = { age: "bar", education: "pie", occupation: "hbar", org_types: "pie", children: "hbar" };
  Object.keys(specs).forEach(function (key) {
    var el = document.getElementById("chart-" + key);
    if (!el || !data[key] || !data[key].labels.length) { return; }
    // one row per organisation: the chart grows with them instead of squeezing the rows
    if (key === "children") { el.style.height = Math.max(200, 28 * data[key].labels.length + 40) + "px"; }
    var kind = specs[key];
    charts.push(kind === "pie" ? pie(el, data[key]) : bar(el, data[key], kind === "hbar"));
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
