"""The administrators' data console (Flask-Admin at /admin/): access, CSRF, Vietnamese, audit, export."""
from __future__ import annotations

import html
import io
import json
import os
import re

import pytest
from openpyxl import load_workbook

from conftest import csrf_token, login, new_client
from personnel_files import (
    HANDLER, LEADER, csv_bytes, database, remove_units_since, unique_mobile, unit_ids,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NON_ADMINS = ["trungtam", "gtvt.xuly", "gtvt.lanhdao", "tttt.xuly", "tttt.lanhdao", "xd.xuly",
              "theodoi"]
PAGES = ["/admin/", "/admin/unit/", "/admin/field/", "/admin/source/", "/admin/workday/",
         "/admin/personnel/", "/admin/event/", "/admin/audit/", "/admin/report/", "/admin/user/",
         "/admin/role/"]


@pytest.fixture(scope="module", autouse=True)
def _units_made_here_are_removed(app):
    before = unit_ids(app)
    yield
    remove_units_since(app, before)


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "\n", page))


def audit_rows(db, table: str, row_id, since: int = 0) -> list:
    """Entries about one row, after entry ``since`` (SQLite reuses the ids of deleted rows)."""
    from app.models import AuditLog

    db.session.expire_all()
    return (db.session.query(AuditLog)
            .filter(AuditLog.table_name == table, AuditLog.row_id == str(row_id),
                    AuditLog.id > since).order_by(AuditLog.id).all())


def last_audit_id(db) -> int:
    from sqlalchemy import func

    from app.models import AuditLog

    return db.session.query(func.max(AuditLog.id)).scalar() or 0


# --- who may open it ------------------------------------------------------------------------

