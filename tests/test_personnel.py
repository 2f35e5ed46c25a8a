"""Personnel lists: import (web, CLI), bad rows, provisioning, sign-in, status, template, export."""
from __future__ import annotations

import itertools
import os
import subprocess
import sys

import pytest
from werkzeug.security import check_password_hash

from conftest import DEMO_PASSWORD, csrf_token, login, new_client
from personnel_files import (
    HANDLER, LEADER, cp1258, csv_bytes, database, passwords_on_page, read_xlsx,
    remove_units_since, unique_mobile, unit_ids, xlsx,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_units = itertools.count(1)


@pytest.fixture(scope="module", autouse=True)
def _units_made_here_are_removed(app):
    before = unit_ids(app)
    yield
    remove_units_since(app, before)


@pytest.fixture
def make_unit(app):
    """A fresh handling unit of its own for a test (``local`` or ``sso`` sign-in)."""
    from types import SimpleNamespace

    from app.models import Unit

    def make(login_method="local", kind="enterprise"):
        with database(app) as db:
            unit = Unit(name=f"Công ty thử nghiệm nhân sự số {next(_units)} ({login_method})",
                        kind=kind, login_method=login_method, active=True)
            db.session.add(unit)
            db.session.commit()
            return SimpleNamespace(id=unit.id, name=unit.name, login_method=login_method)

    return make


def run_import(app, filename, data, unit=None, **kwargs):
    """The import service in an application context of its own; returns plain results."""
    from types import SimpleNamespace

    from app.models import Unit
    from app.services.personnel import import_file

    with database(app) as db:
        result = import_file(filename, data, db.session.get(Unit, unit.id) if unit else None,
                             **kwargs)
        return SimpleNamespace(
            ok=result.ok, errors=result.errors, imported=result.imported, added=result.added,
            updated=result.updated, unchanged=result.unchanged, removed=result.removed,
            accounts=[(a.username, a.status, a.password) for a in result.accounts],
        )


def person(name, duty, email, title="Chuyên viên", mobile=None, tt=1):
    return [tt, name, title, mobile or unique_mobile(), email, duty]


def import_page(client, data: bytes, filename: str, unit_id: int = 0, replace: bool = True):
    from io import BytesIO

    page = client.get("/personnelview/import/")
    assert page.status_code == 200
    form = {"csrf_token": csrf_token(page.text), "unit": str(unit_id),
            "file": (BytesIO(data), filename)}
    if replace:
        form["replace"] = "y"
    return client.post("/personnelview/import/", data=form, content_type="multipart/form-data")


def people_of(db, unit):
    from app.models import Personnel

    db.session.expire_all()
    return {p.email: p for p in db.session.query(Personnel).filter_by(unit_id=unit.id)}


def emails_of(app, unit) -> set[str]:
    with database(app) as db:
        return set(people_of(db, unit))


# --- a good file, as a new administrator would import it -------------------------------------

def test_a_good_xlsx_in_the_letters_layout_is_imported_and_accounts_are_made(app, make_unit):
    from app.domain.workflow import Role

    unit = make_unit("local")
    data = xlsx([
        person("Trần Văn An", LEADER, "an.tv@vnpt-test.vn", title="Phó Giám đốc", tt=1),
        person("Lê Thị Bích", HANDLER, "bich.lt@vnpt-test.vn", tt=2),
        person("Phạm Minh Châu", HANDLER, "Chau.PM@VNPT-test.vn", tt=3),
    ])
    client = login(app, "quantri")
    response = import_page(client, data, "danh-sach.xlsx", unit.id)
    assert response.status_code == 200, response.text
    assert "thêm 3, cập nhật 0" in response.text
    assert response.headers["Cache-Control"] == "no-store"
    passwords = passwords_on_page(response.text)
    assert set(passwords) == {"an.tv@vnpt-test.vn", "bich.lt@vnpt-test.vn", "chau.pm@vnpt-test.vn"}
    assert "chỉ hiển thị một lần" in response.text

    with database(app) as db:
        people = people_of(db, unit)
        assert set(people) == set(passwords)
        leader = people["an.tv@vnpt-test.vn"]
        assert (leader.full_name, leader.title, leader.duty, leader.position_no) == (
            "Trần Văn An", "Phó Giám đốc", "leader", 1)
        assert leader.mobile.startswith("09") and leader.active
        assert leader.user.unit_id == unit.id and leader.user.must_change_password
        assert (leader.user.first_name, leader.user.last_name) == ("Trần Văn", "An")
        assert [r.name for r in leader.user.roles] == [Role.LEADER.value]
        handler = people["bich.lt@vnpt-test.vn"].user
        assert [r.name for r in handler.roles] == [Role.HANDLER.value]
        assert check_password_hash(handler.password, passwords["bich.lt@vnpt-test.vn"])
    for username, password in passwords.items():
        login(app, username, password)


def test_importing_the_same_file_twice_adds_nobody_and_makes_no_account(app, make_unit):
    from app.models import AppUser, Personnel

    unit = make_unit("local")
    rows = [person("Ngô Bảo Đăng", LEADER, "dang.nb@test-twice.vn"),
            person("Võ Thị Én", HANDLER, "en.vt@test-twice.vn", tt=2)]
    data = csv_bytes(rows)
    client = login(app, "quantri")
    first = import_page(client, data, "lan1.csv", unit.id)
    assert "thêm 2" in first.text and len(passwords_on_page(first.text)) == 2
    with database(app) as db:
        counts = db.session.query(Personnel).count(), db.session.query(AppUser).count()

    second = import_page(client, data, "lan2.csv", unit.id)
    assert second.status_code == 200
    assert "thêm 0, cập nhật 0, không đổi 2, gỡ khỏi danh sách 0" in second.text
    assert passwords_on_page(second.text) == {}
    with database(app) as db:
        assert (db.session.query(Personnel).count(), db.session.query(AppUser).count()) == counts


def test_the_letters_own_section_lines_give_the_duty_and_excel_numbers_keep_the_zero(app, make_unit):
    unit = make_unit("sso")
    header = ["TT", "Họ và tên", "Chức vụ", "Di động", "Email"]
    data = xlsx([
        [1, LEADER, None, None, None],
        [None, "Hoàng Văn Giang", "Giám đốc", 917400301, "giang.hv@so-test.gov.vn"],
        [2, HANDLER, None, None, None],
        [None, "Đinh Thị Hoa", "Chuyên viên", "0398.340.669", "hoa.dt@so-test.gov.vn"],
        [None, "Bùi Văn Khánh", "", "+84 91 740 0302", "khanh.bv@so-test.gov.vn"],
    ], header=header)
    result = run_import(app, "cong-van.xlsx", data, unit)
    assert result.ok, result.errors
    with database(app) as db:
        people = people_of(db, unit)
        assert people["giang.hv@so-test.gov.vn"].duty == "leader"
        assert people["giang.hv@so-test.gov.vn"].mobile == "0917400301"
        assert people["hoa.dt@so-test.gov.vn"].duty == "handler"
        assert people["hoa.dt@so-test.gov.vn"].mobile == "0398340669"
        assert people["khanh.bv@so-test.gov.vn"].duty == "handler"
    # An SSO unit: accounts, but no password to hand over.
    assert len(result.accounts) == 3 and all(p is None for _, _, p in result.accounts)


# --- bad files import nothing and say why, line by line ---------------------------------------

def test_a_bad_csv_imports_nothing_and_reports_every_bad_row_in_vietnamese(app, make_unit):
    from app.models import Personnel
    from app.services.personnel import parse

    unit = make_unit("local")
    other = make_unit("local")
    header = ["TT", "Họ và tên", "Chức vụ", "Di động", "Email", "Nhiệm vụ", "Đơn vị"]
    rows = [
        [1, "Người Tốt", "Giám đốc", unique_mobile(), "tot@bad-file.vn", LEADER, unit.name],    # line 2: good
        [2, "Nguyễn Sai Đơn Vị", "", unique_mobile(), "a@bad-file.vn", HANDLER, "Sở Không Có"],  # 3
        [3, "Trần Sai Số", "", "12345", "b@bad-file.vn", HANDLER, unit.name],                   # 4
        [4, "Lê Sai Thư", "", unique_mobile(), "khong-phai-email", HANDLER, unit.name],         # 5
        [5, "Phạm Trùng", "", unique_mobile(), "tot@bad-file.vn", HANDLER, unit.name],          # 6
        [6, "Võ Thiếu Nhiệm Vụ", "", unique_mobile(), "c@bad-file.vn", "", unit.name],         # 7
        [7, "Đỗ Sai Nhiệm Vụ", "", unique_mobile(), "d@bad-file.vn", "Bảo vệ", unit.name],      # 8
        [8, "", "Chuyên viên", unique_mobile(), "e@bad-file.vn", HANDLER, unit.name],           # 9
        [9, "Mai Thiếu Thư", "", unique_mobile(), "", HANDLER, other.name],                     # 10
        [10, "Hà Thiếu Số", "", "", "f@bad-file.vn", HANDLER, other.name],                      # 11
    ]
    data = csv_bytes(rows, header=header)
    with database(app) as db:
        before = db.session.query(Personnel).count()
    client = login(app, "quantri")
    response = import_page(client, data, "tong-hop.csv")
    assert response.status_code == 200 and "import-error-table" in response.text
    assert "chưa nhập dòng nào" in response.text
    with database(app) as db:
        assert db.session.query(Personnel).count() == before
        errors = parse("tong-hop.csv", data).errors
    by_line = {}
    for line, reason in errors:
        by_line.setdefault(line, []).append(reason)
    expected = {
        3: "Không tìm thấy đơn vị “Sở Không Có”",
        4: "Di động “12345”: Số điện thoại không hợp lệ",
        5: "Email “khong-phai-email”: Địa chỉ thư điện tử không hợp lệ",
        6: "Trùng người: email tot@bad-file.vn đã có ở dòng 2",
        7: "Thiếu nhiệm vụ",
        8: "Nhiệm vụ “Bảo vệ” không hợp lệ",
        9: "Thiếu họ và tên",
        10: "Thiếu email",
        11: "Thiếu số di động",
    }
    assert set(by_line) == set(expected)  # line 2 is good
    for line, text in expected.items():
        assert any(text in reason for reason in by_line[line]), (line, by_line[line])
        assert f"<td>{line}</td>" in response.text
        assert text.split("“")[0] in response.text


def test_a_bad_xlsx_reports_spreadsheet_line_numbers(app, make_unit):
    unit = make_unit("local")
    data = xlsx([
        person("Người Đúng", LEADER, "dung@xlsx-bad.vn"),
        person("Người Sai", HANDLER, "sai@@xlsx-bad.vn", tt=2),
    ])
    result = run_import(app, "sai.xlsx", data, unit)
    # Title line 1, blank line 2, header line 3: the people are on lines 4 and 5.
    assert [line for line, _ in result.errors] == [5]
    assert not result.imported and emails_of(app, unit) == set()


def test_a_person_already_registered_in_another_unit_is_a_bad_row(app, make_unit):
    first, second = make_unit("local"), make_unit("local")
    assert run_import(app, "a.csv", csv_bytes([person("Lý Đa Đơn Vị", HANDLER, "lyddv@test.vn"),
                                               person("Lãnh Đạo A", LEADER, "lda@test.vn")]), first).ok
    result = run_import(app, "b.csv", csv_bytes([person("Lý Đa Đơn Vị", HANDLER, "lyddv@test.vn")]), second)
    assert result.errors == [(2, f"Email lyddv@test.vn đã được đăng ký cho đơn vị “{first.name}”.")]
    assert emails_of(app, second) == set()


def test_an_administrators_email_cannot_become_a_unit_account(app, make_unit):
    from app.domain.workflow import Role
    from app.extensions import appbuilder

    with database(app):
        sm = appbuilder.sm
        if not sm.find_user(username="quantri2"):
            sm.add_user("quantri2", "Quản trị", "thứ hai", "quantri2@thuathienhue.gov.vn",
                        sm.find_role(Role.ADMIN.value), password="QuanTri2019x")
    unit = make_unit("local")
    result = run_import(app, "x.csv", csv_bytes([person("Giả Quản Trị", HANDLER,
                                                        "QuanTri2@thuathienhue.gov.vn")]), unit)
    assert len(result.errors) == 1 and "vai trò Quản trị hệ thống" in result.errors[0][1]
    assert emails_of(app, unit) == set()
    with database(app):
        appbuilder.sm.find_user(username="quantri2").active = False
        appbuilder.sm.session.commit()


def test_a_file_without_the_tables_columns_is_refused_as_a_whole(app, make_unit):
    unit = make_unit("local")
    result = run_import(app, "khac.csv", csv_bytes([["a", "b"]], header=["Cột 1", "Cột 2"]), unit)
    assert result.errors and result.errors[0][0] is None
    assert "Không tìm thấy dòng tiêu đề" in result.errors[0][1]
    result = run_import(app, "hong.xlsx", b"PK\x03\x04 not really a workbook", unit)
    assert "Không đọc được tệp Excel" in result.errors[0][1]


def test_a_semicolon_csv_in_windows_1258_with_a_unit_column_is_read(app, make_unit):
    unit = make_unit("local")
    header = ["STT", "Họ và tên", "Chức vụ", "Số điện thoại", "Email", "Nhiệm vụ", "Đơn vị"]
    rows = [[1, "Trương Văn Lâm", "Trưởng phòng", unique_mobile(), "lam.tv@cp1258.vn",
             "lãnh đạo phê duyệt", unit.name.upper()]]
    text = csv_bytes(rows, header=header, delimiter=";", encoding="utf-8").decode("utf-8")
    result = run_import(app, "excel.csv", cp1258(text))
    assert result.ok, result.errors
    with database(app) as db:
        saved = people_of(db, unit)["lam.tv@cp1258.vn"]
        assert (saved.full_name, saved.title, saved.duty) == ("Trương Văn Lâm", "Trưởng phòng", "leader")


# --- provisioning ---------------------------------------------------------------------------

def test_local_accounts_sign_in_with_the_generated_password_and_must_change_it(app, make_unit):
    from app.models import AppUser

    unit = make_unit("local")
    data = csv_bytes([person("Quách Thị Mai", HANDLER, "mai.qt@local-signin.vn"),
                      person("Tôn Thất Nam", LEADER, "nam.tt@local-signin.vn")])
    page = import_page(login(app, "quantri"), data, "ds.csv", unit.id)
    password = passwords_on_page(page.text)["mai.qt@local-signin.vn"]

    client = login(app, "mai.qt@local-signin.vn", password)
    home = client.get("/")
    assert home.status_code == 302 and "/resetmypassword/form" in home.headers["Location"]
    assert client.get("/personnelregistration/").status_code == 302
    api = client.get("/api/v1/unit/")
    assert api.status_code == 403 and "đổi mật khẩu" in api.json["message"]
    form_page = client.get(home.headers["Location"])
    assert form_page.status_code == 200 and "mật khẩu ban đầu" in form_page.text
    new_password = "MatKhauMoi2019"
    done = client.post("/resetmypassword/form", data={
        "password": new_password, "conf_password": new_password,
        "csrf_token": csrf_token(form_page.text)})
    assert done.status_code == 302
    assert client.get("/").status_code == 200

    with database(app) as db:
        user = db.session.query(AppUser).filter_by(username="mai.qt@local-signin.vn").one()
        assert not user.must_change_password
    login(app, "mai.qt@local-signin.vn", new_password)


def test_sso_unit_accounts_have_no_usable_password(app, make_unit):
    from app.extensions import appbuilder

    unit = make_unit("sso")
    result = run_import(app, "sso.csv", csv_bytes([person("Kiều Văn Oanh", HANDLER, "oanh.kv@sso-unit.gov.vn")]), unit)
    assert result.ok and result.accounts == [("oanh.kv@sso-unit.gov.vn", "created", None)]
    with database(app) as db:
        user = people_of(db, unit)["oanh.kv@sso-unit.gov.vn"].user
        assert user.active and not user.must_change_password
        for guess in ("", "oanh.kv@sso-unit.gov.vn", DEMO_PASSWORD):
            assert not check_password_hash(user.password, guess)
        # Even a password an administrator sets does not open the password form for them.
        appbuilder.sm.reset_password(user.id, "DatBoiQuanTri1")
        username = user.username
    client = new_client(app)
    page = client.get("/login/")
    response = client.post("/login/", data={"username": username, "password": "DatBoiQuanTri1",
                                            "csrf_token": csrf_token(page.text)},
                           follow_redirects=True)
    assert response.request.path == "/login/"
    assert "Đăng nhập một lần (SSO)" in response.text
    api = new_client(app).post("/api/v1/security/login", json={
        "username": username, "password": "DatBoiQuanTri1", "provider": "db", "refresh": False})
    assert api.status_code == 401


def test_a_person_removed_from_the_list_has_the_account_locked_not_deleted(app, make_unit):
    from app.models import AppUser, Report, ReportEvent

    unit = make_unit("local")
    keep = person("Lâm Văn Phúc", LEADER, "phuc.lv@removed.vn")
    leave = person("Mạc Thị Quyên", HANDLER, "quyen.mt@removed.vn", tt=2)
    first = run_import(app, "ds1.csv", csv_bytes([keep, leave]), unit)
    password = {u: p for u, _, p in first.accounts}["quyen.mt@removed.vn"]
    with database(app) as db:
        user_id = people_of(db, unit)["quyen.mt@removed.vn"].user_id
        # The handler wrote in an exchange log before leaving.
        report = Report(title="Phản ánh thử", content="Nội dung", status="new")
        db.session.add(report)
        db.session.flush()
        db.session.add(ReportEvent(report_id=report.id, actor_id=user_id, actor_name="Mạc Thị Quyên",
                                   action="comment", content="Đã kiểm tra"))
        db.session.commit()
        report_id = report.id

    second = run_import(app, "ds2.csv", csv_bytes([keep]), unit)
    assert second.ok and second.removed == 1
    assert second.accounts == [("quyen.mt@removed.vn", "deactivated", None)]
    with database(app) as db:
        people = people_of(db, unit)
        assert not people["quyen.mt@removed.vn"].active and people["phuc.lv@removed.vn"].active
        user = db.session.get(AppUser, user_id)
        assert user is not None and not user.active
        assert db.session.query(ReportEvent).filter_by(actor_id=user_id).count() == 1

    client = new_client(app)
    page = client.get("/login/")
    refused = client.post("/login/", data={"username": "quyen.mt@removed.vn", "password": password,
                                           "csrf_token": csrf_token(page.text)})
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]

    # Back on the list: the same account is opened again.
    third = run_import(app, "ds3.csv", csv_bytes([keep, leave]), unit)
    assert third.accounts == [("quyen.mt@removed.vn", "reactivated", None)]
    with database(app) as db:
        assert db.session.get(AppUser, user_id).active
    login(app, "quyen.mt@removed.vn", password)
    with database(app) as db:  # the report is only this test's: out of the others' queues
        db.session.query(ReportEvent).filter_by(report_id=report_id).delete()
        # Through the session, not a bulk delete: the kept report counts follow it.
        db.session.delete(db.session.get(Report, report_id))
        db.session.commit()


