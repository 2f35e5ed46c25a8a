"""Field reports, their exchange log and their files."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event,
    inspect, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.text import search_document
from ..domain.tracking import new_code
from ..domain.workflow import ACTION_LABELS, AT_HANDLER, OPEN_AT_UNIT, STATUS_LABELS, Status
from .base import Timestamps, utcnow
from .catalogue import Field, Source, Unit

def unused_tracking_code(context=None) -> str:
    """A fresh public tracking code not held by any report (the column's default, so every way
    a report is inserted gets one; the unique index stays the last word)."""
    while True:
        code = new_code()
        if context is None or context.connection.execute(
            text("SELECT 1 FROM report WHERE tracking_code = :code"), {"code": code}
        ).first() is None:
            return code


def _in_states_sql(states) -> str:
    return "status IN ({})".format(", ".join(f"'{s.value}'" for s in sorted(states)))


OPEN_AT_UNIT_SQL = _in_states_sql(OPEN_AT_UNIT)
AT_HANDLER_SQL = _in_states_sql(AT_HANDLER)


class Report(Timestamps, Model):
    """A field report (phản ánh)."""

    __tablename__ = "report"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # What the public sees instead of the id (DESIGN §10; app/domain/tracking.py).
    tracking_code: Mapped[str] = mapped_column(
        String(16), unique=True, nullable=False, default=unused_tracking_code
    )

    reporter_name: Mapped[str | None] = mapped_column(String(255))
    reporter_address: Mapped[str | None] = mapped_column(String(500))
    reporter_phone: Mapped[str | None] = mapped_column(String(30))
    reporter_email: Mapped[str | None] = mapped_column(String(255))
    confidential: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    title: Mapped[str] = mapped_column(String(500), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    location: Mapped[str | None] = mapped_column(String(500))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id"), index=True)
    field_id: Mapped[int | None] = mapped_column(ForeignKey("field.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=Status.NEW)
    # The unit the report is assigned to now (None before distribution and after a return).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))

    received_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    distributed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    return_due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    late_return: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    result: Mapped[str | None] = mapped_column(Text)  # the unit's result, as approved
    public_result: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    # Keyword search (app.services.search): the folded words of title, content, place and
    # reporter (name, phone digits), in a full-text index; the same words with their accents.
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    search_accented: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Optimistic concurrency: of two simultaneous changes exactly one wins.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    source: Mapped[Source | None] = relationship()
    field: Mapped[Field | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    received_by = relationship("AppUser", foreign_keys=[received_by_id])
    unit_links: Mapped[list[ReportUnit]] = relationship(
        back_populates="report", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_report_status_received", "status", "received_at"),
        # Migration 0006_perfapp: "arrived since the last visit" (the menu's NEW) per queue.
        Index("ix_report_unit_status_updated", "unit_id", "status", "updated_at"),
        Index("ix_report_status_updated", "status", "updated_at"),
        Index("ix_report_status_created", "status", "created_at"),
        # Migration 0006_perfapp: lists and REST pages ordered by time then id.
        Index("ix_report_received_id", "received_at", "id"),
        Index("ix_report_due_at", "due_at"),
        # Migration 0006_perfapp (0002's ix_report_open_due with the state): the "overdue, not
        # processed" alert counts reports open at a unit on the index alone, for the province
        # and for one unit.
        Index("ix_report_open_status_due", "status", "due_at",
              sqlite_where=text(OPEN_AT_UNIT_SQL), postgresql_where=text(OPEN_AT_UNIT_SQL)),
        Index("ix_report_unit_open_due", "unit_id", "status", "due_at",
              sqlite_where=text(OPEN_AT_UNIT_SQL), postgresql_where=text(OPEN_AT_UNIT_SQL)),
        # Migration 0018: a unit's "Chờ xử lý" newest first, 20 rows off the end of an index
        # (all of the unit's open reports were read and sorted for one page).
        Index("ix_report_unit_at_handler_received", "unit_id", "received_at", "id",
              sqlite_where=text(AT_HANDLER_SQL), postgresql_where=text(AT_HANDLER_SQL)),
        # Migration 0019: the same order over all of a unit's own reports ("Đã phê duyệt": the
        # unit's approved and published ones were read and sorted for one page on SQLite).
        Index("ix_report_unit_received_id", "unit_id", "received_at", "id"),
        # Migrations 0006b_perfapp, 0013: keyword search on PostgreSQL, on the stored column
        # search_vector (generated by the database from search_text, so not mapped here);
        # SQLite: the FTS5 table report_search, kept by triggers.
        Index("ix_report_search_vector", text("search_vector"),
              postgresql_using="gin").ddl_if(dialect="postgresql"),
        {"extend_existing": True},
    )

    def __str__(self) -> str:
        return self.title

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def refresh_search_text(self) -> None:
        self.search_text, self.search_accented = searchable(
            self.title, self.content, self.location, self.reporter_name, self.reporter_phone,
            self.confidential, [link.unit_id for link in self.unit_links])


# What the searchable forms are made of (``searchable``).
SEARCHED = ("title", "content", "location", "reporter_name", "reporter_phone", "confidential",
            "unit_links")


def searchable(title, content, location, reporter_name, reporter_phone,
               confidential, unit_ids=()) -> tuple[str, str]:
    """(search_text, search_accented) of a report's fields and the units of its scope. A
    confidential reporter stays out: a keyword must not reveal who reported."""
    return search_document(title, content, location,
                           reporter=None if confidential else reporter_name,
                           phone=None if confidential else reporter_phone, units=unit_ids)


@event.listens_for(Report, "before_insert")
def _fold_new_for_search(mapper, connection, target: Report) -> None:
    target.refresh_search_text()


@event.listens_for(Report, "before_update")
def _fold_for_search(mapper, connection, target: Report) -> None:
    """Only when what is searched changed (a change of state keeps the words as they are)."""
    state = inspect(target)
    if any(state.attrs[name].history.has_changes() for name in SEARCHED):
        target.refresh_search_text()


class ReportUnitKind(StrEnum):
    HANDLING = "handling"
    FOLLOW = "follow"


OPEN_FOLLOW_SQL = "kind = 'follow' AND done_at IS NULL"


class ReportUnit(Model):
    """A unit a report was ever distributed to, to handle or to follow: the units' read scope."""

    __tablename__ = "report_unit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), nullable=False)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    # The report's own received_at (set at intake; a trigger of migration 0015 follows any
    # later change): a unit's reports are walked in the lists' order along
    # ix_report_unit_received, without reading each report.
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    # Follow-ups only: when and by whom the unit marked it done.
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    report: Mapped[Report] = relationship(back_populates="unit_links")
    unit: Mapped[Unit] = relationship()

    __table_args__ = (
        UniqueConstraint("report_id", "unit_id", "kind", name="uq_report_unit_kind"),
        Index("ix_report_unit_unit_kind", "unit_id", "kind", "report_id"),
        # Migration 0002: the "follow-ups not done" queue and alert of a unit.
        Index("ix_report_unit_open_follow", "unit_id", "report_id",
              sqlite_where=text(OPEN_FOLLOW_SQL), postgresql_where=text(OPEN_FOLLOW_SQL)),
        # Migration 0014_read_indexes: a unit's follow-ups not done by arrival (the menu's "new" mark).
        Index("ix_report_unit_follow_arrival", "unit_id", "created_at",
              sqlite_where=text(OPEN_FOLLOW_SQL), postgresql_where=text(OPEN_FOLLOW_SQL)),
        # Migration 0015_unit_order: a unit's reports newest first, any page (the REST list).
        Index("ix_report_unit_received", "unit_id", "received_at", "report_id"),
        {"extend_existing": True},
    )


