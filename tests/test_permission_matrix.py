"""The permission matrix: every URL rule of the application × each of its methods × each
built-in role × own/other unit → the status written here by hand (DESIGN §1, §3, §7 and each
route's issue).

A new route, or a new method of a route, without a row fails ``test_every_url_rule_has_a_row``
(so does a row whose rule or method is gone): add it to MATRIX. HEAD and OPTIONS, which Flask
answers for every rule, have no rows.

Each row: (rule, method) → statuses. The statuses are eight letters, one per column of
COLUMNS: not signed in, administrator, centre, handler and leader of Sở GTVT on a report of
their unit ("own") and on a report of Sở Xây dựng ("other"), viewer. Rules without a report id
have the same answer for own and other. Letters: o 200, c 201, r 302 (to the login page or
back), b 400, u 401, f 403, n 404, m 405, x 409, q 422.

Web pages are requested with the session of a signed-in person, POSTs carrying a valid CSRF
token and nothing else (so every form fails its checks); /api/ rules with the person's JWT,
writes with an empty JSON body. Ids in rules that edit (POST), delete or run an action are ids
of nothing (999999), and the two POSTs that act on their CSRF token alone are sent without it
(NO_CSRF), so the matrix changes no data.
"""
from __future__ import annotations

import re

import pytest
from conftest import api_token, csrf_token, login, new_client
from report_helpers import GTVT, XD, make_report

from app.domain.workflow import Status

COLUMNS = ("anon", "quantri", "trungtam", "gtvt.xuly@own", "gtvt.xuly@other",
           "gtvt.lanhdao@own", "gtvt.lanhdao@other", "theodoi")
CODES = {"o": 200, "c": 201, "r": 302, "b": 400, "u": 401, "f": 403, "n": 404, "m": 405,
         "x": 409, "q": 422}
NOTHING = 999999