def test_adding_a_person_in_the_web_form_makes_the_account_and_shows_the_password(app, make_unit):
    unit = make_unit("local")
    client = login(app, "quantri")
    page = client.get("/personnelview/add")
    assert page.status_code == 200
    response = client.post("/personnelview/add", data={
        "unit": str(unit.id), "position_no": "1", "full_name": "Từ Văn Sang", "title": "Trưởng phòng",
        "mobile": "0917 400 303", "email": "Sang.TV@web-form.vn", "duty": "leader", "active": "y",
        "csrf_token": csrf_token(page.text)})
    assert response.status_code == 200, response.headers.get("Location")
    passwords = passwords_on_page(response.text)
    assert list(passwords) == ["sang.tv@web-form.vn"]
    login(app, "sang.tv@web-form.vn", passwords["sang.tv@web-form.vn"])
    with database(app) as db:
        saved = people_of(db, unit)["sang.tv@web-form.vn"]
        assert saved.mobile == "0917400303" and saved.user.unit_id == unit.id

    # The same e-mail in another unit is refused by the form.
    other = make_unit("local")
    page = client.get("/personnelview/add")
    refused = client.post("/personnelview/add", data={
        "unit": str(other.id), "full_name": "Từ Văn Sang", "mobile": "0917400303",
        "email": "sang.tv@web-form.vn", "duty": "handler", "active": "y",
        "csrf_token": csrf_token(page.text)})
    assert refused.status_code == 200
    assert "đã được đăng ký cho đơn vị" in refused.text
    assert emails_of(app, other) == set()


