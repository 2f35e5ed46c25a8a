"""Open311 GeoReport v2 (DESIGN §10): services, service requests, API keys of sources.

Format-free: each function returns plain lists and dicts in the spec's field order; the view
(app/views/open311.py) writes them as JSON or XML. Reports are read through the public channel's
rules (app/services/public.py) and created by the one intake service (``create_report``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..domain import tracking
from ..domain.calendar import LOCAL_TZ, UTC
from ..domain.workflow import Status
from ..extensions import db
from ..formatting import iso_local
from ..models import Field, Report, Source
from ..models.base import utcnow
from ..validators import normalise_email, normalise_phone
from . import public
from .workflow import NewReport, WorkflowError, create_report

JURISDICTION = "thuathienhue.gov.vn"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-29T00:00:00+07:00"  # when this interface last changed
DEFAULT_DAYS = 90
MAX_REQUESTS = 1000
# The list shows reports the centre took in (not the unvetted "Chờ tiếp nhận", not the rejected).
LISTED_STATES = (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING_APPROVAL,
                 Status.APPROVED, Status.PUBLISHED)
OPEN_STATES = tuple(s for s in LISTED_STATES if s != Status.PUBLISHED)
REQUEST_FIELDS = (
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
)


class Open311Error(Exception):
    """An answer of the spec's error list: ``[{code, description}]`` with that HTTP status."""

    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code = code
        self.description = description


# --- API keys of sources ------------------------------------------------------------------------

def _digest(key: str) -> str:
    # Keys are 256-bit random values: a plain SHA-256 cannot be reversed or brute-forced.
    return hashlib.sha256(key.encode()).hexdigest()


def issue_api_key(source_name: str) -> str:
    """A new key for the source of that name; only its hash is kept, the previous key stops
    working. Raises LookupError for an unknown source."""
    source = db.session.execute(
        select(Source).where(Source.name == source_name.strip())
    ).scalar_one_or_none()
    if source is None:
        raise LookupError(source_name)
    key = secrets.token_urlsafe(32)
    source.api_key = _digest(key)
    db.session.commit()
    return key


def source_for_key(key: str | None) -> Source:
    if not key or not key.strip():
        raise Open311Error(403, "Thiếu api_key: cần khóa API của nguồn tiếp nhận.")
    source = db.session.execute(
        select(Source).where(Source.api_key == _digest(key.strip()), Source.active.is_(True))
    ).scalar_one_or_none()
    if source is None:
        raise Open311Error(403, "api_key không hợp lệ hoặc đã bị thay thế.")
    return source


# --- Services: one per active field -----------------------------------------------------------

def service_code(field_id: int | None) -> str | None:
    return f"LV{field_id}" if field_id is not None else None


def _field_of(code: str | None) -> Field | None:
    code = (code or "").strip().upper()
    if not code.startswith("LV") or not code[2:].isdigit():
        return None
    field = db.session.get(Field, int(code[2:]))
    return field if field is not None and field.active else None


def check_jurisdiction(value: str | None) -> None:
    if value not in (None, "") and value.strip().lower() != JURISDICTION:
        raise Open311Error(404, f"jurisdiction_id “{value}” không thuộc hệ thống này "
                                f"(chỉ có {JURISDICTION}).")


def discovery() -> dict:
    return {
        "changeset": CHANGESET,
        "contact": "Trung tâm Giám sát, điều hành đô thị thông minh tỉnh Thừa Thiên Huế",
        "key_service": "Khóa API (api_key) được Trung tâm cấp cho từng nguồn tiếp nhận.",
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": url_for("open311.discovery", fmt="json", _external=True).rsplit("/", 1)[0],
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }


def services() -> list[dict]:
    fields = db.session.execute(
        select(Field).where(Field.active.is_(True)).options(joinedload(Field.default_unit))
        .order_by(Field.name)
    ).scalars().all()
    return [
        {
            "service_code": service_code(f.id),
            "service_name": f.name,
            "description": f"Phản ánh lĩnh vực {f.name}"
                           + (f"; đơn vị xử lý: {f.default_unit.name}" if f.default_unit else ""),
            "metadata": False,
            "type": "realtime",
            "keywords": None,
            "group": None,
        }
        for f in fields
    ]


def service_definition(code: str) -> dict:
    field = _field_of(code)
    if field is None:
        raise Open311Error(404, f"Không có dịch vụ (lĩnh vực) mã “{code}”.")
    # No extra questions: a report needs only the service, a place and a description.
    return {"service_code": service_code(field.id), "attributes": []}


# --- Service requests ---------------------------------------------------------------------------

def request_json(report: Report, photos: dict) -> dict:
    published = report.status == Status.PUBLISHED.value
    rejected = report.status == Status.REJECTED.value
    notes = report.public_result if published else ("Không tiếp nhận" if rejected else None)
    media = None
    if published and photos.get(report.id):
        media = url_for("PortalView.photo", code=report.tracking_code,
                        name=photos[report.id][0].stored_name, _external=True)
    values = {
        "service_request_id": report.tracking_code,
        "status": "closed" if public.is_closed(report) else "open",
        "status_notes": notes,
        "service_name": report.field.name if report.field else None,
        "service_code": service_code(report.field_id),
        "description": report.content,
        "agency_responsible": report.unit.name if report.unit else None,
        "service_notice": None,
        "requested_datetime": iso_local(report.received_at),
        "updated_datetime": iso_local(report.updated_at),
        "expected_datetime": iso_local(report.due_at),
        "address": report.location,
        "address_id": None,
        "zipcode": None,
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": media,
    }
    return {name: values[name] for name in REQUEST_FIELDS}


