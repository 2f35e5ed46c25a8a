"""The page cache (app/ops/page_cache.py): a person's page asked again is sent as it was built
while nothing is written, never to anyone else, with the tokens of the request that asks."""
from __future__ import annotations

import re

from conftest import csrf_token, login
from itsdangerous import URLSafeTimedSerializer
from report_helpers import GTVT, TTTT, XD, Status, api, ids, make_report  # noqa: F401  (api is a fixture)
from sqlalchemy import select, text, update

from app.models import DataVersion, Report

HEADER = "X-Page-Cache"


def kept(client, url, headers=None):
    """``url`` asked until it comes from the cache: the first answer is built (it may record the
    opening, which keeps nothing), and a minute may turn over between two requests."""
    for _ in range(4):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.text[:500]
        if response.headers.get(HEADER) == "hit":
            return response
    raise AssertionError(f"{url} was never sent from the cache")


def test_a_report_page_is_sent_as_kept_until_something_is_written(app, db):
    report_id = make_report(app, title="Đèn đường hỏng ở kiệt 12 Phan Bội Châu")
    client = login(app, "trungtam")
    page = kept(client, f"/phan-anh/{report_id}")
    assert "Đèn đường hỏng ở kiệt 12 Phan Bội Châu" in page.text

    db.session.execute(update(Report).where(Report.id == report_id)
                       .values(title="Đèn đường đã thay ở kiệt 12 Phan Bội Châu"))
    db.session.commit()
    fresh = client.get(f"/phan-anh/{report_id}")
    assert fresh.headers.get(HEADER) != "hit"
    assert "Đèn đường đã thay ở kiệt 12 Phan Bội Châu" in fresh.text
    assert "Đèn đường hỏng ở kiệt 12" not in fresh.text


def test_an_action_of_another_person_shows_on_the_next_request(app, api):
    report_id = make_report(app, Status.RECEIVED, title="Rác thải ở chợ Đông Ba")
    handler = login(app, "gtvt.xuly")
    assert handler.get(f"/phan-anh/{report_id}").status_code == 404  # not the unit's yet
    centre = login(app, "trungtam")
    kept(centre, f"/phan-anh/{report_id}")

    units, _fields, _sources = ids(app)
    assert api.act("trungtam", report_id, "distribute", unit_id=units[GTVT]).status_code == 200
    after = centre.get(f"/phan-anh/{report_id}")
    assert after.headers.get(HEADER) != "hit"
    assert "Sở Giao thông vận tải" in after.text
    assert handler.get(f"/phan-anh/{report_id}").status_code == 200


def test_a_kept_page_goes_to_no_one_else(app):
    centre = login(app, "trungtam")
    assert "trungtam" in kept(centre, "/users/userinfo/").text
    handler = login(app, "gtvt.xuly")
    page = handler.get("/users/userinfo/")
    assert page.headers.get(HEADER) != "hit"
    assert "gtvt.xuly" in page.text and "trungtam" not in page.text

    report_id = make_report(app, Status.NEW, title="Cây đổ trên đường Lê Lợi")
    kept(centre, f"/phan-anh/{report_id}")
    assert handler.get(f"/phan-anh/{report_id}").status_code == 404


def test_a_kept_page_carries_the_sessions_csrf_token_and_new_one_time_tokens(app):
    report_id = make_report(app, Status.NEW, title="Nắp cống vỡ đường Hùng Vương")
    first, second = login(app, "trungtam"), login(app, "trungtam")
    url = f"/phan-anh/{report_id}"
    one, two, again = kept(first, url), kept(second, url), kept(second, url)

    once = [re.findall(r'name="_once" value="([^"]+)"', p.text) for p in (one, two, again)]
    assert all(once), "the report page's action form carries a one-time token"
    assert not set(once[0]) & set(once[1]) and not set(once[1]) & set(once[2])

    serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    for client, page in ((first, one), (second, two)):
        with client.session_transaction() as session:
            assert serializer.loads(csrf_token(page.text)) == session["csrf_token"]
    assert csrf_token(one.text) != csrf_token(two.text)


