"""The personnel lists units register (DESIGN §1) and the audit log of administrative changes."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
    func, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Timestamps, utcnow
from .catalogue import Unit


class Duty(StrEnum):
    LEADER = "leader"
    HANDLER = "handler"


DUTY_LABELS = {Duty.LEADER: "Lãnh đạo phê duyệt", Duty.HANDLER: "Cán bộ xử lý"}


class Personnel(Timestamps, Model):
    """One row of a unit's personnel list: TT, Họ và tên, Chức vụ, Di động, Email, Nhiệm vụ."""

    __tablename__ = "personnel"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), nullable=False, index=True)
    position_no: Mapped[int | None] = mapped_column(Integer)  # TT
    full_name: Mapped[str] = mapped_column(String(255), nullable=False)
    title: Mapped[str | None] = mapped_column(String(255))  # Chức vụ
    mobile: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str] = mapped_column(String(255), nullable=False)
    duty: Mapped[str] = mapped_column(String(10), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), unique=True)

    unit: Mapped[Unit] = relationship()
    user = relationship("AppUser", foreign_keys=[user_id])

    __table_args__ = (
        UniqueConstraint("unit_id", "email", name="uq_personnel_unit_email"),
        Index("ix_personnel_email", "email"),  # single sign-on finds the person by e-mail
        # One active listed person per e-mail, whatever the unit (one account per person).
        Index("uq_personnel_active_email", func.lower(text("email")), unique=True,
              postgresql_where=text("active"), sqlite_where=text("active")),
        CheckConstraint("duty IN ('leader', 'handler')", name="ck_personnel_duty"),
        CheckConstraint("length(trim(full_name)) > 0", name="ck_personnel_full_name_not_blank"),
        {"extend_existing": True},
    )

    def __str__(self) -> str:
        return self.full_name

    @property
    def duty_label(self) -> str:
        return DUTY_LABELS.get(self.duty, self.duty)


class AuditLog(Model):
    """Who changed what in the administrative data, with the values before and after (JSON)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    actor_name: Mapped[str | None] = mapped_column(String(255))
    table_name: Mapped[str] = mapped_column(String(64), nullable=False)
    row_id: Mapped[str | None] = mapped_column(String(64))
    operation: Mapped[str] = mapped_column(String(10), nullable=False)  # insert, update, delete
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_audit_log_table_row", "table_name", "row_id"),
        Index("ix_audit_log_time", "created_at"),
        {"extend_existing": True},
    )
