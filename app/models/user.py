"""FAB's user, bound to the unit it works for."""
from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .catalogue import Unit


class AppUser(User):
    __tablename__ = "ab_user"
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True, nullable=True)
    # Set for accounts whose initial password was generated: the user must choose a new one.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, nullable=True)
    # The OpenID Connect subject ("sub") this account signed in with the first time through the
    # provincial SSO; a later sign-in with the same e-mail but another subject is refused.
    sso_subject: Mapped[str | None] = mapped_column(String(255), unique=True, index=True)

    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])

    @property
    def role_names(self) -> set[str]:
        return {r.name for r in self.roles}