MATRIX: dict[tuple[str, str], str] = {
    # (rule, method): anon quantri trungtam HO HX LO LX theodoi
    ("/", "GET"): "oooooooo",
    ("/back", "GET"): "rrrrrrrr",
    ("/lang/<string:locale>", "GET"): "rrrrrrrr",
    # a signed-in person is sent on; POST without name and password: the form again
    ("/login/", "GET"): "orrrrrrr",
    ("/login/", "POST"): "orrrrrrr",
    ("/login/sso/", "GET"): "nnnnnnnn",  # SSO not configured in the tests
    ("/login/sso/callback/", "GET"): "nnnnnnnn",
    ("/logout/", "GET"): "rrrrrrrr",
    ("/static/<path:filename>", "GET"): "oooooooo",
    ("/static/appbuilder/<path:filename>", "GET"): "oooooooo",
    ("/admin/static/<path:filename>", "GET"): "oooooooo",
    ("/healthz", "GET"): "oooooooo",
    ("/readyz", "GET"): "oooooooo",
    ("/swagger/<version>", "GET"): "roffffff",  # the API documentation: administrators
    # --- REST: sign-in, menu, OpenAPI ---
    ("/api/v1/security/login", "POST"): "bbbbbbbb",  # empty body
    ("/api/v1/security/refresh", "POST"): "uqqqqqqq",  # an access token is no refresh token
    ("/api/v1/menu/", "GET"): "uooooooo",
    ("/api/<version>/_openapi", "GET"): "uoffffff",
    # --- REST: catalogues (DESIGN §7): everyone signed in reads; centre and admin write (an
    # empty body: 400; an id of nothing: 404) ---
    ("/api/v1/unit/", "GET"): "uooooooo",
    ("/api/v1/unit/", "POST"): "ubbfffff",
    ("/api/v1/unit/_info", "GET"): "uooooooo",
    ("/api/v1/unit/<int:pk>", "GET"): "uooooooo",
    ("/api/v1/unit/<pk>", "PUT"): "unnfffff",
    ("/api/v1/unit/<pk>", "DELETE"): "unnfffff",
    ("/api/v1/field/", "GET"): "uooooooo",
    ("/api/v1/field/", "POST"): "ubbfffff",
    ("/api/v1/field/_info", "GET"): "uooooooo",
    ("/api/v1/field/<int:pk>", "GET"): "uooooooo",
    ("/api/v1/field/<pk>", "PUT"): "unnfffff",
    ("/api/v1/field/<pk>", "DELETE"): "unnfffff",
    ("/api/v1/source/", "GET"): "uooooooo",
    ("/api/v1/source/", "POST"): "ubbfffff",
    ("/api/v1/source/_info", "GET"): "uooooooo",
    ("/api/v1/source/<int:pk>", "GET"): "uooooooo",
    ("/api/v1/source/<pk>", "PUT"): "unnfffff",
    ("/api/v1/source/<pk>", "DELETE"): "unnfffff",
    # --- REST: reports (DESIGN §7): scope by unit; actions by the authorization point ---
    ("/api/v1/report/", "GET"): "uooooooo",
    # intake (can_create): the centre, not the administrator; an empty body → 400
    ("/api/v1/report/", "POST"): "ufbfffff",
    ("/api/v1/report/<int:pk>", "GET"): "uooonono",
    ("/api/v1/report/<int:pk>/events", "GET"): "uooonono",
    ("/api/v1/report/<int:pk>/attachments", "GET"): "uooonono",
    # a "Trao đổi" with files (can_comment); a body that is no upload is refused (400) before
    # the report is looked up, outside the scope too: that answer says nothing of the report
    ("/api/v1/report/<int:pk>/attachments", "POST"): "ufbbbbbf",
    ("/api/v1/report/<int:pk>/attachments/<int:attachment_id>", "GET"): "unnnnnnn",
    # "Trao đổi" without text: 400 for who may comment, 404 outside the scope, 403 for the
    # administrator and the viewer (no can_comment)
    ("/api/v1/report/<int:pk>/actions/<string:action>", "POST"): "ufbbnbnf",
    # bulk (issue of bulk actions): anyone who reads reports; no "ids" → 400
    ("/api/v1/report/actions/<action>", "POST"): "ubbbbbbb",
    # --- the report screens (DESIGN §5): each queue to the roles it concerns ---
    ("/phan-anh/<int:report_id>", "GET"): "rooonono",
    # the "Xử lý" tab's form, no action chosen → 400 (404 outside the scope)
    ("/phan-anh/<int:report_id>", "POST"): "rbbbnbnb",
    ("/phan-anh/<int:report_id>/tep/<int:attachment_id>", "GET"): "rnnnnnnn",
    ("/phan-anh/tiep-nhan/", "GET"): "roofffff",
    ("/phan-anh/phan-phoi/", "GET"): "roofffff",
    ("/phan-anh/dang-tai/", "GET"): "roofffff",
    ("/phan-anh/xu-ly/", "GET"): "rofoofff",
    ("/phan-anh/phe-duyet/", "GET"): "rofffoof",
    ("/phan-anh/theo-doi/", "GET"): "rofoooof",
    ("/phan-anh/tat-ca/", "GET"): "rooooooo",
    # intake: can_create (not the admin); POST with an empty form → 400
    ("/phan-anh/tiep-nhan-moi/", "GET"): "rfofffff",
    ("/phan-anh/tiep-nhan-moi/", "POST"): "rfbfffff",
    # bulk steps (POST, CSRF): anyone who opens reports; no step chosen → 400
    ("/phan-anh/thao-tac/", "POST"): "rbbbbbbb",
    ("/dataconsole/", "GET"): "rrffffff",  # the console's menu entry: on to /admin/
    # --- notices and notifications (DESIGN §9): everyone signed in reads; the centre writes
    # (here an empty body or form: 400) ---
    ("/api/v1/notice/", "GET"): "uooooooo",
    ("/api/v1/notice/", "POST"): "ubbfffff",
    ("/api/v1/notice/<int:pk>", "GET"): "unnnnnnn",
    ("/api/v1/notification/", "GET"): "uooooooo",
    ("/api/v1/notification/<int:pk>/read", "POST"): "unnnnnnn",  # someone else's / nothing
    ("/thong-bao/", "GET"): "rooooooo",
    ("/thong-bao/<int:notice_id>", "GET"): "rnnnnnnn",
    ("/thong-bao/<int:notice_id>/tep/<int:file_id>", "GET"): "rnnnnnnn",
    ("/thong-bao/ca-nhan/", "GET"): "rooooooo",
    # --- Statistics and exports (issue 10): everyone signed in; a unit's people see their
    # own unit's figures and reports (the scope), so the answer is 200 for all ---
    ("/thong-ke/", "GET"): "rooooooo",
    ("/thong-ke/xuat", "GET"): "rooooooo",
    ("/thong-ke/tong-hop/", "GET"): "rooooooo",
    ("/thong-ke/tong-hop/xuat", "GET"): "rooooooo",
    ("/thong-ke/bieu-do/", "GET"): "rooooooo",
    ("/phan-anh/xuat/<string:queue_key>", "GET"): "rooooooo",  # "Tất cả phản ánh"
    ("/api/v1/statistics/summary", "GET"): "uooooooo",
    ("/api/v1/report/export", "GET"): "uooooooo",
    ("/thong-bao/ca-nhan/<int:notification_id>", "GET"): "rnnnnnnn",
    ("/thong-bao/ca-nhan/<int:notification_id>/da-doc", "POST"): "rnnnnnnn",
    # these two change the person's own settings and reads on their CSRF token alone: sent
    # without it (NO_CSRF), refused (400), and nobody signed in is sent to the login page
    ("/thong-bao/ca-nhan/cach-nhan", "POST"): "rbbbbbbb",
    ("/thong-bao/ca-nhan/da-doc-tat-ca", "POST"): "rbbbbbbb",
    ("/thong-bao/moi", "GET"): "roofffff",
    ("/thong-bao/moi", "POST"): "rbbfffff",
    # --- "Phản ánh có tương tác" (DESIGN §10): the centre ---
    ("/phan-anh/tuong-tac/", "GET"): "roofffff",
    ("/phan-anh/tuong-tac/<int:feedback_id>/mo-lai", "POST"): "rrrfffff",
    ("/phan-anh/tuong-tac/<int:feedback_id>/tra-loi", "POST"): "rrrfffff",
    # --- the public portal and Open311 (DESIGN §10): no sign-in; unknown codes 404; the
    # portal's forms sent empty → 400 ---
    ("/cong-khai/", "GET"): "oooooooo",
    ("/cong-khai/da-gui", "GET"): "rrrrrrrr",  # nothing sent in this session
    ("/cong-khai/gui-phan-anh", "GET"): "oooooooo",
    ("/cong-khai/gui-phan-anh", "POST"): "bbbbbbbb",
    ("/cong-khai/ket-qua/<code>", "GET"): "nnnnnnnn",
    ("/cong-khai/ket-qua/<code>/anh/<name>", "GET"): "nnnnnnnn",
    ("/cong-khai/tra-cuu", "GET"): "oooooooo",
    ("/cong-khai/tra-cuu", "POST"): "bbbbbbbb",
    ("/cong-khai/tra-cuu/<code>", "GET"): "rrrrrrrr",  # needs the reporter's phone
    ("/cong-khai/tra-cuu/<code>/danh-gia", "POST"): "rrrrrrrr",
    ("/open311/v2/discovery.<any(json,xml):fmt>", "GET"): "oooooooo",
    ("/open311/v2/requests.<any(json,xml):fmt>", "GET"): "oooooooo",
    ("/open311/v2/requests.<any(json,xml):fmt>", "POST"): "ffffffff",  # no api_key
    ("/open311/v2/requests/<code>.<any(json,xml):fmt>", "GET"): "nnnnnnnn",
    ("/open311/v2/services.<any(json,xml):fmt>", "GET"): "oooooooo",
    ("/open311/v2/services/<code>.<any(json,xml):fmt>", "GET"): "nnnnnnnn",
    # --- the data console (/admin/): administrators only; ids of nothing. new/ POSTed empty:
    # the form again (200) where rows may be created, else back; edit/ without an id: back ---
    ("/admin/", "GET"): "roffffff",
    ("/admin/audit/", "GET"): "roffffff",
    ("/admin/audit/action/", "POST"): "rrffffff",
    ("/admin/audit/ajax/lookup/", "GET"): "rnffffff",
    ("/admin/audit/ajax/update/", "POST"): "rbffffff",
    ("/admin/audit/delete/", "POST"): "rrffffff",
    ("/admin/audit/details/", "GET"): "rrffffff",
    ("/admin/audit/edit/", "GET"): "rrffffff",
    ("/admin/audit/edit/", "POST"): "rrffffff",
    ("/admin/audit/export/<export_type>/", "GET"): "roffffff",
    ("/admin/audit/new/", "GET"): "rrffffff",
    ("/admin/audit/new/", "POST"): "rrffffff",
    ("/admin/event/", "GET"): "roffffff",
    ("/admin/event/action/", "POST"): "rrffffff",
    ("/admin/event/ajax/lookup/", "GET"): "rnffffff",
    ("/admin/event/ajax/update/", "POST"): "rbffffff",
    ("/admin/event/delete/", "POST"): "rrffffff",
    ("/admin/event/details/", "GET"): "rrffffff",
    ("/admin/event/edit/", "GET"): "rrffffff",
    ("/admin/event/edit/", "POST"): "rrffffff",
    ("/admin/event/export/<export_type>/", "GET"): "roffffff",
    ("/admin/event/new/", "GET"): "rrffffff",
    ("/admin/event/new/", "POST"): "rrffffff",
    ("/admin/field/", "GET"): "roffffff",
    ("/admin/field/action/", "POST"): "rrffffff",
    ("/admin/field/ajax/lookup/", "GET"): "rnffffff",
    ("/admin/field/ajax/update/", "POST"): "rbffffff",
    ("/admin/field/delete/", "POST"): "rrffffff",
    ("/admin/field/details/", "GET"): "rrffffff",
    ("/admin/field/edit/", "GET"): "rrffffff",
    ("/admin/field/edit/", "POST"): "rrffffff",
    ("/admin/field/export/<export_type>/", "GET"): "roffffff",
    ("/admin/field/new/", "GET"): "roffffff",
    ("/admin/field/new/", "POST"): "roffffff",
    ("/admin/personnel/", "GET"): "roffffff",
    ("/admin/personnel/action/", "POST"): "rrffffff",
    ("/admin/personnel/ajax/lookup/", "GET"): "rnffffff",
    ("/admin/personnel/ajax/update/", "POST"): "rbffffff",
    ("/admin/personnel/delete/", "POST"): "rrffffff",
    ("/admin/personnel/details/", "GET"): "rrffffff",
    ("/admin/personnel/edit/", "GET"): "rrffffff",
    ("/admin/personnel/edit/", "POST"): "rrffffff",
    ("/admin/personnel/export/<export_type>/", "GET"): "roffffff",
    ("/admin/personnel/new/", "GET"): "roffffff",
    ("/admin/personnel/new/", "POST"): "roffffff",
    ("/admin/report/", "GET"): "roffffff",
    ("/admin/report/action/", "POST"): "rrffffff",
    ("/admin/report/ajax/lookup/", "GET"): "rnffffff",
    ("/admin/report/ajax/update/", "POST"): "rbffffff",
    ("/admin/report/delete/", "POST"): "rrffffff",
    ("/admin/report/details/", "GET"): "rrffffff",
    ("/admin/report/edit/", "GET"): "rrffffff",
    ("/admin/report/edit/", "POST"): "rrffffff",
    ("/admin/report/export/<export_type>/", "GET"): "roffffff",
    ("/admin/report/new/", "GET"): "rrffffff",
    ("/admin/report/new/", "POST"): "rrffffff",
    ("/admin/role/", "GET"): "roffffff",
    ("/admin/role/action/", "POST"): "rrffffff",
    ("/admin/role/ajax/lookup/", "GET"): "rnffffff",
    ("/admin/role/ajax/update/", "POST"): "rbffffff",
    ("/admin/role/delete/", "POST"): "rrffffff",
    ("/admin/role/details/", "GET"): "rrffffff",
    ("/admin/role/edit/", "GET"): "rrffffff",
    ("/admin/role/edit/", "POST"): "rrffffff",
    ("/admin/role/export/<export_type>/", "GET"): "roffffff",
    ("/admin/role/new/", "GET"): "rrffffff",
    ("/admin/role/new/", "POST"): "rrffffff",
    ("/admin/source/", "GET"): "roffffff",
    ("/admin/source/action/", "POST"): "rrffffff",
    ("/admin/source/ajax/lookup/", "GET"): "rnffffff",
    ("/admin/source/ajax/update/", "POST"): "rbffffff",
    ("/admin/source/delete/", "POST"): "rrffffff",
    ("/admin/source/details/", "GET"): "rrffffff",
    ("/admin/source/edit/", "GET"): "rrffffff",
    ("/admin/source/edit/", "POST"): "rrffffff",
    ("/admin/source/export/<export_type>/", "GET"): "roffffff",
    ("/admin/source/new/", "GET"): "roffffff",
    ("/admin/source/new/", "POST"): "roffffff",
    ("/admin/unit/", "GET"): "roffffff",
    ("/admin/unit/action/", "POST"): "rrffffff",
    ("/admin/unit/ajax/lookup/", "GET"): "rnffffff",
    ("/admin/unit/ajax/update/", "POST"): "rbffffff",
    ("/admin/unit/delete/", "POST"): "rrffffff",
    ("/admin/unit/details/", "GET"): "rrffffff",
    ("/admin/unit/edit/", "GET"): "rrffffff",
    ("/admin/unit/edit/", "POST"): "rrffffff",
    ("/admin/unit/export/<export_type>/", "GET"): "roffffff",
    ("/admin/unit/new/", "GET"): "roffffff",
    ("/admin/unit/new/", "POST"): "roffffff",
    ("/admin/user/", "GET"): "roffffff",
    ("/admin/user/action/", "POST"): "rrffffff",
    ("/admin/user/ajax/lookup/", "GET"): "rnffffff",
    ("/admin/user/ajax/update/", "POST"): "rbffffff",
    ("/admin/user/delete/", "POST"): "rrffffff",
    ("/admin/user/details/", "GET"): "rrffffff",
    ("/admin/user/edit/", "GET"): "rrffffff",
    ("/admin/user/edit/", "POST"): "rrffffff",
    ("/admin/user/export/<export_type>/", "GET"): "roffffff",
    ("/admin/user/new/", "GET"): "rrffffff",
    ("/admin/user/new/", "POST"): "rrffffff",
    ("/admin/workday/", "GET"): "roffffff",
    ("/admin/workday/action/", "POST"): "rrffffff",
    ("/admin/workday/ajax/lookup/", "GET"): "rnffffff",
    ("/admin/workday/ajax/update/", "POST"): "rbffffff",
    ("/admin/workday/delete/", "POST"): "rrffffff",
    ("/admin/workday/details/", "GET"): "rrffffff",
    ("/admin/workday/edit/", "GET"): "rrffffff",
    ("/admin/workday/edit/", "POST"): "rrffffff",
    ("/admin/workday/export/<export_type>/", "GET"): "roffffff",
    ("/admin/workday/new/", "GET"): "roffffff",
    ("/admin/workday/new/", "POST"): "roffffff",
    # --- FAB's pages, here and below: GET refuses to delete or run an action (back, 302);
    # a POST to add sends an empty form (the form again, 200), one to edit or delete an id of
    # nothing (404), one to action/ the name of no action (404) ---
    # --- the catalogue pages: everyone signed in reads; centre and administrators edit ---
    ("/fieldview/action/<string:name>/<pk>", "GET"): "rrrrrrrr",
    ("/fieldview/action/<string:name>/<pk>", "POST"): "nnnnnnnn",
    ("/fieldview/action_post", "POST"): "bbbbbbbb",
    ("/fieldview/add", "GET"): "roofffff",
    ("/fieldview/add", "POST"): "roofffff",
    ("/fieldview/delete/<pk>", "GET"): "rrrfffff",
    ("/fieldview/delete/<pk>", "POST"): "rnnfffff",
    ("/fieldview/download/<string:filename>", "GET"): "nnnnnnnn",
    ("/fieldview/edit/<pk>", "GET"): "roofffff",
    ("/fieldview/edit/<pk>", "POST"): "rnnfffff",
    ("/fieldview/list/", "GET"): "rooooooo",
    ("/fieldview/show/<pk>", "GET"): "rooooooo",
    ("/sourceview/action/<string:name>/<pk>", "GET"): "rrrrrrrr",
    ("/sourceview/action/<string:name>/<pk>", "POST"): "nnnnnnnn",
    ("/sourceview/action_post", "POST"): "bbbbbbbb",
    ("/sourceview/add", "GET"): "roofffff",
    ("/sourceview/add", "POST"): "roofffff",
    ("/sourceview/delete/<pk>", "GET"): "rrrfffff",
    ("/sourceview/delete/<pk>", "POST"): "rnnfffff",
    ("/sourceview/download/<string:filename>", "GET"): "nnnnnnnn",
    ("/sourceview/edit/<pk>", "GET"): "roofffff",
    ("/sourceview/edit/<pk>", "POST"): "rnnfffff",
    ("/sourceview/list/", "GET"): "rooooooo",
    ("/sourceview/show/<pk>", "GET"): "rooooooo",
    ("/unitview/action/<string:name>/<pk>", "GET"): "rrrrrrrr",
    ("/unitview/action/<string:name>/<pk>", "POST"): "nnnnnnnn",
    ("/unitview/action_post", "POST"): "bbbbbbbb",
    ("/unitview/add", "GET"): "roofffff",
    ("/unitview/add", "POST"): "roofffff",
    ("/unitview/delete/<pk>", "GET"): "rrrfffff",
    ("/unitview/delete/<pk>", "POST"): "rnnfffff",
    ("/unitview/download/<string:filename>", "GET"): "nnnnnnnn",
    ("/unitview/edit/<pk>", "GET"): "roofffff",
    ("/unitview/edit/<pk>", "POST"): "rnnfffff",
    ("/unitview/list/", "GET"): "rooooooo",
    ("/unitview/show/<pk>", "GET"): "rooooooo",
    ("/workdayexceptionview/action/<string:name>/<pk>", "GET"): "rrrrrrrr",
    ("/workdayexceptionview/action/<string:name>/<pk>", "POST"): "nnnnnnnn",
    ("/workdayexceptionview/action_post", "POST"): "bbbbbbbb",
    ("/workdayexceptionview/add", "GET"): "roofffff",
    ("/workdayexceptionview/add", "POST"): "roofffff",
    ("/workdayexceptionview/delete/<pk>", "GET"): "rrrfffff",
    ("/workdayexceptionview/delete/<pk>", "POST"): "rnnfffff",
    ("/workdayexceptionview/download/<string:filename>", "GET"): "nnnnnnnn",
    ("/workdayexceptionview/edit/<pk>", "GET"): "rnnfffff",
    ("/workdayexceptionview/edit/<pk>", "POST"): "rnnfffff",
    ("/workdayexceptionview/list/", "GET"): "rooooooo",
    ("/workdayexceptionview/show/<pk>", "GET"): "rnnnnnnn",
    # --- personnel lists: the centre and administrators ---
    ("/personnelregistration/", "GET"): "roofffff",
    ("/personnelview/action/<string:name>/<pk>", "GET"): "rrrrrrrr",
    ("/personnelview/action/<string:name>/<pk>", "POST"): "nnnnnnnn",
    ("/personnelview/action_post", "POST"): "bbbbbbbb",
    ("/personnelview/add", "GET"): "roffffff",
    ("/personnelview/add", "POST"): "roffffff",
    ("/personnelview/delete/<pk>", "GET"): "rrffffff",
    ("/personnelview/delete/<pk>", "POST"): "rnffffff",
    ("/personnelview/download/<string:filename>", "GET"): "nnnnnnnn",
    ("/personnelview/edit/<pk>", "GET"): "rnffffff",
    ("/personnelview/edit/<pk>", "POST"): "rnffffff",
    ("/personnelview/export/", "GET"): "roofffff",
    ("/personnelview/import/", "GET"): "roffffff",
    ("/personnelview/import/", "POST"): "roffffff",
    ("/personnelview/list/", "GET"): "roofffff",
    ("/personnelview/show/<pk>", "GET"): "rnnfffff",
    ("/personnelview/template/", "GET"): "roffffff",
    # --- accounts, roles, permissions: administrators; one's own account: everyone ---
    ("/groups/action/<string:name>/<pk>", "GET"): "rrrrrrrr",
    ("/groups/action/<string:name>/<pk>", "POST"): "nnnnnnnn",
    ("/groups/action_post", "POST"): "bbbbbbbb",
    ("/groups/add", "GET"): "roffffff",
    ("/groups/add", "POST"): "roffffff",
    ("/groups/delete/<pk>", "GET"): "rrffffff",
    ("/groups/delete/<pk>", "POST"): "rnffffff",
    ("/groups/download/<string:filename>", "GET"): "nnnnnnnn",
    ("/groups/edit/<pk>", "GET"): "rnffffff",
    ("/groups/edit/<pk>", "POST"): "rnffffff",
    ("/groups/list/", "GET"): "roffffff",
    ("/groups/show/<pk>", "GET"): "rnffffff",
    ("/permissions/action/<string:name>/<pk>", "GET"): "rrrrrrrr",
    ("/permissions/action/<string:name>/<pk>", "POST"): "nnnnnnnn",
    ("/permissions/action_post", "POST"): "bbbbbbbb",
    ("/permissions/add", "GET"): "rfffffff",
    ("/permissions/add", "POST"): "rfffffff",
    ("/permissions/delete/<pk>", "GET"): "rfffffff",
    ("/permissions/delete/<pk>", "POST"): "rfffffff",
    ("/permissions/download/<string:filename>", "GET"): "nnnnnnnn",
    ("/permissions/edit/<pk>", "GET"): "rfffffff",
    ("/permissions/edit/<pk>", "POST"): "rfffffff",
    ("/permissions/list/", "GET"): "roffffff",
    ("/permissions/show/<pk>", "GET"): "rfffffff",
    ("/permissionviews/action/<string:name>/<pk>", "GET"): "rrrrrrrr",
    ("/permissionviews/action/<string:name>/<pk>", "POST"): "nnnnnnnn",
    ("/permissionviews/action_post", "POST"): "bbbbbbbb",
    ("/permissionviews/add", "GET"): "rfffffff",
    ("/permissionviews/add", "POST"): "rfffffff",
    ("/permissionviews/delete/<pk>", "GET"): "rfffffff",
    ("/permissionviews/delete/<pk>", "POST"): "rfffffff",
    ("/permissionviews/download/<string:filename>", "GET"): "nnnnnnnn",
    ("/permissionviews/edit/<pk>", "GET"): "rfffffff",
    ("/permissionviews/edit/<pk>", "POST"): "rfffffff",
    ("/permissionviews/list/", "GET"): "roffffff",
    ("/permissionviews/show/<pk>", "GET"): "rfffffff",
    ("/resetmypassword/form", "GET"): "rooooooo",
    ("/resetmypassword/form", "POST"): "rooooooo",
    ("/resetpassword/form", "GET"): "roffffff",
    ("/resetpassword/form", "POST"): "roffffff",
    ("/roles/action/<string:name>/<pk>", "GET"): "rrrrrrrr",
    ("/roles/action/<string:name>/<pk>", "POST"): "nnnnnnnn",
    ("/roles/action_post", "POST"): "bbbbbbbb",
    ("/roles/add", "GET"): "roffffff",
    ("/roles/add", "POST"): "roffffff",
    ("/roles/delete/<pk>", "GET"): "rrffffff",
    ("/roles/delete/<pk>", "POST"): "rnffffff",
    ("/roles/download/<string:filename>", "GET"): "nnnnnnnn",
    ("/roles/edit/<pk>", "GET"): "rnffffff",
    ("/roles/edit/<pk>", "POST"): "rnffffff",
    ("/roles/list/", "GET"): "roffffff",
    ("/roles/show/<pk>", "GET"): "rnffffff",
    ("/userinfoeditview/form", "GET"): "rooooooo",
    ("/userinfoeditview/form", "POST"): "rooooooo",
    ("/users/action/<string:name>/<pk>", "GET"): "rrrrrrrr",
    ("/users/action/<string:name>/<pk>", "POST"): "nnnnnnnn",
    ("/users/action_post", "POST"): "bbbbbbbb",
    ("/users/add", "GET"): "roffffff",
    ("/users/add", "POST"): "roffffff",
    ("/users/delete/<pk>", "GET"): "rrffffff",
    ("/users/delete/<pk>", "POST"): "rnffffff",
    ("/users/download/<string:filename>", "GET"): "nnnnnnnn",
    ("/users/edit/<pk>", "GET"): "roffffff",
    ("/users/edit/<pk>", "POST"): "rnffffff",
    ("/users/list/", "GET"): "roffffff",
    ("/users/show/<pk>", "GET"): "roffffff",
    ("/users/userinfo/", "GET"): "rooooooo",
    ("/viewmenus/action/<string:name>/<pk>", "GET"): "rrrrrrrr",
    ("/viewmenus/action/<string:name>/<pk>", "POST"): "nnnnnnnn",
    ("/viewmenus/action_post", "POST"): "bbbbbbbb",
    ("/viewmenus/add", "GET"): "rfffffff",
    ("/viewmenus/add", "POST"): "rfffffff",
    ("/viewmenus/delete/<pk>", "GET"): "rfffffff",
    ("/viewmenus/delete/<pk>", "POST"): "rfffffff",
    ("/viewmenus/download/<string:filename>", "GET"): "nnnnnnnn",
    ("/viewmenus/edit/<pk>", "GET"): "rfffffff",
    ("/viewmenus/edit/<pk>", "POST"): "rfffffff",
    ("/viewmenus/list/", "GET"): "roffffff",
    ("/viewmenus/show/<pk>", "GET"): "rfffffff",
}


