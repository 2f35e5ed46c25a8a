/* Vietnamese for what the data console's pages (Flask-Admin 2, /admin/) write on the client
   side: Select2 3.5's messages, the date-range picker of the filters and its calendar (moment),
   the confirmation of an action without rows. Loaded by templates/console/base.html after
   jQuery, moment and Select2, before the form scripts that create the widgets. */
(function ($) {
  "use strict";

  if (window.moment && !moment.locales().includes("vi-console")) {
    moment.defineLocale("vi-console", {
      months: ["Tháng 1", "Tháng 2", "Tháng 3", "Tháng 4", "Tháng 5", "Tháng 6", "Tháng 7",
               "Tháng 8", "Tháng 9", "Tháng 10", "Tháng 11", "Tháng 12"],
      monthsShort: ["Th1", "Th2", "Th3", "Th4", "Th5", "Th6", "Th7", "Th8", "Th9", "Th10",
                    "Th11", "Th12"],
      weekdays: ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
      weekdaysShort: ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
      weekdaysMin: ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
      week: {dow: 1, doy: 4}
    });
  }

  if ($.fn.select2 && $.fn.select2.defaults) {  // Select2 3.5 (Flask-Admin's copy)
    $.extend($.fn.select2.defaults, {
      formatNoMatches: function () { return "Không tìm thấy kết quả"; },
      formatInputTooShort: function (input, min) {
        return "Vui lòng nhập thêm ít nhất " + (min - input.length) + " ký tự";
      },
      formatInputTooLong: function (input, max) {
        return "Vui lòng xóa bớt " + (input.length - max) + " ký tự";
      },
      formatSelectionTooBig: function (limit) { return "Chỉ được chọn tối đa " + limit + " mục"; },
      formatLoadMore: function () { return "Đang tải thêm kết quả…"; },
      formatSearching: function () { return "Đang tìm…"; },
      formatAjaxError: function () { return "Không tải được kết quả."; }
    });
  }

  // The date-range picker is loaded later, by the list and form pages: give it Vietnamese
  // labels the moment it is defined (its options have no global defaults).
  var labels = {
    applyLabel: "Áp dụng", cancelLabel: "Hủy", fromLabel: "Từ", toLabel: "Đến",
    weekLabel: "T", customRangeLabel: "Tùy chọn", firstDay: 1,
    daysOfWeek: ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
    monthNames: ["Th1", "Th2", "Th3", "Th4", "Th5", "Th6", "Th7", "Th8", "Th9", "Th10",
                 "Th11", "Th12"]
  };
  var picker;
  Object.defineProperty($.fn, "daterangepicker", {
    configurable: true,
    get: function () { return picker; },
    set: function (original) {
      picker = function (options, callback) {
        options = $.extend(true, {locale: labels}, options || {});
        return original.call(this, options, callback);
      };
    }
  });
})(jQuery);
