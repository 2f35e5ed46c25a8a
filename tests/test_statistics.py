"""Statistics (DESIGN §8): a scripted scenario with a fixed clock whose tables are written by
hand, the invariant on generated data, the assignments equal to the log, and scope.

The scenario's unit "Ban Thống kê thử nghiệm" and field "Lĩnh vực thống kê (5 ngày)" exist for
this module only, so its figures are exactly the scenario's. Working days (DESIGN §4): Tết
2019 closes Mon 04/02 – Fri 08/02/2019.
"""
from __future__ import annotations

import datetime as dt
import random

import pytest
from report_helpers import api  # noqa: F401  (the JWT clients fixture)
from sqlalchemy import select

from app.domain.calendar import LOCAL_TZ, UTC
from app.domain.workflow import Role

UNIT = "Ban Thống kê thử nghiệm"
FIELD = "Lĩnh vực thống kê (5 ngày)"
HEADS = ("carried_over", "received", "to_handle", "done_on_time", "done_late", "returned",
         "open_on_time", "open_overdue")


def at(local: str) -> dt.datetime:
    """'dd/mm/yyyy HH:MM' in Huế → naive UTC, as stored."""
    moment = dt.datetime.strptime(local, "%d/%m/%Y %H:%M").replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(UTC).replace(tzinfo=None)


class Clock:
    def __init__(self):
        self.now = at("01/12/2018 08:00")

    def __call__(self):
        return self.now


@pytest.fixture(scope="module")
def scenario(app):
    """Seven reports of the unit, driven through the workflow service at fixed times."""
    from app.extensions import appbuilder, db
    from app.models import Field, Report, Source, Unit
    from app.services import public, workflow
    from app.services.workflow import ActionRequest, NewReport, apply_action, create_report

    clock = Clock()
    patch = pytest.MonkeyPatch()
    patch.setattr(workflow, "utcnow", clock)
    with app.app_context():
        unit = Unit(name=UNIT, kind="department")
        db.session.add(unit)
        db.session.flush()
        field_ = Field(name=FIELD, handling_days=5, default_unit_id=unit.id)
        db.session.add(field_)
        db.session.commit()
        sm = appbuilder.sm
        people = {}
        for username, role in (("tk.xuly", Role.HANDLER), ("tk.lanhdao", Role.LEADER)):
            person = sm.add_user(username, "Thống kê", role.value, f"{username}@test.vn",
                                 sm.find_role(role.value), password="Thongke2019pass")
            person.unit_id = unit.id
            people[role] = person
        db.session.commit()
        centre = sm.find_user(username="trungtam")
        source_id = db.session.execute(select(Source.id).order_by(Source.id)).scalars().first()
        ids = {"unit": unit.id, "field": field_.id, "source": source_id}

        def new(title, when):
            clock.now = at(when)
            report = create_report(centre, NewReport(
                title=title, content="Nội dung", source_id=source_id, field_id=field_.id))
            apply_action(centre, report.id, ActionRequest(
                "receive", field_id=field_.id, source_id=source_id))
            return report.id

        def act(who, report_id, action, when, **inputs):
            clock.now = at(when)
            person = {"centre": centre, "handler": people[Role.HANDLER],
                      "leader": people[Role.LEADER]}[who]
            apply_action(person, report_id, ActionRequest(action, **inputs))

        def distribute(report_id, when):
            act("centre", report_id, "distribute", when, unit_id=unit.id)

        def done(report_id, when):  # accept, submit, approve at the same moment
            act("handler", report_id, "accept", when)
            act("handler", report_id, "submit", when, content="Đã xử lý")
            act("leader", report_id, "approve", when)

        r7 = new("R7 từ năm trước, duyệt trễ", "19/12/2018 08:00")
        distribute(r7, "20/12/2018 09:00")  # due 27/12/2018
        done(r7, "03/01/2019 10:00")
        r3 = new("R3 đúng hạn trong tháng 1", "14/01/2019 08:00")
        distribute(r3, "15/01/2019 09:00")  # due 22/01/2019
        done(r3, "21/01/2019 15:00")
        # The centre sends the approved result back, the leader approves it again: one result.
        act("centre", r3, "return", "22/01/2019 08:00", reason="Bổ sung ảnh")
        act("leader", r3, "approve", "23/01/2019 08:00")
        r6 = new("R6 quá hạn, chưa xong", "09/01/2019 08:00")
        distribute(r6, "10/01/2019 09:00")  # due 17/01/2019
        act("handler", r6, "accept", "10/01/2019 10:00")
        r1 = new("R1 qua Tết, đúng hạn", "28/01/2019 08:00")
        distribute(r1, "28/01/2019 09:00")  # due 11/02/2019 (Tết 04–08/02)
        done(r1, "11/02/2019 16:00")
        r2 = new("R2 qua Tết, trễ hạn", "30/01/2019 08:00")
        distribute(r2, "30/01/2019 10:00")  # due 13/02/2019
        done(r2, "14/02/2019 09:00")
        r4 = new("R4 trả lại rồi phân phối lại", "31/01/2019 08:00")
        distribute(r4, "31/01/2019 14:00")  # due 14/02/2019
        act("handler", r4, "return", "01/02/2019 08:00", reason="Không thuộc thẩm quyền")
        distribute(r4, "11/02/2019 09:00")  # due 18/02/2019, still open
        r5 = new("R5 cuối tháng 2, trong hạn", "25/02/2019 08:00")
        distribute(r5, "25/02/2019 09:00")  # due 04/03/2019
        # March: the centre publishes four results, the reporters rate them (DESIGN §10).
        patch.setattr(public, "utcnow", clock)
        for report_id, published, rated, rating in (
                (r7, "01/03/2019 08:00", "02/03/2019 10:00", "satisfied"),
                (r1, "01/03/2019 08:30", "04/03/2019 10:00", "satisfied"),
                (r3, "01/03/2019 09:00", "05/03/2019 10:00", "not_satisfied"),
                (r2, "01/03/2019 09:30", "06/03/2019 10:00", "acceptable")):
            act("centre", report_id, "publish", published)
            clock.now = at(rated)
            public.rate(db.session.get(Report, report_id), rating, None)
    patch.undo()
    return ids


