"""REST API of notifications and notices (DESIGN §7, §9).

- ``GET  /api/v1/notification/``            the signed-in person's own, newest first
  (``?unread=1`` only unread; ``page`` from 0, ``page_size`` up to 100): ``{count, ids, result}``,
  each with ``id``, ``time``, ``kind``, ``title``, ``report_id`` or ``notice_id``, ``read``;
- ``POST /api/v1/notification/<id>/read``   mark one read (404 for another person's);
- ``GET  /api/v1/notice/``                  notices for the person's unit (all for the centre);
- ``GET  /api/v1/notice/<id>``              one notice (reading it marks it read);
- ``POST /api/v1/notice/``                  the centre writes one: ``title``, ``content``,
  ``unit_ids`` (none: all units), optional ``shown_from`` / ``shown_until`` (ISO 8601) → 201.

Reads accept the browser session as well as a JWT; writes need a JWT, as the report API.
"""
from __future__ import annotations

import datetime as dt

from flask import request
from flask_appbuilder.api import BaseApi, expose, safe
from flask_appbuilder.security.decorators import permission_name, protect

from ..domain.calendar import LOCAL_TZ, UTC
from ..extensions import appbuilder, db
from ..services import notices as notice_service
from ..services import notifications as service

NOT_FOUND = "Không tìm thấy thông báo."


def _user():
    return appbuilder.sm.current_user


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        raise notice_service.NoticeError(f"Tham số {name} phải là số nguyên.") from None
    return min(max(value, low), high)


class NotificationApi(BaseApi):
    resource_name = "notification"
    class_permission_name = "Notification"
    allow_browser_login = False
    method_permission_name = {"get_list": "get", "read": "get"}

    @expose("/", methods=["GET"])
    @protect(allow_browser_login=True)
    @safe
    @permission_name("get")
    def get_list(self):
        """The signed-in person's notifications, newest first.
        ---
        get:
          description: Thông báo của người đang đăng nhập, mới nhất trước.
          responses:
            200:
              description: "{count, ids, result}"
        """
        try:
            page = _int_arg("page", 0, 0, 10**6)
            page_size = _int_arg("page_size", service.PAGE_SIZE, 1, 100)
        except notice_service.NoticeError as exc:
            return self.response_400(message=exc.message)
        unread_only = request.args.get("unread") in ("1", "true")
        rows, total = service.notifications_page(_user(), unread_only, page + 1, page_size)
        return self.response(200, count=total, ids=[n.id for n in rows],
                             result=[service.notification_json(n) for n in rows])

    @expose("/<int:pk>/read", methods=["POST"])
    @protect()
    @safe
    @permission_name("get")
    def read(self, pk: int):
        """Mark one of the person's notifications read.
        ---
        post:
          description: Đánh dấu đã đọc một thông báo của mình.
          responses:
            200:
              description: "{id, result}"
            404:
              description: không phải thông báo của mình
        """
        notification = service.own_notification(_user(), pk)
        if notification is None:
            return self.response_404()
        service.mark_read(_user(), notification)
        return self.response(200, id=notification.id,
                             result=service.notification_json(notification))

    def response_404(self, **kwargs):
        return self.response(404, message=NOT_FOUND)


def _moment(data: dict, name: str) -> dt.datetime | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise notice_service.NoticeError(
            f"{name} phải theo ISO 8601, ví dụ 2019-01-05T08:00:00+07:00.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(UTC).replace(tzinfo=None)


class NoticeApi(BaseApi):
    resource_name = "notice"
    class_permission_name = "Notice"
    allow_browser_login = False
    method_permission_name = {"get_list": "get", "get": "get", "post": "post"}

    @expose("/", methods=["GET"])
    @protect(allow_browser_login=True)
    @safe
    @permission_name("get")
    def get_list(self):
        """Notices for the person's unit (all of them for the centre).
        ---
        get:
          description: Thông báo gửi đơn vị của người đang đăng nhập (Trung tâm thấy tất cả).
          responses:
            200:
              description: "{count, ids, result}"
        """
        user = _user()
        notices = notice_service.notices_for(user)
        read = notice_service.read_ids(user, [n.id for n in notices])
        return self.response(200, count=len(notices), ids=[n.id for n in notices],
                             result=[notice_service.notice_json(n, n.id in read) for n in notices])

    @expose("/<int:pk>", methods=["GET"])
    @protect(allow_browser_login=True)
    @safe
    @permission_name("get")
    def get(self, pk: int):
        """One notice (marked read).
        ---
        get:
          description: Một thông báo; mở là đã đọc.
          responses:
            200:
              description: "{id, result}"
            404:
              description: không có hoặc không được xem
        """
        user = _user()
        notice = notice_service.get_notice(user, pk)
        if notice is None:
            return self.response(404, message=notice_service.NOT_FOUND)
        notice_service.mark_read(user, notice)
        return self.response(200, id=notice.id, result=notice_service.notice_json(notice, True))

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    def post(self):
        """The centre writes a notice.
        ---
        post:
          description: >-
            Trung tâm gửi thông báo: title, content, unit_ids (bỏ trống: tất cả đơn vị),
            shown_from, shown_until (ISO 8601, không bắt buộc).
          responses:
            201:
              description: "{id, result}"
            400:
              description: thiếu hoặc sai dữ liệu
            403:
              description: không phải Trung tâm
        """
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return self.response_400(message="Nội dung yêu cầu phải là JSON.")
        unit_ids = data.get("unit_ids") or []
        if not isinstance(unit_ids, list) or not all(
                isinstance(u, int) and not isinstance(u, bool) for u in unit_ids):
            return self.response_400(message="unit_ids phải là danh sách mã đơn vị (số nguyên).")
        try:
            notice = notice_service.create_notice(
                _user(), title=str(data.get("title") or ""), content=str(data.get("content") or ""),
                unit_ids=unit_ids, shown_from=_moment(data, "shown_from"),
                shown_until=_moment(data, "shown_until"))
        except notice_service.NoticeError as exc:
            db.session.rollback()
            return self.response(exc.status_code, message=exc.message)
        return self.response(201, id=notice.id, result=notice_service.notice_json(notice, False))
