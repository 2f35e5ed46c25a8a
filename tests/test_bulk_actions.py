"""Bulk workflow actions (issue 14): one action on many selected reports, each on its own.

Mixed selections — reports in the wrong state, of another unit, changed by someone else between
the confirmation and the submit, a forged id — get exactly their own answers and change nothing
else; every report done has exactly one new event. Through the REST API
(``POST /api/v1/report/actions/<action>``) and the queue pages' three steps (inputs,
confirmation, answer), with their CSRF tokens.
"""
from __future__ import annotations

import re

import pytest
from conftest import DEMO_PASSWORD, csrf_token, login
from report_helpers import (  # noqa: F401  (api is a fixture)
    GTVT, TTTT, XD, Status, api, ids, make_report, snapshot, then, user,
)
from sqlalchemy import func, select
from web_helpers import count_queries, get_ok, text_of

from app.domain.workflow import Action, Role

BULK = "/api/v1/report/actions/"
FORGED = 987654321
WHEN = r"\d\d/\d\d/\d{4} \d\d:\d\d"


@pytest.fixture(scope="module")
def second_operator(app):
    """Another centre operator, the "someone else" who acts between a confirmation and its
    submit."""
    from app.services.demo import ensure_account
    from app.services.seed import CENTRE_UNIT_NAME

    with app.app_context():
        ensure_account("trungtam.hai", "Võ Văn", "Tâm", Role.CENTRE, CENTRE_UNIT_NAME,
                       DEMO_PASSWORD)
    return "trungtam.hai"


def events(app, report_id, action=None) -> int:
    from app.extensions import db
    from app.models import ReportEvent

    with app.app_context():
        query = select(func.count()).select_from(ReportEvent).where(
            ReportEvent.report_id == report_id)
        if action:
            query = query.where(ReportEvent.action == action)
        return db.session.execute(query).scalar_one()


def report(app, report_id):
    from app.extensions import db
    from app.models import Report

    with app.app_context():
        r = db.session.get(Report, report_id)
        return {"status": r.status, "unit_id": r.unit_id, "field_id": r.field_id,
                "source_id": r.source_id, "public_result": r.public_result,
                "version": r.version, "follow": sorted(
                    (link.unit_id, link.kind, link.done_at is not None) for link in r.unit_links)}


def act_as(app, username, report_id, action, **inputs):
    from app.services.workflow import ActionRequest, apply_action

    with app.app_context():
        apply_action(user(username), report_id, ActionRequest(action=action, **inputs))


def by_id(response) -> dict[int, tuple[int, str]]:
    assert response.status_code == 200, response.json
    return {row["id"]: (row["status"], row["message"]) for row in response.json["result"]}


# --- REST ---------------------------------------------------------------------------------------

def test_api_distribute_mixed_selection(app, api, second_operator):
    units, _, _ = ids(app)
    ready = [make_report(app, Status.RECEIVED) for _ in range(3)]
    still_new = make_report(app, Status.NEW)
    taken = make_report(app, Status.RECEIVED)
    act_as(app, second_operator, taken, "distribute", unit_id=units[XD])
    untouched = {rid: snapshot(app, rid) for rid in (still_new, taken)}
    before = {rid: events(app, rid) for rid in ready}

    response = api.post("trungtam", BULK + "distribute", json={
        "ids": ready + [still_new, taken, FORGED], "unit_id": units[GTVT],
        "follow_unit_ids": [units[TTTT]], "content": "Đề nghị xử lý theo thẩm quyền.",
    })

    answers = by_id(response)
    assert [row["id"] for row in response.json["result"]] == ready + [still_new, taken, FORGED]
    assert set(response.json["result"][0]) == {"id", "status", "message"}
    for rid in ready:
        assert answers[rid] == (200, "Đã phân phối cho Sở Giao thông vận tải.")
        assert report(app, rid)["status"] == "assigned"
        assert report(app, rid)["unit_id"] == units[GTVT]
        assert (units[TTTT], "follow", False) in report(app, rid)["follow"]
        assert events(app, rid) == before[rid] + 1
        assert events(app, rid, "distribute") == 1
    assert answers[still_new] == (
        409, "Không thể “Phân phối” phản ánh đang ở trạng thái “Chờ tiếp nhận”.")
    status, message = answers[taken]
    assert status == 409
    assert re.fullmatch(
        rf"Phản ánh đã được người khác phân phối \(Võ Văn Tâm, {WHEN}\); "
        r"hiện ở trạng thái “Chờ xử lý”\.", message), message
    assert answers[FORGED] == (
        404, "Không tìm thấy phản ánh hoặc phản ánh không thuộc phạm vi bạn được xem.")
    for rid, before_state in untouched.items():
        assert snapshot(app, rid) == before_state
    assert report(app, taken)["unit_id"] == units[XD]