def figures(row) -> tuple:
    return tuple(row.figures[h] for h in HEADS)


def table(app, period, by="unit", now="15/03/2019 09:00", user="theodoi", **kw):
    from app.extensions import appbuilder
    from app.services import statistics

    with app.app_context():
        person = appbuilder.sm.find_user(username=user)
        return statistics.summary(person, statistics.Period(*period), by, now=at(now), **kw)


JANUARY = (dt.date(2019, 1, 1), dt.date(2019, 1, 31))
FEBRUARY = (dt.date(2019, 2, 1), dt.date(2019, 2, 28))
JAN_FEB = (dt.date(2019, 1, 1), dt.date(2019, 2, 28))


def unit_row(result, unit_id):
    rows = [r for r in result.rows if r.key == unit_id]
    assert len(rows) == 1
    return rows[0]


def test_january_by_unit(app, scenario):
    row = unit_row(table(app, JANUARY), scenario["unit"])
    # R7 carried over and approved late; R3 on time (approved twice, counted once); R6 overdue;
    # R1, R2, R4 distributed late in January, still open and within their time on 31/01.
    assert figures(row) == (1, 5, 6, 1, 1, 0, 3, 1)
    assert row.figures["on_time_rate"] == 50.0
    assert row.label == UNIT


def test_february_by_unit_across_tet(app, scenario):
    row = unit_row(table(app, FEBRUARY), scenario["unit"])
    # Carried: R6, R1, R2, R4's first assignment. R1 approved on its due day (Tết not counted),
    # R2 a day late, R4 returned on 01/02 and distributed again (overdue since 18/02), R5 new
    # and within its time at the end of February, R6 still overdue.
    assert figures(row) == (4, 2, 6, 1, 1, 1, 1, 2)
    assert row.figures["on_time_rate"] == 50.0


