"""Soak test: people of every role work the workflow at once against gunicorn on PostgreSQL,
then the data is checked; optionally PostgreSQL is restarted in the middle, and the used database
is backed up and restored.

    .venv/bin/python scripts/soak/soak.py --duration 60                       # CI: 1 minute
    .venv/bin/python scripts/soak/soak.py --duration 600 --write-doc          # 10 minutes
    .venv/bin/python scripts/soak/soak.py --duration 180 --restart-at 60 \\
        --pg-cluster soak --pg-port 5433 --backup-check --write-doc          # restart + backup

Exit status 0 only when: no server error (outside a restart window), every report's state
equals its last log event's ``to_status``, each successful action has exactly one event (none
lost, none doubled), and every badge equals a recount. Traffic goes to 127.0.0.1 only.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
PASSWORD = "Soak-kiem-thu-2026!"
DOC = os.path.join(ROOT, "docs", "RELIABILITY.md")
# Simulated people: (kind, role, unit code or None, how many).
PEOPLE = [
    ("centre", "CENTRE", None, 4),
    ("handler", "HANDLER", "SGTVT", 2), ("handler", "HANDLER", "STTTT", 2),
    ("handler", "HANDLER", "SXD", 2),
    ("leader", "LEADER", "SGTVT", 1), ("leader", "LEADER", "STTTT", 1), ("leader", "LEADER", "SXD", 1),
    ("viewer", "VIEWER", None, 2),
]
UNIT_NAMES = {"SGTVT": "Sở Giao thông vận tải", "STTTT": "Sở Thông tin và Truyền thông",
              "SXD": "Sở Xây dựng"}


def log(message: str) -> None:
    print(f"[soak {dt.datetime.now():%H:%M:%S}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(env: dict, *args: str) -> str:
    done = subprocess.run([os.path.join(BIN, "flask"), "--app", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} thất bại:\n{done.stderr[-2000:]}")
    return done.stdout


# --- The database ---------------------------------------------------------------------------

def ensure_cluster(name: str, port: int) -> None:
    """A PostgreSQL cluster of the soak's own, so restarting it disturbs nobody else."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    if not os.path.isdir(f"/etc/postgresql/{version}/{name}"):
        subprocess.run(["pg_createcluster", version, name, "--port", str(port), "--",
                        "--auth-local=trust", "--auth-host=trust"], check=True,
                       capture_output=True)
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start"],
                   capture_output=True)


def restart_cluster(name: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"],
                   check=True, capture_output=True)


def _psql_admin(port: int, sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres",
                    "-qc", sql], check=True, capture_output=True)