def test_nobody_signed_in_is_sent_to_the_login_page(app):
    client = new_client(app)
    for url in PAGES + ["/admin/unit/new/", "/admin/unit/export/csv/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login/" in response.headers["Location"] and "next=" in response.headers["Location"]


@pytest.mark.parametrize("username", NON_ADMINS)
def test_every_other_role_is_refused(app, username):
    from app.models import Source

    client = login(app, username)
    for url in PAGES + ["/admin/unit/export/xlsx/", "/admin/audit/details/?id=1"]:
        response = client.get(url)
        assert response.status_code == 403, (username, url)
        assert "Không có quyền truy cập" in response.text
    # Writing is refused too, with a valid CSRF token of the person's own session.
    token = csrf_token(client.get("/userinfoeditview/form").text)
    response = client.post("/admin/source/new/", data={"name": f"Nguồn của {username}",
                                                       "channel": "other", "csrf_token": token})
    assert response.status_code == 403
    with database(app) as db:
        assert db.session.query(Source).filter_by(name=f"Nguồn của {username}").count() == 0
    # And the FAB menu offers no way in.
    assert "/dataconsole/" not in client.get("/").text
    assert client.get("/dataconsole/").status_code in (302, 403)


def test_the_administrator_walks_through_every_page_in_vietnamese(app):
    client = login(app, "quantri")
    assert "/dataconsole/" in client.get("/").text
    assert client.get("/dataconsole/").headers["Location"].endswith("/admin/")
    english = re.compile(r"\b(Save|Cancel|Filter|Search|items|Create|Delete|Export|List|Add Filter|"
                         r"With selected|Record|Home|Details|Edit|Empty|Yes|No)\b")
    for url in PAGES + ["/admin/unit/new/", "/admin/personnel/new/", "/admin/workday/new/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.text)
        assert not english.findall(text), (url, english.findall(text))
        for wrong in ("Kỷ lục", "kỷ lục", "mặt hàng", "hồ sơ", "sản phẩm"):
            assert wrong not in response.text, (url, wrong)
    listing = visible_text(client.get("/admin/unit/").text)
    assert "20 bản ghi" in listing and "Với các bản ghi đã chọn" in listing
    first_unit = re.search(r"/admin/unit/details/\?id=(\d+)", client.get("/admin/unit/").text)
    details = client.get(f"/admin/unit/details/?id={first_unit.group(1)}")
    assert details.status_code == 200 and "Tên đơn vị" in details.text


def test_our_flask_admin_catalogue_has_no_wrong_words():
    from babel.messages.pofile import read_po

    with open(os.path.join(ROOT, "translations/vi/LC_MESSAGES/admin.po"), "rb") as f:
        catalogue = read_po(f)
    strings = [m.string if isinstance(m.string, str) else " ".join(m.string)
               for m in catalogue if m.id]
    assert len(strings) > 100 and all(strings)
    for wrong in ("Kỷ lục", "kỷ lục", "mặt hàng", "hồ sơ", "Hồ Sơ", "sản phẩm"):
        assert not [s for s in strings if wrong in s], wrong
    assert catalogue["Record was successfully created."].string == "Đã tạo bản ghi."
    assert catalogue["items"].string == "bản ghi"
    assert os.path.getmtime(os.path.join(ROOT, "translations/vi/LC_MESSAGES/admin.mo")) >= \
        os.path.getmtime(os.path.join(ROOT, "translations/vi/LC_MESSAGES/admin.po")) - 1


# --- forms: Flask-WTF, one CSRF token, refused without it ----------------------------------

def test_creating_in_the_console_needs_the_csrf_token_and_is_audited(app):
    from app.models import Source

    with database(app) as db:
        since = last_audit_id(db)
    client = login(app, "quantri")
    page = client.get("/admin/source/new/")
    assert page.text.count('name="csrf_token"') == 1  # Flask-WTF's, not a second SecureForm one
    refused = client.post("/admin/source/new/", data={"name": "Nguồn thử không mã", "channel": "other"})
    assert refused.status_code == 400 and "CSRF" in refused.text
    created = client.post("/admin/source/new/", data={
        "name": "Nguồn thử bảng dữ liệu", "channel": "portal", "active": "y",
        "csrf_token": csrf_token(page.text)}, follow_redirects=True)
    assert created.status_code == 200 and "Đã tạo bản ghi." in created.text
    with database(app) as db:
        assert db.session.query(Source).filter_by(name="Nguồn thử không mã").count() == 0
        source = db.session.query(Source).filter_by(name="Nguồn thử bảng dữ liệu").one()
        (entry,) = audit_rows(db, "source", source.id, since)
        assert (entry.operation, entry.actor_name, entry.before) == ("insert", "quantri", None)
        assert json.loads(entry.after)["channel"] == "portal"
        assert "api_key" in json.loads(entry.after)
        db.session.delete(source)  # other modules count the five sources of the letter
        db.session.commit()
        assert audit_rows(db, "source", source.id)[-1].operation == "delete"


def test_inline_editing_needs_the_csrf_token_validates_and_is_audited(app):
    from app.models import Unit

    with database(app) as db:
        unit = db.session.query(Unit).filter_by(name="Sở Tư pháp").one()
        unit_id, old_phone = unit.id, unit.phone
    client = login(app, "quantri")
    listing = client.get("/admin/unit/")
    token = re.search(r'data-csrf="([^"]+)"', listing.text).group(1)
    url = "/admin/unit/ajax/update/"
    assert client.post(url, data={"list_form_pk": unit_id, "phone": "02343.821234"}).status_code == 400
    bad = client.post(url, data={"list_form_pk": unit_id, "phone": "12345", "csrf_token": token})
    assert bad.status_code == 500 and "Số điện thoại không hợp lệ" in bad.text
    good = client.post(url, data={"list_form_pk": unit_id, "phone": "02343.821234", "csrf_token": token})
    assert good.status_code == 200 and good.text == "Đã lưu bản ghi."
    with database(app) as db:
        assert db.session.get(Unit, unit_id).phone == "02343821234"
        entry = audit_rows(db, "unit", unit_id)[-1]
        assert (entry.operation, entry.actor_name) == ("update", "quantri")
        before, after = json.loads(entry.before), json.loads(entry.after)
        assert (before["phone"], after["phone"]) == (old_phone, "02343821234")
        assert before["name"] == after["name"] == "Sở Tư pháp"
    audit_page = client.get("/admin/audit/?sort=0&desc=1")
    assert "02343821234" in audit_page.text


def test_bulk_actions_on_a_catalogue(app):
    from app.models import Field

    with database(app) as db:
        fields = [Field(name=f"Lĩnh vực thử hàng loạt {n}", handling_days=5, active=True) for n in (1, 2)]
        db.session.add_all(fields)
        db.session.commit()
        ids = [f.id for f in fields]
    client = login(app, "quantri")
    listing = client.get("/admin/field/")
    token = csrf_token(listing.text)
    without = client.post("/admin/field/action/", data={"action": "deactivate", "rowid": ids})
    assert without.status_code == 400
    done = client.post("/admin/field/action/", data={
        "action": "deactivate", "rowid": [str(i) for i in ids], "csrf_token": token},
        follow_redirects=True)
    assert "Đã ngừng sử dụng 2 bản ghi." in done.text
    with database(app) as db:
        assert [db.session.get(Field, i).active for i in ids] == [False, False]
        for i in ids:
            entry = audit_rows(db, "field", i)[-1]
            assert json.loads(entry.before)["active"] is True and json.loads(entry.after)["active"] is False
            db.session.delete(db.session.get(Field, i))
        db.session.commit()


def test_a_workday_exception_is_entered_as_dd_mm_yyyy(app):
    import datetime as dt

    from app.models import WorkdayException

    client = login(app, "quantri")
    page = client.get("/admin/workday/new/")
    response = client.post("/admin/workday/new/", data={
        "day": "02/05/2026", "is_working_day": "y", "note": "Làm bù theo thông báo thử",
        "csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    with database(app) as db:
        row = db.session.query(WorkdayException).filter_by(day=dt.date(2026, 5, 2)).one()
        assert row.is_working_day
    assert "02/05/2026" in client.get("/admin/workday/").text
    with database(app) as db:
        db.session.delete(db.session.query(WorkdayException).filter_by(day=dt.date(2026, 5, 2)).one())
        db.session.commit()


# --- the audit log: one hook for every screen -----------------------------------------------

def test_a_catalogue_change_in_fab_views_is_audited_with_its_author(app):
    from app.models import Unit

    with database(app) as db:
        unit = db.session.query(Unit).filter_by(name="Sở Y tế").one()
        unit_id, data = unit.id, {"name": unit.name, "kind": unit.kind,
                                  "login_method": unit.login_method}
    client = login(app, "trungtam")
    page = client.get(f"/unitview/edit/{unit_id}")
    response = client.post(f"/unitview/edit/{unit_id}", data={
        **data, "phone": "0234 3822 888", "email": "syt@thuathienhue.gov.vn", "active": "y",
        "csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    with database(app) as db:
        entry = audit_rows(db, "unit", unit_id)[-1]
        assert (entry.operation, entry.actor_name) == ("update", "trungtam")
        assert json.loads(entry.after)["email"] == "syt@thuathienhue.gov.vn"
        assert "updated_at" not in json.loads(entry.after)


def test_personnel_accounts_and_roles_are_audited_and_passwords_never_copied(app):
    from app.extensions import appbuilder
    from app.models import AuditLog, Personnel, Unit
    from app.services.personnel import import_file

    with database(app) as db:
        unit = Unit(name="Công ty thử nghiệm nhật ký quản trị", kind="enterprise",
                    login_method="local", active=True)
        db.session.add(unit)
        db.session.commit()
        since = last_audit_id(db)
        rows = [[1, "Doãn Văn Ghi", "", unique_mobile(), "ghi.dv@audit.vn", LEADER],
                [2, "Doãn Thị Chép", "", unique_mobile(), "chep.dt@audit.vn", HANDLER]]
        result = import_file("ds.csv", csv_bytes(rows), unit)
        assert result.ok
        password = result.accounts[0].password
        person = db.session.query(Personnel).filter_by(email="ghi.dv@audit.vn").one()
        # The row, then its link to the account made for it (same transaction).
        p_insert, p_link = audit_rows(db, "personnel", person.id, since)
        assert p_insert.operation == "insert"
        assert json.loads(p_insert.after)["full_name"] == "Doãn Văn Ghi"
        assert p_insert.actor_name == "Dòng lệnh (flask)"
        assert (json.loads(p_link.before)["user_id"], json.loads(p_link.after)["user_id"]) == (
            None, person.user_id)
        user_entries = audit_rows(db, "ab_user", person.user_id, since)
        assert user_entries[0].operation == "insert"
        after = json.loads(user_entries[0].after)
        assert after["roles"] == ["Lãnh đạo phê duyệt"] and after["password"] == "******"
        assert password not in user_entries[0].after
        for entry in db.session.query(AuditLog).filter_by(table_name="ab_user"):
            assert "scrypt" not in (entry.after or "") and "pbkdf2" not in (entry.after or "")

        role = appbuilder.sm.add_role("Vai trò thử nhật ký")
        (r_insert,) = audit_rows(db, "ab_role", role.id, since)
        assert r_insert.operation == "insert"
        role.permissions = [appbuilder.sm.find_permission_view_menu("can_list", "Unit")]
        db.session.commit()
        r_update = audit_rows(db, "ab_role", role.id)[-1]
        assert json.loads(r_update.before)["permissions"] == []
        assert json.loads(r_update.after)["permissions"] == ["can_list trên Unit"]
        db.session.delete(role)
        db.session.commit()
        assert audit_rows(db, "ab_role", role.id)[-1].operation == "delete"
    # Sign-in counters are not administrative changes.
    with database(app) as db:
        count = db.session.query(AuditLog).filter_by(table_name="ab_user").count()
    login(app, "trungtam")
    with database(app) as db:
        assert db.session.query(AuditLog).filter_by(table_name="ab_user").count() == count


def test_a_rolled_back_change_leaves_no_audit_entry(app):
    from app.models import AuditLog, Source

    with database(app) as db:
        before = db.session.query(AuditLog).count()
        db.session.add(Source(name="Nguồn sẽ bị hủy", channel="other", active=True))
        db.session.flush()
        assert db.session.query(AuditLog).count() == before + 1
        db.session.rollback()
        assert db.session.query(AuditLog).count() == before


def test_the_logs_are_read_only(app):
    from app.models import AuditLog, ReportEvent

    client = login(app, "quantri")
    with database(app) as db:
        entry_id = db.session.query(AuditLog.id).order_by(AuditLog.id).first()[0]
        count = db.session.query(AuditLog).count()
        event_count = db.session.query(ReportEvent).count()
    listing = client.get("/admin/audit/")
    assert 'name="csrf_token"' not in listing.text  # no form at all: nothing to send
    assert "/admin/audit/edit/" not in listing.text and "/admin/audit/new/" not in listing.text
    token = csrf_token(client.get("/admin/unit/").text)
    client.post("/admin/audit/delete/", data={"id": entry_id, "csrf_token": token})
    client.post("/admin/audit/action/", data={"action": "delete", "rowid": [entry_id],
                                              "csrf_token": token})
    client.post(f"/admin/audit/edit/?id={entry_id}", data={"actor_name": "x", "csrf_token": token})
    client.post("/admin/event/delete/", data={"id": 1, "csrf_token": token})
    with database(app) as db:
        assert db.session.get(AuditLog, entry_id).actor_name != "x"
        assert db.session.query(AuditLog).count() >= count
        assert db.session.query(ReportEvent).count() == event_count
    details = client.get(f"/admin/audit/details/?id={entry_id}")
    assert details.status_code == 200 and "Người thực hiện" in details.text


# --- the personnel list in the console follows the accounts ---------------------------------

def test_editing_a_person_in_the_console_updates_the_account(app):
    from app.models import AppUser, Personnel, Unit
    from app.services.personnel import import_file

    with database(app) as db:
        unit = Unit(name="Cơ quan thử nghiệm bảng dữ liệu", kind="department",
                    login_method="sso", active=True)
        db.session.add(unit)
        db.session.commit()
        rows = [[1, "Khúc Văn Đổi", "", unique_mobile(), "doi.kv@console.gov.vn", HANDLER]]
        assert import_file("ds.csv", csv_bytes(rows), unit).ok
        person = db.session.query(Personnel).filter_by(email="doi.kv@console.gov.vn").one()
        person_id, user_id = person.id, person.user_id
    client = login(app, "quantri")
    token = re.search(r'data-csrf="([^"]+)"', client.get("/admin/personnel/").text).group(1)
    promoted = client.post("/admin/personnel/ajax/update/", data={
        "list_form_pk": person_id, "duty": "leader", "csrf_token": token})
    assert promoted.status_code == 200, promoted.text
    with database(app) as db:
        assert [r.name for r in db.session.get(AppUser, user_id).roles] == ["Lãnh đạo phê duyệt"]
    removed = client.post("/admin/personnel/ajax/update/", data={
        "list_form_pk": person_id, "active": "", "csrf_token": token})
    assert removed.status_code == 200
    with database(app) as db:
        assert not db.session.get(AppUser, user_id).active
        assert db.session.get(Personnel, person_id) is not None


# --- export of any table ------------------------------------------------------------------------

@pytest.mark.parametrize("view, header, expected", [
    ("unit", "Tên đơn vị", "Sở Xây dựng"),
    ("field", "Tên lĩnh vực", None),
    ("source", "Tên nguồn", None),
    ("personnel", "Họ và tên", None),
    ("audit", "Người thực hiện", "quantri"),
    ("event", "Thao tác", None),
    ("user", "Tên đăng nhập", "trungtam"),
    ("role", "Vai trò", "Quản trị hệ thống"),
    ("report", "Tiêu đề", None),
    ("workday", "Ngày", None),
])
def test_every_table_exports_to_csv_and_xlsx(app, view, header, expected):
    client = login(app, "quantri")
    as_csv = client.get(f"/admin/{view}/export/csv/")
    assert as_csv.status_code == 200 and as_csv.headers["Content-Type"].startswith("text/csv")
    assert as_csv.data.startswith(b"\xef\xbb\xbf")
    text = as_csv.data.decode("utf-8-sig")
    assert header in text.splitlines()[0]
    if expected:
        assert expected in text
    as_xlsx = client.get(f"/admin/{view}/export/xlsx/")
    assert as_xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(as_xlsx.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert header in rows[0]
    if expected:
        assert any(expected in str(cell) for row in rows[1:] for cell in row if cell)
    assert "attachment" in as_xlsx.headers["Content-Disposition"]


def test_exports_show_dates_as_dd_mm_yyyy_and_hide_secrets(app):
    client = login(app, "quantri")
    text = client.get("/admin/audit/export/csv/").data.decode("utf-8-sig")
    first = text.splitlines()[1]
    assert re.match(r'^"?\d{2}/\d{2}/\d{4} \d{2}:\d{2}', first), first
    users = client.get("/admin/user/export/csv/").data.decode("utf-8-sig")
    assert "scrypt" not in users and "pbkdf2" not in users and "Mật khẩu" not in users
    sources = client.get("/admin/source/export/csv/").data.decode("utf-8-sig")
    assert "api_key" not in sources.lower() and "Khóa" not in sources.splitlines()[0]


def test_a_person_added_in_the_console_gets_an_account_or_a_pointer_to_one(app):
    from app.models import Personnel, Unit

    with database(app) as db:
        sso_unit = Unit(name="Cơ quan thử nghiệm thêm người SSO", kind="department",
                        login_method="sso", active=True)
        local_unit = Unit(name="Công ty thử nghiệm thêm người", kind="enterprise",
                          login_method="local", active=True)
        db.session.add_all([sso_unit, local_unit])
        db.session.commit()
        sso_id, local_id = sso_unit.id, local_unit.id
    client = login(app, "quantri")
    for unit_id, email, name in ((sso_id, "them.sso@console.gov.vn", "Thêm Qua SSO"),
                                 (local_id, "them.local@console.vn", "Thêm Qua Mật Khẩu")):
        page = client.get("/admin/personnel/new/")
        assert page.status_code == 200 and page.text.count('name="csrf_token"') == 1
        response = client.post("/admin/personnel/new/", data={
            "unit": str(unit_id), "position_no": "1", "full_name": name, "title": "Chuyên viên",
            "mobile": "0917 400 377", "email": email.upper(), "duty": "handler", "active": "y",
            "csrf_token": csrf_token(page.text)}, follow_redirects=True)
        assert response.status_code == 200 and "Đã tạo bản ghi." in response.text, response.text
        if unit_id == local_id:
            assert "chưa có tài khoản" in response.text
    with database(app) as db:
        sso_person = db.session.query(Personnel).filter_by(email="them.sso@console.gov.vn").one()
        assert sso_person.mobile == "0917400377" and sso_person.user.unit_id == sso_id
        local_person = db.session.query(Personnel).filter_by(email="them.local@console.vn").one()
        assert local_person.user is None
    # The same e-mail again is refused by the form.
    page = client.get("/admin/personnel/new/")
    refused = client.post("/admin/personnel/new/", data={
        "unit": str(local_id), "full_name": "Trùng", "mobile": "0917400378",
        "email": "them.sso@console.gov.vn", "duty": "handler", "active": "y",
        "csrf_token": csrf_token(page.text)})
    assert refused.status_code == 200 and "đã được đăng ký cho đơn vị" in refused.text