def test_two_months_by_unit_field_month_status(app, scenario):
    assert figures(unit_row(table(app, JAN_FEB), scenario["unit"])) == (1, 7, 8, 2, 2, 1, 1, 2)
    # By field a report counts once, under its last assignment (R4 → its second one).
    by_field = table(app, JAN_FEB, "field")
    field_row = next(r for r in by_field.rows if r.key == scenario["field"])
    assert field_row.label == FIELD
    assert figures(field_row) == (1, 6, 7, 2, 2, 0, 1, 2)
    by_month = table(app, JAN_FEB, "month", user="tk.lanhdao")
    assert [r.label for r in by_month.rows] == ["Tháng 01/2019", "Tháng 02/2019"]
    assert [figures(r) for r in by_month.rows] == [(1, 5, 6, 1, 1, 0, 3, 1),
                                                    (3, 2, 5, 1, 1, 0, 1, 2)]
    assert figures(by_month.total) == (1, 6, 7, 2, 2, 0, 1, 2)
    by_status = {r.label: figures(r) for r in table(app, JAN_FEB, "status", user="tk.xuly").rows}
    assert by_status == {
        "Chờ đăng tải": (1, 3, 4, 2, 2, 0, 0, 0),  # R7, R3, R1, R2
        "Đang xử lý": (0, 1, 1, 0, 0, 0, 0, 1),  # R6
        "Chờ xử lý": (0, 2, 2, 0, 0, 0, 1, 1),  # R4, R5
    }


MARCH = (dt.date(2019, 3, 1), dt.date(2019, 3, 31))


def ratings(row) -> tuple:
    return row.figures["satisfied"], row.figures["not_satisfied"]


def test_citizen_ratings_count_in_the_period_they_were_given(app, scenario):
    # Rated in March: R7 and R1 "Hài lòng", R3 "Không hài lòng", R2 "Chấp nhận được" (neither).
    assert ratings(unit_row(table(app, MARCH, now="01/04/2019 09:00"), scenario["unit"])) == (2, 1)
    assert ratings(unit_row(table(app, FEBRUARY), scenario["unit"])) == (0, 0)
    by_field = table(app, MARCH, "field", now="01/04/2019 09:00")
    assert ratings(next(r for r in by_field.rows if r.key == scenario["field"])) == (2, 1)
    by_month = table(app, (dt.date(2019, 2, 1), dt.date(2019, 3, 31)), "month", user="tk.xuly",
                     now="01/04/2019 09:00")
    assert [(r.label, ratings(r)) for r in by_month.rows] == [
        ("Tháng 02/2019", (0, 0)), ("Tháng 03/2019", (2, 1))]
    assert ratings(by_month.total) == (2, 1)
    by_status = table(app, MARCH, "status", user="tk.xuly", now="01/04/2019 09:00")
    assert {r.label: ratings(r) for r in by_status.rows}["Đã đăng tải"] == (2, 1)
    # Another unit's leader sees none of them.
    others = table(app, MARCH, user="gtvt.lanhdao", now="01/04/2019 09:00")
    assert sum(r.figures["satisfied"] + r.figures["not_satisfied"] for r in others.rows) == 0


def test_a_closed_period_gives_the_same_figures_later(app, scenario):
    early = figures(unit_row(table(app, JANUARY, now="20/02/2019 09:00"), scenario["unit"]))
    late = figures(unit_row(table(app, JANUARY, now="01/01/2026 09:00"), scenario["unit"]))
    assert early == late == (1, 5, 6, 1, 1, 0, 3, 1)


def test_same_period_last_year(app, scenario):
    result = table(app, (dt.date(2020, 1, 1), dt.date(2020, 1, 31)), "field", compare=True,
                   now="01/03/2020 09:00")
    row = next(r for r in result.rows if r.key == scenario["field"])
    # R6, R4 and R5 are still open and overdue in January 2020; a year before, five reports
    # came in (R3, R6, R1, R2, R4).
    assert figures(row) == (3, 0, 3, 0, 0, 0, 0, 3)
    assert row.same_period == 5


