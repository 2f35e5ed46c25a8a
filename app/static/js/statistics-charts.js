/* "Biểu đồ phản ánh": the four charts, drawn by Chart.js (served by the app, no CDN), from the
   figures the page carries in #chart-data. Every label and tooltip in Vietnamese, numbers with
   Vietnamese separators (1.234; 97,5). */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var number = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 });
  var palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22", "#17becf"];

  Chart.defaults.font.family = "'Helvetica Neue', Helvetica, Arial, sans-serif";
  Chart.defaults.locale = "vi-VN";
  // With the vi-VN locale Chart.js writes every tick and tooltip number as 1.234,5.
  var countAxis = { beginAtZero: true, ticks: { precision: 0, callback: function (v) { return number.format(v); } } };

  new Chart(document.getElementById("chart-month-source"), {
    type: "bar",
    data: {
      labels: data.months.map(function (m) { return "Tháng " + m; }),
      datasets: data.by_source.map(function (s, i) {
        return { label: s.label, data: s.data, backgroundColor: palette[i % palette.length] };
      })
    },
    options: { responsive: true, scales: { x: { stacked: true }, y: Object.assign({ stacked: true, title: { display: true, text: "Số phản ánh" } }, countAxis) },
               plugins: { legend: { position: "bottom" } } }
  });

  new Chart(document.getElementById("chart-field"), {
    type: "bar",
    data: {
      labels: data.by_field.map(function (f) { return f.label; }),
      datasets: [
        { label: "Tiếp nhận trong kỳ", data: data.by_field.map(function (f) { return f.received; }), backgroundColor: "#1f77b4" },
        { label: "Tổng phải xử lý", data: data.by_field.map(function (f) { return f.to_handle; }), backgroundColor: "#aec7e8" }
      ]
    },
    options: { indexAxis: "y", responsive: true, maintainAspectRatio: false, scales: { x: countAxis },
               plugins: { legend: { position: "bottom" } } }
  });

  new Chart(document.getElementById("chart-open"), {
    type: "doughnut",
    data: {
      labels: ["Đang xử lý trong hạn", "Đang xử lý quá hạn"],
      datasets: [{ data: [data.open_now.open_on_time, data.open_now.open_overdue], backgroundColor: ["#2ca02c", "#d62728"] }]
    },
    options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { position: "bottom" },
      tooltip: { callbacks: { label: function (item) { return item.label + ": " + number.format(item.parsed); } } } } }
  });

  var onTime = document.getElementById("chart-on-time");
  // One bar per ranked unit: the box grows with the number of units.
  onTime.parentNode.style.position = "relative";
  onTime.parentNode.style.height = Math.max(120, 28 * data.on_time.length + 60) + "px";
  new Chart(onTime, {
    type: "bar",
    data: {
      labels: data.on_time.map(function (u) { return u.label; }),
      datasets: [{ label: "Tỷ lệ đúng hạn (%)", data: data.on_time.map(function (u) { return u.rate; }), backgroundColor: "#2ca02c" }]
    },
    options: { indexAxis: "y", responsive: true, maintainAspectRatio: false,
      scales: { x: { min: 0, max: 100, ticks: { callback: function (v) { return number.format(v) + "%"; } } } },
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (item) {
        var unit = data.on_time[item.dataIndex];
        return "Đúng hạn: " + number.format(unit.rate) + "% (" + number.format(unit.done) + " phản ánh đã xử lý)";
      } } } } }
  });
})();
