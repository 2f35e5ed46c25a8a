"""FAB's user, bound to the unit it works for."""
from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .catalogue import Unit


class AppUser(User):
    __tablename__ = "ab_user"
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True, nullable=True)
    # Set for accounts whose initial password was generated: the user must choose a new one.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, nullable=True)

    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])

    @property
    def role_names(self) -> set[str]:
        return {r.name for r in self.roles}
