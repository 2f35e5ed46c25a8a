"""FAB's user, bound to the unit it works for."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text
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

    # Sign-in lockout: after too many failed passwords, no sign-in until this time (UTC).
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The hash of the last password set by someone else (an administrator, the provisioning):
    # the person may never choose it as their own (app/security/passwords.py).
    initial_password: Mapped[str | None] = mapped_column(String(256))

    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])


class BuiltinRole(Model):
    """The stable code of a built-in role ("centre", "handler"…): code finds the role, whatever
    name an administrator gives it. ``declared`` keeps the permissions the code last declared for
    it, so that ``flask seed`` brings the role up to date without undoing the administrator's
    own edits (app/security/roles.py ``sync_roles``)."""

    __tablename__ = "role_code"
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("ab_role.id", ondelete="CASCADE"),
                                         unique=True, nullable=False)
    declared: Mapped[str | None] = mapped_column(Text)  # JSON list of [permission, view]

    role: Mapped[Role] = relationship()
