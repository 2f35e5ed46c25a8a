"""flask --app app notify send | worker | digest [--date YYYY-MM-DD] (DESIGN §7, §9)."""
from __future__ import annotations

import datetime as dt
import signal
import time

import click
from flask.cli import AppGroup

from .domain.calendar import local_date
from .models.base import utcnow

notify_cli = AppGroup("notify", help="Gửi thư thông báo và bản tin hằng ngày.")


def _pass() -> None:
    from .services.mailer import send_pending

    result = send_pending()
    click.echo(f"Đã gửi {result.sent} thư, {result.retried} thư sẽ gửi lại, "
               f"{result.failed} thư không gửi được.")
    for reason in result.errors:
        click.echo(f"  Lỗi: {reason}", err=True)


@notify_cli.command("send")
def send_command() -> None:
    """Gửi một lượt các thư đang chờ trong hàng đợi."""
    from .services.mailer import MailNotConfigured

    try:
        _pass()
    except MailNotConfigured as exc:
        raise click.ClickException(str(exc)) from exc


@notify_cli.command("worker")
@click.option("--interval", default=10.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Số giây nghỉ giữa hai lượt gửi.")
def worker_command(interval: float) -> None:
    """Gửi thư liên tục (dừng bằng Ctrl+C hoặc SIGTERM, sau lượt đang gửi)."""
    from .extensions import db
    from .services.mailer import MailNotConfigured, send_pending

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    click.echo("Bắt đầu gửi thư thông báo.")
    try:
        while not stopping:
            try:
                result = send_pending()
            except MailNotConfigured as exc:
                raise click.ClickException(str(exc)) from exc
            except Exception as exc:  # the database is away: keep trying, say why
                db.session.rollback()
                click.echo(f"Lỗi khi gửi thư: {exc}", err=True)
            else:
                if result.sent or result.retried or result.failed:
                    click.echo(f"Đã gửi {result.sent}, gửi lại sau {result.retried}, "
                               f"không gửi được {result.failed}.")
            waited = 0.0
            while waited < interval and not stopping:
                time.sleep(min(0.2, interval))
                waited += 0.2
    except KeyboardInterrupt:
        pass
    click.echo("Đã dừng gửi thư.")


@notify_cli.command("digest")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Ngày của bản tin (YYYY-MM-DD); mặc định hôm nay (giờ Việt Nam).")
def digest_command(day: dt.datetime | None) -> None:
    """Đưa bản tin hằng ngày của mỗi người vào hàng đợi thư (chạy lại không gửi trùng)."""
    from .services.mailer import queue_digests

    the_day = day.date() if day else local_date(utcnow())
    result = queue_digests(the_day)
    click.echo(f"Bản tin ngày {the_day.strftime('%d/%m/%Y')}: {result.queued} thư mới, "
               f"{result.already} người đã có bản tin, {result.nothing} người không có gì mới.")