def test_same_period_last_year_by_unit_source_month_and_state(app, scenario):
    # A year before January–February 2020 the unit was sent R3, R6, R1, R2 and R4 in January
    # 2019, R4 again and R5 in February: seven distributions of six reports (R7 came in
    # December 2018).
    jan_feb_2020 = (dt.date(2020, 1, 1), dt.date(2020, 2, 29))
    kw = {"compare": True, "now": "01/03/2020 09:00"}
    by_unit = table(app, jan_feb_2020, user="tk.lanhdao", **kw)
    assert unit_row(by_unit, scenario["unit"]).same_period == 7
    assert by_unit.total.same_period == 7
    by_source = table(app, jan_feb_2020, "source", user="tk.lanhdao", **kw)
    assert [(r.key, r.same_period) for r in by_source.rows] == [(scenario["source"], 6)]
    by_month = table(app, jan_feb_2020, "month", user="tk.lanhdao", **kw)
    assert [(r.label, r.same_period) for r in by_month.rows] == [
        ("Tháng 01/2020", 5), ("Tháng 02/2020", 2)]
    assert by_month.total.same_period == 6
    # In 2020 R6 is still being handled, R4 and R5 still wait for the handler, as at the end of
    # February 2019; R3, R1 and R2 were then waiting to be published and have no row in 2020.
    by_status = table(app, jan_feb_2020, "status", user="tk.xuly", **kw)
    assert {r.label: r.same_period for r in by_status.rows} == {"Đang xử lý": 1, "Chờ xử lý": 2}
    assert by_status.total.same_period == 6


def test_unit_people_see_their_unit_only(app, scenario):
    mine = table(app, JAN_FEB, user="tk.xuly")
    assert [r.key for r in mine.rows] == [scenario["unit"]]
    others = table(app, JAN_FEB, user="gtvt.lanhdao")
    assert scenario["unit"] not in [r.key for r in others.rows]
    assert all(r.label == "Sở Giao thông vận tải" for r in others.rows)
    for user in ("trungtam", "theodoi", "quantri"):
        assert scenario["unit"] in [r.key for r in table(app, JAN_FEB, user=user).rows]


def test_assignments_equal_the_log(app, scenario):
    # The scenario's reports only: other modules backdate histories or change the calendar and
    # the fields' handling days, which the log cannot tell afterwards.
    from app.extensions import db
    from app.models import Assignment
    from app.services.statistics import assignments_from_log

    def row(a):
        return (a["report_id"], a["unit_id"], a["event_id"], a["distributed_at"], a["due_at"],
                a["ended_at"], a["outcome"], a["field_id"], a["source_id"])

    with app.app_context():
        stored = sorted(
            (a.report_id, a.unit_id, a.event_id, a.distributed_at, a.due_at, a.ended_at,
             a.outcome, a.field_id, a.source_id)
            for a in db.session.execute(
                select(Assignment).where(Assignment.unit_id == scenario["unit"])).scalars())
        with db.engine.connect() as connection:
            rebuilt = sorted(row(a) for report_id in {r[0] for r in stored}
                             for a in assignments_from_log(connection, report_id))
    assert len(stored) >= 7 and stored == rebuilt
    assert {(a[7], a[8]) for a in stored} == {(scenario["field"], scenario["source"])}


def test_a_corrected_field_and_source_move_the_report_in_the_statistics(app, scenario):
    # Whoever corrects a report's field or source (the console, a fix by hand), "Thống kê" by
    # field and by source follow at once: R5 leaves the scenario's field and source.
    from app.extensions import db
    from app.models import Field, Report, Source

    with app.app_context():
        field_ = Field(name="Lĩnh vực sửa lại (thống kê)", handling_days=5)
        source = Source(name="Nguồn sửa lại (thống kê)")
        db.session.add_all([field_, source])
        r5 = db.session.execute(select(Report).where(Report.title.startswith("R5 "))).scalar_one()
        db.session.flush()
        r5.field_id, r5.source_id = field_.id, source.id
        moved = {"field": field_.id, "source": source.id}
        db.session.commit()
    try:
        for by in ("field", "source"):
            rows = {r.key: figures(r) for r in table(app, FEBRUARY, by).rows}
            # R5: distributed on 25/02, open within its time at the end of February.
            assert rows[moved[by]] == (0, 1, 1, 0, 0, 0, 1, 0)
        # What stays: R6, R1, R2 carried over; R4 received again and overdue since 18/02.
        assert {r.key: figures(r) for r in table(app, FEBRUARY, "field").rows}[
            scenario["field"]] == (3, 1, 4, 1, 1, 0, 0, 2)
    finally:
        with app.app_context():
            r5 = db.session.execute(select(Report).where(Report.title.startswith("R5 "))).scalar_one()
            r5.field_id, r5.source_id = scenario["field"], scenario["source"]
            db.session.commit()
    rows = {r.key: figures(r) for r in table(app, FEBRUARY, "field").rows}
    assert rows[scenario["field"]] == (3, 2, 5, 1, 1, 0, 1, 2) and moved["field"] not in rows


