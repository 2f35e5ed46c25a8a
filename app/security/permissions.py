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

from functools import cache

from flask import has_request_context, request
from sqlalchemy import Select, bindparam, or_, select

from ..domain.workflow import Role

REPORT_VIEW = "Report"
SEE_ALL = "can_see_all"
HANDLE = "can_handle"
LEAD = "can_lead"
RELATION_PERMISSIONS = (SEE_ALL, HANDLE, LEAD)
_CACHE_KEY = "phananh.security"


def _per_request(name: str) -> dict:
    """A dict that lives as long as the request (a role edit takes effect on the next one);
    a fresh one outside a request."""
    if not has_request_context():
        return {}
    return request.environ.setdefault(_CACHE_KEY, {}).setdefault(name, {})


def report_permissions(user) -> frozenset[str]:
    """Names of the permissions ``user`` holds on ``Report`` through roles and groups.

    Read once per request (a role edit takes effect on the next request), fresh outside one.
    """
    return permissions_on(user, REPORT_VIEW)


def permissions_on(user, view: str) -> frozenset[str]:
    """Names of the permissions ``user`` holds on ``view`` (cached per request: a queue page
    asks it for every row)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = _per_request("views")
    if (user.id, view) not in cache:
        cache[user.id, view] = frozenset(name for name, on in _pairs(user) if on == view)
    return cache[user.id, view]


def views_with(user, permission: str) -> frozenset[str]:
    """Names of the views on which ``user`` holds ``permission`` (the menu's entries: one set
    for some thirty of them)."""
    return frozenset(on for name, on in _pairs(user) if name == permission)


def holds(user, permission: str, view: str) -> bool:
    """Does ``user`` hold ``permission`` on ``view`` through a role or a group? What FAB's
    ``has_access`` asks for every protected page and menu entry (app/security/manager.py)."""
    return (permission, view) in _pairs(user)


def _pairs(user) -> frozenset[tuple[str, str]]:
    """Every (permission, view) the person holds: one query per request, fresh outside one."""
    # An inactive account cannot sign in (FAB refuses it); the demo replays the letter's
    # history as its receivers, inactive accounts, so activity is not checked here.
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = _per_request("permissions")
    if user.id not in cache:
        cache[user.id] = _load(user)
    return cache[user.id]


def role_holds(role_name: str, permission: str, view: str) -> bool:
    """Does the role ``role_name`` hold ``permission`` on ``view``? FAB asks it of the public
    role before every API call (``is_item_public``); read once per request, in one statement."""
    cache = _per_request("roles")
    if role_name not in cache:
        from flask_appbuilder.security.sqla.models import Role as RoleRow

        cache[role_name] = _pairs_held(
            _held_by(select(RoleRow.id).where(RoleRow.name == role_name)))
    return (permission, view) in cache[role_name]


def _roles_holding(names: tuple[str, ...], view: str) -> dict[str, set[int]]:
    """The ids of the roles holding each permission of ``names`` on ``view``."""
    from flask_appbuilder.security.sqla.models import (
        Permission, PermissionView, ViewMenu, assoc_permissionview_role,
    )

    from ..extensions import db

    holding: dict[str, set[int]] = {name: set() for name in names}
    for role_id, name in db.session.execute(
        select(assoc_permissionview_role.c.role_id, Permission.name)
        .join(PermissionView, assoc_permissionview_role.c.permission_view_id == PermissionView.id)
        .join(Permission, PermissionView.permission_id == Permission.id)
        .join(ViewMenu, PermissionView.view_menu_id == ViewMenu.id)
        .where(Permission.name.in_(names), ViewMenu.name == view)
    ):
        holding[name].add(role_id)
    return holding


def _load(user) -> frozenset[tuple[str, str]]:
    """One statement: the person's roles, direct and through groups, by their id (not through
    ``user.roles`` and ``user.groups``, two more statements on every request)."""
    return _pairs_held(_held_by_person(), user_id=user.id)


def _pairs_held(query: Select, **params) -> frozenset[tuple[str, str]]:
    """The (permission, view) rows of a ``_held_by`` statement."""
    from ..extensions import db

    return frozenset(db.session.execute(query, params).tuples())


@cache
def _held_by_person() -> Select:
    """``_held_by`` of the person ``:user_id``, built once: every request asks it."""
    from flask_appbuilder.security.sqla.models import (
        assoc_group_role, assoc_user_group, assoc_user_role,
    )

    user_id = bindparam("user_id")
    role_ids = select(assoc_user_role.c.role_id).where(assoc_user_role.c.user_id == user_id)
    group_role_ids = (select(assoc_group_role.c.role_id)
                      .join(assoc_user_group,
                            assoc_user_group.c.group_id == assoc_group_role.c.group_id)
                      .where(assoc_user_group.c.user_id == user_id))
    return _held_by(role_ids, group_role_ids)


def _held_by(*role_ids) -> Select:
    """SQL: every (permission, view) held by the roles of the ``role_ids`` SELECTs."""
    from flask_appbuilder.security.sqla.models import (
        Permission, PermissionView, ViewMenu, assoc_permissionview_role,
    )

    return (
        select(Permission.name, ViewMenu.name)
        .join(PermissionView, PermissionView.permission_id == Permission.id)
        .join(ViewMenu, PermissionView.view_menu_id == ViewMenu.id)
        .join(assoc_permissionview_role,
              assoc_permissionview_role.c.permission_view_id == PermissionView.id)
        .where(or_(*(assoc_permissionview_role.c.role_id.in_(ids) for ids in role_ids)))
        .distinct()
    )


def sees_all(user) -> bool:
    return SEE_ALL in report_permissions(user)


# --- Who is told: the audiences of notifications, notices and digests --------------------------
# The centre: who sees every report and distributes them; a unit's handlers and leaders: who
# hold "Xử lý tại đơn vị" / "Phê duyệt tại đơn vị" at that unit. A custom role made in the role
# editor is told whatever its permissions make it.
DUTIES = {
    Role.CENTRE: (SEE_ALL, "can_distribute"),
    Role.HANDLER: (HANDLE,),
    Role.LEADER: (LEAD,),
}


def acts_as(user, role: Role) -> bool:
    return set(DUTIES[role]) <= report_permissions(user)


def people_holding(duty: tuple[str, ...], unit_id: int | None = None) -> list:
    """Active accounts holding every permission of ``duty`` on reports through their roles or
    groups (at ``unit_id`` when given), in the order of their ids. Read once per request, as
    the permissions are: a bulk action tells the same people of each of its reports."""
    cache = _per_request("people")
    if (duty, unit_id) not in cache:
        cache[duty, unit_id] = _people_holding(duty, unit_id)
    return cache[duty, unit_id]


def _people_holding(duty: tuple[str, ...], unit_id: int | None) -> list:
    """Two plain statements (the roles, then the people with them) rather than one joining
    the permission tables into each condition: PostgreSQL planned that one for 2.4 ms, to run
    it in 0.6 (every statement is planned for its values, docs/PERFORMANCE.md change 9)."""
    from flask_appbuilder.security.sqla.models import (
        assoc_group_role, assoc_user_group, assoc_user_role,
    )

    from ..extensions import db
    from ..models import AppUser

    query = select(AppUser).where(AppUser.active.is_(True))
    for roles in _roles_holding(duty, REPORT_VIEW).values():
        query = query.where(or_(
            AppUser.id.in_(select(assoc_user_role.c.user_id)
                           .where(assoc_user_role.c.role_id.in_(sorted(roles)))),
            AppUser.id.in_(select(assoc_user_group.c.user_id)
                           .join(assoc_group_role,
                                 assoc_group_role.c.group_id == assoc_user_group.c.group_id)
                           .where(assoc_group_role.c.role_id.in_(sorted(roles))))))
    if unit_id is not None:
        query = query.where(AppUser.unit_id == unit_id)
    return list(db.session.execute(query.order_by(AppUser.id)).scalars())
