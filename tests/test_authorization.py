"""The one authorization point is driven by the role editor: permissions, not role names.

Every expectation below is written by hand from DESIGN §1/§3 and the issue's examples.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import DEMO_PASSWORD, api_client, login
from report_helpers import GTVT, api, ids, make_report  # noqa: F401  (api: fixture)

from app.domain.workflow import Role, Status

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CENTRE_UNIT = "Trung tâm Giám sát, điều hành đô thị thông minh"


def _role(code):
    from app.security.roles import role_by_code

    return role_by_code(code)


def _perm(name, view="Report"):
    from app.extensions import appbuilder

    return appbuilder.sm.find_permission_view_menu(name, view)


@pytest.fixture
def centre_without(app):
    """Take permissions away from the centre's role as the role editor does; put them back."""
    from app.extensions import db

    taken = []

    def take(*names):
        with app.app_context():
            role = _role("centre")
            for name in names:
                pv = _perm(name)
                role.permissions.remove(pv)
                taken.append(name)
            db.session.commit()

    yield take
    with app.app_context():
        role = _role("centre")
        for name in taken:
            role.permissions.append(_perm(name))
        db.session.commit()


def test_taking_can_distribute_from_the_centre_refuses_distribution_on_the_next_request(
        app, api, centre_without):
    units, _fields, _sources = ids(app)
    report_id = make_report(app, Status.RECEIVED)
    shown = api.get("trungtam", f"/api/v1/report/{report_id}").json["result"]
    assert "distribute" in shown["available_actions"]

    centre_without("can_distribute")
    shown = api.get("trungtam", f"/api/v1/report/{report_id}").json["result"]
    assert "distribute" not in shown["available_actions"]
    assert "reject" in shown["available_actions"]
    response = api.act("trungtam", report_id, "distribute", unit_id=units[GTVT])
    assert response.status_code == 403
    assert "Phân phối" in response.json["message"]

    client = login(app, "trungtam")
    page = client.get(f"/phan-anh/{report_id}")
    assert page.status_code == 200
    assert 'value="distribute"' not in page.text
    assert 'value="reject"' in page.text


def test_taking_can_create_from_the_centre_hides_intake_and_refuses_it(app, api, centre_without):
    client = login(app, "trungtam")
    assert "/phan-anh/tiep-nhan-moi/" in client.get("/phan-anh/tiep-nhan/").text
    centre_without("can_create")
    assert "/phan-anh/tiep-nhan-moi/" not in client.get("/phan-anh/tiep-nhan/").text
    assert client.get("/phan-anh/tiep-nhan-moi/").status_code in (302, 403)
    response = api.post("trungtam", "/api/v1/report/",
                        json={"title": "Thử", "content": "Thử", "source_id": 1})
    assert response.status_code == 403


def test_the_administrator_is_not_offered_intake(app):
    client = login(app, "quantri")
    assert "/phan-anh/tiep-nhan-moi/" not in client.get("/phan-anh/tat-ca/").text
    assert client.get("/phan-anh/tiep-nhan-moi/").status_code in (302, 403)


_CUSTOM_USERS: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def _retire_custom_users(app):
    """The module's custom people hold unit permissions: once it is done they are retired, so
    that other modules' notifications and mailboxes hold the demo's people only."""
    yield
    from app.extensions import appbuilder, db

    with app.app_context():
        for username in _CUSTOM_USERS:
            appbuilder.sm.find_user(username=username).active = False
        db.session.commit()


def _custom_user(app, username, role_name, permissions, unit_name):
    """A person with a role built in the role editor: ``permissions`` as (permission, view)."""
    _CUSTOM_USERS.append(username)
    from app.extensions import appbuilder, db
    from app.models import Unit

    sm = appbuilder.sm
    with app.app_context():
        role = sm.find_role(role_name) or sm.add_role(role_name)
        role.permissions = [sm.find_permission_view_menu(p, v) for p, v in permissions]
        user = sm.find_user(username=username) or sm.add_user(
            username, "Người", "Tùy chỉnh", f"{username}@example.vn", role,
            password=DEMO_PASSWORD)
        user.unit = db.session.query(Unit).filter_by(name=unit_name).one()
        db.session.commit()


def _pairs(code):
    return {(pv.permission.name, pv.view_menu.name) for pv in _role(code).permissions}


