/* Draws every <canvas data-chart="ID"> from the JSON of <script id="ID"
 * type="application/json"> (Django's json_script): {type, labels, datasets, stacked,
 * horizontal, unit}. The same numbers are in a table beside each chart, so the page
 * reads without JavaScript. A drawn canvas gets data-drawn="true". */
(function () {
  "use strict";

  var PALETTE = [
    "#1f5fa8", "#e07b24", "#2e9e5b", "#c23b3b", "#7b5ea7",
    "#8c6d31", "#d45f9c", "#5f6b73", "#9aa83a", "#2aa3b5"
  ];

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || !window.Chart) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var many = spec.datasets.length > 1;
    var datasets = spec.datasets.map(function (dataset, index) {
      var colour = PALETTE[index % PALETTE.length];
      return Object.assign({ backgroundColor: colour, borderColor: colour }, dataset);
    });
    var valueAxis = {
      beginAtZero: true,
      stacked: !!spec.stacked,
      title: { display: !!spec.unit, text: spec.unit || "" },
      ticks: { precision: 0 }
    };
    var categoryAxis = { stacked: !!spec.stacked };
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: spec.horizontal ? "y" : "x",
        scales: spec.horizontal
          ? { x: valueAxis, y: categoryAxis }
          : { x: categoryAxis, y: valueAxis },
        plugins: {
          legend: { display: many, position: "bottom" }
        }
      }
    });
    canvas.setAttribute("data-drawn", "true");
  }

  function drawAll() {
    if (window.Chart) {
      window.Chart.defaults.font.family =
        '"Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", Meiryo, system-ui, sans-serif';
      window.Chart.defaults.color = "#333";
    }
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i += 1) {
      draw(canvases[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
