"""`flask --app app perf generate | bench`: the data set and the benchmark of DESIGN §11."""
from __future__ import annotations

import datetime as dt
import time

import click
from flask.cli import AppGroup

perf_cli = AppGroup("perf", help="Dữ liệu sinh và đo hiệu năng.")


@perf_cli.command("generate")
@click.option("--reports", "n_reports", type=click.IntRange(min=1), required=True,
              help="Số phản ánh sinh thêm.")
@click.option("--events-per-report", type=click.FloatRange(min=0), default=10.0, show_default=True,
              help="Số dòng nhật ký trung bình mỗi phản ánh (tối thiểu là các bước của quy trình).")
@click.option("--seed", type=int, default=2019, show_default=True,
              help="Cùng seed (và cùng --until) cho cùng dữ liệu.")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Ngày cuối của lịch sử sinh ra (mặc định: bây giờ).")
def generate_command(n_reports: int, events_per_report: float, seed: int,
                     until: dt.datetime | None) -> None:
    """Sinh một bộ dữ liệu thực tế trên cơ sở dữ liệu đang cấu hình (COPY trên PostgreSQL)."""
    from .perf.generate import GenerateError, generate

    if until is not None:
        until = until.replace(hour=10)  # 17:00 in Huế: a working day's end
    started = time.monotonic()

    def stage(name: str) -> None:
        click.echo(f"  [{time.monotonic() - started:6.0f} s] {name}", err=True)
    with click.progressbar(length=n_reports, label="Phản ánh", show_pos=True,
                           show_eta=True) as bar:
        try:
            summary = generate(n_reports, events_per_report, seed, until, progress=bar.update,
                               stage=stage)
        except GenerateError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Đã sinh {summary.reports:,} phản ánh, {summary.events:,} dòng nhật ký, "
        f"{summary.links:,} liên kết đơn vị, {summary.ratings:,} đánh giá của người dân "
        f"trong {summary.seconds:,.0f} giây"
        + (f"; dựng lại: {', '.join(summary.rebuilt)}." if summary.rebuilt else ".")
    )


@perf_cli.command("bench")
@click.option("--rounds", type=click.IntRange(min=1), default=20, show_default=True,
              help="Số lượt đo mỗi trang (sau khi chạy khởi động).")
@click.option("--account", "accounts", multiple=True,
              help="Chỉ đo tài khoản này (lặp lại được); mặc định một tài khoản mỗi vai trò.")
@click.option("--max-minutes", type=click.FloatRange(min=1), default=None,
              help="Dừng đo trang mới sau chừng ấy phút (các trang chính được đo trước).")
@click.option("--mixed-seconds", type=click.FloatRange(min=0), default=60, show_default=True,
              help="Thời gian đo tải hỗn hợp (8 người cùng lúc, gunicorn 4 worker); 0: bỏ qua.")
@click.option("--no-write", is_flag=True, help="Không ghi docs/PERFORMANCE.md.")
def bench_command(rounds: int, accounts: tuple[str, ...], max_minutes: float | None,
                  mixed_seconds: float, no_write: bool) -> None:
    """Đo mọi trang của DESIGN §11 (gunicorn một worker) bên cạnh SQL trần của chính trang đó."""
    from .perf.bench import BENCH_ACCOUNTS, BenchError, run, summary

    try:
        block, results = run(rounds, accounts or BENCH_ACCOUNTS, write=not no_write,
                             progress=lambda s: click.echo(s, err=True), max_minutes=max_minutes,
                             mixed_seconds=mixed_seconds)
    except BenchError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(summary(results))
    if "Mixed load" in block:
        click.echo(block[block.index("Mixed load"):])
