"""Helpers of the public channel's tests: a citizen using the portal the way a browser does
(forms with their CSRF token, the signed time the form was shown), photos with a GPS position in
their EXIF, and reports driven through the workflow to any state."""
from __future__ import annotations

import io
import re
from contextlib import contextmanager

from conftest import csrf_token, new_client
from PIL import Image
from report_helpers import GTVT, account_for, ids, inputs_for, path_to, user

from app.domain.workflow import Action, Status

CITIZEN = {"reporter_name": "Hoàng Thị Kim Chi", "reporter_phone": "0905 123 789",
           "reporter_email": "kimchi.hoang@example.vn"}
CITIZEN_PHONE = "0905123789"
GPS_TAG = 0x8825  # EXIF GPSInfo


def photo_with_gps(color=(200, 30, 30), size=(64, 48), fmt="JPEG") -> bytes:
    """A small picture carrying a GPS position (16°28'N 107°35'E, Huế) and a camera model."""
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x0110] = "Camera cua Kim Chi"  # Model
    exif.get_ifd(GPS_TAG).update({1: "N", 2: (16.0, 28.0, 0.0), 3: "E", 4: (107.0, 35.0, 0.0)})
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif)
    return out.getvalue()


def exif_of(data: bytes):
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif()), image.getexif().get_ifd(GPS_TAG)


@contextmanager
def config(app, **values):
    old = {k: app.config.get(k) for k in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(old)


def submit_form(client, *, photos=(), **fields):
    """Open "Gửi phản ánh" and send it (as filled in by ``fields``); the response."""
    page = client.get("/cong-khai/gui-phan-anh")
    assert page.status_code == 200
    started = re.search(r'name="started" type="hidden" value="([^"]*)"', page.text).group(1)
    data = {"csrf_token": csrf_token(page.text), "started": started,
            "title": "Cây đổ chắn đường Lê Duẩn", "content": "Cây phượng bật gốc sau mưa.",
            "location": "Đường Lê Duẩn, phường Phú Thuận", **CITIZEN}
    data.update(fields)
    data["photos"] = [(io.BytesIO(content), name) for name, content in photos]
    return client.post("/cong-khai/gui-phan-anh", data=data,
                       content_type="multipart/form-data")


def submit(app, **fields) -> str:
    """A citizen sends a report from the portal; its tracking code as the page shows it."""
    client = new_client(app)
    with config(app, PUBLIC_MIN_FILL_SECONDS=0):
        response = submit_form(client, **fields)
    assert response.status_code == 302, response.text
    page = client.get(response.headers["Location"])
    return re.search(r'id="ma-phan-anh">([^<]+)<', page.text).group(1)


def report_id_of(app, code: str) -> int:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Report

    with app.app_context():
        return db.session.execute(select(Report.id).where(Report.tracking_code == code)).scalar_one()


def drive(app, report_id: int, target: Status, *, unit=GTVT, files_for=None) -> None:
    """Bring a new report to ``target`` along the workflow table (``files_for``: action →
    [(name, bytes)] given with it, e.g. the handler's result photos)."""
    from app.services.attachments import check_file
    from app.services.workflow import ActionRequest, apply_action

    app_ids = ids(app)
    with app.app_context():
        for transition in path_to(target):
            files = [check_file(name, data)
                     for name, data in (files_for or {}).get(transition.action, [])]
            apply_action(user(account_for(transition, unit)), report_id, ActionRequest(
                action=transition.action.value, files=files,
                **inputs_for(transition, app_ids, unit)))


def act(app, report_id: int, action: Action, username="trungtam", **inputs) -> None:
    from app.services.workflow import ActionRequest, apply_action

    with app.app_context():
        apply_action(user(username), report_id, ActionRequest(action=action.value, **inputs))


def tracker(app, code: str, phone: str = CITIZEN_PHONE):
    """A citizen's client that has proved the report's phone on the tracking page."""
    client = new_client(app)
    page = client.get("/cong-khai/tra-cuu")
    response = client.post("/cong-khai/tra-cuu", data={
        "csrf_token": csrf_token(page.text), "code": code, "phone": phone})
    assert response.status_code == 302, response.text
    return client


def rate(client, code: str, rating: str, comment: str = ""):
    page = client.get("/cong-khai/tra-cuu")  # the session's CSRF token, whatever the report's state
    return client.post(f"/cong-khai/tra-cuu/{code}/danh-gia", data={
        "csrf_token": csrf_token(page.text), "rating": rating, "comment": comment})