class ReportEvent(Model):
    """One line of the exchange log (nhật ký trao đổi). Immutable once written."""

    __tablename__ = "report_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    # Names as they were at the time: later renames do not rewrite history.
    actor_name: Mapped[str | None] = mapped_column(String(255))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    unit_name: Mapped[str | None] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    content: Mapped[str | None] = mapped_column(Text)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    # Distribution only: the unit the report went to.
    target_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    target_unit_name: Mapped[str | None] = mapped_column(String(255))
    late: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    report: Mapped[Report] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(back_populates="event")

    __table_args__ = (
        Index("ix_report_event_report_time", "report_id", "created_at"),
        Index("ix_report_event_time", "created_at"),
        {"extend_existing": True},
    )

    @property
    def action_label(self) -> str:
        return action_label(self.action)


def action_label(action: str) -> str:
    """The Vietnamese name of a log line's action."""
    return ACTION_LABELS.get(action, action)


class ImmutableEventError(RuntimeError):
    pass


@event.listens_for(ReportEvent, "before_update")
@event.listens_for(ReportEvent, "before_delete")
def _refuse_event_change(mapper, connection, target) -> None:
    raise ImmutableEventError("Nhật ký trao đổi không được sửa hoặc xóa.")


class AttachmentStage(StrEnum):
    CITIZEN = "citizen"
    PROCESSING = "processing"
    APPROVAL = "approval"
    EXCHANGE = "exchange"


ATTACHMENT_STAGE_LABELS = {
    AttachmentStage.CITIZEN: "Ảnh, tài liệu của người phản ánh",
    AttachmentStage.PROCESSING: "Kết quả xử lý",
    AttachmentStage.APPROVAL: "Phê duyệt",
    AttachmentStage.EXCHANGE: "Trao đổi",
}


class Attachment(Model):
    """A file attached to a report, stored under a generated name outside ``static/``."""

    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), nullable=False, index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("report_event.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20), nullable=False)
    original_name: Mapped[str] = mapped_column(String(255), nullable=False)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    content_type: Mapped[str] = mapped_column(String(120), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    event: Mapped[ReportEvent | None] = relationship(back_populates="attachments")

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
