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
