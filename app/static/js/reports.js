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
