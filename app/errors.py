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
    return _render(400, MESSAGES[400][0], CSRF_MESSAGE)


def init_app(app) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    for code in MESSAGES:
        app.register_error_handler(code, handle_http_error)
