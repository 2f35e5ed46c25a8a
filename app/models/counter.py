"""Report counts kept up to date in the transaction of each change (app.services.counters)."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

PROVINCE = 0  # ``ReportCount.unit_id`` of the whole province's counts


class ReportCount(Model):
    """How many reports fall in one bucket of one unit's scope (or of the whole province).

    Buckets (see app.services.counters): ``s:<state>`` for the province; ``s:<state>:<m><h>``
    for a unit, m = assigned to the unit now, h = ever distributed to it to handle;
    ``f:open`` / ``f:done`` for follow-ups (for the province: reports with an open follow-up);
    ``r:waiting`` / ``r:answered`` for the province's citizens' ratings.
    """

    __tablename__ = "report_count"
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    bucket: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
