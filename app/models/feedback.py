"""Citizens' ratings of published results (DESIGN §10): one per report and publication."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import utcnow
from .report import Report, ReportEvent


class Rating(StrEnum):
    SATISFIED = "satisfied"
    ACCEPTABLE = "acceptable"
    NOT_SATISFIED = "not_satisfied"


RATING_LABELS = {
    Rating.SATISFIED: "Hài lòng",
    Rating.ACCEPTABLE: "Chấp nhận được",
    Rating.NOT_SATISFIED: "Không hài lòng",
}


# The centre's queue of ratings lists the dissatisfied first, then the newest: its indexes are
# on this expression, written with literals (a plan matches an index expression, never one with
# parameters).
DISSATISFIED_FIRST = "CASE WHEN rating = 'not_satisfied' THEN 0 ELSE 1 END"


class FeedbackAnswer(StrEnum):
    REPLY = "reply"
    REOPEN = "reopen"


class Feedback(Model):
    """The reporter's rating of one publication of a report's result, and how the centre
    answered it (a reply the citizen reads, or reopening the report)."""

    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), nullable=False)
    # The publication rated: a reopened and republished report has a new one.
    published_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    # The unit whose result was rated (the report's unit at publication; reopening clears it).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    rating: Mapped[str] = mapped_column(String(20), nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("report_event.id"))
    # The centre's answer: None while the feedback waits ("Chờ phản hồi").
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    answer: Mapped[str | None] = mapped_column(String(10))
    answer_event_id: Mapped[int | None] = mapped_column(ForeignKey("report_event.id"))

    report: Mapped[Report] = relationship()
    event: Mapped[ReportEvent | None] = relationship(foreign_keys=[event_id])

    __table_args__ = (
        # Once per publication, even for two submissions at the same moment.
        UniqueConstraint("report_id", "published_at", name="uq_feedback_report_publication"),
        Index("ix_feedback_answered_created", "answered_at", "created_at"),
        Index("ix_feedback_report", "report_id"),
        Index("ix_feedback_created_unit", "created_at", "unit_id"),
        # Migration 0016_rating_queue: each tab of "Phản ánh có tương tác" in its order.
        *(Index(name, text(f"({DISSATISFIED_FIRST})"), text("created_at DESC"), text("id DESC"),
                sqlite_where=text(where), postgresql_where=text(where))
          for name, where in (("ix_feedback_waiting_order", "answered_at IS NULL"),
                              ("ix_feedback_answered_order", "answered_at IS NOT NULL"))),
        {"extend_existing": True},
    )

    @property
    def rating_label(self) -> str:
        return RATING_LABELS.get(self.rating, self.rating)
