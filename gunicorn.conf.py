"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py "app:create_app()"`.

Every value can be overridden by the environment (GUNICORN_*), so one file serves the systemd
unit, the soak test and a developer's machine.
"""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8080")
# Requests wait on the database, not the CPU: two workers per core, at least two.
workers = int(os.environ.get("GUNICORN_WORKERS", max(2, multiprocessing.cpu_count() * 2)))
worker_class = "sync"
# An export of a year or a backup of the uploads can take a while; a stuck request cannot.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows for months.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Behind the reverse proxy: trust its X-Forwarded-* (set FORWARDED_ALLOW_IPS to its address).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# The request id (X-Request-ID, set by app/ops/logs.py) ties an access line to the app's lines.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms [%({x-request-id}o)s] "%(a)s"'


def post_worker_init(worker):
    """The application's own objects (the app, its views and forms, SQLAlchemy's and Jinja's
    tables: some 220,000) live as long as the worker; moved out of the collector's reach, a
    full collection no longer walks them all in the middle of a request (a report's 3,007 log
    lines through the API at 1M: p95 182 → 67 ms)."""
    import gc

    gc.collect()
    gc.freeze()
