"""Vietnamese error pages (and JSON answers under /api/) instead of Werkzeug's English ones."""
from flask import g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

CSRF_MESSAGE = (
    "Biểu mẫu đã hết hạn hoặc thiếu mã bảo vệ (CSRF). Vui lòng tải lại trang rồi gửi lại."
)

MESSAGES = {
    400: ("Yêu cầu không hợp lệ", "Dữ liệu gửi lên không hợp lệ. Vui lòng kiểm tra và thử lại."),
    401: ("Chưa đăng nhập", "Vui lòng đăng nhập để tiếp tục."),
    403: ("Không có quyền truy cập", "Tài khoản của bạn không được phép thực hiện chức năng này."),
    404: ("Không tìm thấy", "Trang hoặc dữ liệu bạn yêu cầu không tồn tại, hoặc bạn không có quyền xem."),
    405: ("Phương thức không được hỗ trợ", "Chức năng này không hỗ trợ cách gửi yêu cầu này."),
    409: ("Xung đột dữ liệu", "Dữ liệu đã được thay đổi bởi người khác, vui lòng tải lại trang."),
    413: ("Tệp quá lớn", "Dung lượng gửi lên vượt quá giới hạn cho phép."),
    429: ("Quá nhiều yêu cầu", "Bạn đã thử quá nhiều lần. Vui lòng đợi một lát rồi thử lại."),
    500: ("Lỗi hệ thống", "Đã có lỗi xảy ra. Vui lòng thử lại sau hoặc liên hệ quản trị hệ thống."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/open311/")


def _render(code: int, title: str, message: str):
    from .extensions import appbuilder

    if request.path.startswith("/open311/"):  # the spec's error list, in the asked format
        from .views.open311 import error_response

        return error_response(code, message)
    if _wants_json():
        return jsonify(message=message), code
    if "user" not in g:
        # Raised before FAB's before_request (the CSRF check runs first): the menu needs g.user.
        from flask_login import current_user

        g.user = current_user
    return render_template("error.html", code=code, title=title, message=message,
                           base_template=appbuilder.base_template, appbuilder=appbuilder), code


def handle_http_error(error: HTTPException):
    code = error.code or 500
    title, message = MESSAGES.get(code, (error.name, error.description))
    return _render(code, title, message)


def handle_csrf_error(error: CSRFError):
    from flask import flash, redirect, url_for
    from flask_login import current_user

    from .extensions import appbuilder

    auth = appbuilder.sm.auth_view.endpoint
    if (not _wants_json() and not current_user.is_authenticated
            and not (request.endpoint or "").startswith(f"{auth}.")):
        # The session (and the form's CSRF token with it) has ended: sign in again, then the
        # form comes back with what was typed (js/forms.js).
        from .security.auth import SESSION_EXPIRED

        flash(SESSION_EXPIRED, "warning")
        return redirect(url_for(f"{auth}.login", next=request.url))
    return _render(400, MESSAGES[400][0], CSRF_MESSAGE)


LARGEST_ID = 2**31 - 1  # an INTEGER primary key; a larger number in a URL names nothing


def _values_that_name_nothing(endpoint, values) -> None:
    """404 instead of a 500 for URL values that cannot name anything: an id too large for the
    database (an overflow), or a file name of FAB's ModelView.download without FAB's
    "<uuid>_sep_<name>" form (FAB 5.3 indexes it blindly)."""
    from flask import abort

    if not values:
        return
    if any(isinstance(v, int) and not isinstance(v, bool) and abs(v) > LARGEST_ID
           for v in values.values()):
        abort(404)
    if (endpoint or "").endswith(".download") and "_sep_" not in str(values.get("filename", "_sep_")):
        abort(404)


NUL_MESSAGE = "Dữ liệu gửi lên chứa ký tự không hợp lệ (NUL)."


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _refuse_nul_characters():
    """No text may hold a NUL character (PostgreSQL refuses it with an error, a 500): any
    request carrying one, in its URL, form or JSON body, is refused as bad input."""
    from flask import abort

    if "\x00" in request.path or any(_holds_nul(v) for v in request.args.values()):
        abort(400)
    if request.method in ("POST", "PUT", "PATCH"):
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            if any(_holds_nul(v) for v in request.form.values()):
                abort(400)
        elif request.is_json and _holds_nul(request.get_json(silent=True)):
            return _render(400, MESSAGES[400][0], NUL_MESSAGE)
    return None


def init_app(app) -> None:
    app.url_value_preprocessor(_values_that_name_nothing)
    app.before_request(_refuse_nul_characters)
    app.register_error_handler(CSRFError, handle_csrf_error)
    for code in MESSAGES:
        app.register_error_handler(code, handle_http_error)
