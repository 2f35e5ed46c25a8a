"""Helpers of the web (report screens) tests: reading the pages the way a person does — the left
menu's badges, a report's status and exchange log, the "Thao tác" choices — and acting through
the forms with their CSRF tokens."""
from __future__ import annotations

import html as html_lib
import io
import re
from contextlib import contextmanager

import sqlalchemy as sa
from conftest import csrf_token

QUEUE_URLS = {
    "Tiếp nhận": "/phan-anh/tiep-nhan/",
    "Phân phối": "/phan-anh/phan-phoi/",
    "Xử lý": "/phan-anh/xu-ly/",
    "Phê duyệt": "/phan-anh/phe-duyet/",
    "Đăng tải kết quả": "/phan-anh/dang-tai/",
    "Phản ánh có tương tác": "/phan-anh/tuong-tac/",
    "Thông tin theo dõi": "/phan-anh/theo-doi/",
    "Tất cả phản ánh": "/phan-anh/tat-ca/",
}


def text_of(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def get_ok(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.text


def menu_badges(page: str) -> dict[str, tuple[int, int, bool]]:
    """The left menu "Phản ánh, kiến nghị": entry → (to act on, total, NEW shown)."""
    match = re.search(r'<div class="panel panel-default report-menu">(.*?)</div>\s*</div>', page, re.S)
    assert match, "the page has no left menu"
    return _badges(re.findall(r'<a class="list-group-item[^"]*" href="[^"]*">(.*?)</a>',
                              match.group(1), re.S))


def top_menu_badges(page: str) -> dict[str, tuple[int, int, bool]]:
    """The top bar's menu: each entry with a badge → (to act on, total, NEW shown)."""
    match = re.search(r'<ul class="nav navbar-nav">(.*?)</ul>\s*<ul class="nav navbar-nav navbar-right">',
                      page, re.S)
    assert match, "the page has no top menu"
    return _badges(re.findall(r'<a tabindex="-1" href="[^"]*">(.*?)</a>', match.group(1), re.S))


def _badges(entries: list[str]) -> dict[str, tuple[int, int, bool]]:
    badges = {}
    for inner in entries:
        found = re.match(r"(.+?)\s*\((\d+)/(\d+)\)\s*(NEW)?$", text_of(inner))
        if found:
            badges[found.group(1)] = (int(found.group(2)), int(found.group(3)), bool(found.group(4)))
    return badges


def menu_entries(page: str) -> list[str]:
    match = re.search(r'<div class="panel panel-default report-menu">(.*?)</div>\s*</div>', page, re.S)
    if not match:
        return []
    return [re.sub(r"\s*\(\d+/\d+\).*$", "", text_of(inner))
            for inner in re.findall(r'<a class="list-group-item[^"]*" href="[^"]*">(.*?)</a>',
                                    match.group(1), re.S)]


def status_of(page: str) -> str:
    match = re.search(r'<span class="report-status">(.*?)</span>', page)
    assert match, "no status on the page"
    return text_of(match.group(1))


def event_log(page: str) -> list[dict]:
    """The "Nhật ký trao đổi" table, newest first: STT, time, person/unit, content, action."""
    match = re.search(r'<table class="table table-bordered table-condensed event-log">(.*?)</table>', page, re.S)
    assert match, "no exchange log on the page"
    rows = []
    for action, body in re.findall(r'<tr class="event event-(\w+)">(.*?)</tr>', match.group(1), re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
        rows.append({
            "action": action, "stt": text_of(cells[0]), "time": text_of(cells[1]),
            "who": text_of(cells[2]), "content": text_of(cells[3]), "label": text_of(cells[4]),
            "raw_content": cells[3],
        })
    return rows


def action_choices(page: str) -> list[str]:
    """The values of the "Thao tác" select (empty when the person may do nothing)."""
    match = re.search(r'<select class="form-control" id="action" name="action"[^>]*>(.*?)</select>', page, re.S)
    if not match:
        return []
    return [v for v in re.findall(r'<option value="(\w*)"', match.group(1)) if v]


def version_of(page: str) -> str:
    match = re.search(r'<input type="hidden" name="version" value="(\d*)">', page)
    assert match, "the action form carries no version"
    return match.group(1)


def queue_total(page: str) -> int:
    match = re.search(r"Tổng số: (\d+)", page)
    assert match, "not a queue page"
    return int(match.group(1))


def queue_report_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr class="report-row[^"]*"\s+data-href="/phan-anh/(\d+)"', page)]


def alerts(page: str) -> dict[str, tuple[int, str | None]]:
    """The Cảnh báo panel: key → (count, link)."""
    found = {}
    for tag, key, attrs, body in re.findall(
        r'<(a|div) class="list-group-item alert-([\w-]+)"([^>]*)>(.*?)</\1>', page, re.S
    ):
        href = re.search(r'href="([^"]+)"', attrs)
        count = int(re.search(r'alert-count">(\d+)<', body).group(1))
        found[key] = (count, html_lib.unescape(href.group(1)) if href else None)
    return found


def act(client, report_id: int, action: str, *, files=None, version: str | None = None,
        with_csrf: bool = True, **fields):
    """Do ``action`` through the report page's form, as a person would (GET, then POST)."""
    page = get_ok(client, f"/phan-anh/{report_id}")
    data = {"action": action, "version": version if version is not None else version_of(page)}
    if with_csrf:
        data["csrf_token"] = csrf_token(page)
    data.update({k: v for k, v in fields.items() if v is not None})
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(f"/phan-anh/{report_id}", data=data, content_type="multipart/form-data")


@contextmanager
def count_queries(engine):
    """Count the SQL statements run inside the block."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