def _moment(raw: str | None, name: str) -> dt.datetime | None:
    if raw is None or not raw.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        raise Open311Error(400, f"{name} không hợp lệ: cần dạng W3C, ví dụ "
                                "2026-01-01T00:00:00+07:00 hoặc 2026-01-01T00:00:00Z.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(UTC).replace(tzinfo=None)


def _list(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def _query(where) -> list[dict]:
    reports = db.session.execute(
        select(Report).where(*where)
        .options(joinedload(Report.field), joinedload(Report.unit))
        .order_by(Report.received_at.desc(), Report.id.desc()).limit(MAX_REQUESTS)
    ).scalars().all()
    photos = public.result_photos([r.id for r in reports if r.status == Status.PUBLISHED.value])
    return [request_json(r, photos) for r in reports]


def search_requests(args) -> list[dict]:
    """GET requests: by ``service_request_id`` (a comma list of tracking codes, overriding the
    other filters), else the taken-in reports of the window [start_date, end_date] (default
    and at most the last 90 days), of ``service_code`` and ``status`` (comma lists); newest
    first, at most 1000."""
    codes = _list(args.get("service_request_id"))
    if codes:
        wanted = [c for c in (tracking.normalise(c) for c in codes) if c]
        return _query([Report.tracking_code.in_(wanted)]) if wanted else []

    where = [Report.status.in_([s.value for s in LISTED_STATES])]
    service_codes = _list(args.get("service_code"))
    if service_codes:
        fields = []
        for code in service_codes:
            field = _field_of(code)
            if field is None:
                raise Open311Error(404, f"Không có dịch vụ (lĩnh vực) mã “{code}”.")
            fields.append(field.id)
        where.append(Report.field_id.in_(fields))
    statuses = {s.lower() for s in _list(args.get("status"))}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status chỉ nhận open, closed.")
    if statuses == {"open"}:
        where.append(Report.status.in_([s.value for s in OPEN_STATES]))
    elif statuses == {"closed"}:
        where.append(Report.status == Status.PUBLISHED.value)
    start = _moment(args.get("start_date"), "start_date")
    end = _moment(args.get("end_date"), "end_date")
    if start and not end:
        end = min(start + dt.timedelta(days=DEFAULT_DAYS), utcnow())
    end = end or utcnow()
    start = start or end - dt.timedelta(days=DEFAULT_DAYS)
    if start > end:
        raise Open311Error(400, "start_date phải trước end_date.")
    if end - start > dt.timedelta(days=DEFAULT_DAYS):
        raise Open311Error(400, f"Khoảng thời gian tối đa {DEFAULT_DAYS} ngày.")
    where += [Report.received_at >= start, Report.received_at <= end]
    return _query(where)


def get_request(code: str) -> list[dict]:
    """One request, whatever its state, as the spec's one-element list."""
    report = public.report_by_code(code)
    if report is None:
        raise Open311Error(404, f"Không có yêu cầu (phản ánh) mã “{code}”.")
    return [request_json(report, public.result_photos([report.id]))]


def _coordinate(raw: str | None, name: str, low: float, high: float) -> float | None:
    if raw is None or not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{name} phải là một số thập phân (WGS84).") from None
    if not low <= value <= high:
        raise Open311Error(400, f"{name} phải trong khoảng {low} đến {high}.")
    return value


def _text(form, name: str, limit: int) -> str | None:
    value = (form.get(name) or "").strip()
    if len(value) > limit:
        raise Open311Error(400, f"{name} tối đa {limit} ký tự.")
    return value or None


def create_request(form) -> list[dict]:
    """POST requests (form-encoded): a report "Chờ tiếp nhận" with the key's source, through
    the one intake service; answers the spec's ``[{service_request_id, service_notice,
    account_id}]``."""
    source = source_for_key(form.get("api_key"))
    code = (form.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "Thiếu service_code.")
    field = _field_of(code)
    if field is None:
        raise Open311Error(404, f"Không có dịch vụ (lĩnh vực) mã “{code}”.")
    lat = _coordinate(form.get("lat"), "lat", -90, 90)
    long = _coordinate(form.get("long"), "long", -180, 180)
    address = _text(form, "address_string", 500) or _text(form, "address_id", 500)
    if (lat is None) != (long is None):
        raise Open311Error(400, "Cần cả lat và long.")
    if lat is None and address is None:
        raise Open311Error(400, "Cần vị trí: lat và long, hoặc address_string.")
    description = _text(form, "description", 4000)
    media_url = _text(form, "media_url", 500)
    if media_url and not media_url.lower().startswith(("http://", "https://")):
        raise Open311Error(400, "media_url phải là một địa chỉ http(s).")
    phone = _text(form, "phone", 30)
    if phone and normalise_phone(phone) is None:
        raise Open311Error(400, "phone không phải số điện thoại hợp lệ.")
    email = _text(form, "email", 255)
    if email and normalise_email(email) is None:
        raise Open311Error(400, "email không hợp lệ.")
    name = " ".join(p for p in (_text(form, "first_name", 120), _text(form, "last_name", 120)) if p)
    content = description or f"Phản ánh lĩnh vực {field.name}."
    if media_url:
        content += f"\nẢnh, video: {media_url}"
    first_line = (description or field.name).splitlines()[0].strip()
    title = first_line if len(first_line) <= 120 else first_line[:119].rstrip() + "…"
    data = NewReport(
        title=title, content=content, reporter_name=name or None,
        reporter_phone=normalise_phone(phone) if phone else None,
        reporter_email=normalise_email(email) if email else None,
        location=address, latitude=lat, longitude=long, source_id=source.id, field_id=field.id,
    )
    try:
        report = create_report(None, data)
    except WorkflowError as exc:
        db.session.rollback()
        raise Open311Error(exc.status_code, exc.message) from None
    return [{"service_request_id": report.tracking_code, "service_notice": None,
             "account_id": None}]
