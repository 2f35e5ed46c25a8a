/* "Thao tác với các phản ánh đã chọn" on a queue page (app/templates/reports/_bulk.html):
   "Chọn tất cả trên trang", the count of checked rows, and the action select offering only the
   actions allowed on at least one checked row (each row lists its own in data-actions), with
   how many rows each applies to. The server checks every report again; this only guides. */
(function () {
  "use strict";

  var form = document.getElementById("bulk-form");
  if (!form) { return; }
  var select = document.getElementById("bulk-action");
  var button = document.getElementById("bulk-submit");
  var counter = document.getElementById("bulk-selected");
  var checks = Array.prototype.slice.call(document.querySelectorAll("input.bulk-check"));
  var alls = Array.prototype.slice.call(document.querySelectorAll("input.bulk-all"));

  function checked() {
    return checks.filter(function (c) { return c.checked; });
  }

  function update() {
    var chosen = checked();
    counter.textContent = String(chosen.length);
    var counts = {};
    chosen.forEach(function (c) {
      (c.getAttribute("data-actions") || "").split(" ").forEach(function (code) {
        if (code) { counts[code] = (counts[code] || 0) + 1; }
      });
    });
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) { return; }
      var n = counts[option.value] || 0;
      option.hidden = option.disabled = n === 0;
      option.textContent = option.getAttribute("data-label") +
        (n ? " (" + n + "/" + chosen.length + ")" : "");
    });
    var current = select.options[select.selectedIndex];
    if (current && current.disabled) { select.value = ""; }
    button.disabled = chosen.length === 0 || !select.value;
    var all = checks.length > 0 && chosen.length === checks.length;
    alls.forEach(function (box) {
      box.checked = all;
      box.indeterminate = chosen.length > 0 && !all;
    });
    checks.forEach(function (c) {
      var row = c.closest("tr");
      if (row) { row.classList.toggle("bulk-selected", c.checked); }
    });
  }

  alls.forEach(function (box) {
    box.addEventListener("change", function () {
      checks.forEach(function (c) { c.checked = box.checked; });
      update();
    });
  });
  checks.forEach(function (c) {
    c.addEventListener("change", update);
    // A click in the checkbox's cell ticks it instead of opening the report.
    var cell = c.closest("td");
    if (cell) {
      cell.addEventListener("click", function (event) {
        if (event.target !== c) { c.checked = !c.checked; update(); }
        event.stopPropagation();
      });
    }
  });
  select.addEventListener("change", update);
  form.addEventListener("submit", function (event) {
    if (!checked().length || !select.value) { event.preventDefault(); }
  });
  update();
}());