METHODS = ("GET", "POST", "PUT", "DELETE")
# Answered by every rule as Flask and Werkzeug answer them, not by the application's code.
AUTOMATIC = {"HEAD", "OPTIONS"}


def test_every_url_rule_has_a_row(app):
    served = {(r.rule, method) for r in app.url_map.iter_rules()
              for method in r.methods - AUTOMATIC}
    written = set(MATRIX)
    missing = [f"{method} {rule}" for rule, method in sorted(served - written)]
    assert not missing, "rules and methods without a row in MATRIX: " + ", ".join(missing)
    gone = [f"{method} {rule}" for rule, method in sorted(written - served)]
    assert not gone, "rows for rules or methods that no longer exist: " + ", ".join(gone)


def test_every_row_has_eight_known_letters():
    for (rule, method), statuses in MATRIX.items():
        assert method in METHODS, f"{method} {rule}"
        assert len(statuses) == len(COLUMNS) and set(statuses) <= set(CODES), f"{method} {rule}"


@pytest.fixture(scope="module")
def reports(app):
    own = make_report(app, Status.IN_PROGRESS, unit=GTVT, title="Ma trận quyền: của GTVT")
    other = make_report(app, Status.IN_PROGRESS, unit=XD, title="Ma trận quyền: của Sở Xây dựng")
    return {"own": own, "other": other}


