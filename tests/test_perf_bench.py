"""`flask perf bench` writes its table into docs/PERFORMANCE.md without touching the prose."""
from __future__ import annotations

from app.perf.bench import (
    Mixed, Page, Result, _own_pages, _percentile, mix_ceiling, render_mixed, write_report,
)


def test_the_benchmark_replaces_only_its_own_databases_table(tmp_path):
    path = tmp_path / "PERFORMANCE.md"
    path.write_text("# Performance\n\n## What each change bought\n\nCounters: 300 ms → 4 ms.\n",
                    encoding="utf-8")
    write_report("| page | p95 |\n| queue | 90 |", "postgresql", str(path))
    write_report("| page | p95 |\n| queue | 120 |", "sqlite", str(path))
    write_report("| page | p95 |\n| queue | 40 |", "postgresql", str(path))
    text = path.read_text(encoding="utf-8")
    assert "Counters: 300 ms → 4 ms." in text  # the hand-written prose stays
    assert "| queue | 40 |" in text and "| queue | 90 |" not in text
    assert "| queue | 120 |" in text  # the other database's table stays
    assert text.count("## Benchmark on PostgreSQL") == 1 and text.count("## Benchmark on SQLite") == 1


def test_percentiles_are_those_of_the_rounds():
    rounds = [float(n) for n in range(1, 21)]  # 1 … 20 ms
    assert _percentile(rounds, 50) == 10.0
    assert _percentile(rounds, 95) == 19.0
    assert _percentile([], 95) is None


def test_the_mixed_loads_ceiling_is_the_bare_sql_of_its_pages(monkeypatch):
    def result(account, kind, floor, note=""):
        return Result(Page(account, kind, "page", "/x", note=note), floor=[floor] * 3)

    monkeypatch.setattr("os.cpu_count", lambda: 2)
    results = [
        result("trungtam", "queue", 10.0), result("trungtam", "search", 30.0),  # mean 20 ms
        result("gtvt.xuly", "report", 40.0),  # mean 40 ms
        # Not opened by the mix: statistics, a deep page, another account.
        result("trungtam", "statistics", 900.0), result("trungtam", "queue", 500.0, "deep"),
        result("theodoi", "queue", 700.0),
    ]
    mean, per_second = mix_ceiling(results)
    assert mean == 30.0  # each person's pages taken equally: (20 + 40) / 2
    assert round(per_second, 1) == 66.7  # 2 cores × 1000 ms ÷ 30 ms
    assert mix_ceiling([result("theodoi", "queue", 5.0)]) is None


def test_sqlite_gets_the_mixed_load_within_one_and_a_half_times():
    mixed = Mixed(requests=6_000, errors=0, seconds=60.0, samples=[100.0])  # 100 requests/s
    assert "| pass |" in render_mixed(mixed, [], factor=1.5)[5]  # SQLite: ≥ 100 requests/s
    assert "≥ 100 requests/s" in render_mixed(mixed, [], factor=1.5)[5]
    assert "**FAIL**" in render_mixed(mixed, [])[5]  # PostgreSQL: ≥ 150 requests/s


def test_the_mixed_load_shows_the_page_cache_and_the_same_load_without_it():
    kept = Mixed(requests=9_000, errors=0, seconds=60.0, samples=[20.0], page_cache="memory://",
                 hits=8_550)  # 150 requests/s, 95 % of them sent from the cache
    built = Mixed(requests=3_000, errors=0, seconds=60.0, samples=[60.0], page_cache="off")
    lines = render_mixed(kept, [], uncached=built)
    assert lines[5] == ("| 9,000 | 150.0 | 20.0 | 20.0 | 0 | memory:// | 95 % "
                        "| ≥ 150 requests/s, 0 errors | pass |")
    assert lines[6] == "| 3,000 | 50.0 | 60.0 | 60.0 | 0 | off | 0 % | for comparison | — |"


def test_the_mixed_load_says_where_its_cpu_went(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    # 6,000 requests; the workers used 72 s of CPU, the database 18 s, the clients 6 s.
    mixed = Mixed(requests=6_000, errors=0, seconds=60.0, samples=[80.0],
                  cpu={"app": 72.0, "rest": 18.0, "clients": 6.0})
    line = render_mixed(mixed, [])[-1]
    assert ("the app's workers 12.0 ms, the database and the rest of the machine 3.0 ms, "
            "the clients 1.0 ms; 16.0 ms in all, so the 2 cores serve at most 125 requests/s"
            ) in line
    sqlite = render_mixed(mixed, [], factor=1.5, embedded=True)[-1]
    assert "the app's workers (SQLite's work included) 12.0 ms, the rest of the machine 3.0 ms" \
        in sqlite
    assert render_mixed(Mixed(requests=10, seconds=1.0, samples=[1.0]), [])[-1].startswith("| 10 ")


def test_the_mixed_load_opens_only_the_persons_own_pages():
    class Answer:
        def __init__(self, status_code):
            self.status_code = status_code

    class Handler:  # the server's answers to a unit's handler
        def call(self, method, url, body, api):
            return Answer({"/phan-anh/xu-ly/": 200, "/phan-anh/tiep-nhan/": 403,
                           "/api/v1/report/": 200}[url])

    pages = [Page("gtvt.xuly", "queue", "Xử lý", "/phan-anh/xu-ly/"),
             Page("gtvt.xuly", "queue", "Tiếp nhận (the centre's)", "/phan-anh/tiep-nhan/"),
             Page("gtvt.xuly", "api", "REST list", "/api/v1/report/", api=True)]
    assert [p.label for p in _own_pages(Handler(), pages)] == ["Xử lý", "REST list"]
