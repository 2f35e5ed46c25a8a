"""Handling assignments: one row per distribution of a report to a unit, for the statistics.

Written in the same transaction as the exchange-log events that start and end it (the
``@on_event`` hook of ``app.services.statistics``). A row is inserted at distribution, with the
due time computed then (a later change of the field's handling days or of the working-day
exceptions does not move it), and ended once, by the unit leader's approval or by the unit's
return to the centre. Nothing else changes it (but the copy of the report's field and source),
so a closed period always gives the same figures.
"""
from __future__ import annotations

import datetime as dt
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship


class AssignmentOutcome(StrEnum):
    APPROVED = "approved"  # the unit's leader approved the result
    RETURNED = "returned"  # the unit handed the report back to the centre


class Assignment(Model):
    __tablename__ = "report_assignment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), nullable=False)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), nullable=False)
    # The distribution event that started it (one assignment per distribution).
    event_id: Mapped[int] = mapped_column(ForeignKey("report_event.id"), nullable=False,
                                          unique=True)
    distributed_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    due_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str | None] = mapped_column(String(10))
    # The report's field and source, copied so that the statistics by field or source need
    # not join report; a trigger of migration 0017 follows any change of the report's.
    field_id: Mapped[int | None] = mapped_column(Integer)
    source_id: Mapped[int | None] = mapped_column(Integer)

    event = relationship("ReportEvent")

    __table_args__ = (
        Index("ix_report_assignment_report", "report_id", "distributed_at"),
        # A period's assignments: those distributed before its end and not ended before its
        # start (still open, or ended since): the two indexes below.
        Index("ix_report_assignment_ended", "ended_at", "distributed_at"),
        Index("ix_report_assignment_unit", "unit_id", "distributed_at"),
        Index("ix_report_assignment_distributed", "distributed_at"),  # the charts' months
        {"extend_existing": True},
    )