# --- The API, the screens and the exports --------------------------------------------------------

def test_summary_api_answers_the_scenario(app, scenario, api):
    response = api.get("theodoi", "/api/v1/statistics/summary?from=2019-02-01&to=2019-02-28&by=unit")
    assert response.status_code == 200, response.text
    row = next(r for r in response.json["result"] if r["key"] == scenario["unit"])
    assert row == {"key": scenario["unit"], "label": UNIT, "carried_over": 4, "received": 2,
                   "to_handle": 6, "done_on_time": 1, "done_late": 1, "returned": 1,
                   "open_on_time": 1, "open_overdue": 2, "on_time_rate": 50.0,
                   "satisfied": 0, "not_satisfied": 0}
    total = response.json["total"]
    assert total["to_handle"] == sum(r["to_handle"] for r in response.json["result"])
    mine = api.get("gtvt.xuly", "/api/v1/statistics/summary?from=2019-02-01&to=2019-02-28")
    assert mine.status_code == 200
    assert scenario["unit"] not in [r["key"] for r in mine.json["result"]]


@pytest.mark.parametrize("query, message", [
    ("from=2019-02-30", "Từ ngày"),
    ("from=2019-03-01&to=2019-02-01", "phải trước"),
    ("by=week", "Tham số by"),
    ("format=pdf", "Định dạng"),
])
def test_summary_api_refuses_bad_input_in_vietnamese(app, api, query, message):
    response = api.get("trungtam", f"/api/v1/statistics/summary?{query}")
    assert response.status_code == 400
    assert message in response.json["message"]


