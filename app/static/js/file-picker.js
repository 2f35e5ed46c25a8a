/* File inputs in Vietnamese ("Chọn tệp" and the names chosen, macro file_picker in
   templates/_widgets.html): the browser's own control says "Choose Files" / "No file chosen". */
(function () {
  "use strict";
  document.querySelectorAll(".file-picker").forEach(function (box) {
    var input = box.querySelector(".file-picker-input");
    var names = box.querySelector(".file-picker-names");
    var clear = box.querySelector(".file-picker-clear");
    if (!input || !names) { return; }
    function show() {
      var chosen = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
      names.textContent = chosen.length ? chosen.join(", ") : "Chưa chọn tệp";
      names.title = chosen.join("\n");
      names.classList.toggle("text-muted", !chosen.length);
      if (clear) { clear.hidden = !chosen.length; }
    }
    input.addEventListener("change", show);
    if (clear) {
      clear.addEventListener("click", function () { input.value = ""; show(); input.focus(); });
    }
    show();
  });
})();
