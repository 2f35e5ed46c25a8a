"""Keyword search as people type it: whole words without accents, quoted phrases, accents that
narrow, a phone number, a report's number; and the queue's tab counts follow the filters."""
from __future__ import annotations

import re

import pytest
from conftest import login
from report_helpers import make_report
from sqlalchemy import select

from app.domain.text import parse_query, search_document
from app.domain.workflow import Status

# Demo-like reports, each with a word to tell it by; the expectations below are by hand.
REPORTS = {
    "pothole": dict(title="Nhiều ổ gà trên đường tránh Huế",
                    content="Mặt đường xuất hiện nhiều ổ gà sâu, xe máy dễ ngã.",
                    reporter_name="Phạm Văn Dương", reporter_phone="0917 400 301"),
    "marking": dict(title="Vạch kẻ đường mờ ngã ba Bến Ngự",
                    content="Vạch sơn đã mờ, người đi đường khó nhận biết.",
                    reporter_name="Ngô Gia Tự", reporter_phone="0905111299"),
    "tree": dict(title="Cây xanh gãy đổ chắn vỉa hè",
                 content="Cây xanh đổ sau mưa, chắn lối đi trên vỉa hè đường Lê Lợi.",
                 reporter_name="Phan Thị Thu", reporter_phone="+84 914 222 399"),
    "ga": dict(title="Gạ bán vé số ở bến xe",
               content="Người bán gạ gẫm hành khách ở ga tàu.",
               reporter_name="Lê Văn Ga", reporter_phone="0935444599"),
    "secret": dict(title="Xe quá tải chạy ban đêm trên Quốc lộ 49",
                   content="Xe tải chở đất chạy suốt đêm, gây bụi.",
                   reporter_name="Hoàng Văn Bảo Mật", reporter_phone="0983666799",
                   confidential=True),
}


@pytest.fixture(scope="module")
def reports(app):
    return {key: make_report(app, Status.NEW, **fields) for key, fields in REPORTS.items()}


def found(app, reports, query) -> set[str]:
    from app.extensions import db
    from app.models import Report
    from app.services.search import keyword_clause

    by_id = {v: k for k, v in reports.items()}
    with app.app_context():
        ids = db.session.execute(
            select(Report.id).where(Report.id.in_(list(by_id)), keyword_clause(query))
        ).scalars()
        return {by_id[i] for i in ids}


def test_a_word_matches_a_whole_syllable_without_accents(app, reports):
    # "ổ gà" is not inside "ngã ba" (the false match) nor inside "Ngô Gia".
    assert found(app, reports, "o ga") == {"pothole", "ga"}
    assert found(app, reports, "xanh") == {"tree"}
    assert found(app, reports, "xan") == set()
    assert found(app, reports, "DUONG TRANH hue") == {"pothole"}
    assert found(app, reports, "không có từ này") == set()


def test_typed_accents_narrow_the_match(app, reports):
    assert found(app, reports, "ổ gà") == {"pothole"}
    assert found(app, reports, "gà") == {"pothole"}
    assert found(app, reports, "ga") == {"pothole", "ga"}
    assert found(app, reports, "gạ") == {"ga"}
    # One word with accents, one without: only the first one narrows.
    assert found(app, reports, "gạ ve") == {"ga"}


def test_a_quoted_phrase_matches_its_words_in_a_row(app, reports):
    assert found(app, reports, '"cay xanh"') == {"tree"}
    assert found(app, reports, '"xanh cay"') == set()
    assert found(app, reports, '"nga ba" ben') == {"marking"}
    assert found(app, reports, '“ngã ba” xe') == set()
    assert found(app, reports, '"duong tranh"') == {"pothole"}


def test_staff_find_a_report_by_phone_and_by_number(app, reports):
    assert found(app, reports, "0917400301") == {"pothole"}
    assert found(app, reports, "0917 400 301") == {"pothole"}
    assert found(app, reports, "0914.222.399") == {"tree"}
    assert found(app, reports, "+84914222399") == {"tree"}
    assert found(app, reports, str(reports["marking"])) == {"marking"}
    assert found(app, reports, f"#{reports['ga']}") == {"ga"}
    from app.extensions import db
    from app.models import Report

    with app.app_context():
        code = db.session.get(Report, reports["tree"]).tracking_code
    assert found(app, reports, code) == {"tree"}
    assert found(app, reports, code.removeprefix("HUE-").lower()) == {"tree"}


def test_a_confidential_reporter_is_not_searchable(app, reports):
    assert found(app, reports, "Bao Mat") == set()
    assert found(app, reports, "0983666799") == set()
    assert found(app, reports, "quoc lo 49") == {"secret"}


