"""A person's page kept while nothing they see changes: asked again in the same minute, with
nothing of theirs written since, it is sent as it was built instead of being built again.

Why: a page costs 20–40 ms of the app's Python on the 2-core machines (FAB's request machinery,
the permission checks, the templates) whatever its SQL costs, and people ask for the same page
again and again: back to the queue they came from, a reload, the list and a report's events
their program polls. With many people at once that is what the cores spend (DESIGN §11's mixed
load).

- A page is kept under (person, address, language, the tokens of what the person sees
  (app/ops/data_version.py), minute, what else the view names): a write the person could see,
  or the next minute (a deadline falls due, a date shown), and it is built again. A request
  that wrote keeps nothing.
- What a page holds of the request rather than of the data is put back on each answer: the CSRF
  token of the person's session, fresh one-time form tokens (app.services.submissions).
- Only what a view hands to ``page()``, after its permission check: the view's bookkeeping (the
  queue it came from, FAB's page history) runs on every request. A page is neither served nor
  kept while a message waits to be shown (flash).
- Where: each worker's memory (``PAGE_CACHE=memory://``, the default), Redis shared by workers
  and instances (``redis://…``), or nowhere (``off``).
"""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, current_app, g, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

from ..extensions import appbuilder
from ..services import submissions
from . import data_version

EXTENSION = "page_cache"
HEADER = "X-Page-Cache"  # "hit" or "miss": what ops and the tests read
FORMAT = 1  # the layout of an entry; changed with it, so that Redis serves no older entry
KEPT_SECONDS = 60
MAX_ENTRIES = 500  # a worker's memory: ~100 KB a page
MAX_BYTES = 2_000_000
KEPT_TYPES = frozenset({"text/html", "application/json"})
_CSRF_MARK = "\x00csrf\x00"


# --- Pages ---------------------------------------------------------------------------------------

def page(build: Callable[[], object], *, vary: object = None) -> Response:
    """The answer of ``build()`` (a view's return value) to this GET, kept or taken from what
    was kept for the same person and address; ``vary``: anything else of the request the page
    shows (the session's queue address of "Quay lại danh sách")."""
    cache = current_app.extensions.get(EXTENSION)
    person = appbuilder.sm.current_user if cache is not None else None
    if person is None or request.method != "GET" or "_flashes" in session:
        return current_app.make_response(build())
    version = data_version.tokens(person)
    if version is None:
        return current_app.make_response(build())
    data_version.watch_request()  # a page whose building wrote is not kept
    key = hashlib.sha1(repr((
        FORMAT, cache.release, version, int(time.time() // 60), person.id, str(get_locale()),
        request.full_path, vary,
    )).encode()).hexdigest()
    entry = cache.store.get(key)
    if entry is not None:
        return _answer(entry)
    response = current_app.make_response(build())
    entry = _entry(response)
    if entry is not None:
        cache.store.set(key, entry)
        response.headers[HEADER] = "miss"
    return response


def _entry(response: Response) -> tuple | None:
    """What is kept of an answer, or None when it is not to be kept."""
    if (response.status_code != 200 or response.direct_passthrough or response.is_streamed
            or response.mimetype not in KEPT_TYPES or "Set-Cookie" in response.headers
            or data_version.request_wrote() or "_flashes" in session):
        return None
    body = response.get_data()
    if len(body) > MAX_BYTES:
        return None
    headers = [(k, v) for k, v in response.headers.items() if k != "Content-Length"]
    if response.mimetype != "text/html":
        return response.status_code, headers, body
    page_text = body.decode()
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if token:
        page_text = page_text.replace(token, _CSRF_MARK)
    return response.status_code, headers, submissions.blank_tokens(page_text)


def _answer(entry: tuple) -> Response:
    status, headers, body = entry
    if isinstance(body, str):  # a page: this session's CSRF token, fresh one-time tokens
        if _CSRF_MARK in body:
            body = body.replace(_CSRF_MARK, generate_csrf())
        body = submissions.fill_tokens(body)
    response = current_app.response_class(body, status=status, headers=headers)
    response.headers[HEADER] = "hit"
    return response


# --- Set-up --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Cache:
    store: object  # a cachelib cache
    release: str


def _release() -> str:
    """The code's own version (its files' sizes and times): a deploy starts afresh in a cache
    that outlives a restart (Redis)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    digest = hashlib.sha1()
    for top in ("app", "translations"):
        for folder, _dirs, files in sorted(os.walk(os.path.join(root, top))):
            for name in sorted(files):
                if name.endswith((".py", ".html", ".mo")):
                    stat = os.stat(os.path.join(folder, name))
                    digest.update(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


def _store(url: str):
    from cachelib import RedisCache, SimpleCache

    if url == "memory://":
        return SimpleCache(threshold=MAX_ENTRIES, default_timeout=KEPT_SECONDS)
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        return RedisCache(host=redis.Redis.from_url(url), key_prefix="phananh-page:",
                          default_timeout=KEPT_SECONDS)
    raise ValueError(f"PAGE_CACHE “{url}” không hợp lệ: dùng memory://, redis://… hoặc off.")


def init_app(app) -> None:
    """The tokens are kept by every process that writes, whether or not it keeps pages."""
    data_version.init_app(app)
    url = (app.config.get("PAGE_CACHE") or "off").strip()
    if url != "off":
        app.extensions[EXTENSION] = _Cache(_store(url), _release())