def test_api_version_seen_before_someone_else_acted(app, api, second_operator):
    """The versions of the confirmation: a report changed since is refused, even when the
    action would still apply to its new state."""
    units, fields, sources = ids(app)
    first, second = make_report(app, Status.NEW), make_report(app, Status.NEW)
    seen = {str(rid): report(app, rid)["version"] for rid in (first, second)}
    # Someone else receives the second one: its state and version move on.
    act_as(app, second_operator, second, "receive", field_id=fields["Giao thông"],
           source_id=sources["Tổng đài"])
    after_other = snapshot(app, second)

    response = api.post("trungtam", BULK + "reject", json={
        "ids": [first, second], "versions": seen, "reason": "Trùng với phản ánh đã có.",
    })

    answers = by_id(response)
    assert answers[first] == (200, "Đã chuyển sang “Không tiếp nhận”.")
    assert report(app, first)["status"] == "rejected"
    status, message = answers[second]
    assert status == 409
    assert re.fullmatch(rf"Phản ánh đã được người khác tiếp nhận \(Võ Văn Tâm, {WHEN}\); "
                        r"hiện ở trạng thái “Chờ phân phối”\.", message), message
    assert snapshot(app, second) == after_other


def test_api_unit_handler_accepts_only_its_own(app, api):
    """The GTVT handler: its own report is accepted; one it held before, now at TTTT, is "not
    of your unit"; one never sent to GTVT does not exist for it."""
    mine = make_report(app, Status.ASSIGNED, unit=GTVT)
    moved = make_report(app, Status.ASSIGNED, unit=GTVT)
    then(app, moved, Action.RETURN, Status.ASSIGNED, unit=GTVT)
    act_as(app, "trungtam", moved, "distribute", unit_id=ids(app)[0][TTTT])
    elsewhere = make_report(app, Status.ASSIGNED, unit=TTTT)
    untouched = {rid: snapshot(app, rid) for rid in (moved, elsewhere)}

    answers = by_id(api.post("gtvt.xuly", BULK + "accept", json={"ids": [mine, moved, elsewhere]}))

    assert answers[mine] == (200, "Đã thực hiện tiếp nhận.")
    assert report(app, mine)["status"] == "in_progress"
    assert answers[moved] == (403, "Phản ánh không thuộc đơn vị của bạn.")
    assert answers[elsewhere] == (
        404, "Không tìm thấy phản ánh hoặc phản ánh không thuộc phạm vi bạn được xem.")
    for rid, state in untouched.items():
        assert snapshot(app, rid) == state