SIGNS_OUT = {"/logout/"}
# These act on their CSRF token alone (mark every notification read; save the notification
# preferences, an empty form choosing "off" for the digest): sent without the token, which
# they refuse, so that the matrix changes nothing.
NO_CSRF = {("/thong-bao/ca-nhan/da-doc-tat-ca", "POST"), ("/thong-bao/ca-nhan/cach-nhan", "POST")}


def _principal(app, username):
    """(web client, CSRF token, JWT headers) of a person, or of nobody signed in."""
    if username == "anon":
        client = new_client(app)
        return client, csrf_token(client.get("/login/").text), {}
    client = login(app, username)
    token = csrf_token(client.get("/resetmypassword/form").text)
    return client, token, {"Authorization": f"Bearer {api_token(app, username)}"}


@pytest.fixture(scope="module")
def principals(app):
    return {column: _principal(app, column.split("@")[0]) for column in COLUMNS}


def _ids(app):
    """Rows that exist, for the rules that show one (never for those that edit, delete or
    act: _url gives those an id of nothing)."""
    from app.extensions import appbuilder, db
    from app.models import Field, Source, Unit

    with app.app_context():
        unit = db.session.query(Unit).filter_by(name=GTVT).one().id
        field = db.session.query(Field).order_by(Field.id).first().id
        source = db.session.query(Source).order_by(Source.id).first().id
        return {
            "unitview": unit, "fieldview": field, "sourceview": source,
            "users": appbuilder.sm.find_user(username="gtvt.xuly").id,
            "/api/v1/unit/<int:pk>": unit, "/api/v1/field/<int:pk>": field,
            "/api/v1/source/<int:pk>": source,
        }