def test_what_the_index_holds():
    assert search_document("Ổ gà, đường-tránh", "Huế", reporter="Lê Đức",
                           phone="0917.400.300") == (
        "o ga duong tranh hue zqle zqduc zq0917400300", " ổ gà đường tránh huế lê đức ")
    query = parse_query('ổ ga "Bến Ngự"')
    assert [(t.folded, t.accented) for t in query.terms] == [(["o"], ["ổ"]), (["ga"], None)]
    assert [(t.folded, t.accented) for t in query.phrases] == [(["ben", "ngu"], ["bến", "ngự"])]


def _tabs(html: str) -> dict[str, str]:
    return dict(re.findall(r'<li class="[^"]*">\s*<a href="[^"]*">([^<(]+?) \(([^)]+)\)</a>', html))


def test_tab_counts_follow_the_filters(app, reports):
    client = login(app, "trungtam")
    page = client.get("/phan-anh/tat-ca/", query_string={"tu_khoa": "o ga"})
    assert page.status_code == 200
    tabs = _tabs(page.text)
    # Every report matching "o ga" (the demo's and the two above) is open or closed: the tabs
    # add up, and each equals what its own list shows.
    open_count, closed_count, all_count = (int(tabs[k]) for k in
                                           ("Đang giải quyết", "Đã kết thúc", "Tất cả"))
    assert open_count + closed_count == all_count
    assert "Vạch kẻ đường mờ ngã ba Bến Ngự" not in page.text
    assert "Nhiều ổ gà trên đường tránh Huế" in page.text
    for tab, expected in (("cho", open_count), ("da", closed_count), ("tat-ca", all_count)):
        listed = client.get("/phan-anh/tat-ca/", query_string={"tu_khoa": "o ga", "tab": tab})
        assert f"Tổng số: {expected}" in listed.text
    narrowed = _tabs(client.get("/phan-anh/tat-ca/",
                                query_string={"tu_khoa": "o ga duong tranh hue"}).text)
    assert int(narrowed["Tất cả"]) < all_count


# --- A unit's search: the index narrows to its scope; marks are never typed -------------------

def _searched_titles(app, username, words) -> str:
    from urllib.parse import quote

    page = login(app, username).get(f"/phan-anh/tat-ca/?tab=tat-ca&tu_khoa={quote(words)}")
    assert page.status_code == 200
    return page.text


def test_a_unit_finds_the_reports_ever_distributed_to_it_and_no_other(app):
    from report_helpers import GTVT, TTTT, XD, then

    from app.domain.workflow import Action

    # Distributed to GTVT with TTTT following; then handed back and distributed to XD.
    moved = make_report(app, Status.ASSIGNED, unit=GTVT, follow=(TTTT,),
                        title="Cột đèn nghiêng kiệt Phước Vĩnh")
    then(app, moved, Action.RETURN, Status.ASSIGNED, unit=GTVT)
    then(app, moved, Action.DISTRIBUTE, Status.RECEIVED, unit=XD)
    kept = make_report(app, Status.ASSIGNED, unit=TTTT, title="Cột đèn nghiêng chợ Phước Vĩnh")
    words = "cot den nghieng phuoc vinh"
    gtvt, tttt, xd = (_searched_titles(app, u, words) for u in ("gtvt.xuly", "tttt.xuly", "xd.xuly"))
    assert "kiệt Phước Vĩnh" in gtvt and "chợ Phước Vĩnh" not in gtvt
    assert "kiệt Phước Vĩnh" in tttt and "chợ Phước Vĩnh" in tttt
    assert "kiệt Phước Vĩnh" in xd and "chợ Phước Vĩnh" not in xd
    # The tabs' counts hold the unit's matches alone, as the list does.
    assert "Tất cả (1)" in gtvt and "Tất cả (2)" in tttt and "Tất cả (1)" in xd
    centre = _searched_titles(app, "trungtam", words)
    assert "kiệt Phước Vĩnh" in centre and "chợ Phước Vĩnh" in centre
    assert {moved, kept}  # both made


def test_nobody_can_type_a_mark(app, reports):
    # The reporter's and the units' marked words are asked for by the search itself: typed,
    # they match nothing (the public portal must not find a report by its reporter's name).
    assert found(app, reports, "zqpham zqduong") == set()
    assert found(app, reports, "zq0917400301") == set()
    assert parse_query("zu1 o ga").terms[0].folded == ["o"]
    assert not parse_query("zu12")
    from app.extensions import db
    from app.models import Report
    from app.services.search import keyword_clause

    with app.app_context():
        unit_id = db.session.execute(
            select(Report.unit_id).where(Report.unit_id.is_not(None))).scalars().first()
        assert unit_id is not None
        matched = db.session.execute(
            select(Report.id).where(keyword_clause(f"zu{unit_id}"))).scalars().all()
    assert matched == []


def test_the_index_holds_the_units_as_marked_words():
    assert search_document("Ổ gà", reporter="Phạm Dương", units=[12, 3]) == (
        "o ga zqpham zqduong zu3 zu12", " ổ gà phạm dương ")
