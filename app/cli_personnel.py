"""`flask --app app personnel …`: import, template, export, accounts and status of the lists."""
from __future__ import annotations

import os

import click
from flask.cli import AppGroup

personnel_cli = AppGroup("personnel", help="Danh sách nhân sự của các đơn vị và tài khoản.")


def _unit(name: str | None):
    if not name:
        return None
    from .services.personnel import UnitIndex

    unit = UnitIndex().find(name)
    if unit is None:
        raise click.ClickException(f"Không tìm thấy đơn vị “{name}” trong danh mục đơn vị xử lý.")
    return unit


def _echo_accounts(results) -> None:
    if not results:
        return
    click.echo("")
    click.echo("Tài khoản (mật khẩu ban đầu chỉ in một lần; người dùng phải đổi ở lần đăng nhập đầu):")
    for r in results:
        password = r.password or "—"
        click.echo(f"  {r.person.unit.name} | {r.person.full_name} | {r.person.duty_label} | "
                   f"{r.username or '—'} | {r.login_label} | mật khẩu: {password} | {r.status_label}")


@personnel_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--unit", "unit_name", help="Đơn vị của danh sách (khi tệp không có cột Đơn vị).")
@click.option("--add-only", is_flag=True,
              help="Chỉ thêm và cập nhật; không gỡ những người không có trong tệp.")
@click.option("--no-accounts", is_flag=True, help="Không cấp tài khoản.")
def import_command(path: str, unit_name: str | None, add_only: bool, no_accounts: bool) -> None:
    """Nhập danh sách nhân sự từ tệp .xlsx hoặc .csv theo mẫu Công văn 17/STTTT-CNTT."""
    from .services import audit
    from .services.personnel import import_file

    unit = _unit(unit_name)
    with open(path, "rb") as f:
        data = f.read()
    with audit.acting_as(f"{audit.COMMAND_LINE}: personnel import {os.path.basename(path)}"):
        result = import_file(os.path.basename(path), data, unit, replace=not add_only,
                             provision=not no_accounts)
    if not result.ok:
        for line, reason in result.errors:
            click.echo(f"{'Dòng ' + str(line) if line else 'Tệp'}: {reason}", err=True)
        raise click.ClickException(
            f"Tệp có {len(result.errors)} lỗi nên chưa nhập dòng nào. Sửa các dòng trên rồi nhập lại."
        )
    click.echo(result.summary())
    for warning in result.warnings:
        click.echo(f"Lưu ý: {warning}")
    _echo_accounts(result.accounts)


@personnel_cli.command("provision")
@click.option("--unit", "unit_name", help="Chỉ các nhân sự của đơn vị này.")
def provision_command(unit_name: str | None) -> None:
    """Cấp (hoặc đồng bộ) tài khoản cho mọi nhân sự trong danh sách; khóa tài khoản người đã bị gỡ."""
    from .extensions import db
    from .models import Personnel
    from .services import accounts, audit

    unit = _unit(unit_name)
    query = db.session.query(Personnel)
    if unit is not None:
        query = query.filter(Personnel.unit_id == unit.id)
    with audit.acting_as(f"{audit.COMMAND_LINE}: personnel provision"):
        try:
            results = accounts.provision(query.all())
            db.session.commit()
        except accounts.AccountError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from exc
    changed = [r for r in results if r.status != "unchanged"]
    click.echo(f"Đã xét {len(results)} nhân sự; {len(changed)} tài khoản được tạo hoặc thay đổi.")
    _echo_accounts(changed)


@personnel_cli.command("template")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--unit", "unit_name", help="Điền sẵn tên đơn vị.")
def template_command(path: str, unit_name: str | None) -> None:
    """Ghi tệp mẫu danh sách nhân sự (.xlsx, hoặc .csv theo phần mở rộng)."""
    from .services.personnel import template_csv, template_xlsx

    data = template_csv() if path.lower().endswith(".csv") else template_xlsx(_unit(unit_name))
    with open(path, "wb") as f:
        f.write(data)
    click.echo(f"Đã ghi tệp mẫu {path}.")


@personnel_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--unit", "unit_name", help="Chỉ danh sách của đơn vị này.")
@click.option("--all", "include_inactive", is_flag=True, help="Kể cả những người đã bị gỡ.")
def export_command(path: str, unit_name: str | None, include_inactive: bool) -> None:
    """Xuất danh sách nhân sự ra .xlsx hoặc .csv (theo phần mở rộng của PATH)."""
    from .services.personnel import export_csv, export_xlsx, listed_people

    unit = _unit(unit_name)
    people = listed_people(unit.id if unit else None, include_inactive)
    data = export_csv(people) if path.lower().endswith(".csv") else export_xlsx(people)
    with open(path, "wb") as f:
        f.write(data)
    click.echo(f"Đã xuất {len(people)} nhân sự ra {path}.")


@personnel_cli.command("status")
@click.option("--all", "show_all", is_flag=True, help="Liệt kê cả các đơn vị đã đăng ký đủ.")
def status_command(show_all: bool) -> None:
    """Tình hình đăng ký: đơn vị chưa có Lãnh đạo phê duyệt hoặc Cán bộ xử lý."""
    from .services.personnel import registration_status

    status = registration_status()
    complete = sum(1 for s in status if s.complete)
    click.echo(f"{complete}/{len(status)} đơn vị đã đăng ký đủ Lãnh đạo phê duyệt và Cán bộ xử lý.")
    for s in status:
        if show_all or not s.complete:
            click.echo(f"  {s.unit.name}: {s.missing} (lãnh đạo {len(s.leaders)}, "
                       f"cán bộ xử lý {len(s.handlers)})")
