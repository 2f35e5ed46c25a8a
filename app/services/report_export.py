"""A queue's reports as a file (.xlsx official form or .csv), streamed in batches.

The rows are the queue tab's, within the person's scope and with the page's filters
(``queues.select_tab``); the reporter as the person may see it (``scope.reporter_of``: "Ẩn
danh" for unit roles on a confidential report). ``GET /api/v1/report/export`` uses the list
"Tất cả phản ánh" (every report of the scope).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy.orm import aliased

from ..domain.workflow import OPEN_AT_UNIT, STATUS_LABELS
from ..extensions import db
from ..formatting import local_datetime, to_local
from ..models import AppUser, Field, Report, Source, Unit
from ..models.base import utcnow
from . import exports
from .queues import Filters, Queue, Tab, select_tab
from .scope import reporter_of

BATCH = 1000
HEADERS = ["STT", "Mã phản ánh", "Thời gian tiếp nhận", "Người tiếp nhận", "Cá nhân / tổ chức",
           "Điện thoại", "Email", "Địa chỉ", "Tiêu đề", "Nội dung phản ánh", "Địa điểm", "Nguồn",
           "Lĩnh vực", "Đơn vị xử lý", "Từ ngày", "Đến ngày", "Trạng thái", "Quá hạn"]
WIDTHS = [7, 10, 17, 22, 24, 14, 24, 28, 40, 60, 30, 20, 22, 30, 17, 17, 16, 9]
_OPEN = {s.value for s in OPEN_AT_UNIT}


def _rows(user, queue: Queue, tab: Tab, filters: Filters, as_text: bool) -> Iterator[list]:
    receiver = aliased(AppUser)
    query = (
        select_tab(user, queue, tab, filters, Report.id, Report.received_at,
                   receiver.first_name, receiver.last_name, Report.reporter_name,
                   Report.reporter_phone, Report.reporter_email, Report.reporter_address,
                   Report.confidential, Report.title, Report.content, Report.location,
                   Source.name.label("source_name"), Field.name.label("field_name"),
                   Unit.name.label("unit_name"), Report.distributed_at, Report.due_at,
                   Report.status)
        .outerjoin(receiver, receiver.id == Report.received_by_id)
        .outerjoin(Source, Source.id == Report.source_id)
        .outerjoin(Field, Field.id == Report.field_id)
        .outerjoin(Unit, Unit.id == Report.unit_id)
        .order_by(Report.received_at.desc(), Report.id.desc())
        .execution_options(yield_per=BATCH)
    )
    now = utcnow()

    def moment(value: dt.datetime | None):
        if as_text:
            return local_datetime(value)
        local = to_local(value)
        return local.replace(tzinfo=None) if local else None

    for number, row in enumerate(db.session.execute(query), 1):
        reporter = reporter_of(user, row)
        overdue = bool(row.due_at and row.due_at < now and row.status in _OPEN)
        yield [
            number, row.id, moment(row.received_at),
            " ".join(p for p in (row.first_name, row.last_name) if p),
            reporter["reporter_name"], reporter["reporter_phone"], reporter["reporter_email"],
            reporter["reporter_address"], row.title, row.content, row.location,
            row.source_name, row.field_name, row.unit_name, moment(row.distributed_at),
            moment(row.due_at), STATUS_LABELS.get(row.status, row.status),
            "Có" if overdue else "",
        ]


def queue_export(user, queue: Queue, tab: Tab, filters: Filters, fmt: str):
    """(chunks of the file, its content type, its name)."""
    stamp = f"{to_local(utcnow()):%Y%m%d-%H%M}"
    title = f"Danh sách phản ánh — {queue.title}: {tab.label}"
    period = _period_label(filters)
    if fmt == "csv":
        return (exports.stream_csv(HEADERS, _rows(user, queue, tab, filters, True)),
                exports.CSV_TYPE, f"phan-anh-{queue.key}-{stamp}.csv")
    return (exports.stream_xlsx(title, period, exports.issuer(user), HEADERS,
                                _rows(user, queue, tab, filters, False), WIDTHS),
            exports.XLSX_TYPE, f"phan-anh-{queue.key}-{stamp}.xlsx")


def _period_label(filters: Filters) -> str:
    if filters.date_from and filters.date_to:
        return f"Tiếp nhận từ ngày {filters.date_from:%d/%m/%Y} đến ngày {filters.date_to:%d/%m/%Y}"
    if filters.date_from:
        return f"Tiếp nhận từ ngày {filters.date_from:%d/%m/%Y}"
    if filters.date_to:
        return f"Tiếp nhận đến ngày {filters.date_to:%d/%m/%Y}"
    return f"Đến {local_datetime(utcnow())}"