def test_api_receive_keeps_each_reports_own_field_and_source(app, api):
    units, fields, sources = ids(app)
    own = make_report(app, Status.NEW, field_id=fields["Giao thông"], source_id=sources["Tổng đài"])
    no_field = make_report(app, Status.NEW, source_id=sources["Tổng đài"])
    untouched = snapshot(app, no_field)

    answers = by_id(api.post("trungtam", BULK + "receive", json={"ids": [own, no_field]}))

    assert answers[own] == (200, "Đã tiếp nhận.")
    assert (report(app, own)["field_id"], report(app, own)["source_id"]) == (
        fields["Giao thông"], sources["Tổng đài"])
    assert answers[no_field] == (400, "Vui lòng nhập: Lĩnh vực.")
    assert snapshot(app, no_field) == untouched

    # Given once, the field and source apply to every report.
    answers = by_id(api.post("trungtam", BULK + "receive", json={
        "ids": [no_field], "field_id": fields["Giao thông"],
        "source_id": sources["Ứng dụng Hue-S"]}))
    assert answers[no_field] == (200, "Đã tiếp nhận.")
    assert report(app, no_field)["source_id"] == sources["Ứng dụng Hue-S"]


def test_api_publish_uses_each_reports_approved_result(app, api):
    first, second = (make_report(app, Status.APPROVED) for _ in range(2))
    answers = by_id(api.post("trungtam", BULK + "publish", json={"ids": [first, second]}))
    assert answers == {first: (200, "Đã đăng tải kết quả."),
                       second: (200, "Đã đăng tải kết quả.")}
    # make_report's handler wrote "Nội dung thử nghiệm" as its result; the leader approved it.
    assert report(app, first)["public_result"] == "Nội dung thử nghiệm"
    assert report(app, second)["status"] == "published"


def test_api_follow_up_done_and_leader_approval(app, api):
    units, _, _ = ids(app)
    followed = make_report(app, Status.ASSIGNED, unit=GTVT, follow=(TTTT,))
    pending = make_report(app, Status.PENDING_APPROVAL, unit=TTTT)

    answers = by_id(api.post("tttt.xuly", BULK + "follow_done", json={"ids": [followed]}))
    assert answers[followed] == (200, "Đã ghi nhận đơn vị đã thực hiện theo dõi.")
    assert (units[TTTT], "follow", True) in report(app, followed)["follow"]
    again = by_id(api.post("tttt.xuly", BULK + "follow_done", json={"ids": [followed]}))
    assert again[followed] == (403, "Đơn vị của bạn không có yêu cầu theo dõi đang mở cho phản "
                                    "ánh này (đã thực hiện theo dõi, hoặc không được gửi theo dõi).")

    answers = by_id(api.post("tttt.lanhdao", BULK + "approve", json={"ids": [pending, followed]}))
    assert answers[pending] == (200, "Đã phê duyệt.")
    assert answers[followed] == (409, "Không thể “Phê duyệt” phản ánh đang ở trạng thái “Chờ xử lý”.")


@pytest.mark.parametrize("body, message", [
    ({"ids": []}, "Vui lòng chọn ít nhất một phản ánh (danh sách “ids” không được rỗng)."),
    ({}, "Vui lòng chọn ít nhất một phản ánh (danh sách “ids” không được rỗng)."),
    ({"ids": "1,2"}, "Vui lòng chọn ít nhất một phản ánh (danh sách “ids” không được rỗng)."),
    ({"ids": [1, "abc"]}, "Danh sách “ids” chỉ gồm mã phản ánh (số nguyên dương)."),
    ({"ids": [1, None]}, "Danh sách “ids” chỉ gồm mã phản ánh (số nguyên dương)."),
    ({"ids": [True]}, "Danh sách “ids” chỉ gồm mã phản ánh (số nguyên dương)."),
    ({"ids": [-3]}, "Danh sách “ids” chỉ gồm mã phản ánh (số nguyên dương)."),
    ({"ids": [10**30]}, "Danh sách “ids” chỉ gồm mã phản ánh (số nguyên dương)."),
    ({"ids": list(range(1, 202))}, "Mỗi lần chỉ thao tác được tối đa 200 phản ánh (đã chọn 201)."),
    ({"ids": "R", "colour": "red"}, "Trường không được hỗ trợ: colour."),
    ({"ids": "R", "version": 3}, "Với nhiều phản ánh, gửi “versions”: {mã phản ánh: phiên bản}."),
    ({"ids": "R", "versions": {"2": 1}}, "“versions” chỉ ghi phiên bản của các phản ánh trong “ids”."),
    ({"ids": "R", "unit_id": "x"}, "Đơn vị xử lý không hợp lệ."),
    ([1, 2], "Nội dung yêu cầu phải là một đối tượng JSON có “ids”."),
])
def test_api_bad_selection_is_400_and_changes_nothing(app, api, body, message):
    received = make_report(app, Status.RECEIVED)
    before = snapshot(app, received)
    if isinstance(body, dict) and body.get("ids") == "R":  # a real report of the centre's
        body = {**body, "ids": [received]}
        if "versions" in body:
            body["versions"] = {str(received + 1): 1}
    response = api.post("trungtam", BULK + "distribute", json=body)
    assert response.status_code == 400, response.json
    assert response.json == {"message": message}
    assert snapshot(app, received) == before


