"""One row whose token changes with every committed transaction that wrote anything: what the
page cache (app.ops.page_cache) keys its pages on."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column


class DataVersion(Model):
    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32), nullable=False)

    __table_args__ = ({"extend_existing": True},)