def test_new_passwords_action_for_a_local_unit(app, make_unit):
    unit = make_unit("local")
    run_import(app, "ds.csv", csv_bytes([person("Ưng Văn Tài", HANDLER, "tai.uv@newpass.vn")]), unit)
    with database(app) as db:
        person_id = people_of(db, unit)["tai.uv@newpass.vn"].id
    client = login(app, "quantri")
    listing = client.get("/personnelview/list/")
    response = client.post("/personnelview/action_post", data={
        "action": "newpassword", "rowid": [str(person_id)], "csrf_token": csrf_token(listing.text)})
    assert response.status_code == 200
    password = passwords_on_page(response.text)["tai.uv@newpass.vn"]
    login(app, "tai.uv@newpass.vn", password)


# --- registration status --------------------------------------------------------------------

def test_registration_status_shows_units_without_a_leader_and_a_handler(app, make_unit):
    from app.services.personnel import registration_status

    unit = make_unit("sso")

    def state():
        with database(app):
            return {r.unit.name: r.missing for r in registration_status()}[unit.name]

    assert state() == "Chưa đăng ký"
    run_import(app, "l.csv", csv_bytes([person("Văn Lãnh Đạo", LEADER, "ld@status.gov.vn")]), unit,
               replace=False)
    assert state() == "Thiếu Cán bộ xử lý"
    centre = login(app, "trungtam")
    page = centre.get("/personnelregistration/")
    assert page.status_code == 200
    assert unit.name in page.text and "Thiếu Cán bộ xử lý" in page.text
    run_import(app, "h.csv", csv_bytes([person("Văn Xử Lý", HANDLER, "xl@status.gov.vn")]), unit,
               replace=False)
    assert state() == "Đã đăng ký đủ"
    assert unit.name not in centre.get("/personnelregistration/").text
    assert unit.name in centre.get("/personnelregistration/?all=1").text
    with database(app):
        # The centre is not a unit that registers people.
        assert "Trung tâm Giám sát, điều hành đô thị thông minh" not in {
            r.unit.name for r in registration_status()}


