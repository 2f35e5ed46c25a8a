"""`flask --app app stats rebuild`: the statistics' assignments rebuilt from the exchange log."""
from __future__ import annotations

import click
from flask.cli import AppGroup

stats_cli = AppGroup("stats", help="Thống kê phản ánh.")


@stats_cli.command("rebuild")
def rebuild_command() -> None:
    """Dựng lại bảng phân công xử lý (thống kê) từ nhật ký trao đổi, cho dữ liệu được nạp
    ngoài quy trình (ví dụ `perf generate`)."""
    from .extensions import db
    from .services.statistics import rebuild_assignments

    with db.engine.begin() as connection:
        count = rebuild_assignments(connection)
    click.echo(f"Đã dựng lại {count} lượt phân công xử lý từ nhật ký trao đổi.")


@stats_cli.command("bench")
@click.option("--year", type=int, help="Năm thống kê (mặc định: năm trước).")
@click.option("--runs", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--user", "username", default="theodoi", show_default=True,
              help="Tài khoản thống kê (phạm vi của người đó).")
def bench_command(year: int | None, runs: int, username: str) -> None:
    """Đo thời gian thống kê một năm theo đơn vị (DESIGN §11: ≤ 1 giây), in trung vị và lớn nhất."""
    import datetime as dt
    import statistics as stats
    import time

    from .extensions import appbuilder, db
    from .services.statistics import Period, summary, today_local

    user = appbuilder.sm.find_user(username=username)
    if user is None:
        raise click.ClickException(f"Không có tài khoản {username}.")
    year = year or today_local().year - 1
    period = Period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    times = []
    for _ in range(runs):
        db.session.rollback()
        started = time.perf_counter()
        table = summary(user, period, "unit")
        times.append(time.perf_counter() - started)
    click.echo(f"Thống kê năm {year} theo đơn vị ({username}): {len(table.rows)} đơn vị, "
               f"{table.total.figures['to_handle']} lượt phải xử lý; "
               f"trung vị {stats.median(times) * 1000:.0f} ms, lớn nhất {max(times) * 1000:.0f} ms "
               f"({runs} lần).")
