"""Counts and pages that stay cheap at a million reports: exact where the kept counts know the
answer, bounded ("hơn 10.000") where a filter has to be counted, pages up to the 10.000th row."""
from __future__ import annotations

import pytest
from conftest import api_client, login
from report_helpers import Status, api, make_report  # noqa: F401  (api is a fixture)
from sqlalchemy import func, select
from web_helpers import queue_report_ids

from app.services.queues import MAX_PAGES, Count, page_count


def test_counts_are_written_the_vietnamese_way():
    assert Count(7).text == "7"
    assert Count(1234567).text == "1.234.567"
    assert Count(10000, more=True).text == "hơn 10.000"


def test_pages_stop_at_the_ten_thousandth_row():
    assert MAX_PAGES == 500
    assert page_count(Count(0)) == 1
    assert page_count(Count(41)) == 3
    assert page_count(Count(940000)) == 500
    assert page_count(Count(10000, more=True)) == 500


def test_a_keyword_search_counts_to_a_lower_bound_than_other_filters(app, monkeypatch):
    """A keyword search stops counting at KEYWORD_COUNT_LIMIT ("hơn 1.000"), other filters at
    COUNT_LIMIT; here the keyword's bound is lowered to 2, and three reports match."""
    import datetime as dt

    from app.services import queues

    assert (queues.KEYWORD_COUNT_LIMIT, queues.COUNT_LIMIT) == (1000, 10000)
    for n in range(3):
        make_report(app, Status.NEW, title=f"Cột điện nghiêng xkcdbound số {n}")
    monkeypatch.setattr(queues, "KEYWORD_COUNT_LIMIT", 2)
    client = login(app, "trungtam")
    search = client.get("/phan-anh/tat-ca/", query_string={"tab": "tat-ca",
                                                           "tu_khoa": "xkcdbound"}).text
    assert "Tổng số: hơn 2</span>" in search
    assert len(queue_report_ids(search)) == 3  # the rows themselves are all there
    today = dt.date.today().strftime("%d/%m/%Y")
    dated = client.get("/phan-anh/tiep-nhan/", query_string={"tu_ngay": today}).text
    assert "Tổng số: hơn" not in dated


def test_a_keyword_many_reports_match_lists_them_newest_first_on_every_page(app, monkeypatch):
    """A keyword with more matches than the search counts is looked for among the tab's
    newest reports first (PostgreSQL: ``NEWEST_WALK`` of them), and where they cannot fill the
    page, among all: here the count's bound is lowered to 2 and the walk to the 3 newest, and
    the pages of two hold the matches newest first either way, each person's within their
    scope."""
    from report_helpers import TTTT, user

    from app.services import queues

    def page_of(username, page):
        with app.test_request_context():
            tab = queues.QUEUES_BY_KEY["tat-ca"].tab("tat-ca")
            rows = queues.list_page(user(username), queues.QUEUES_BY_KEY["tat-ca"], tab,
                                    queues.Filters(keyword="xkcdwalk"), page=page, page_size=2)
            return [row.report.id for row in rows]

    def word(n):
        return f"Rác thải xkcdwalk số {n}"

    m1 = make_report(app, Status.ASSIGNED, title=word(1))
    make_report(app, Status.NEW, title="Rác thải chưa thu gom")
    m2 = make_report(app, Status.ASSIGNED, title=word(2))
    make_report(app, Status.NEW, title="Rác thải chưa thu gom")
    m3 = make_report(app, Status.ASSIGNED, title=word(3))
    m4 = make_report(app, Status.ASSIGNED, title=word(4))
    other_unit = make_report(app, Status.ASSIGNED, unit=TTTT, title=word(5))
    monkeypatch.setattr(queues, "KEYWORD_COUNT_LIMIT", 2)
    monkeypatch.setattr(queues, "NEWEST_WALK", 3)
    # The centre: the 3 newest reports hold two matches, then one.
    assert page_of("trungtam", 1) == [other_unit, m4]
    assert page_of("trungtam", 2) == [m3, m2]
    assert page_of("trungtam", 3) == [m1]
    # The unit's handler: its 3 newest reports are m4, m3, m2; the other unit's is not its.
    assert page_of("gtvt.xuly", 1) == [m4, m3]
    assert page_of("gtvt.xuly", 2) == [m2, m1]
    assert page_of("gtvt.xuly", 3) == []


