/* Vietnamese for what FAB's pages write on the client side (the catalogue in translations/ only
   reaches the server): the Bootstrap Datepicker and Select2 widgets, and FAB's own alerts. */
(function ($) {
  "use strict";

  if ($.fn.datepicker) {
    $.fn.datepicker.dates.vi = {
      days: ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
      daysShort: ["CN", "Th 2", "Th 3", "Th 4", "Th 5", "Th 6", "Th 7"],
      daysMin: ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
      months: ["Tháng 1", "Tháng 2", "Tháng 3", "Tháng 4", "Tháng 5", "Tháng 6", "Tháng 7",
               "Tháng 8", "Tháng 9", "Tháng 10", "Tháng 11", "Tháng 12"],
      monthsShort: ["Th1", "Th2", "Th3", "Th4", "Th5", "Th6", "Th7", "Th8", "Th9", "Th10",
                    "Th11", "Th12"],
      today: "Hôm nay",
      clear: "Xóa",
      titleFormat: "MM yyyy",
      weekStart: 1
    };
    $.fn.datepicker.defaults.language = "vi";
    $.fn.datepicker.defaults.weekStart = 1;
  }

  if ($.fn.select2) {
    $.fn.select2.defaults.set("language", {
      errorLoading: function () { return "Không tải được kết quả."; },
      inputTooLong: function (args) {
        return "Vui lòng xóa bớt " + (args.input.length - args.maximum) + " ký tự";
      },
      inputTooShort: function (args) {
        return "Vui lòng nhập thêm ít nhất " + (args.minimum - args.input.length) + " ký tự";
      },
      loadingMore: function () { return "Đang tải thêm kết quả…"; },
      maximumSelected: function (args) { return "Chỉ được chọn tối đa " + args.maximum + " mục"; },
      noResults: function () { return "Không tìm thấy kết quả"; },
      searching: function () { return "Đang tìm…"; },
      removeAllItems: function () { return "Bỏ chọn tất cả"; },
      removeItem: function () { return "Bỏ chọn"; }
    });
  }

  // FAB's ab_actions.js passes English text to ab_alert (defined by ab.js).
  var alerts = {"No row selected": "Chưa chọn bản ghi nào."};
  if (typeof window.ab_alert === "function") {
    var fabAlert = window.ab_alert;
    window.ab_alert = function (text) { return fabAlert(alerts[text] || text); };
  }
})(jQuery);
