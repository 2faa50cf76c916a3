/* Draws every <canvas data-map="ID" data-boundaries="URL"> from the JSON of
 * <script id="ID" type="application/json"> (reports/maps.py: {countries: [{id, code,
 * name, count, asean, url, highlight}], max}) over the boundaries (TopoJSON, served from
 * our static files) with chartjs-chart-geo: shaded by count, ASEAN members outlined,
 * a click on a country opens its brief. The same numbers are in a table beside each
 * map, with links to the briefs, so the page reads without JavaScript or a mouse.
 * A drawn canvas gets data-drawn="true". */
(function () {
  "use strict";

  var ASEAN_OUTLINE = "#c23b3b";
  var BORDER = "#8a8f94";
  var NONE = "#eef0f2";
  var HIGHLIGHT = "#e07b24";
  var boundaries = {};

  function topology(url) {
    if (!boundaries[url]) {
      boundaries[url] = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) {
          throw new Error("The map's boundaries did not load: " + response.status);
        }
        return response.json();
      });
    }
    return boundaries[url];
  }

  function shade(count, max) {
    // From a pale to a deep blue, by count; none: grey.
    if (!count) {
      return NONE;
    }
    var t = max > 1 ? (count - 1) / (max - 1) : 1;
    var from = [198, 219, 239];
    var to = [8, 48, 107];
    var rgb = from.map(function (value, index) {
      return Math.round(value + (to[index] - value) * t);
    });
    return "rgb(" + rgb.join(",") + ")";
  }

  function draw(canvas, world) {
    var source = document.getElementById(canvas.getAttribute("data-map"));
    var spec = JSON.parse(source.textContent);
    var byId = {};
    spec.countries.forEach(function (country) {
      byId[country.id] = country;
    });
    var features = window.ChartGeo.topojson
      .feature(world, world.objects.countries)
      .features.filter(function (feature) {
        return byId[feature.id] !== undefined;
      });
    var rows = features.map(function (feature) {
      return { feature: feature, value: byId[feature.id].count, country: byId[feature.id] };
    });
    var chart = new window.Chart(canvas, {
      type: "choropleth",
      data: {
        labels: rows.map(function (row) {
          return row.country.name;
        }),
        datasets: [
          {
            label: canvas.getAttribute("aria-label") || "",
            outline: features,
            data: rows,
            backgroundColor: function (context) {
              var row = context.raw;
              return row ? shade(row.value, spec.max) : NONE;
            },
            borderColor: function (context) {
              var row = context.raw;
              if (row && row.country.highlight) {
                return HIGHLIGHT;
              }
              return row && row.country.asean ? ASEAN_OUTLINE : BORDER;
            },
            borderWidth: function (context) {
              var row = context.raw;
              return row && (row.country.asean || row.country.highlight) ? 2 : 0.5;
            }
          }
        ]
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        showOutline: false,
        showGraticule: false,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (context) {
                return context.raw.country.name + ": " + context.raw.value;
              }
            }
          }
        },
        scales: {
          projection: { axis: "x", projection: "equalEarth" },
          color: { axis: "x", display: false }
        },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
        onClick: function (event, elements) {
          if (elements.length) {
            var row = rows[elements[0].index];
            window.location.assign(row.country.url);
          }
        }
      }
    });
    // Printed at the paper's width, not the screen's.
    window.addEventListener("beforeprint", function () {
      chart.resize();
    });
    window.addEventListener("afterprint", function () {
      chart.resize();
    });
    canvas.setAttribute("data-drawn", "true");
  }

  function drawAll() {
    if (!window.Chart || !window.ChartGeo || !window.fetch) {
      return;
    }
    window.Chart.register(
      window.ChartGeo.ChoroplethController,
      window.ChartGeo.GeoFeature,
      window.ChartGeo.ColorScale,
      window.ChartGeo.ProjectionScale
    );
    var canvases = document.querySelectorAll("canvas[data-map]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      topology(canvas.getAttribute("data-boundaries")).then(function (world) {
        draw(canvas, world);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
