"""When each person last opened each report queue: the menu's NEW mark (see app.services.queues)."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import utcnow


class QueueVisit(Model):
    """One row per person and queue: the last time the person opened the queue's page."""

    __tablename__ = "queue_visit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False
    )
    queue: Mapped[str] = mapped_column(String(30), nullable=False)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "queue", name="uq_queue_visit_user_queue"),
        {"extend_existing": True},
    )