def _refused(response) -> bool:
    """FAB refuses a signed-in person without the permission (403) or sends them to log in."""
    return response.status_code == 403 or (
        response.status_code == 302 and "/login" in response.headers["Location"])


@pytest.mark.parametrize("username", ["gtvt.xuly", "gtvt.lanhdao", "theodoi"])
def test_units_and_viewers_do_not_see_the_personnel_pages(app, username):
    client = login(app, username)
    for url in ("/personnelview/list/", "/personnelregistration/", "/personnelview/export/",
                "/personnelview/import/", "/personnelview/template/"):
        assert _refused(client.get(url)), url


def test_the_centre_reads_and_exports_but_does_not_import(app):
    client = login(app, "trungtam")
    assert client.get("/personnelview/list/").status_code == 200
    assert client.get("/personnelview/export/?format=csv").status_code == 200
    assert _refused(client.get("/personnelview/import/"))
    assert _refused(client.get("/personnelview/add"))


# --- template and export --------------------------------------------------------------------

def test_the_downloaded_template_filled_in_is_importable(app, make_unit):
    import io

    from openpyxl import load_workbook

    unit = make_unit("local")
    client = login(app, "quantri")
    response = client.get(f"/personnelview/template/?unit_id={unit.id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["TT", "Họ và tên", "Chức vụ", "Di động", "Email",
                                           "Nhiệm vụ", "Đơn vị"]
    assert "Hướng dẫn" in book.sheetnames
    sheet["B2"], sheet["D2"], sheet["E2"] = "Châu Văn Út", "0905849299", "ut.cv@template.vn"
    sheet["B3"], sheet["D3"], sheet["E3"] = "Lò Thị Vân", "0949353136", "van.lt@template.vn"
    out = io.BytesIO()
    book.save(out)
    result = import_page(client, out.getvalue(), "mau-da-dien.xlsx")
    assert "thêm 2" in result.text, result.text
    with database(app) as db:
        people = people_of(db, unit)
        assert people["ut.cv@template.vn"].duty == "leader"
        assert people["van.lt@template.vn"].duty == "handler"
    csv_template = client.get("/personnelview/template/?format=csv")
    assert csv_template.data.startswith(b"\xef\xbb\xbf")
    assert "Họ và tên" in csv_template.data.decode("utf-8-sig")


