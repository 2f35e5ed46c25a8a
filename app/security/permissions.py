"""The permissions a person holds on reports, read from FAB's role tables (what the role editor
"Danh sách vai trò" changes), never from a role's name.

Besides ``can_<action>`` for each workflow action, three permissions on ``Report`` say how a
person stands towards reports (app/security/manager.py ``raise_for_access`` uses them):

- ``can_see_all``  "Xem mọi phản ánh": every report is in the person's scope, the reporter of a
  confidential report is shown, and the person acts as the operations centre (the table's
  "centre" steps, given the step's ``can_<action>``);
- ``can_handle``   "Xử lý tại đơn vị": the person is a handler of their own unit (the table's
  handler steps on reports assigned to that unit; follow-ups of that unit);
- ``can_lead``     "Phê duyệt tại đơn vị": the person is a leader of their own unit.

Without ``can_see_all`` a person sees only the reports ever distributed to their unit.
"""
from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import select

REPORT_VIEW = "Report"
SEE_ALL = "can_see_all"
HANDLE = "can_handle"
LEAD = "can_lead"
RELATION_PERMISSIONS = (SEE_ALL, HANDLE, LEAD)
_CACHE_KEY = "phananh.report_permissions"


def report_permissions(user) -> frozenset[str]:
    """Names of the permissions ``user`` holds on ``Report`` through roles and groups.

    Read once per request (a role edit takes effect on the next request), fresh outside one.
    """
    # An inactive account cannot sign in (FAB refuses it); the demo replays the letter's
    # history as its receivers, inactive accounts, so activity is not checked here.
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = request.environ.setdefault(_CACHE_KEY, {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = _load(user)
    return cache[user.id]


def _load(user) -> frozenset[str]:
    from flask_appbuilder.security.sqla.models import (
        Permission, PermissionView, ViewMenu, assoc_permissionview_role,
    )

    from ..extensions import db

    role_ids = {r.id for r in user.roles} | {r.id for g in user.groups for r in g.roles}
    if not role_ids:
        return frozenset()
    names = db.session.execute(
        select(Permission.name)
        .join(PermissionView, PermissionView.permission_id == Permission.id)
        .join(ViewMenu, PermissionView.view_menu_id == ViewMenu.id)
        .join(assoc_permissionview_role,
              assoc_permissionview_role.c.permission_view_id == PermissionView.id)
        .where(ViewMenu.name == REPORT_VIEW,
               assoc_permissionview_role.c.role_id.in_(role_ids))
    ).scalars()
    return frozenset(names)


def sees_all(user) -> bool:
    return SEE_ALL in report_permissions(user)