def test_a_units_keyword_counts_only_its_own_reports_each_once(app, monkeypatch):
    """A unit's keyword search counts its matches to the bound. PostgreSQL counts a word
    common among the unit's newest reports along them (``KEYWORD_PROBE`` probed,
    ``KEYWORD_COUNT_WALK`` walked at most); what a walk leaves under the bound, unless it went
    through all of the unit's reports, is counted again the usual way. Either way only the
    unit's reports count, a report linked to it twice (to follow, then to handle) counts once,
    and a match the probe did not reach counts too. Here the bound is 2, the probe 3 reports,
    the walk 6."""
    from report_helpers import GTVT, TTTT, then, user

    from app.domain.workflow import Action
    from app.services import queues

    def counts(username, keyword):
        with app.test_request_context():
            queue = queues.QUEUES_BY_KEY["tat-ca"]
            found = queues.tab_counts(user(username), queue, queues.Filters(keyword=keyword),
                                      queue.tab("tat-ca"))
            return found["cho"].text, found["tat-ca"].text

    make_report(app, Status.ASSIGNED, title="Hố ga xkcdspread")
    for n in range(4):
        make_report(app, Status.ASSIGNED, title=f"Đèn đường xkcdmany số {n}")
    twice = make_report(app, Status.ASSIGNED, unit=TTTT, follow=(GTVT,),
                        title="Cống nghẹt xkcdtwice")
    then(app, twice, Action.RETURN, Status.ASSIGNED, unit=TTTT)
    then(app, twice, Action.DISTRIBUTE, Status.RECEIVED, unit=GTVT)
    make_report(app, Status.ASSIGNED, title="Cống vỡ xkcdtwice xkcdspread")
    for n in range(2):
        make_report(app, Status.ASSIGNED, unit=TTTT, title=f"Cống tràn xkcdtwice số {n}")
    monkeypatch.setattr(queues, "KEYWORD_COUNT_LIMIT", 2)
    monkeypatch.setattr(queues, "KEYWORD_PROBE", 3)
    monkeypatch.setattr(queues, "KEYWORD_COUNT_WALK", 6)
    assert counts("gtvt.xuly", "xkcdmany") == ("hơn 2", "hơn 2")
    # The unit's two (one linked twice), not the other unit's two.
    assert counts("gtvt.xuly", "xkcdtwice") == ("2", "2")
    assert counts("trungtam", "xkcdtwice") == ("hơn 2", "hơn 2")
    assert counts("gtvt.xuly", "xkcdnone") == ("0", "0")
    # One match among the newest three, one further back: both count.
    assert counts("gtvt.xuly", "xkcdspread") == ("2", "2")


def test_a_page_past_the_last_shows_the_last_one(app):
    client = login(app, "trungtam")
    page = client.get("/phan-anh/tat-ca/", query_string={"tab": "tat-ca", "trang": 99999})
    assert page.status_code == 200
    assert "report-row" in page.text


def test_rest_list_counts_the_whole_scope_and_pages_in_order(app, api):
    from app.extensions import db
    from app.models import Report

    with app.app_context():
        total = db.session.execute(select(func.count()).select_from(Report)).scalar_one()
        newest = db.session.execute(
            select(Report.id).order_by(Report.received_at.desc(), Report.id.desc()).limit(4)
        ).scalars().all()
    first = api.get("trungtam", "/api/v1/report/?q=(page:0,page_size:2)")
    second = api.get("trungtam", "/api/v1/report/?q=(page:1,page_size:2)")
    assert first.json["count"] == second.json["count"] == total
    assert first.json["ids"] + second.json["ids"] == newest
    assert [r["id"] for r in second.json["result"]] == newest[2:]