def test_a_custom_role_with_the_centres_permissions_but_publish_works_as_that(app):
    units, _fields, _sources = ids(app)
    with app.app_context():
        permissions = _pairs("centre") - {("can_publish", "Report")}
    _custom_user(app, "trungtam.khongdang", "Trung tâm (không đăng tải)", permissions, CENTRE_UNIT)
    client, headers = api_client(app, "trungtam.khongdang")

    listing = client.get("/api/v1/report/?q=(page_size:100)", headers=headers)
    assert listing.status_code == 200 and listing.json["count"] >= 10

    report_id = make_report(app, Status.RECEIVED)
    response = client.post(f"/api/v1/report/{report_id}/actions/distribute",
                           json={"unit_id": units[GTVT]}, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["result"]["status"] == "assigned"

    approved = make_report(app, Status.APPROVED)
    shown = client.get(f"/api/v1/report/{approved}", headers=headers).json["result"]
    assert "publish" not in shown["available_actions"]
    assert "return" in shown["available_actions"]
    response = client.post(f"/api/v1/report/{approved}/actions/publish", json={},
                           headers=headers)
    assert response.status_code == 403


def test_a_custom_unit_role_works_by_its_permissions_not_its_name(app):
    """A role named nothing like the built-in ones, with a handler's relation and two steps."""
    perms = {("can_get", "Report"), ("can_show", "Report"), ("can_handle", "Report"),
             ("can_accept", "Report"), ("can_comment", "Report")}
    _custom_user(app, "gtvt.tiepnhan", "Tổ tiếp nhận của Sở", perms, GTVT)
    client, headers = api_client(app, "gtvt.tiepnhan")

    mine = make_report(app, Status.ASSIGNED, unit=GTVT)
    other = make_report(app, Status.ASSIGNED, unit="Sở Xây dựng")
    assert client.get(f"/api/v1/report/{other}", headers=headers).status_code == 404
    shown = client.get(f"/api/v1/report/{mine}", headers=headers).json["result"]
    assert shown["available_actions"] == ["accept", "comment"]
    response = client.post(f"/api/v1/report/{mine}/actions/return", json={"reason": "Không"},
                           headers=headers)
    assert response.status_code == 403
    response = client.post(f"/api/v1/report/{mine}/actions/accept", json={}, headers=headers)
    assert response.status_code == 200
    assert response.json["result"]["status"] == "in_progress"


def test_a_unit_role_never_sees_a_confidential_reporter(app):
    perms = {("can_get", "Report"), ("can_handle", "Report")}
    _custom_user(app, "gtvt.chixem", "Xem của Sở", perms, GTVT)
    client, headers = api_client(app, "gtvt.chixem")
    report_id = make_report(app, Status.ASSIGNED, unit=GTVT, confidential=True)
    shown = client.get(f"/api/v1/report/{report_id}", headers=headers).json["result"]
    assert shown["reporter_name"] == "Ẩn danh"
    assert shown["available_actions"] == []


def test_an_administrators_edit_outlives_the_seed_and_a_restart(app):
    from app import sync_security
    from app.extensions import db

    with app.app_context():
        role = _role("handler")
        extra = _perm("can_add", "Unit")
        role.permissions.append(extra)
        comment = _perm("can_comment")
        role.permissions.remove(comment)
        db.session.commit()
        try:
            sync_security()
            restart = subprocess.run(  # the application starting again on the same database
                [sys.executable, "-c", "from app import create_app; create_app()"], cwd=ROOT,
                capture_output=True, text=True, timeout=120)
            assert restart.returncode == 0, restart.stderr
            db.session.expire_all()
            held = _pairs("handler")
            assert ("can_add", "Unit") in held
            assert ("can_comment", "Report") not in held
        finally:
            role = _role("handler")
            role.permissions.remove(_perm("can_add", "Unit"))
            role.permissions.append(_perm("can_comment"))
            db.session.commit()


def test_a_renamed_built_in_role_is_still_found_by_its_code(app):
    from app import sync_security
    from app.extensions import db

    with app.app_context():
        role = _role("viewer")
        role.name = "Lãnh đạo tỉnh (theo dõi)"
        db.session.commit()
        try:
            sync_security()
            assert _role("viewer").name == "Lãnh đạo tỉnh (theo dõi)"
            from app.extensions import appbuilder

            assert appbuilder.sm.find_role(Role.VIEWER.value) is None  # not re-created
        finally:
            _role("viewer").name = Role.VIEWER.value
            db.session.commit()
    client, headers = api_client(app, "theodoi")
    assert client.get("/api/v1/report/", headers=headers).json["count"] >= 10


def test_a_permission_given_to_the_public_role_opens_the_api_without_a_token(app):
    # FAB asks "is it public?" before reading the token; the role editor's change counts on
    # the next request, both ways.
    from app.extensions import appbuilder, db

    client = app.test_client()
    assert client.get("/api/v1/field/").status_code == 401
    with app.app_context():
        public = appbuilder.sm.find_role(appbuilder.sm.auth_role_public)
        public.permissions.append(_perm("can_get", "Field"))
        db.session.commit()
    try:
        answer = client.get("/api/v1/field/")
        assert answer.status_code == 200
        assert "Giao thông" in [f["name"] for f in answer.json["result"]]
    finally:
        with app.app_context():
            public = appbuilder.sm.find_role(appbuilder.sm.auth_role_public)
            public.permissions.remove(_perm("can_get", "Field"))
            db.session.commit()
    assert client.get("/api/v1/field/").status_code == 401
