"""Catalogues the centre maintains: handling units, fields, intake sources, working-day exceptions."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Timestamps


class UnitKind(StrEnum):
    CENTER = "center"
    DEPARTMENT = "department"
    BOARD = "board"
    DISTRICT = "district"
    WARD = "ward"
    CENTRAL = "central"
    ENTERPRISE = "enterprise"


UNIT_KIND_LABELS = {
    UnitKind.CENTER: "Trung tâm điều hành",
    UnitKind.DEPARTMENT: "Sở, ban, ngành",
    UnitKind.BOARD: "Ban quản lý, trung tâm",
    UnitKind.DISTRICT: "UBND cấp huyện",
    UnitKind.WARD: "UBND phường",
    UnitKind.CENTRAL: "Cơ quan Trung ương",
    UnitKind.ENTERPRISE: "Doanh nghiệp dịch vụ công",
}


class LoginMethod(StrEnum):
    SSO = "sso"
    LOCAL = "local"


LOGIN_METHOD_LABELS = {
    LoginMethod.SSO: "Đăng nhập một lần (SSO)",
    LoginMethod.LOCAL: "Tên người dùng và mật khẩu",
}


class Unit(Timestamps, Model):
    """A handling unit (cơ quan, đơn vị xử lý)."""

    __tablename__ = "unit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default=UnitKind.DEPARTMENT)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    login_method: Mapped[str] = mapped_column(String(10), nullable=False, default=LoginMethod.SSO)
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    # The same rules as the forms and the API schemas (migration 0007b_security).
    __table_args__ = (
        CheckConstraint("length(trim(name)) > 0", name="ck_unit_name_not_blank"),
        CheckConstraint(f"kind IN ({', '.join(repr(str(k)) for k in UnitKind)})", name="ck_unit_kind"),
        CheckConstraint(f"login_method IN ({', '.join(repr(str(m)) for m in LoginMethod)})",
                        name="ck_unit_login_method"),
    )

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return UNIT_KIND_LABELS.get(self.kind, self.kind)

    @property
    def login_label(self) -> str:
        return LOGIN_METHOD_LABELS.get(self.login_method, self.login_method)


class Field(Timestamps, Model):
    """A field (lĩnh vực) with its default handling unit and handling time."""

    __tablename__ = "field"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    default_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    handling_days: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    default_unit: Mapped[Unit | None] = relationship()

    __table_args__ = (
        CheckConstraint("length(trim(name)) > 0", name="ck_field_name_not_blank"),
        CheckConstraint("handling_days BETWEEN 1 AND 90", name="ck_field_handling_days"),
    )

    def __str__(self) -> str:
        return self.name


class SourceChannel(StrEnum):
    APP = "app"
    FACEBOOK = "facebook"
    EMAIL = "email"
    PORTAL = "portal"
    PHONE = "phone"
    OTHER = "other"


SOURCE_CHANNEL_LABELS = {
    SourceChannel.APP: "Ứng dụng di động",
    SourceChannel.FACEBOOK: "Facebook",
    SourceChannel.EMAIL: "Thư điện tử",
    SourceChannel.PORTAL: "Cổng thông tin",
    SourceChannel.PHONE: "Điện thoại, tổng đài",
    SourceChannel.OTHER: "Khác",
}


class Source(Timestamps, Model):
    """An intake channel (nguồn)."""

    __tablename__ = "source"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    channel: Mapped[str] = mapped_column(String(20), nullable=False, default=SourceChannel.OTHER)
    # Key of the channel's client for the Open311 interface; never shown in lists.
    api_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    __table_args__ = (
        CheckConstraint("length(trim(name)) > 0", name="ck_source_name_not_blank"),
        CheckConstraint(f"channel IN ({', '.join(repr(str(c)) for c in SourceChannel)})",
                        name="ck_source_channel"),
    )

    def __str__(self) -> str:
        return self.name

    @property
    def channel_label(self) -> str:
        return SOURCE_CHANNEL_LABELS.get(self.channel, self.channel)


class WorkdayException(Timestamps, Model):
    """A date the centre declares a working day or a day off, overriding the national calendar."""

    __tablename__ = "workday_exception"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True, nullable=False)
    is_working_day: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    note: Mapped[str | None] = mapped_column(String(255))

    def __str__(self) -> str:
        return self.day.strftime("%d/%m/%Y")
