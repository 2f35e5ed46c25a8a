"""Notifications, the mail outbox, preferences, and the centre's notices (DESIGN §9)."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.notifications import KIND_LABELS
from .base import utcnow
from .catalogue import Unit

UNREAD_SQL = "read_at IS NULL"


class Notification(Model):
    """One in-app notification for one person (the bell). Shown from ``created_at`` on: a notice
    to be shown later is told at its "shown from" time."""

    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"),
                                         nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    title: Mapped[str] = mapped_column(String(600), nullable=False)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_notification_user_time", "user_id", "created_at"),
        # The bell's count on every page: only the unread rows are in this index.
        Index("ix_notification_unread", "user_id", "kind", "created_at",
              sqlite_where=text(UNREAD_SQL), postgresql_where=text(UNREAD_SQL)),
        Index("ix_notification_notice", "notice_id"),
        Index("ix_notification_report", "report_id"),
        {"extend_existing": True},
    )

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


class MailStatus(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"
    FAILED = "failed"  # attempts exhausted, or refused for good by the mail server


MAIL_STATUS_LABELS = {
    MailStatus.PENDING: "Chờ gửi", MailStatus.SENDING: "Đang gửi", MailStatus.SENT: "Đã gửi",
    MailStatus.FAILED: "Gửi không được",
}
DUE_MAIL_SQL = "status IN ('pending', 'sending')"


class OutboxMail(Model):
    """An e-mail to send, written in the same transaction as the event that causes it; the
    worker (app.services.mailer) delivers it."""

    __tablename__ = "mail_outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    recipient: Mapped[str] = mapped_column(String(255), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    subject: Mapped[str] = mapped_column(String(500), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Pending: not before this moment; sending: the claim lapses at this moment.
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # A mail that must exist once at most (the digest of a person for a day).
    dedupe_key: Mapped[str | None] = mapped_column(String(100), unique=True)

    __table_args__ = (
        Index("ix_mail_outbox_due", "next_attempt_at",
              sqlite_where=text(DUE_MAIL_SQL), postgresql_where=text(DUE_MAIL_SQL)),
        {"extend_existing": True},
    )


class NotificationPreference(Model):
    """How a person wants to be told of one kind (absent: the default, e-mail at once)."""

    __tablename__ = "notification_preference"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"),
                                         nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    delivery: Mapped[str] = mapped_column(String(10), nullable=False)

    __table_args__ = (
        UniqueConstraint("user_id", "kind", name="uq_notification_preference_user_kind"),
        {"extend_existing": True},
    )


class Notice(Model):
    """A notice (thông báo) the centre writes to all units or to chosen units."""

    __tablename__ = "notice"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    all_units: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    shown_from: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    shown_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    units: Mapped[list[Unit]] = relationship(secondary="notice_unit", order_by="Unit.name")
    files: Mapped[list[NoticeFile]] = relationship(back_populates="notice",
                                                   cascade="all, delete-orphan")
    created_by = relationship("AppUser", foreign_keys=[created_by_id])

    __table_args__ = (Index("ix_notice_shown", "shown_from"), {"extend_existing": True})


class NoticeUnit(Model):
    __tablename__ = "notice_unit"
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"),
                                           primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    __table_args__ = (Index("ix_notice_unit_unit", "unit_id", "notice_id"),
                      {"extend_existing": True})


class NoticeFile(Model):
    """A file of a notice, stored like report attachments (generated name, checked type)."""

    __tablename__ = "notice_file"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"),
                                           nullable=False, index=True)
    original_name: Mapped[str] = mapped_column(String(255), nullable=False)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    content_type: Mapped[str] = mapped_column(String(120), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)

    notice: Mapped[Notice] = relationship(back_populates="files")


class NoticeRead(Model):
    """When a person first opened a notice: the centre's "who has read it"."""

    __tablename__ = "notice_read"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"),
                                           nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"),
                                         nullable=False)
    read_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        UniqueConstraint("notice_id", "user_id", name="uq_notice_read_notice_user"),
        {"extend_existing": True},
    )