def test_the_exported_lists_contain_the_people_and_import_again(app, make_unit):
    unit = make_unit("local")
    run_import(app, "ds.csv", csv_bytes([person("Xa Văn Xuân", LEADER, "xuan.xv@export.vn"),
                                         person("Yên Thị Yến", HANDLER, "yen.yt@export.vn", tt=2)]), unit)
    client = login(app, "quantri")
    sheet = read_xlsx(client.get(f"/personnelview/export/?unit_id={unit.id}").data)
    assert sheet[0][:7] == ["TT", "Họ và tên", "Chức vụ", "Di động", "Email", "Nhiệm vụ", "Đơn vị"]
    assert [row[1] for row in sheet[1:]] == ["Xa Văn Xuân", "Yên Thị Yến"]
    assert sheet[1][5] == LEADER and sheet[1][6] == unit.name and sheet[1][7] == "xuan.xv@export.vn"
    exported = client.get(f"/personnelview/export/?unit_id={unit.id}&format=csv")
    assert exported.data.startswith(b"\xef\xbb\xbf")
    assert "Yên Thị Yến" in exported.data.decode("utf-8-sig")
    again = run_import(app, "xuat.csv", exported.data)
    assert again.ok and (again.added, again.updated, again.unchanged) == (0, 0, 2)