def test_summary_xlsx_is_the_official_form_with_the_json_figures(app, scenario, api):
    import io

    import openpyxl

    query = "from=2019-01-01&to=2019-02-28&by=field"
    data = api.get("trungtam", f"/api/v1/statistics/summary?{query}").json
    response = api.get("trungtam", f"/api/v1/statistics/summary?{query}&format=xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    cells = list(sheet.iter_rows(values_only=True))
    text = [str(v) for row in cells for v in row if v is not None]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert any(t.startswith("Thừa Thiên Huế, ngày ") and " tháng " in t and " năm " in t
               for t in text)
    assert "Từ ngày 01/01/2019 đến ngày 28/02/2019" in text
    assert "NGƯỜI LẬP BIỂU" in text and "THỦ TRƯỞNG ĐƠN VỊ" in text
    header_row = next(i for i, row in enumerate(cells) if row[:2] == ("STT", "Lĩnh vực"))
    assert cells[header_row][2:10] == ("Tồn kỳ trước", "Tiếp nhận trong kỳ", "Tổng phải xử lý",
                                       "Đã xử lý đúng hạn", "Đã xử lý trễ hạn", "Trả lại",
                                       "Đang xử lý trong hạn", "Đang xử lý quá hạn")
    assert sheet.freeze_panes == f"A{header_row + 2}"
    codes = ["carried_over", "received", "to_handle", "done_on_time", "done_late", "returned",
             "open_on_time", "open_overdue", "on_time_rate", "satisfied", "not_satisfied"]
    body = cells[header_row + 1: header_row + 1 + len(data["result"])]
    assert {row[1]: list(row[2:13]) for row in body} == {
        r["label"]: [r[c] for c in codes] for r in data["result"]}
    total = cells[header_row + 1 + len(data["result"])]
    assert total[1] == "Tổng cộng" and list(total[2:13]) == [data["total"][c] for c in codes]
    total_cell = sheet.cell(header_row + 2 + len(data["result"]), 3)
    assert total_cell.font.b and total_cell.border.left.style == "thin"
    field_row = next(row for row in body if row[1] == FIELD)
    assert field_row[2:10] == (1, 6, 7, 2, 2, 0, 1, 2)


def test_summary_csv_has_a_bom_and_vietnamese_numbers(app, scenario, api):
    response = api.get("trungtam",
                       "/api/v1/statistics/summary?from=2019-01-01&to=2019-01-31&format=csv")
    assert response.status_code == 200
    assert response.data.startswith("\ufeff".encode("utf-8"))
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("STT,Đơn vị xử lý,Tồn kỳ trước,Tiếp nhận trong kỳ")
    assert [UNIT, "1", "5", "6", "1", "1", "0", "3", "1", "50", "0", "0"] in [
        line.split(",")[1:] for line in lines]


def _web(app, username):
    from conftest import login

    return login(app, username)


@pytest.mark.parametrize("username", ["trungtam", "theodoi", "quantri", "gtvt.xuly",
                                      "gtvt.lanhdao"])
def test_the_three_screens_open_for_every_role(app, scenario, username):
    client = _web(app, username)
    for url, heading in (("/thong-ke/tong-hop/", "Tổng hợp"), ("/thong-ke/", "Thống kê"),
                         ("/thong-ke/bieu-do/", "Biểu đồ phản ánh")):
        page = client.get(url)
        assert page.status_code == 200, (url, page.status_code)
        assert heading in page.text
    home = client.get("/").text
    for entry in ("Biểu đồ phản ánh", "Tổng hợp", "Thống kê"):
        assert entry in home


def test_summary_screen_rows_link_to_the_unit_queue_and_sort(app, scenario):
    client = _web(app, "trungtam")
    page = client.get("/thong-ke/tong-hop/?ky=tuy-chon&tu_ngay=01/02/2019&den_ngay=28/02/2019"
                      "&sap_xep=open_overdue&chieu=giam")
    assert page.status_code == 200
    assert "Từ ngày 01/02/2019 đến ngày 28/02/2019" in page.text
    assert f"don_vi={scenario['unit']}" in page.text
    assert "Tổng cộng" in page.text
    queue = client.get(f"/phan-anh/tat-ca/?tab=tat-ca&tu_ngay=01/01/2019&den_ngay=28/02/2019"
                       f"&don_vi={scenario['unit']}")
    assert queue.status_code == 200
    for title in ("R1 qua Tết", "R4 trả lại", "R5 cuối tháng 2", "R2 qua Tết"):
        assert title in queue.text
    assert "R7 từ năm trước" not in queue.text  # received in December 2018
    stats = client.get("/thong-ke/?theo=month&ky=tuy-chon&tu_ngay=01/01/2020&den_ngay=31/01/2020")
    assert "Tiếp nhận cùng kỳ năm trước" in stats.text


def test_queue_export_honours_scope_filters_and_confidentiality(app, scenario):
    import io

    import openpyxl
    from report_helpers import GTVT, make_report
    from app.domain.workflow import Status

    secret = make_report(app, Status.ASSIGNED, unit=GTVT, confidential=True,
                         title="=Xuất khẩu bí mật", reporter_name="Người Giấu Tên")
    handler = _web(app, "gtvt.xuly")
    response = handler.get("/phan-anh/xuat/xu-ly?dinh_dang=csv&tu_khoa=xuat khau bi mat")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    assert "'=Xuất khẩu bí mật" in text  # formula-escaped
    assert "Ẩn danh" in text and "Người Giấu Tên" not in text
    assert "R1 qua Tết" not in text  # another unit's report
    centre = _web(app, "trungtam")
    response = centre.get("/phan-anh/xuat/tat-ca?tab=tat-ca&dinh_dang=xlsx&tu_khoa=xuat khau bi mat")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.response))).active
    rows = [row for row in sheet.iter_rows(values_only=True)]
    found = [row for row in rows if row[1] == secret]
    assert len(found) == 1 and found[0][4] == "Người Giấu Tên" and found[0][8] == "=Xuất khẩu bí mật"
    assert sheet.freeze_panes == "A9"
    header = sheet.cell(8, 1)
    assert header.value == "STT" and header.font.b and header.border.left.style == "thin"
    row = next(r for r in sheet.iter_rows(min_row=9) if r[1].value == secret)
    assert row[2].number_format == "dd/mm/yyyy hh:mm" and row[8].border.bottom.style == "thin"
    assert row[8].font.name == "Times New Roman" and not row[8].font.b
    # A queue the person may not open: not found.
    assert handler.get("/phan-anh/xuat/tiep-nhan?dinh_dang=csv").status_code == 404


