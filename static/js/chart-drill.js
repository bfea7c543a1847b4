// Drill-down on the charts of organisations (领导驾驶舱, 大屏, 党内统计): a click opens
// the organisation of the column (or row, for a horizontal chart) that was clicked.
//
// Shared by apps/supervision/static/supervision/dashboard.js and static/js/stats.js.
// Why not ECharts' series "click" event: it fires only on the bar's own shape, so a
// unit with few members next to one with many (a bar a few pixels high), a unit with
// none (no bar at all) and every bar while it is still growing (the first second after
// the page loads, or after the 大屏 refreshes itself) could not be clicked. Here the
// whole band of the category answers, through the chart's renderer-independent
// coordinate conversion (canvas or SVG alike), including its axis label.
(function (global) {
  "use strict";

  function indexAt(chart, x, y, horizontal, count) {
    var along = horizontal ? y : x;
    var valueAxis = horizontal ? { xAxisIndex: 0 } : { yAxisIndex: 0 };
    // a point surely inside the grid on the value axis' side (just off the zero line)
    var base = chart.convertToPixel(valueAxis, 0);
    if (typeof base !== "number" || isNaN(base)) { return -1; }
    var probe = horizontal ? [base + 1, along] : [along, base - 1];
    if (!chart.containPixel({ gridIndex: 0 }, probe)) { return -1; }
    var i = chart.convertFromPixel(horizontal ? { yAxisIndex: 0 } : { xAxisIndex: 0 }, along);
    i = Math.round(Array.isArray(i) ? i[0] : i);
    return i >= 0 && i < count ? i : -1;
  }

  // chart: an ECharts instance whose first grid holds a category axis of the units;
  // urls[i]: the page of unit i (empty: not clickable); horizontal: categories on y.
  function attach(chart, urls, horizontal) {
    if (!chart || !urls || !urls.length) { return; }
    var zr = chart.getZr();
    zr.on("click", function (e) {
      var i = indexAt(chart, e.offsetX, e.offsetY, horizontal, urls.length);
      if (i >= 0 && urls[i]) { global.location.href = urls[i]; }
    });
    zr.on("mousemove", function (e) {
      var i = indexAt(chart, e.offsetX, e.offsetY, horizontal, urls.length);
      zr.setCursorStyle(i >= 0 && urls[i] ? "pointer" : "default");
    });
  }

  global.DangjianChartDrill = { attach: attach, indexAt: indexAt };
})(window);