# --- the command line -----------------------------------------------------------------------

def _flask(*args):
    env = {**os.environ, "FLASK_APP": "app"}
    return subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_import_command_prints_the_passwords_and_imports_nothing_from_a_bad_file(app, make_unit, tmp_path):
    unit = make_unit("local")
    good = tmp_path / "danh-sach.xlsx"
    good.write_bytes(xlsx([person("Âu Văn Bảo", LEADER, "bao.av@cli.vn"),
                           person("Ông Thị Cúc", HANDLER, "cuc.ot@cli.vn", tt=2)]))
    done = _flask("personnel", "import", str(good), "--unit", unit.name)
    assert done.returncode == 0, done.stderr
    assert "thêm 2" in done.stdout
    lines = [line for line in done.stdout.splitlines() if "cuc.ot@cli.vn" in line]
    assert len(lines) == 1
    password = lines[0].split("mật khẩu: ")[1].split(" |")[0]
    login(app, "cuc.ot@cli.vn", password)

    again = _flask("personnel", "import", str(good), "--unit", unit.name)
    assert again.returncode == 0 and "thêm 0, cập nhật 0, không đổi 2" in again.stdout
    assert "mật khẩu: " not in again.stdout

    bad = tmp_path / "sai.csv"
    bad.write_bytes(csv_bytes([person("Người Mới", HANDLER, "moi@cli.vn"),
                               person("Sai Số", HANDLER, "saiso@cli.vn", mobile="0123")]))
    refused = _flask("personnel", "import", str(bad), "--unit", unit.name)
    assert refused.returncode != 0
    assert "Dòng 3: Di động “0123”" in refused.stderr and "chưa nhập dòng nào" in refused.stderr
    assert "moi@cli.vn" not in emails_of(app, unit)

    unknown = _flask("personnel", "import", str(good), "--unit", "Đơn vị không tồn tại")
    assert unknown.returncode != 0 and "Không tìm thấy đơn vị" in unknown.stderr

    status = _flask("personnel", "status")
    assert status.returncode == 0 and "đơn vị đã đăng ký đủ" in status.stdout
    exported = tmp_path / "xuat.csv"
    out = _flask("personnel", "export", str(exported), "--unit", unit.name)
    assert out.returncode == 0 and "cuc.ot@cli.vn" in exported.read_text(encoding="utf-8-sig")