def test_report_export_api_filters_and_scope(app, scenario, api):
    unit = scenario["unit"]
    response = api.get("theodoi", f"/api/v1/report/export?format=csv&unit_id={unit}"
                                  "&from=2019-01-01&to=2019-02-28&status=assigned")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    assert "R4 trả lại" in text and "R5 cuối tháng 2" in text
    assert "R1 qua Tết" not in text  # approved, not assigned
    other = api.get("gtvt.xuly", f"/api/v1/report/export?format=csv&unit_id={unit}")
    assert other.status_code == 200
    assert "R4 trả lại" not in other.data.decode("utf-8-sig")
    bad = api.get("theodoi", "/api/v1/report/export?format=csv&status=lost")
    assert bad.status_code == 400 and "Trạng thái" in bad.json["message"]


# --- Generated data: the invariant, and the figures recomputed from the log alone -------------

GENERATED_UNITS = {"Sở Giao thông vận tải": ("gtvt.xuly", "gtvt.lanhdao"),
                   "Sở Thông tin và Truyền thông": ("tttt.xuly", "tttt.lanhdao")}


@pytest.fixture(scope="module")
def generated(app):
    """80 reports of the first half of 2021 driven at random (seeded) through the workflow
    service."""
    from app.domain.workflow import Action
    from app.extensions import appbuilder, db
    from app.models import Field, Report, Source, Unit
    from app.services import public, workflow
    from app.services.workflow import (
        ActionRequest, NewReport, actions_available, apply_action, create_report,
    )

    rng = random.Random(2021)
    clock = Clock()
    clock.now = at("20/12/2020 08:00")
    patch = pytest.MonkeyPatch()
    patch.setattr(workflow, "utcnow", clock)
    with app.app_context():
        find = appbuilder.sm.find_user
        centre = find(username="trungtam")
        units = {name: db.session.execute(select(Unit.id).where(Unit.name == name)).scalar_one()
                 for name in GENERATED_UNITS}
        field_id = db.session.execute(select(Field.id).where(Field.name == "Giao thông")).scalar_one()
        source_id = db.session.execute(select(Source.id)).scalars().first()
        reports, sleepy = [], set()
        while clock.now < at("30/06/2021 12:00"):
            clock.now += dt.timedelta(hours=rng.uniform(0.5, 14))
            if len(reports) < 80 and rng.random() < 0.15:
                report = create_report(centre, NewReport(
                    title=f"Sinh ngẫu nhiên {len(reports) + 1}", content="Nội dung",
                    source_id=source_id, field_id=field_id))
                reports.append(report.id)
                if rng.random() < 0.3:
                    sleepy.add(report.id)  # its unit will let it run past its due time
                continue
            if not reports:
                continue
            at_unit = db.session.execute(select(workflow.Report.id).where(
                workflow.Report.id.in_(reports),
                workflow.Report.status.in_(["assigned", "in_progress", "pending_approval"]))
            ).scalars().all()
            report_id = rng.choice(at_unit if at_unit and rng.random() < 0.5 else reports)
            report = db.session.get(workflow.Report, report_id)
            if report_id in sleepy and report.due_at and clock.now < report.due_at + dt.timedelta(
                    days=1) and report.status != "received":
                continue
            unit_name = next((n for n, i in units.items() if i == report.unit_id), None)
            people = [centre] + ([find(username=u) for u in GENERATED_UNITS[unit_name]]
                                 if unit_name else [])
            choices = [(person, t) for person in people
                       for t in actions_available(person, report) if t.target is not None]
            if not choices:
                continue
            # Forward more often than back, so that results are also approved on time.
            person, transition = rng.choices(
                choices, [1 if t.action == Action.RETURN else 5 for _, t in choices])[0]
            inputs = {"reason": "Lý do", "content": "Nội dung"} if transition.needs else {}
            if transition.action == Action.RECEIVE:
                inputs = {"field_id": field_id, "source_id": source_id}
            if transition.action == Action.DISTRIBUTE:
                inputs = {"unit_id": rng.choice(list(units.values()))}
            inputs = {k: v for k, v in inputs.items()
                      if k in transition.needs | transition.accepts}
            apply_action(person, report_id, ActionRequest(transition.action.value, **inputs))
        assert db.session.execute(select(workflow.ReportEvent.id).where(
            workflow.ReportEvent.action == "approve",
            workflow.ReportEvent.report_id.in_(reports))).first(), "the walk approved nothing"
    patch.undo()
    return units


