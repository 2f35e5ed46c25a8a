"""One row per form submission that changed data: the one-time token its form carried
(app.services.submissions). A second submission with the same token is a repeat."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import utcnow


class FormSubmission(Model):
    __tablename__ = "form_submission"
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"))
    # The report the submission created or changed: where a repeat is sent back to.
    report_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        Index("ix_form_submission_user_created", "user_id", "created_at"),
        {"extend_existing": True},
    )