def test_a_consolidated_file_moves_a_person_between_its_units_with_the_same_account(app, make_unit):
    first, second = make_unit("local"), make_unit("sso")
    header = ["TT", "Họ và tên", "Chức vụ", "Di động", "Email", "Nhiệm vụ", "Đơn vị"]
    mover = ["Ninh Văn Chuyển", "Chuyên viên", "0917400355", "chuyen.nv@move.vn"]
    before = [[1, "Lãnh Đạo Một", "", unique_mobile(), "ld1@move.vn", LEADER, first.name],
              [2, *mover, HANDLER, first.name],
              [1, "Lãnh Đạo Hai", "", unique_mobile(), "ld2@move.vn", LEADER, second.name]]
    assert run_import(app, "tong-hop-1.csv", csv_bytes(before, header=header)).ok
    with database(app) as db:
        user_id = people_of(db, first)["chuyen.nv@move.vn"].user_id
    after = [before[0], before[2], [2, *mover, HANDLER, second.name]]
    result = run_import(app, "tong-hop-2.csv", csv_bytes(after, header=header))
    assert result.ok, result.errors
    with database(app) as db:
        assert not people_of(db, first)["chuyen.nv@move.vn"].active
        moved = people_of(db, second)["chuyen.nv@move.vn"]
        assert moved.active and moved.user_id == user_id
        assert moved.user.unit_id == second.id and moved.user.active
        assert people_of(db, first)["chuyen.nv@move.vn"].user_id is None


def test_a_password_set_by_an_administrator_must_be_changed_by_its_owner(app, make_unit):
    from app.models import AppUser

    unit = make_unit("local")
    run_import(app, "ds.csv", csv_bytes([person("Giáp Văn Đặt", HANDLER, "dat.gv@reset.vn")]), unit)
    with database(app) as db:
        user = db.session.query(AppUser).filter_by(username="dat.gv@reset.vn").one()
        user.must_change_password = False
        db.session.commit()
        user_id = user.id
    admin = login(app, "quantri")
    page = admin.get(f"/resetpassword/form?pk={user_id}")
    assert page.status_code == 200
    done = admin.post(f"/resetpassword/form?pk={user_id}", data={
        "password": "DoQuanTriDat1", "conf_password": "DoQuanTriDat1",
        "csrf_token": csrf_token(page.text)})
    assert done.status_code == 302
    with database(app) as db:
        assert db.session.get(AppUser, user_id).must_change_password
    client = login(app, "dat.gv@reset.vn", "DoQuanTriDat1")
    assert "/resetmypassword/form" in client.get("/").headers["Location"]
