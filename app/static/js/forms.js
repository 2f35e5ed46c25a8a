/* Every form of the site (loaded by base_layout.html):
   - a one-time token in each POST form that has none (app/services/submissions.py checks it:
     a repeat changes nothing), and its buttons disabled after the first click (a courtesy);
   - confirmation before what cannot be undone: a form or an option of its "Thao tác" select with
     data-confirm asks first, in the dialog #confirm-dialog when the page has one;
   - text typed into a form whose session has ended is kept: saved in this tab when the form is
     sent, and put back into the same form after signing in again. */
(function () {
  "use strict";
  var PENDING = "phananh.pending-form";

  function randomToken() {
    var bytes = new Uint8Array(18);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function isPost(form) { return (form.getAttribute("method") || "get").toLowerCase() === "post"; }
  function isLogin(form) { return !!form.querySelector("input[type=password]") && form.name === "login"; }

  document.querySelectorAll("form").forEach(function (form) {
    if (isPost(form) && !form.querySelector("input[name=_once]") && !isLogin(form)) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = "_once"; input.value = randomToken();
      form.appendChild(input);
    }
  });

  // --- Confirmation -------------------------------------------------------------------------
  function confirmText(form) {
    var select = form.querySelector("select[name=action]");
    var option = select && select.options[select.selectedIndex];
    return (option && option.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  }

  function askFirst(form, text, go) {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || !window.jQuery) { if (window.confirm(text)) { go(); } return; }
    var select = form.querySelector("select[name=action]");
    var option = select && select.options[select.selectedIndex];
    dialog.querySelector(".confirm-text").textContent = text;
    var ok = dialog.querySelector(".confirm-ok");
    ok.textContent = (option && option.getAttribute("data-button")) || "Đồng ý";
    var $dialog = window.jQuery(dialog);
    ok.onclick = function () { ok.onclick = null; $dialog.modal("hide"); go(); };
    $dialog.modal("show");
  }

  // --- Keeping typed text -------------------------------------------------------------------
  function kept(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === "file" || el.type === "password" ||
          el.type === "hidden" || el.type === "submit" || el.type === "button") { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      var values = el.tagName === "SELECT" && el.multiple
        ? Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; })
        : [el.value];
      fields[el.name] = (fields[el.name] || []).concat(values);
    });
    return fields;
  }

  function save(form) {
    try {
      window.sessionStorage.setItem(PENDING, JSON.stringify({
        action: form.action, fields: kept(form), viaLogin: false }));
    } catch (e) { /* storage full or refused: nothing kept, the form still goes */ }
  }

  function restore() {
    var pending;
    try { pending = JSON.parse(window.sessionStorage.getItem(PENDING) || "null"); } catch (e) { return; }
    if (!pending) { return; }
    var login = document.querySelector("form[name=login]");
    if (login) {  // sent to the sign-in page: keep the text for the page after it
      pending.viaLogin = true;
      window.sessionStorage.setItem(PENDING, JSON.stringify(pending));
      return;
    }
    window.sessionStorage.removeItem(PENDING);
    if (!pending.viaLogin) { return; }  // the form went through: nothing to put back
    var form = Array.prototype.find.call(document.forms, function (f) {
      return isPost(f) && f.action.split("?")[0] === pending.action.split("?")[0];
    });
    if (!form) { return; }
    var selects = [];
    function fill() {
      Object.keys(pending.fields).forEach(function (name) {
        var values = pending.fields[name];
        form.querySelectorAll('[name="' + name.replace(/"/g, "") + '"]').forEach(function (el) {
          if (el.type === "checkbox" || el.type === "radio") {
            el.checked = values.indexOf(el.value) !== -1;
          } else if (el.tagName === "SELECT") {
            Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) !== -1; });
            selects.push(el);
          } else {
            el.value = values[0];
          }
        });
      });
    }
    fill();
    // Let the page show the inputs of the chosen action, then put the text back over prefills.
    selects.forEach(function (el) { el.dispatchEvent(new Event("change")); });
    fill();
    var note = document.createElement("div");
    note.className = "alert alert-info kept-after-login";
    note.textContent = "Nội dung bạn đã nhập trước khi phiên làm việc hết hạn đã được khôi phục. Vui lòng kiểm tra lại rồi gửi.";
    form.parentNode.insertBefore(note, form);
    var pane = form.closest(".tab-pane");
    if (pane && window.jQuery) {
      window.jQuery('a[data-target="#' + pane.id + '"]').tab("show");
    }
  }

  // --- Sending --------------------------------------------------------------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !isPost(form)) { return; }
    var text = confirmText(form);
    if (text && !form.hasAttribute("data-confirmed")) {
      event.preventDefault();
      askFirst(form, text, function () {
        form.setAttribute("data-confirmed", "1");
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      });
      return;
    }
    form.removeAttribute("data-confirmed");
    if (form.hasAttribute("data-sent")) { event.preventDefault(); return; }
    form.setAttribute("data-sent", "1");
    if (!isLogin(form)) { save(form); }
    // After this event: a disabled button's name/value would not be sent with the form.
    var buttons = form.querySelectorAll("button[type=submit], input[type=submit], button:not([type])");
    window.setTimeout(function () {
      buttons.forEach(function (b) { b.disabled = true; });
    }, 0);
    // A form answered by a download leaves the page as it is: usable again after a while.
    window.setTimeout(function () {
      form.removeAttribute("data-sent");
      buttons.forEach(function (b) { b.disabled = false; });
    }, 15000);
  });

  // Back to a page kept by the browser: its forms may be sent again (a new token is not needed:
  // the same one means the same submission).
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sent]").forEach(function (form) {
      form.removeAttribute("data-sent");
      form.querySelectorAll("button, input[type=submit]").forEach(function (b) { b.disabled = false; });
    });
  });

  restore();
})();