def test_api_limits_and_errors(app, api):
    received = make_report(app, Status.RECEIVED)
    # Exactly 200 ids is allowed (the forged ones each answer 404).
    response = api.post("trungtam", BULK + "reject", json={
        "ids": [received] + list(range(FORGED, FORGED + 199)), "reason": "Không thuộc phạm vi."})
    answers = by_id(response)
    assert len(answers) == 200 and answers[received][0] == 200
    assert {status for rid, (status, _) in answers.items() if rid != received} == {404}
    # An action not offered in bulk, a body that is not JSON, no token.
    other = make_report(app, Status.RECEIVED)
    assert api.post("trungtam", BULK + "comment", json={"ids": [other], "content": "x"}).json == {
        "message": "Thao tác “comment” không áp dụng cho nhiều phản ánh (chỉ: receive, reject, "
                   "distribute, accept, approve, publish, follow_done)."}
    assert api.post("trungtam", BULK + "distribute", data="ids=1").status_code == 400
    assert app.test_client().post(BULK + "distribute", json={"ids": [other]}).status_code == 401
    # The viewer may read but do nothing: every report answers 403.
    answers = by_id(api.post("theodoi", BULK + "reject", json={"ids": [other], "reason": "x"}))
    assert answers[other] == (403, "Vai trò của bạn không được thực hiện thao tác “Không tiếp nhận”.")
    assert report(app, other)["status"] == "received"


def test_bulk_reads_the_calendar_person_and_catalogues_once(app):
    """The working-day exceptions, the person, their roles and the units and fields are read
    once per call, not once per report; each report still gets its own reads and writes."""
    from app.extensions import db
    from app.services.bulk import apply_to_each
    from app.services.workflow import ActionRequest

    units, _, _ = ids(app)
    reports = [make_report(app, Status.RECEIVED) for _ in range(4)]
    with app.app_context():
        operator = user("trungtam")
        db.session.commit()  # as at the start of a request: nothing loaded but the person
        with count_queries(db.engine) as statements:
            outcomes = apply_to_each(operator, Action.DISTRIBUTE, reports,
                                     ActionRequest(action="distribute", unit_id=units[GTVT]))
    assert [o.status for o in outcomes] == [200, 200, 200, 200]

    def reads(table):
        return [s for s in statements if re.search(rf"\bFROM {table}\b", s)]

    assert len(reads("workday_exception")) == 1
    assert len(reads("field")) == 1  # the four share one field
    assert len(reads("ab_role")) <= 1
    # Besides the person: each event's recipients, looked up by the notification hook
    # (app.security.permissions.people_holding, by permission): the roles holding the duty,
    # then the people with them, once per distribution (outside a request nothing is kept).
    assert len(reads("ab_permission_view_role")) == 4
    recipients = [s for s in reads("ab_user") if "ab_user_role" in s]
    assert len(recipients) == 4
    assert len(reads("ab_user")) - len(recipients) <= 1
    assert len(reads("unit")) <= 2  # the target unit and the person's own
    assert len([s for s in statements if s.startswith("UPDATE report ")]) == 4
    assert len([s for s in statements if s.startswith("INSERT INTO report_event")]) == 4
    for rid in reports:
        assert report(app, rid)["unit_id"] == units[GTVT]


