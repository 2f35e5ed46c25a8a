"""Command-line tools: `flask --app app seed | demo | calendar due-date …` (DESIGN §7)."""
from __future__ import annotations

import datetime as dt

import click
from flask import Flask
from flask.cli import AppGroup

from .services import calendar as calendar_service

calendar_cli = AppGroup("calendar", help="Lịch ngày làm việc.")


@calendar_cli.command("due-date")
@click.argument("start", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.argument("days", type=click.IntRange(min=0))
def due_date_command(start: dt.datetime, days: int) -> None:
    """In ngày hết hạn (YYYY-MM-DD) của một khoảng DAYS ngày làm việc tính từ START."""
    click.echo(calendar_service.due_date(start.date(), days).isoformat())


source_cli = AppGroup("source", help="Nguồn tiếp nhận.")


@source_cli.command("api-key")
@click.argument("name")
def source_api_key_command(name: str) -> None:
    """Cấp khóa Open311 mới cho nguồn NAME (in một lần; chỉ lưu mã băm; khóa cũ hết hiệu lực)."""
    from .services.open311 import issue_api_key

    try:
        key = issue_api_key(name)
    except LookupError:
        raise click.ClickException(f"Không có nguồn tên “{name}”.") from None
    click.echo(f"Khóa Open311 mới của nguồn “{name.strip()}” (chỉ hiện một lần, hãy lưu lại):")
    click.echo(key)


@click.command("seed")
def seed_command() -> None:
    """Nạp danh mục: đơn vị xử lý, nguồn, lĩnh vực; đồng bộ vai trò (chạy lại an toàn)."""
    from . import sync_security
    from .services.seed import seed_catalogues

    counts = seed_catalogues()
    sync_security()
    click.echo(
        "Đã nạp danh mục: {units} đơn vị, {sources} nguồn, {fields} lĩnh vực.".format(**counts)
    )


@click.command("demo")
def demo_command() -> None:
    """Thêm dữ liệu minh họa: tài khoản mỗi vai trò (mật khẩu DEMO_PASSWORD) và phản ánh mẫu."""
    from . import sync_security
    from .services.demo import DemoError, load_demo
    from .services.seed import seed_catalogues

    seed_catalogues()
    sync_security()
    try:
        summary = load_demo()
    except DemoError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(summary)


backup_cli = AppGroup("backup", help="Sao lưu và khôi phục cơ sở dữ liệu cùng tệp đính kèm.")


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup_create_command(path: str) -> None:
    """Sao lưu cơ sở dữ liệu và tệp đính kèm vào tệp PATH (.tar.gz, có bản kê)."""
    from flask import current_app

    from .ops import backup

    try:
        manifest = backup.create(path, current_app.config["UPLOAD_FOLDER"])
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Đã sao lưu vào {path}: phiên bản {manifest.revision}, "
               f"{manifest.counts['report']} phản ánh, {manifest.counts['report_event']} dòng "
               f"nhật ký, {len(manifest.checksums) - 1} tệp đính kèm.")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Không hỏi lại trước khi thay thế dữ liệu hiện có.")
def backup_restore_command(path: str, yes: bool) -> None:
    """Khôi phục cơ sở dữ liệu và tệp đính kèm từ tệp sao lưu PATH (thay thế dữ liệu hiện có)."""
    from flask import current_app

    from .ops import backup

    if not yes:
        click.confirm("Khôi phục sẽ THAY THẾ toàn bộ dữ liệu và tệp đính kèm hiện có. Tiếp tục?",
                      abort=True)
    try:
        manifest = backup.restore(path, current_app.config["UPLOAD_FOLDER"])
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Đã khôi phục bản sao lưu lúc {manifest.created_at} (phiên bản "
               f"{manifest.revision}): {manifest.counts['report']} phản ánh.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(backup_cli)
    app.cli.add_command(calendar_cli)
    app.cli.add_command(source_cli)
    app.cli.add_command(seed_command)
    app.cli.add_command(demo_command)
    from .cli_notify import notify_cli
    from .cli_personnel import personnel_cli

    app.cli.add_command(personnel_cli)
    app.cli.add_command(notify_cli)
    from .cli_perf import perf_cli

    app.cli.add_command(perf_cli)
