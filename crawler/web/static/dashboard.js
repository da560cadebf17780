// The overview's charts, drawn by Chart.js from the page's JSON data element (#chart-data):
// no inline script, no network (the Content-Security-Policy allows scripts from this site only).
"use strict";

(function () {
  const source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a", "#637939", "#8c6d31", "#843c39"];
  const statusColours = {ok: "#2ca02c", degraded: "#ff7f0e"};
  Chart.defaults.animation = false;
  Chart.defaults.font.size = 11;

  for (const canvas of document.querySelectorAll("canvas.job-chart")) {
    const runs = data.jobs[canvas.dataset.job];
    if (!runs) {
      continue;
    }
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: runs.labels,
        datasets: [{
          label: "articles stored",
          data: runs.stored,
          backgroundColor: runs.status.map((s) => statusColours[s] || "#d62728"),
          minBarLength: 2,
        }],
      },
      options: {
        maintainAspectRatio: false,
        plugins: {legend: {display: false}},
        scales: {x: {display: false}, y: {beginAtZero: true, ticks: {precision: 0, maxTicksLimit: 3}}},
      },
    });
  }

  const outlets = document.getElementById("outlets-chart");
  if (outlets) {
    const names = Object.keys(data.outlets.series);
    new Chart(outlets, {
      type: "bar",
      data: {
        labels: data.outlets.days.map((day) => day.slice(5)),
        datasets: names.map((name, i) => ({
          label: name,
          data: data.outlets.series[name],
          backgroundColor: palette[i % palette.length],
        })),
      },
      options: {
        maintainAspectRatio: false,
        interaction: {mode: "index", intersect: false},
        plugins: {legend: {position: "right", labels: {boxWidth: 10}}},
        scales: {
          x: {stacked: true},
          y: {stacked: true, beginAtZero: true, ticks: {precision: 0},
            title: {display: true, text: "articles published per day"}},
        },
      },
    });
  }
})();