def _from_log(app, unit_id, period) -> tuple:
    """The unit's row recomputed from the exchange log alone, with the due time rebuilt from
    the distribution time (the field keeps 5 working days): an independent, plain reading."""
    from app.domain import calendar
    from app.extensions import db
    from app.models import ReportEvent

    start, end = period.start, period.end
    counts = dict.fromkeys(HEADS, 0)
    with app.app_context():
        events = db.session.execute(
            select(ReportEvent).where(ReportEvent.action.in_(["distribute", "approve", "return"]))
            .order_by(ReportEvent.report_id, ReportEvent.created_at, ReportEvent.id)).scalars().all()
        spans, open_span = [], {}
        for e in events:
            if e.action == "distribute":
                open_span[e.report_id] = [e.target_unit_id, e.created_at, None, None]
                spans.append(open_span[e.report_id])
            elif e.report_id in open_span and (
                    e.action == "approve" or e.from_status in ("assigned", "in_progress")):
                open_span.pop(e.report_id)[2:] = [e.created_at, e.action]
        for unit, distributed, ended, how in spans:
            if unit != unit_id or distributed >= end or (ended is not None and ended < start):
                continue
            due = calendar.window_end(distributed, 5)
            counts["to_handle"] += 1
            counts["carried_over" if distributed < start else "received"] += 1
            if ended is not None and ended < end:
                if how == "return":
                    counts["returned"] += 1
                else:
                    counts["done_on_time" if ended <= due else "done_late"] += 1
            else:
                counts["open_on_time" if due >= end else "open_overdue"] += 1
    return tuple(counts[h] for h in HEADS)


def _periods():
    from app.services.statistics import Period

    months = [Period(dt.date(2021, m, 1), dt.date(2021, m + 1, 1) - dt.timedelta(days=1))
              for m in range(1, 8)]
    return months + [Period(dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
                     Period(dt.date(2021, 3, 17), dt.date(2021, 5, 9)),
                     Period(dt.date(2021, 4, 1), dt.date(2021, 6, 30))]


def test_invariant_and_totals_on_generated_data(app, generated):
    for period in _periods():
        for by in ("unit", "field", "source", "month", "status"):
            result = table(app, (period.first, period.last), by, now="01/06/2022 08:00")
            for row in result.rows + [result.total]:
                f = row.figures
                assert f["to_handle"] == f["carried_over"] + f["received"] == (
                    f["done_on_time"] + f["done_late"] + f["returned"] + f["open_on_time"]
                    + f["open_overdue"]), (period, by, row.label, f)
            if by in ("field", "source", "status"):  # each report once: rows add up to the total
                for head in HEADS:
                    assert sum(r.figures[head] for r in result.rows) == result.total.figures[head]


def test_generated_figures_equal_a_reading_of_the_log(app, generated):
    seen = dict.fromkeys(HEADS, 0)
    for period in _periods():
        result = table(app, (period.first, period.last), "unit", now="01/06/2022 08:00")
        for unit_id in generated.values():
            row = next((r for r in result.rows if r.key == unit_id), None)
            expected = _from_log(app, unit_id, period)
            assert (figures(row) if row else (0,) * len(HEADS)) == expected, period
            for head, value in zip(HEADS, expected):
                seen[head] += value
    # The walk reached every outcome, so the comparison covers each column.
    assert all(seen.values()), seen


def test_nobody_signed_in_gets_no_figures(app):
    from conftest import new_client

    client = new_client(app)
    for url in ("/thong-ke/tong-hop/", "/thong-ke/", "/thong-ke/bieu-do/",
                "/thong-ke/tong-hop/xuat?dinh_dang=csv", "/phan-anh/xuat/tat-ca?dinh_dang=csv"):
        response = client.get(url)
        assert response.status_code in (302, 401), url
        assert "Tồn kỳ trước" not in response.text
    assert client.get("/api/v1/statistics/summary").status_code == 401
    assert client.get("/api/v1/report/export?format=csv").status_code == 401