def test_a_bulk_request_looks_up_each_audience_once(app, api):
    """Through the API (one request), the people told of the distributions — the target
    unit's handlers — are looked up once, not once per report; each is told of each report."""
    from app.extensions import db
    from app.models import Notification

    units, _, _ = ids(app)
    reports = [make_report(app, Status.RECEIVED) for _ in range(3)]
    api.client("trungtam")
    with app.app_context():
        engine = db.engine
    with count_queries(engine) as statements:
        answer = api.post("trungtam", BULK + "distribute",
                          json={"ids": reports, "unit_id": units[GTVT]})
    assert [r["status"] for r in answer.json["result"]] == [200, 200, 200]
    people = [s for s in statements if re.search(r"\bFROM ab_user\b", s) and "ab_user_role" in s]
    roles = [s for s in statements if re.search(r"\bFROM ab_permission_view_role\b", s)]
    assert (len(people), len(roles)) == (1, 1)
    with app.app_context():
        told = db.session.execute(select(Notification.report_id, Notification.user_id).where(
            Notification.report_id.in_(reports))).all()
        handler = user("gtvt.xuly").id
    assert sorted(told) == sorted((rid, handler) for rid in reports)


def test_an_action_reads_each_unit_once_whoever_is_told(app, api, second_operator):
    """An approval is told to every centre operator (here two, of one unit): the unit names of
    the titles and mails are read once, not once per person."""
    from app.extensions import db

    rid = make_report(app, Status.PENDING_APPROVAL)
    api.client("gtvt.lanhdao")
    with app.app_context():
        engine = db.engine
    with count_queries(engine) as statements:
        answer = api.act("gtvt.lanhdao", rid, "approve")
    assert answer.status_code == 200, answer.text
    unit_reads = [s for s in statements if re.search(r"\bFROM unit\b", s)]
    # The leader's own unit (the event's "Người / Đơn vị", also the report's), the centre's.
    assert len(unit_reads) == 2, unit_reads


# --- The web: queue page → inputs → confirmation → answer ------------------------------------

def checkbox_ids(page: str) -> dict[int, str]:
    """The queue's checkboxes: report id → the bulk actions offered on its row."""
    return {int(rid): actions for rid, actions in re.findall(
        r'class="bulk-check" form="bulk-form" name="ids" value="(\d+)" data-actions="([^"]*)"',
        page)}


def bulk_options(page: str) -> list[str]:
    match = re.search(r'<select class="form-control input-sm" id="bulk-action" name="action">(.*?)</select>', page, re.S)
    return [v for v in re.findall(r'<option value="(\w*)"', match.group(1)) if v] if match else []


def test_web_queue_offers_only_what_the_table_allows(app):
    new = make_report(app, Status.NEW)
    received = make_report(app, Status.RECEIVED)
    centre = login(app, "trungtam")
    intake = get_ok(centre, "/phan-anh/tiep-nhan/")
    assert "Chọn tất cả trên trang" in intake and "Thao tác với các phản ánh đã chọn" in intake
    rows = checkbox_ids(intake)
    assert rows[new] == "receive reject"
    assert bulk_options(intake) == ["receive", "reject"]
    distribution = get_ok(centre, "/phan-anh/phan-phoi/")
    assert checkbox_ids(distribution)[received] == "reject distribute"
    assert bulk_options(distribution) == ["reject", "distribute"]
    # A handler's queue offers "Thực hiện tiếp nhận" on its assigned reports.
    make_report(app, Status.ASSIGNED, unit=XD)
    handler_page = get_ok(login(app, "xd.xuly"), "/phan-anh/xu-ly/")
    assert "accept" in bulk_options(handler_page)
    # A follow-up unit marks its follow-ups done from "Thông tin theo dõi".
    followed = make_report(app, Status.ASSIGNED, unit=GTVT, follow=(XD,))
    follow_page = get_ok(login(app, "xd.xuly"), "/phan-anh/theo-doi/")
    assert checkbox_ids(follow_page)[followed] == "follow_done"
    # The viewer may act on nothing: no checkbox, no menu.
    viewer_page = get_ok(login(app, "theodoi"), "/phan-anh/tat-ca/")
    assert "bulk-check" not in viewer_page and "Thao tác với các phản ánh đã chọn" not in viewer_page


