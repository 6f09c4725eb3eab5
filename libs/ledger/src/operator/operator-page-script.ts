// The operator page's browser half: draws the charts with uPlot (served by the ledger itself, no CDN) and every
// REFRESH seconds fetches the page's JSON (GET api/1/operator/view), swaps each section's server-rendered,
// server-escaped HTML in place and redraws the charts: the page never reloads, so scroll position and an open
// tooltip survive. Plain ES2020 in a String.raw literal because the build (tsc) copies no assets: no backticks or
// dollar-brace sequences may appear inside.

/** Served as /operator/assets/operator-page.js. */
export const OPERATOR_PAGE_SCRIPT = String.raw`
'use strict';
(function () {
  var body = document.body;
  var viewUrl = body.getAttribute('data-view-url');
  var refreshMs = Number(body.getAttribute('data-refresh-seconds') || '10') * 1000;
  var symbol = body.getAttribute('data-symbol') || '';
  var charts = [];
  var lastCharts = null;

  function chartOf(id, title, values, days, color, format) {
    var el = document.getElementById(id);
    if (!el || typeof uPlot === 'undefined') return null;
    el.textContent = '';
    var width = Math.max(240, el.clientWidth);
    return new uPlot({
      width: width,
      height: 200,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      // Half a day of margin each side: the first and last days' bars are whole.
      scales: { x: { time: true, range: function (u, min, max) { return [min - 43200, max + 43200]; } }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } } },
      axes: [
        { stroke: '#555', grid: { stroke: '#eee' } },
        { stroke: '#555', grid: { stroke: '#eee' }, size: 60, values: function (u, ticks) { return ticks.map(format); } },
      ],
      series: [
        {},
        { label: title, stroke: color, fill: color + '55', width: 1, points: { show: false }, paths: uPlot.paths.bars({ size: [0.7, 40] }) },
      ],
    }, [days, values], el);
  }

  function compact(value) {
    if (value === 0) return '0';
    if (Math.abs(value) >= 1e6) return (value / 1e6).toFixed(1) + 'M';
    if (Math.abs(value) >= 1e3) return (value / 1e3).toFixed(1) + 'k';
    return String(Number(value.toPrecision(3)));
  }

  function drawCharts(data) {
    lastCharts = data;
    charts.forEach(function (c) { c.destroy(); });
    charts = [
      chartOf('chart-revenue', 'revenue (' + symbol + ')', data.revenue, data.days, '#2f6fb3', compact),
      chartOf('chart-requests', 'paid requests', data.requests, data.days, '#3c8d40', compact),
    ].filter(Boolean);
  }

  function setState(text, bad) {
    var el = document.getElementById('refresh-state');
    if (!el) return;
    el.textContent = text;
    el.className = bad ? 'warn' : '';
  }

  function apply(view) {
    Object.keys(view.sections).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.innerHTML = view.sections[id];
    });
    drawCharts(view.charts);
    setState('Updates every ' + refreshMs / 1000 + ' s without reloading.', false);
  }

  function refresh() {
    fetch(viewUrl, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(apply)
      .catch(function (err) {
        setState('Last update failed (' + err.message + '): showing older numbers, retrying.', true);
      })
      .finally(function () { setTimeout(refresh, refreshMs); });
  }

  var initial = document.getElementById('chart-data');
  if (initial) drawCharts(JSON.parse(initial.textContent));
  var resizeTimer;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { if (lastCharts) drawCharts(lastCharts); }, 150);
  });
  setTimeout(refresh, refreshMs);
})();
`;