def test_rest_pages_past_the_middle_are_the_same_pages(app, api):
    """Deep pages are read from the far end: they hold what the order says, no row twice."""
    from app.extensions import db
    from app.models import Report

    with app.app_context():
        ordered = db.session.execute(
            select(Report.id).order_by(Report.received_at.desc(), Report.id.desc())
        ).scalars().all()
        by_title = db.session.execute(
            select(Report.id).order_by(Report.title.asc(), Report.id.asc())).scalars().all()
    size = 3
    pages = (len(ordered) + size - 1) // size
    seen = []
    for page in range(pages):
        answer = api.get("trungtam", f"/api/v1/report/?q=(page:{page},page_size:{size})").json
        seen += answer["ids"]
    assert seen == ordered
    last = api.get("trungtam", f"/api/v1/report/?q=(order_column:title,order_direction:asc,"
                               f"page:{pages - 1},page_size:{size})").json["ids"]
    assert last == by_title[(pages - 1) * size:]
    assert api.get("trungtam", f"/api/v1/report/?q=(page:{pages},page_size:{size})").json[
        "ids"] == []


def test_a_units_rest_pages_hold_its_scope_once_each_in_order(app, api):
    """A unit's list is read along its links: a report it both followed and later handled has
    two links there and is still listed once, where the received order puts it."""
    from report_helpers import GTVT, TTTT, then

    from app.domain.workflow import Action
    from app.extensions import db
    from app.models import Report, ReportUnit, Unit

    both = make_report(app, Status.ASSIGNED, unit=TTTT, follow=(GTVT,))
    then(app, both, Action.RETURN, Status.ASSIGNED, unit=TTTT)
    then(app, both, Action.DISTRIBUTE, Status.RECEIVED, unit=GTVT)
    with app.app_context():
        gtvt = db.session.execute(select(Unit.id).where(Unit.name == GTVT)).scalar_one()
        kinds = db.session.execute(select(ReportUnit.kind).where(
            ReportUnit.report_id == both, ReportUnit.unit_id == gtvt)).scalars().all()
        assert sorted(kinds) == ["follow", "handling"]
        ordered = db.session.execute(
            select(Report.id).where(Report.id.in_(
                select(ReportUnit.report_id).where(ReportUnit.unit_id == gtvt)))
            .order_by(Report.received_at.desc(), Report.id.desc())).scalars().all()
    size = 3
    pages = (len(ordered) + size - 1) // size
    assert pages >= 3
    seen = []
    for page in range(pages):
        answer = api.get("gtvt.xuly", f"/api/v1/report/?q=(page:{page},page_size:{size})").json
        assert answer["count"] == len(ordered)
        seen += answer["ids"]
    assert seen == ordered and seen.count(both) == 1
    oldest_first = api.get("gtvt.xuly", f"/api/v1/report/?q=(order_direction:asc,"
                                        f"order_column:received_at,page:0,page_size:{size})")
    assert oldest_first.json["ids"] == ordered[::-1][:size]
    # Received earlier, however it is written (here by a bare UPDATE): the list follows.
    import datetime as dt

    from sqlalchemy import update

    with app.app_context():
        db.session.execute(update(Report).where(Report.id == both).values(
            received_at=dt.datetime(2001, 1, 1, 1, 0)))
        db.session.commit()
    oldest_first = api.get("gtvt.xuly", f"/api/v1/report/?q=(order_direction:asc,"
                                        f"order_column:received_at,page:0,page_size:{size})")
    assert oldest_first.json["ids"][0] == both


@pytest.mark.parametrize("path", ["/api/v1/report/", "/api/v1/unit/", "/api/v1/field/",
                                  "/api/v1/source/"])
@pytest.mark.parametrize("page, message", [
    (-3, "Số trang (page) không được âm."),
    (10 ** 20, "Số trang (page) không được vượt quá 10.000.000."),
])
def test_a_page_out_of_range_is_refused_not_a_server_error(app, path, page, message):
    # PostgreSQL refuses a negative or oversized OFFSET: every list answers 400 in Vietnamese.
    client, headers = api_client(app, "trungtam")
    answer = client.get(f"{path}?q=(page:{page},page_size:100)", headers=headers)
    assert answer.status_code == 400
    assert answer.json["message"] == message