def post_step(client, page: str, **data):
    data.setdefault("csrf_token", csrf_token(page))
    return client.post("/phan-anh/thao-tac/", data=data)


def hidden_versions(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(version_\d+)" value="(\d+)">', page))


def test_web_distribute_three_steps_with_a_race_and_a_forged_id(app, second_operator):
    units, _, _ = ids(app)
    chosen = [make_report(app, Status.RECEIVED) for _ in range(3)]
    raced = make_report(app, Status.RECEIVED)
    centre = login(app, "trungtam")
    queue = get_ok(centre, "/phan-anh/phan-phoi/")
    selection = chosen + [raced, FORGED]

    # 1. The inputs: unit, follow-up units, note, once for all.
    inputs = post_step(centre, queue, action="distribute", ids=selection, buoc="chon",
                       quay_lai="/phan-anh/phan-phoi/")
    assert inputs.status_code == 200
    assert 'name="unit_id"' in inputs.text and 'name="follow_unit_ids"' in inputs.text
    assert "Thông tin dưới đây dùng chung cho 5 phản ánh đã chọn" in text_of(inputs.text)
    # Without a unit, the same page asks for it.
    missing = post_step(centre, inputs.text, action="distribute", ids=selection, buoc="xem-lai")
    assert missing.status_code == 400
    assert "Vui lòng nhập: Đơn vị xử lý." in text_of(missing.text)

    # 2. The confirmation: what will happen to which report; nothing changed yet.
    before = {rid: snapshot(app, rid) for rid in selection[:-1]}
    confirm = post_step(centre, inputs.text, action="distribute", ids=selection, buoc="xem-lai",
                        unit_id=str(units[GTVT]), content="Chuyển Sở GTVT xử lý.",
                        quay_lai="/phan-anh/phan-phoi/")
    assert confirm.status_code == 200
    shown = text_of(confirm.text)
    assert "Sẽ Phân phối 4/5 phản ánh đã chọn" in shown
    assert "Đơn vị xử lý: Sở Giao thông vận tải" in shown
    assert shown.count("Chờ phân phối → Chờ xử lý") == 4
    assert f"Mã #{FORGED}" in shown
    assert {rid: snapshot(app, rid) for rid in selection[:-1]} == before
    versions = hidden_versions(confirm.text)
    assert set(versions) == {f"version_{rid}" for rid in chosen + [raced]}

    # Someone else distributes one of them meanwhile.
    act_as(app, second_operator, raced, "distribute", unit_id=units[XD])
    after_race = snapshot(app, raced)

    # 3. The answer.
    done = post_step(centre, confirm.text, action="distribute", ids=selection, buoc="thuc-hien",
                     unit_id=str(units[GTVT]), content="Chuyển Sở GTVT xử lý.",
                     quay_lai="/phan-anh/phan-phoi/", **versions)
    assert done.status_code == 200
    page = text_of(done.text)
    assert "Phân phối: đã thực hiện 3/5 phản ánh, 2 phản ánh không thực hiện được" in page
    refused = dict(re.findall(r'<tr class="bulk-refused-row" data-id="(\d+)" data-status="(\d+)">',
                              done.text))
    assert refused == {str(raced): "409", str(FORGED): "404"}
    assert re.search(r"Phản ánh đã được người khác phân phối \(Võ Văn Tâm, " + WHEN + r"\)",
                     page)
    assert "Không tìm thấy phản ánh hoặc phản ánh không thuộc phạm vi bạn được xem." in page
    for rid in chosen:
        assert report(app, rid)["unit_id"] == units[GTVT]
        assert events(app, rid, "distribute") == 1
    assert snapshot(app, raced) == after_race
    assert 'href="/phan-anh/phan-phoi/"' in done.text


def test_web_steps_need_the_csrf_token_and_a_local_back_link(app):
    received = make_report(app, Status.RECEIVED)
    centre = login(app, "trungtam")
    before = snapshot(app, received)
    response = centre.post("/phan-anh/thao-tac/", data={
        "action": "reject", "ids": [received], "buoc": "thuc-hien", "reason": "x"})
    assert response.status_code == 400
    assert snapshot(app, received) == before
    queue = get_ok(centre, "/phan-anh/phan-phoi/")
    page = post_step(centre, queue, action="reject", ids=[received], buoc="chon",
                     quay_lai="https://example.com/")
    assert 'href="https://example.com/' not in page.text
    # An empty selection or an action not offered in bulk: 400, said in Vietnamese.
    empty = post_step(centre, queue, action="reject", buoc="chon")
    assert empty.status_code == 400
    assert "Vui lòng chọn ít nhất một phản ánh" in text_of(empty.text)
    other = post_step(centre, queue, action="submit", ids=[received], buoc="chon")
    assert other.status_code == 400
    assert snapshot(app, received) == before


def test_web_publish_goes_straight_to_the_confirmation(app):
    approved = make_report(app, Status.APPROVED)
    centre = login(app, "trungtam")
    queue = get_ok(centre, "/phan-anh/dang-tai/")
    assert "publish" in checkbox_ids(queue)[approved]
    confirm = post_step(centre, queue, action="publish", ids=[approved], buoc="chon",
                        quay_lai="/phan-anh/dang-tai/")
    shown = text_of(confirm.text)
    assert "Kết quả đăng tải: Nội dung thử nghiệm" in shown
    assert "Chờ đăng tải → Đã đăng tải" in shown
    done = post_step(centre, confirm.text, action="publish", ids=[approved], buoc="thuc-hien",
                     **hidden_versions(confirm.text))
    assert "Đăng tải kết quả: đã thực hiện 1/1 phản ánh." in text_of(done.text)
    assert report(app, approved)["status"] == "published"


def test_web_receive_keeps_each_reports_own_or_takes_the_chosen_field(app):
    units, fields, sources = ids(app)
    own = make_report(app, Status.NEW, field_id=fields["Giao thông"], source_id=sources["Tổng đài"])
    bare = make_report(app, Status.NEW, source_id=sources["Tổng đài"])
    centre = login(app, "trungtam")
    queue = get_ok(centre, "/phan-anh/tiep-nhan/")
    inputs = post_step(centre, queue, action="receive", ids=[own, bare], buoc="chon",
                       quay_lai="/phan-anh/tiep-nhan/")
    assert "— Giữ lĩnh vực của từng phản ánh —" in inputs.text
    assert "— Giữ nguồn của từng phản ánh —" in inputs.text
    confirm = post_step(centre, inputs.text, action="receive", ids=[own, bare], buoc="xem-lai",
                        field_id="", source_id="")
    shown = text_of(confirm.text)
    assert "Lĩnh vực: giữ lĩnh vực của từng phản ánh" in shown
    assert "Lĩnh vực: Giao thông; Nguồn: Tổng đài" in shown
    assert "Lĩnh vực: (chưa có — cần chọn); Nguồn: Tổng đài" in shown
    done = post_step(centre, confirm.text, action="receive", ids=[own, bare], buoc="thuc-hien",
                     field_id="", source_id="", **hidden_versions(confirm.text))
    page = text_of(done.text)
    assert "Tiếp nhận: đã thực hiện 1/2 phản ánh, 1 phản ánh không thực hiện được" in page
    assert "Vui lòng nhập: Lĩnh vực." in page
    assert report(app, own)["status"] == "received" and report(app, bare)["status"] == "new"