def test_a_report_page_sent_again_goes_back_to_the_queue_last_opened(app):
    report_id = make_report(app, Status.NEW)
    client = login(app, "trungtam")
    first, second = "/phan-anh/tiep-nhan/?tab=cho", "/phan-anh/tiep-nhan/?tab=da"
    kept(client, second)  # opened once, so that opening it again writes nothing
    kept(client, first)
    assert f'href="{first}"' in kept(client, f"/phan-anh/{report_id}").text
    kept(client, second)
    page = client.get(f"/phan-anh/{report_id}")
    assert f'href="{second}"' in page.text and f'href="{first}"' not in page.text


def test_the_rest_api_answers_are_kept_for_the_same_person(app, api):
    report_id = make_report(app, Status.NEW, title="Biển báo bị che khuất")
    client, headers = api.client("trungtam")
    events = kept(client, f"/api/v1/report/{report_id}/events", headers=headers)
    assert events.json["id"] == report_id
    assert kept(client, f"/api/v1/report/{report_id}", headers=headers).json["result"]["title"] \
        == "Biển báo bị che khuất"
    other, other_headers = api.client("tttt.xuly")
    assert other.get(f"/api/v1/report/{report_id}", headers=other_headers).status_code == 404


def test_a_units_pages_are_kept_while_another_unit_works(app, api):
    theirs = make_report(app, Status.ASSIGNED, unit=TTTT, follow=(XD,),
                         title="Cột đèn nghiêng ở kiệt 7 Nguyễn Trãi")
    make_report(app, Status.ASSIGNED, unit=GTVT)
    api.client("tttt.xuly")  # signed in before the pages are kept
    centre, handler, other, follower = (
        login(app, name) for name in ("trungtam", "gtvt.xuly", "tttt.xuly", "xd.xuly"))
    pages = {client: kept(client, url) for client, url in (
        (centre, "/phan-anh/tat-ca/"), (handler, "/phan-anh/xu-ly/"), (other, "/phan-anh/xu-ly/"),
        (follower, "/phan-anh/tat-ca/"))}
    link = f'href="/phan-anh/{theirs}"'
    assert link in pages[other].text and link in pages[follower].text
    assert link not in pages[handler].text

    assert api.act("tttt.xuly", theirs, "accept").status_code == 200
    assert handler.get("/phan-anh/xu-ly/").headers.get(HEADER) == "hit"  # not theirs: kept
    for client, url in ((centre, "/phan-anh/tat-ca/"), (other, "/phan-anh/xu-ly/"),
                        (follower, "/phan-anh/tat-ca/")):  # the centre, the unit, its follower
        assert client.get(url).headers.get(HEADER) != "hit"


def test_the_data_version_moves_with_each_committed_write_only(app, db):
    report_id = make_report(app)

    def version():
        tokens = dict(db.session.execute(select(DataVersion.scope, DataVersion.token)).all())
        db.session.rollback()
        return tokens

    before = version()
    db.session.execute(select(Report.title).where(Report.id == report_id))
    db.session.commit()
    assert version() == before  # a read that commits

    db.session.execute(text("UPDATE report SET title = 'Bỏ đi' WHERE id = :id"), {"id": report_id})
    db.session.rollback()
    assert version() == before  # a write rolled back

    db.session.execute(text("UPDATE report SET title = title WHERE id = :id"), {"id": report_id})
    db.session.commit()
    written = version()  # a raw statement, committed, of no declared scope: everyone's pages
    assert written["all"] != before["all"] and written["reports"] == before["reports"]

    from app.extensions import db as database

    with database.engine.begin() as conn:  # the engine alone, no session
        conn.execute(text("DELETE FROM queue_visit WHERE 1 = 0"))
    assert version()["all"] not in (before["all"], written["all"])

    from app.ops import data_version

    earlier = version()
    data_version.declare({"unit:1"})  # a unit's work: its token, not everyone's
    db.session.execute(text("UPDATE report SET title = title WHERE id = :id"), {"id": report_id})
    db.session.commit()
    unit_work = version()
    assert unit_work["unit:1"] != earlier.get("unit:1")
    assert unit_work["all"] == earlier["all"] and unit_work["reports"] == earlier["reports"]

    data_version.declare({"unit:1"})  # said to be a unit's, but a catalogue is everyone's
    db.session.execute(text("UPDATE unit SET name = name WHERE id = 1"))
    db.session.commit()
    assert version()["all"] != unit_work["all"] and version()["unit:1"] == unit_work["unit:1"]
