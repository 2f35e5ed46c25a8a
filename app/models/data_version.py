"""A token per scope of what people see, changed by every committed write of that scope
(app.ops.data_version): what the page cache keys its pages on."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column


class DataVersion(Model):
    __tablename__ = "data_version"
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)  # "all", "reports", "unit:7"
    token: Mapped[str] = mapped_column(String(32), nullable=False)

    __table_args__ = ({"extend_existing": True},)
