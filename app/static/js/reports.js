/* The report screens: clickable queue rows, the "Thao tác" form showing the inputs of the chosen
   action (app/templates/reports/report.html), tabs reachable by #hash. No library needed beyond
   FAB's own jQuery/Bootstrap for the tabs. */
(function () {
  "use strict";

  // Queue rows: a click anywhere on the row opens the report page.
  document.querySelectorAll("tr.report-row[data-href]").forEach(function (row) {
    row.addEventListener("click", function (event) {
      if (event.target.closest("a, button, input, select, label, textarea, form")) { return; }
      window.location.href = row.getAttribute("data-href");
    });
  });

  // Tabs of the report page: #xu-ly, #nhat-ky open their tab.
  if (window.jQuery && window.location.hash) {
    var link = window.jQuery('.report-tabs a[data-target="' + window.location.hash + '"]');
    if (link.length) { link.tab("show"); }
  }

  // Long texts (a report's content, the log, a return's reason) show their first lines and
  // "Xem thêm" (reports.css .long-text); short ones stay as they are.
  // Measured by the text, not the layout: most are in tabs not shown yet (no height).
  document.querySelectorAll(".long-text").forEach(function (box) {
    var text = box.textContent || "";
    if (text.length <= 600 && text.split("\n").length <= 7) { return; }
    box.classList.add("is-collapsed");
    var more = document.createElement("button");
    more.type = "button";
    more.className = "btn btn-link btn-xs long-text-toggle";
    more.textContent = "Xem thêm";
    more.addEventListener("click", function (event) {
      event.stopPropagation();  // inside a queue row: do not open the report
      var collapsed = box.classList.toggle("is-collapsed");
      more.textContent = collapsed ? "Xem thêm" : "Thu gọn";
    });
    box.parentNode.insertBefore(more, box.nextSibling);
  });

  // Phones: the filters fold under "Hiện bộ lọc" (reports.css).
  var filtersToggle = document.querySelector(".filters-toggle");
  if (filtersToggle) {
    filtersToggle.addEventListener("click", function () {
      var folded = document.getElementById("queue-filters").classList.toggle("is-folded");
      filtersToggle.setAttribute("aria-expanded", folded ? "false" : "true");
    });
  }

  // Dates of the queue filters: the Vietnamese calendar of FAB's Bootstrap Datepicker (served
  // by the app; Vietnamese in js/vi.js), dd/mm/yyyy; "Từ ngày" after "Đến ngày" is said at once.
  var from = document.getElementById("tu_ngay");
  var to = document.getElementById("den_ngay");
  if (from && to) {
    var parse = function (value) {
      var m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec((value || "").trim());
      return m ? new Date(+m[3], +m[2] - 1, +m[1]) : null;
    };
    var warning = document.querySelector(".date-order-error");
    var check = function () {
      var a = parse(from.value), b = parse(to.value);
      var wrong = !!(a && b && a > b);
      if (warning) { warning.hidden = !wrong; }
      [from, to].forEach(function (el) { el.closest(".form-group").classList.toggle("has-error", wrong); });
    };
    if (window.jQuery && window.jQuery.fn.datepicker) {
      window.jQuery([from, to]).datepicker({
        format: "dd/mm/yyyy", language: "vi", weekStart: 1, autoclose: true,
        todayHighlight: true, clearBtn: true, orientation: "bottom auto"
      }).on("changeDate clearDate", check);
    }
    from.addEventListener("input", check);
    to.addEventListener("input", check);
    check();
  }

  // The action form.
  var form = document.getElementById("action-form");
  if (!form) { return; }
  var select = form.querySelector("#action");
  var content = form.querySelector("#content");
  var contentLabel = form.querySelector("#content-label");
  var button = form.querySelector("#action-submit");
  var lastPrefill = null;

  function words(value) {
    return (value || "").split(" ").filter(function (w) { return w; });
  }

  function update(initial) {
    var option = select.options[select.selectedIndex];
    var chosen = option && option.value;
    var inputs = chosen ? words(option.getAttribute("data-inputs")) : [];
    var needs = chosen ? words(option.getAttribute("data-needs")) : [];
    form.querySelectorAll(".action-input").forEach(function (block) {
      var name = block.getAttribute("data-input");
      // data-keep: text typed before a refusal stays visible whatever is chosen now.
      var shown = inputs.indexOf(name) !== -1 || block.hasAttribute("data-keep");
      block.style.display = shown ? "" : "none";
      // Inputs of other actions are not sent (the server ignores them anyway).
      block.querySelectorAll("input, select, textarea").forEach(function (el) {
        if (!el.classList.contains("follow-filter")) { el.disabled = !shown; }
      });
    });
    form.querySelectorAll(".required-mark[data-for]").forEach(function (mark) {
      mark.style.display = needs.indexOf(mark.getAttribute("data-for")) !== -1 ? "" : "none";
    });
    if (contentLabel && option && chosen) {
      contentLabel.textContent = option.getAttribute("data-content-label") || "Nội dung xử lý";
    }
    if (button) {
      button.textContent = (option && chosen && option.getAttribute("data-button")) || "Cập nhật";
    }
    // Prefill the text the action starts from ("Phê duyệt": the handler's result), unless the
    // person already typed something of their own.
    if (content && !initial) {
      var prefill = option && option.getAttribute("data-prefill");
      var untouched = content.value === "" || content.value === lastPrefill;
      if (prefill !== null && prefill !== undefined && untouched) {
        content.value = prefill;
        lastPrefill = prefill;
      } else if (untouched && lastPrefill !== null) {
        content.value = "";
        lastPrefill = null;
      }
    }
  }

  select.addEventListener("change", function () { update(false); });
  update(true);

  // Follow-up units: filter the long list by name, accents ignored.
  var filter = form.querySelector(".follow-filter");
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d").toLowerCase();
  }
  if (filter) {
    filter.addEventListener("input", function () {
      var terms = words(fold(filter.value.trim()).replace(/\s+/g, " "));
      form.querySelectorAll(".follow-units .checkbox").forEach(function (box) {
        var name = fold(box.querySelector(".unit-name").textContent);
        var match = terms.every(function (t) { return name.indexOf(t) !== -1; });
        box.style.display = match ? "" : "none";
      });
      form.querySelectorAll(".follow-units .follow-group").forEach(function (group) {
        var any = Array.prototype.some.call(group.querySelectorAll(".checkbox"), function (box) {
          return box.style.display !== "none";
        });
        group.style.display = any ? "" : "none";
      });
    });
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
  }
})();
