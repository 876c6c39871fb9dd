// Draws each chart from the page's JSON block; the tables beside them hold the same numbers.
(function () {
  var block = document.getElementById("chart-data");
  if (!block || typeof Chart === "undefined") return;
  var data = JSON.parse(block.textContent);
  var palette = ["#1d4e89", "#e07a1f", "#2a9d8f", "#c44536", "#7b6ca8", "#8a9a5b", "#d4a017"];
  Object.keys(data).forEach(function (id) {
    var chart = data[id];
    var canvas = document.getElementById(id);
    if (!canvas || chart.values.length === 0) return;
    new Chart(canvas, {
      type: chart.kind,
      data: {
        labels: chart.labels,
        datasets: [{ data: chart.values, backgroundColor: palette }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: true,
        animation: false,
        plugins: { legend: { display: chart.kind === "doughnut" } },
      },
    });
  });
})();