STATIC = {"/static/<path:filename>": "css/app.css",
          "/static/appbuilder/<path:filename>": "css/flags/flags16.css",
          "/admin/static/<path:filename>": "admin/js/helpers.js"}


def _url(rule: str, method: str, report_id: int, ids: dict) -> str:
    if rule in STATIC:
        return rule.replace("<path:filename>", STATIC[rule])
    view = rule.strip("/").split("/")[0]
    # A real row is only shown; an edit sent (POST) names nothing, whatever its form holds.
    real = ("/show/" in rule or "/edit/" in rule) and view in ids and method == "GET"
    pk = ids[rule] if rule in ids else ids[view] if real else NOTHING
    values = {
        "report_id": report_id, "attachment_id": NOTHING, "version": "v1", "locale": "vi",
        "action": "comment", "name": "khong_co", "filename": "khong_co.txt",
        "export_type": "csv", "code": "HUE-KHONGCO", "fmt": "json", "feedback_id": NOTHING,
        "notice_id": NOTHING, "file_id": NOTHING, "notification_id": NOTHING, "queue_key": "tat-ca",
        "pk": report_id if rule.startswith("/api/v1/report/") else pk,
    }
    return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", lambda m: str(values[m.group(1)]),
                  rule)


def _status(client, url: str, method: str, token: str | None, headers: dict) -> int:
    if url.startswith("/api/"):
        response = client.open(url, method=method, headers=headers,
                               **({"json": {}} if method != "GET" else {}))
    else:
        form = {"csrf_token": token} if token else {}
        response = client.open(url, method=method, data=form if method != "GET" else None)
    response.close()  # a streamed export ends here, not when collected
    return response.status_code


def test_each_role_gets_the_written_answer_on_every_rule(app, reports, principals):
    ids = _ids(app)
    wrong = []
    for (rule, method), statuses in sorted(MATRIX.items()):
        for column, letter in zip(COLUMNS, statuses):
            which = column.split("@")[1] if "@" in column else "own"
            url = _url(rule, method, reports[which], ids)
            client, token, headers = principals[column]
            if rule in SIGNS_OUT:  # on a session of its own, not the matrix's
                client, token, headers = _principal(app, column.split("@")[0])
            if (rule, method) in NO_CSRF:
                token = None
            try:
                status = _status(client, url, method, token, headers)
            except Exception as exc:  # a 500: TESTING lets the app's exception through
                status = repr(exc)
            if status != CODES[letter]:
                wrong.append(f"{method} {url} as {column}: {status}, written {CODES[letter]}")
    assert not wrong, "\n".join(wrong)