def drop_database(port: int, name: str) -> None:
    _psql_admin(port, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_database(port: int, name: str) -> str:
    drop_database(port, name)
    _psql_admin(port, f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1:{port}/{name}"


def make_app(env: dict):
    """The application in this process, on the soak's database (for setting up and checking)."""
    os.environ.update(env)
    sys.path.insert(0, ROOT)
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"]})


def prepare_people(application) -> tuple[dict, dict, dict]:
    """The simulated people's accounts (besides the demo's), their units, and the catalogue ids."""
    from app.domain.workflow import Role
    from app.extensions import db
    from app.models import Field, Source, Unit

    accounts: dict[str, list[str]] = collections.defaultdict(list)
    unit_of: dict[str, str] = {}
    with application.app_context():
        sm = application.appbuilder.sm
        units = {code: db.session.query(Unit).filter_by(name=name).one()
                 for code, name in UNIT_NAMES.items()}
        for kind, role, code, count in PEOPLE:
            for n in range(1, count + 1):
                username = f"soak.{kind}.{(code or 'tt').lower()}.{n}"
                user = sm.find_user(username=username) or sm.add_user(
                    username, "Soak", f"{kind} {n}", f"{username}@soak.invalid",
                    sm.find_role(Role[role].value), PASSWORD)
                user.unit_id = units[code].id if code else None
                user.must_change_password = False
                accounts[kind].append(username)
                if code:
                    unit_of["SOAK_UNIT_OF_" + username.replace(".", "_")] = str(units[code].id)
        db.session.commit()
        field_id = db.session.query(Field).filter_by(active=True).first().id
        source_id = db.session.query(Source).filter_by(active=True).first().id
        unit_ids = [u.id for u in units.values()]
    return dict(accounts), unit_of, {"field": field_id, "source": source_id, "units": unit_ids}


# --- The run ------------------------------------------------------------------------------------

def wait_ready(base: str, timeout: float) -> float | None:
    """Seconds until /readyz answers 200, or None."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return time.monotonic() - start
        except OSError:
            pass
        time.sleep(0.1)
    return None


def run(args) -> dict:
    work = tempfile.mkdtemp(prefix="phananh-soak-")
    port = args.pg_port
    if args.pg_cluster:
        ensure_cluster(args.pg_cluster, port)
    url = args.database_url or fresh_database(port, f"soak_{os.getpid()}")
    env = {**os.environ, "DATABASE_URL": url, "DEMO_PASSWORD": PASSWORD,
           "SECRET_KEY": secrets.token_urlsafe(32), "UPLOAD_FOLDER": os.path.join(work, "uploads"),
           "AUTH_RATE_LIMIT": "100000 per minute", "LOG_FORMAT": "json",
           "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/2"}
    log(f"database {url}")
    flask(env, "db", "upgrade")
    flask(env, "demo")
    application = make_app(env)
    accounts, unit_of, catalogue = prepare_people(application)

    http_port = free_port()
    base = f"http://127.0.0.1:{http_port}"
    server_log = open(os.path.join(work, "gunicorn.log"), "w")  # noqa: SIM115
    server = subprocess.Popen(
        [os.path.join(BIN, "gunicorn"), "-c", "gunicorn.conf.py", "--workers", str(args.workers),
         "--bind", f"127.0.0.1:{http_port}", "app:create_app()"],
        cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT)
    if wait_ready(base, 60) is None:
        server.kill()
        raise SystemExit("gunicorn không sẵn sàng sau 60 giây")
    log(f"gunicorn ({args.workers} workers) at {base}; {args.users} people for {args.duration}s")

    requests_log = os.path.join(work, "requests.jsonl")
    restart: dict = {}

    def restart_later() -> None:
        time.sleep(args.restart_at)
        log(f"restarting PostgreSQL cluster {args.pg_cluster}")
        restart["at"] = time.time()
        restart_cluster(args.pg_cluster)
        restart["database_back"] = time.time() - restart["at"]
        restart["app_back"] = (wait_ready(base, 60) or float("nan")) + restart["database_back"]
        restart["until"] = restart["at"] + restart["app_back"]
        log(f"database back after {restart['database_back']:.1f}s, app after {restart['app_back']:.1f}s")

    started = time.time()
    if args.restart_at is not None:
        threading.Thread(target=restart_later, daemon=True).start()
    locust_env = {**env, "SOAK_PASSWORD": PASSWORD, "SOAK_ACCOUNTS": json.dumps(accounts),
                  "SOAK_UNITS": json.dumps(catalogue["units"]), "SOAK_LOG": requests_log,
                  "SOAK_FIELD_ID": str(catalogue["field"]),
                  "SOAK_SOURCE_ID": str(catalogue["source"]), **unit_of}
    subprocess.run(
        [os.path.join(BIN, "locust"), "-f", os.path.join(ROOT, "scripts", "soak", "locustfile.py"),
         "--headless", "-u", str(args.users), "-r", str(max(1, args.users // 4)),
         "-t", f"{args.duration}s", "--stop-timeout", "5", "--host", base, "--only-summary",
         "--loglevel", "WARNING"],
        cwd=ROOT, env=locust_env, check=False)
    finished = time.time()
    server.send_signal(signal.SIGTERM)
    server.wait(30)
    server_log.close()

    results = analyse(application, requests_log, started, finished, restart)
    results.update(duration_s=args.duration, users=args.users, workers=args.workers,
                   database=url.rsplit("@", 1)[-1])
    if args.backup_check:
        results["backup"] = backup_round_trip(env, work, port)
    if not args.database_url and not args.keep:
        with application.app_context():
            from app.extensions import db

            db.engine.dispose()
        drop_database(port, f"soak_{os.getpid()}")
    return results


# --- The checks ---------------------------------------------------------------------------------

def analyse(application, requests_log: str, started: float, finished: float, restart: dict) -> dict:
    statuses: collections.Counter = collections.Counter()
    server_errors = in_window = in_window_failed = 0
    done: collections.Counter = collections.Counter()  # (report_id, action) → successes
    # Attempts whose answer was lost (5xx, dropped connection): committed or not, the client
    # cannot know; an event for one of these is not a double.
    unsure: collections.Counter = collections.Counter()
    with open(requests_log, encoding="utf-8") as f:
        for line in map(json.loads, f):
            if line["kind"] == "action":
                if line["status"] in (200, 201):
                    done[(line["report_id"], line["action"])] += 1
                elif line["status"] >= 500 or line["status"] == 0:
                    unsure[(line["report_id"], line["action"])] += 1
                continue
            statuses[line["status"]] += 1
            during = restart and restart["at"] <= line["time"] <= restart.get("until", 0) + 1
            failed = line["status"] >= 500 or line["status"] == 0
            if during:
                in_window += 1
                in_window_failed += failed
            elif failed:
                server_errors += 1

    from sqlalchemy import func, text

    from app.extensions import db
    from app.models import AppUser, Report
    from app.services import queues

    with application.app_context():
        since = dt.datetime.fromtimestamp(started - 1, dt.timezone.utc).replace(tzinfo=None)
        events = collections.Counter({
            (r, a): n for r, a, n in db.session.execute(text(
                "SELECT report_id, action, count(*) FROM report_event WHERE created_at >= :since "
                "GROUP BY report_id, action"), {"since": since})
        })
        lost = sum((done - events).values())
        extra = events - done
        # A create whose answer was lost has no id on the client's side: match by action.
        unsure_creates = sum(n for (r, a), n in unsure.items() if a == "create")
        committed_unanswered = 0
        for (report_id, action), n in sorted(extra.items()):
            if action == "create":
                matched = min(n, unsure_creates)
                unsure_creates -= matched
            else:
                matched = min(n, unsure[(report_id, action)])
            committed_unanswered += matched
            extra[(report_id, action)] -= matched
        doubled = sum(extra.values())
        mismatched = db.session.execute(text(
            "SELECT count(*) FROM report r WHERE r.status <> ("
            " SELECT e.to_status FROM report_event e WHERE e.report_id = r.id"
            " ORDER BY e.created_at DESC, e.id DESC LIMIT 1)")).scalar_one()
        reports, event_rows = db.session.execute(text(
            "SELECT (SELECT count(*) FROM report), (SELECT count(*) FROM report_event)")).one()
        badge_checks = badge_errors = 0
        for user in db.session.query(AppUser).filter(AppUser.username.like("soak.%")):
            for key, badge in queues.badges(user, list(queues.QUEUES)).items():
                queue = queues.QUEUES_BY_KEY[key]
                counted = db.session.execute(queues.select_tab(
                    user, queue, queue.waiting, queues.Filters(), func.count(Report.id))).scalar_one()
                badge_checks += 1
                badge_errors += badge.waiting != counted
    return {
        "requests": sum(statuses.values()), "by_status": dict(sorted(statuses.items())),
        "server_errors": server_errors, "actions_done": sum(done.values()),
        "events_written": sum(events.values()), "events_lost": lost, "events_doubled": doubled,
        "committed_but_answer_lost": committed_unanswered,
        "state_mismatches": mismatched, "reports": reports, "event_rows": event_rows,
        "badges_checked": badge_checks, "badge_mismatches": badge_errors,
        "requests_per_s": round(sum(statuses.values()) / max(finished - started, 1), 1),
        "restart": {**{k: round(v, 2) for k, v in restart.items() if k.endswith("back")},
                    "requests_during": in_window, "failed_during": in_window_failed}
        if restart else None,
    }


def backup_round_trip(env: dict, work: str, port: int) -> dict:
    """Back up the used database, restore it into another one, compare every table's rows."""
    archive = os.path.join(work, "soak-backup.tar.gz")
    start = time.monotonic()
    flask(env, "backup", "create", archive)
    created = time.monotonic() - start
    copy = {**env, "DATABASE_URL": fresh_database(port, f"soak_restore_{os.getpid()}"),
            "UPLOAD_FOLDER": os.path.join(work, "uploads-restored")}
    start = time.monotonic()
    flask(copy, "backup", "restore", archive, "--yes")
    restored = time.monotonic() - start

    def fingerprint(url: str) -> dict:
        tables = ("report", "report_event", "report_unit", "ab_user", "attachment")
        sql = " UNION ALL ".join(
            f"SELECT '{t}', count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) "
            f"FROM {t} t" for t in tables)
        out = subprocess.run(["psql", url, "-AtF", ",", "-c", sql], capture_output=True,
                             text=True, check=True).stdout
        return {row.split(",")[0]: row.split(",")[1:] for row in out.split()}

    original, restored_rows = fingerprint(env["DATABASE_URL"]), fingerprint(copy["DATABASE_URL"])
    drop_database(port, f"soak_restore_{os.getpid()}")
    return {"archive_bytes": os.path.getsize(archive), "create_s": round(created, 1),
            "restore_s": round(restored, 1), "tables_equal": original == restored_rows,
            "rows": {t: int(v[0]) for t, v in original.items()}}


def failures(results: dict) -> list[str]:
    problems = []
    for key in ("server_errors", "events_lost", "events_doubled", "state_mismatches",
                "badge_mismatches"):
        if results[key]:
            problems.append(f"{key} = {results[key]}")
    if results["actions_done"] == 0:
        problems.append("no action succeeded: the load did not work the workflow")
    if results.get("backup") and not results["backup"]["tables_equal"]:
        problems.append("the restored database differs from the original")
    return problems


# --- docs/RELIABILITY.md --------------------------------------------------------------------

def write_doc(results: dict, section: str) -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    r = results
    lines = [f"Generated by `scripts/soak/soak.py` on {dt.date.today():%d/%m/%Y}, commit `{commit}`, "
             f"{os.cpu_count()} cores; PostgreSQL at {r['database']}; gunicorn {r['workers']} "
             f"workers; {r['users']} simulated people for {r['duration_s']} s.", "",
             "| figure | value |", "|---|---|",
             f"| requests | {r['requests']:,} ({r['requests_per_s']} per second) |",
             f"| answers by status | {', '.join(f'{k}: {v:,}' for k, v in r['by_status'].items())} |",
             f"| server errors (5xx, dropped connections) | {r['server_errors']} |",
             f"| actions that succeeded / events written | {r['actions_done']:,} / {r['events_written']:,} |",
             f"| events lost / doubled | {r['events_lost']} / {r['events_doubled']} |",
             f"| actions committed whose answer was lost (a 5xx or a dropped connection; never "
             f"applied twice: a retry meets the new version) | {r['committed_but_answer_lost']} |",
             f"| reports whose state ≠ last event's to_status | {r['state_mismatches']} (of {r['reports']:,}) |",
             f"| badges checked / differing from a recount | {r['badges_checked']} / {r['badge_mismatches']} |"]
    if r.get("restart"):
        x = r["restart"]
        lines += [f"| PostgreSQL restart: database back after | {x['database_back']} s |",
                  f"| app answering /readyz again after | {x['app_back']} s |",
                  f"| requests during the restart window / failed (503, clear message) | "
                  f"{x['requests_during']} / {x['failed_during']} |"]
    if r.get("backup"):
        b = r["backup"]
        lines += [f"| backup of the used database: archive size | {b['archive_bytes']:,} bytes |",
                  f"| backup create / restore into a new database | {b['create_s']} s / {b['restore_s']} s |",
                  f"| restored tables equal the original (counts + md5 of every row) | "
                  f"{'yes' if b['tables_equal'] else 'NO'} ({', '.join(f'{k} {v:,}' for k, v in b['rows'].items())}) |"]
    block = "\n".join(lines)
    begin, end = f"<!-- {section}:begin -->", f"<!-- {section}:end -->"
    text = open(DOC, encoding="utf-8").read() if os.path.exists(DOC) else ""
    if begin in text:
        head, rest = text.split(begin, 1)
        text = head + begin + "\n" + block + "\n" + end + rest.split(end, 1)[1]
    else:
        text += f"\n## {section}\n\n{begin}\n{block}\n{end}\n"
    with open(DOC, "w", encoding="utf-8") as f:
        f.write(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--users", type=int, default=20, help="simulated people at once")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--database-url", help="an existing PostgreSQL database to use")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-cluster", help="a PostgreSQL cluster of the soak's own (made if missing)")
    parser.add_argument("--restart-at", type=int, help="restart the cluster this many seconds in")
    parser.add_argument("--backup-check", action="store_true", help="back up and restore afterwards")
    parser.add_argument("--write-doc", action="store_true", help="update docs/RELIABILITY.md")
    parser.add_argument("--keep", action="store_true", help="keep the soak database")
    args = parser.parse_args()
    if args.restart_at is not None and not args.pg_cluster:
        parser.error("--restart-at needs --pg-cluster (never restart a shared database server)")
    results = run(args)
    print(json.dumps(results, ensure_ascii=False, indent=2))
    problems = failures(results)
    if args.write_doc:
        section = "restart" if args.restart_at is not None else "soak"
        write_doc(results, section)
    for problem in problems:
        log("FAILED: " + problem)
    log("passed" if not problems else "failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
