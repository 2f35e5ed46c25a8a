"""The database goes away in the middle of a request (issue 13): at whichever statement it
happens, the person gets the clear Vietnamese 503 — never a 500 — an action is applied whole or
not at all, the 503 says which, and the next request works without restarting anything.

The outage is injected at the driver: from the N-th statement of a request on, every statement
raises the driver's own ``OperationalError`` ("server closed the connection unexpectedly"), as
psycopg does when PostgreSQL restarts; each request below is tried with the outage starting at
each of its statements in turn, and once with a single failed statement (a blip), which a read
survives by its retry.
"""
from __future__ import annotations

import pytest
from conftest import DEMO_PASSWORD, csrf_token, login, new_client
from report_helpers import Status, api, make_report, snapshot  # noqa: F401  (api is a fixture)
from sqlalchemy import event
from web_helpers import version_of

from app.ops.database import DONE_MESSAGE, NOT_DONE_MESSAGE, RetryReads

UNAVAILABLE = "Cơ sở dữ liệu tạm thời không phản hồi"


class Outage:
    """Statements fail from the ``at``-th one counted since ``start`` (all of them while
    ``lasting``, else only that one)."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0
        self.at: int | None = None
        self.lasting = True
        self.fired = False

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._statement)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._statement)

    def start(self, at: int | None, lasting: bool = True) -> None:
        self.count, self.at, self.lasting, self.fired = 0, at, lasting, False

    def _statement(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1
        if self.at is not None and (self.count == self.at
                                    or (self.lasting and self.count > self.at)):
            self.fired = True
            raise conn.dialect.loaded_dbapi.OperationalError(
                "server closed the connection unexpectedly")


@pytest.fixture
def outage(app):
    from app.extensions import db

    # Reads are retried with pauses of 0.5–2 s in production; no pause here, same tries.
    retry = app.wsgi_app
    while not isinstance(retry, RetryReads):
        retry = retry.wsgi_app
    delays, retry.delays = retry.delays, (0, 0, 0)
    with app.app_context():
        engine = db.engine
    try:
        with Outage(engine) as injected:
            yield injected
    finally:
        retry.delays = delays


def statements_of(outage: Outage, request, prepare=lambda: None) -> int:
    prepare()
    outage.start(None)
    response = request()
    assert response.status_code < 500, response.text
    return outage.count


def assert_unavailable(response, message: str) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:300])
    text = response.get_json()["message"] if response.is_json else response.get_data(as_text=True)
    assert message in text
    assert int(response.headers["Retry-After"]) > 0  # the sign-in limiter may say a longer wait
    assert "X-Phananh-Db-Unavailable" not in response.headers


def every_start(outage: Outage, request, check, prepare=lambda: None) -> None:
    """Run ``request`` with the outage starting at each of its statements in turn (a request
    may run a statement fewer than the first time: its first visit's own bookkeeping);
    ``prepare`` runs before each, with the database there."""
    total = statements_of(outage, request, prepare)
    assert total > 0
    for at in range(1, total + 1):
        prepare()
        outage.start(at)
        response = request()
        fired = outage.fired
        outage.start(None)
        if fired:
            check(response, at)
        else:
            assert response.status_code < 400, (at, response.status_code)


# --- Reads -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/phan-anh/tiep-nhan/", "/phan-anh/tat-ca/?q=duong",
                                  "/thong-bao/ca-nhan/", "/users/userinfo/"])
def test_a_page_answers_503_whatever_statement_the_database_fails_at(app, outage, path):
    centre = login(app, "trungtam")

    def check(response, at):
        assert_unavailable(response, UNAVAILABLE)
        # The database is back: the same worker answers the next request.
        assert centre.get(path).status_code == 200, f"after an outage at statement {at}"

    every_start(outage, lambda: centre.get(path), check)


def test_a_report_page_and_its_api_answer_503_and_recover(app, api, outage):
    report_id = make_report(app, Status.ASSIGNED)
    handler = login(app, "gtvt.xuly")
    for request in (lambda: handler.get(f"/phan-anh/{report_id}"),
                    lambda: api.get("gtvt.xuly", f"/api/v1/report/{report_id}"),
                    lambda: api.get("gtvt.xuly", f"/api/v1/report/{report_id}/events"),
                    lambda: api.get("trungtam", "/api/v1/report/?q=(page_size:5)")):
        every_start(outage, request, lambda response, at: assert_unavailable(response, UNAVAILABLE))
        assert request().status_code == 200


def test_a_read_survives_a_single_failed_statement(app, outage):
    centre = login(app, "trungtam")
    total = statements_of(outage, lambda: centre.get("/phan-anh/phan-phoi/"))
    for at in range(1, total + 1):
        outage.start(at, lasting=False)
        response = centre.get("/phan-anh/phan-phoi/")
        assert response.status_code == 200, f"a blip at statement {at}: {response.status_code}"


def test_health_checks_say_the_database_is_away(app, outage):
    client = new_client(app)
    outage.start(1)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert client.get("/healthz").status_code == 200  # the process itself answers
    outage.start(None)
    assert client.get("/readyz").status_code == 200


# --- Writes: whole or nothing, and the answer says which ------------------------------------

def whole_or_nothing(app, report_id, before, after_done):
    """The report is as it was, or exactly as the action leaves it; returns which."""
    now = snapshot(app, report_id)
    if now == before:
        return False
    status, version, *_rest, events, _files, _links = now
    assert (status, version, events) == after_done, (now, before)
    return True


def test_an_api_action_is_whole_or_nothing_and_its_503_says_which(app, api, outage):
    current = {}

    def prepare():
        report_id = make_report(app, Status.NEW)
        current.update(id=report_id, before=snapshot(app, report_id))

    def request():
        return api.act("trungtam", current["id"], "receive", version=current["before"][1])

    def check(response, at):
        before = current["before"]
        done = whole_or_nothing(app, current["id"], before,
                                (Status.RECEIVED.value, before[1] + 1, before[5] + 1))
        assert_unavailable(response, DONE_MESSAGE if done else NOT_DONE_MESSAGE)

    api.client("trungtam")  # signed in before the outages
    every_start(outage, request, check, prepare)


def test_a_web_action_is_whole_or_nothing_and_its_503_says_which(app, outage):
    centre = login(app, "trungtam")
    current = {}

    def prepare():
        report_id = make_report(app, Status.NEW)
        page = centre.get(f"/phan-anh/{report_id}").text
        current.update(id=report_id, before=snapshot(app, report_id), form={
            "csrf_token": csrf_token(page), "version": version_of(page), "action": "reject",
            "reason": "Không thuộc phạm vi tiếp nhận"})

    def request():
        return centre.post(f"/phan-anh/{current['id']}", data=current["form"])

    def check(response, at):
        before = current["before"]
        done = whole_or_nothing(app, current["id"], before,
                                (Status.REJECTED.value, before[1] + 1, before[5] + 1))
        assert_unavailable(response, DONE_MESSAGE if done else NOT_DONE_MESSAGE)

    every_start(outage, request, check, prepare)


def test_a_new_report_through_the_api_is_whole_or_nothing(app, api, outage):
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Report, ReportEvent

    def counts():
        with app.app_context():
            return db.session.execute(select(
                select(func.count()).select_from(Report).scalar_subquery(),
                select(func.count()).select_from(ReportEvent).scalar_subquery())).one()

    current = {}

    def prepare():
        current["before"] = counts()

    def request():
        return api.post("trungtam", "/api/v1/report/", json={
            "title": "Mất điện khu vực chợ", "content": "Mất điện từ sáng."})

    def check(response, at):
        reports, events = counts()
        before = current["before"]
        assert (reports - before[0], events - before[1]) in ((0, 0), (1, 1))
        assert_unavailable(response, DONE_MESSAGE if reports > before[0] else NOT_DONE_MESSAGE)

    api.client("trungtam")
    every_start(outage, request, check, prepare)


def test_sign_in_answers_503_while_the_database_is_away(app, outage):
    current = {}

    def prepare():
        client = new_client(app)
        page = client.get("/login/")
        current.update(client=client, form={"username": "trungtam", "password": DEMO_PASSWORD,
                                            "csrf_token": csrf_token(page.text)})

    def request():
        return current["client"].post("/login/", data=current["form"])

    every_start(outage, request,
                lambda response, at: assert_unavailable(response, NOT_DONE_MESSAGE), prepare)
    api_sign_in = {"username": "trungtam", "password": DEMO_PASSWORD, "provider": "db"}
    every_start(outage, lambda: new_client(app).post("/api/v1/security/login", json=api_sign_in),
                lambda response, at: assert_unavailable(response, NOT_DONE_MESSAGE))
