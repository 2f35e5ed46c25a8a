"""The application's singletons, created once and bound to the app in ``create_app``."""
import sqlite3

from flask_appbuilder import AppBuilder
from flask_appbuilder.utils.legacy import get_sqla_class
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

db = get_sqla_class()()
appbuilder = AppBuilder()
csrf = CSRFProtect()
migrate = Migrate()
# FAB's security manager uses this limiter for the login form (see SecurityManager.create_limiter).
limiter = Limiter(key_func=get_remote_address)


@event.listens_for(Engine, "connect")
def _sqlite_settings(dbapi_connection, _record) -> None:
    """SQLite's settings, per connection.

    - Foreign keys, enforced only when asked: a catalogue row that reports use cannot be
      deleted there either (migrations switch it off: migrations/env.py).
    - The write-ahead log: readers no longer wait for a writer's commit, nor a commit for a
      long read (gunicorn's workers share one file). ``synchronous`` stays FULL: a committed
      action survives a power cut."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@event.listens_for(Engine, "connect")
def postgresql_plans(dbapi_connection, _record=None) -> None:
    """How PostgreSQL plans the app's statements, per connection (and the benchmark's bare
    replay of them: app/perf/bench.py).

    - psycopg prepares a statement run five times, and PostgreSQL then may keep one generic
      plan for it, blind to the values: the badges' "arrived since the last visit" went from
      40 ms to 600 ms on every page at a million reports. Plan each execution for its values.
    - No parallel plans: the app answers many short requests at once on a few cores, and a
      parallel plan starts worker processes for a statement of milliseconds, or hashes what
      it could have probed (a unit's search for "o ga duong tranh": SQL 96 → 60 ms). The
      mixed load at a million rose 13–17 %; the statistics of a year, the longest pages,
      took some 10 % longer, within their budget (docs/PERFORMANCE.md, change 36)."""
    if type(dbapi_connection).__module__.startswith("psycopg"):
        cursor = dbapi_connection.cursor()
        cursor.execute("SET plan_cache_mode = force_custom_plan")
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        cursor.close()
        dbapi_connection.commit()
