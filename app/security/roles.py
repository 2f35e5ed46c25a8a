"""The built-in roles and their permissions, declared as data; ``flask seed`` (and ``flask
demo``) create them and bring them up to date — never the application's start.

Each built-in role is found by a stable code (``role_code`` table): its Vietnamese name is a
label an administrator may change. Each role's grants are written per view (by its
``class_permission_name``); the workflow permissions (``can_<action>`` on ``Report``) and the
relation permissions (``can_see_all``, ``can_handle``, ``can_lead``: app/security/permissions.py)
come from the workflow table, and menu access is derived from the views a role may open.

The sync is a three-way merge: it grants what the code newly declares and withdraws what the
code no longer declares, and leaves alone what an administrator granted or withdrew in the role
editor. The first sync of a role (no declaration recorded) makes it hold exactly the declared
permissions.
"""
from __future__ import annotations

import json
import logging

from flask_appbuilder.const import PERMISSION_PREFIX

from ..domain.workflow import (
    ACTION_LABELS, Action, Actor, ROLE_ACTORS, ROLES_SEEING_ALL, Role, WORKFLOW_ACTIONS,
    actions_of_role,
)
from .permissions import HANDLE, LEAD, RELATION_PERMISSIONS, REPORT_VIEW, SEE_ALL

log = logging.getLogger(__name__)

READ = frozenset({"can_list", "can_show", "can_get", "can_info", "can_download"})
WRITE = frozenset({"can_add", "can_edit", "can_delete", "can_post", "can_put"})
EVERYTHING = None  # every permission the view has

# What every signed-in person may do with their own account.
SELF_SERVICE = {
    "UserDBModelView": frozenset({"can_userinfo", "resetmypassword", "userinfoedit"}),
    "ResetMyPasswordView": frozenset({"can_this_form_get", "can_this_form_post"}),
    "UserInfoEditView": frozenset({"can_this_form_get", "can_this_form_post"}),
    "MenuApi": frozenset({"can_get"}),
    # One's own notifications (the bell, its page, the API), read and marked read.
    "Notification": READ,
}

CATALOGUES = ("Unit", "Field", "Source", "WorkdayException")
REPORT_VIEWS = ("Report", "Dashboard")
# The queues of the left menu (app/services/queues.py), each shown to the roles it concerns;
# "ReportList" ("Tất cả phản ánh") lists the person's whole scope.
CENTRE_QUEUES = ("QueueIntake", "QueueDistribution", "QueuePublishing", "QueueFeedback",
                 "ReportList")
HANDLER_QUEUES = ("QueueProcessing", "QueueFollowUp", "ReportList")
LEADER_QUEUES = ("QueueApproval", "QueueFollowUp", "ReportList")
VIEWER_QUEUES = ("ReportList",)
# "Biểu đồ phản ánh", "Tổng hợp", "Thống kê" and the statistics API: every role of the process
# opens them; the statistics service limits a unit's people to their unit's figures.
STATISTICS_VIEWS = ("StatisticsChart", "StatisticsSummary", "Statistics")

ROLE_GRANTS: dict[Role, dict[str, frozenset[str] | None]] = {
    Role.CENTRE: {
        **{view: READ | WRITE for view in CATALOGUES},
        **{view: READ for view in REPORT_VIEWS + CENTRE_QUEUES + STATISTICS_VIEWS},
        "Personnel": READ | {"can_export"},  # lists, registration status, export
        "Notice": READ | WRITE,  # writes notices to the units, sees who has read them
    },
    Role.HANDLER: {**{view: READ for view in
                      CATALOGUES + REPORT_VIEWS + HANDLER_QUEUES + STATISTICS_VIEWS},
                   "Notice": READ},
    Role.LEADER: {**{view: READ for view in
                     CATALOGUES + REPORT_VIEWS + LEADER_QUEUES + STATISTICS_VIEWS},
                  "Notice": READ},
    Role.VIEWER: {**{view: READ for view in
                     CATALOGUES + REPORT_VIEWS + VIEWER_QUEUES + STATISTICS_VIEWS},
                  "Notice": READ},
}


def workflow_permission(action: Action) -> str:
    return PERMISSION_PREFIX + action.value


# Who may take a new report in (intake, "Tiếp nhận phản ánh mới"): whoever receives it next.
INTAKE_PERMISSION = workflow_permission(Action.CREATE)


def report_defaults(role: Role) -> set[str]:
    """A built-in role's permissions on ``Report`` that the workflow table decides."""
    actions = actions_of_role(role)
    perms = {workflow_permission(a) for a in actions}
    if Action.RECEIVE in actions:
        perms.add(INTAKE_PERMISSION)
    if role in ROLES_SEEING_ALL:
        perms.add(SEE_ALL)
    if Actor.HANDLER in ROLE_ACTORS[role]:
        perms.add(HANDLE)
    if Actor.LEADER in ROLE_ACTORS[role]:
        perms.add(LEAD)
    return perms


def _role_pairs(role: Role, existing: dict[str, set[str]]) -> set[tuple[str, str]]:
    """The (permission, view) pairs a role should hold, among those FAB has registered."""
    if role == Role.ADMIN:
        # Administrators: everything, except acting in the workflow (that is the centre's and
        # units'); they see every report.
        workflow = {workflow_permission(a) for a in WORKFLOW_ACTIONS} | {
            INTAKE_PERMISSION, HANDLE, LEAD}
        return {
            (perm, view)
            for view, perms in existing.items()
            for perm in perms
            if not (view == REPORT_VIEW and perm in workflow)
        }
    pairs: set[tuple[str, str]] = set()
    grants = {**SELF_SERVICE, **ROLE_GRANTS.get(role, {})}
    for view, perms in grants.items():
        for perm in existing.get(view, ()):
            if perms is EVERYTHING or perm in perms:
                pairs.add((perm, view))
    pairs |= {(perm, REPORT_VIEW) for perm in report_defaults(role)}
    return pairs


def _menu_pairs(appbuilder, pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Menu entries a role sees: those whose page it may open, and the categories holding them.

    A list view's page needs ``can_list``; any other view's page, any of its permissions.
    """

    def may_open(view) -> bool:
        perms = {p for p, v in pairs if v == view.class_permission_name}
        return "can_list" in perms if "can_list" in (view.base_permissions or ()) else bool(perms)

    menu: set[tuple[str, str]] = set()
    for category in appbuilder.menu.get_list():
        shown = False
        for item in category.childs or [category]:
            if item.baseview is not None and may_open(item.baseview):
                menu.add(("menu_access", item.name))
                shown = True
        if shown and category.childs:
            menu.add(("menu_access", category.name))
    return menu


def register_permissions(appbuilder) -> None:
    """Create every view's and menu entry's permission (never deletes).

    FAB's own ``add_permissions(update_perms=True)`` is not used: a web view and an API sharing a
    ``class_permission_name`` would each delete the other's permissions.
    """
    sm = appbuilder.sm
    for baseview in appbuilder.baseviews:
        for perm in baseview.base_permissions or ():
            sm.add_permission_view_menu(perm, baseview.class_permission_name)
    for category in appbuilder.menu.get_list():
        for item in [category, *(category.childs or [])]:
            if item.name and item.name != "-":
                sm.add_permission_view_menu("menu_access", item.name)
    # Workflow, intake and relation permissions exist even before a view declares them.
    for action in WORKFLOW_ACTIONS:
        sm.add_permission_view_menu(workflow_permission(action), REPORT_VIEW)
    for perm in (INTAKE_PERMISSION, *RELATION_PERMISSIONS):
        sm.add_permission_view_menu(perm, REPORT_VIEW)


def role_by_code(code: str):
    """A built-in role by its stable code ("admin", "centre", "handler", "leader", "viewer")."""
    from ..extensions import db
    from ..models import BuiltinRole

    row = db.session.get(BuiltinRole, code)
    return row.role if row is not None else None


def _builtin_role(sm, role: Role):
    """The role of ``role``'s code, created (or adopted by its initial name) when missing."""
    from ..models import BuiltinRole

    row = sm.session.get(BuiltinRole, role.code)
    if row is None:
        db_role = sm.find_role(role.value) or sm.add_role(role.value)
        row = BuiltinRole(code=role.code, role_id=db_role.id)
        sm.session.add(row)
        sm.session.flush()
    return row


def sync_roles(appbuilder) -> None:
    """Create the built-in roles and bring their permissions up to date (see module doc)."""
    sm = appbuilder.sm
    register_permissions(appbuilder)
    index = {
        (pv.permission.name, pv.view_menu.name): pv
        for pv in sm.session.query(sm.permissionview_model).all()
        if pv.permission and pv.view_menu
    }
    existing: dict[str, set[str]] = {}
    for perm, view in index:
        existing.setdefault(view, set()).add(perm)
    for role in Role:
        declared = _role_pairs(role, existing)
        if role != Role.ADMIN:
            declared |= _menu_pairs(appbuilder, declared)
        declared = {p for p in declared if p in index}
        row = _builtin_role(sm, role)
        held = {(pv.permission.name, pv.view_menu.name) for pv in row.role.permissions}
        if row.declared is None:
            wanted = declared
        else:
            before = {tuple(p) for p in json.loads(row.declared)}
            wanted = (held - (before - declared)) | (declared - before)
        if wanted != held:
            row.role.permissions = [index[p] for p in sorted(wanted)]
            log.info("Đồng bộ quyền của vai trò %s: %d quyền", row.role.name, len(wanted))
        row.declared = json.dumps(sorted(declared), ensure_ascii=False)
    # The public (not signed-in) role may do nothing.
    public = sm.find_role(sm.auth_role_public) or sm.add_role(sm.auth_role_public)
    public.permissions = []
    sm.session.commit()


# --- How permissions read in the administrators' role pages --------------------------------

PERMISSION_LABELS = {
    "can_list": "Xem danh sách", "can_show": "Xem chi tiết", "can_add": "Thêm", "can_edit": "Sửa",
    "can_delete": "Xóa", "can_download": "Tải xuống", "can_export": "Xuất dữ liệu",
    "can_get": "API: đọc", "can_info": "API: thông tin", "can_post": "API: thêm",
    "can_put": "API: sửa", "menu_access": "Mục menu", "can_this_form_get": "Mở biểu mẫu",
    "can_this_form_post": "Gửi biểu mẫu", "can_userinfo": "Xem tài khoản của mình",
    "resetmypassword": "Đổi mật khẩu của mình", "resetpasswords": "Đặt lại mật khẩu",
    "userinfoedit": "Sửa thông tin của mình", "copyrole": "Sao chép vai trò",
    "can_chart": "Xem biểu đồ", "can_access": "Truy cập",
    "can_import": "Nhập từ tệp", "provision": "Cấp / đồng bộ tài khoản",
    "newpassword": "Cấp lại mật khẩu", "unlock": "Mở khóa đăng nhập",
    SEE_ALL: "Xem mọi phản ánh (thao tác như Trung tâm)",
    HANDLE: "Xử lý phản ánh giao cho đơn vị mình",
    LEAD: "Phê duyệt phản ánh của đơn vị mình",
}
VIEW_LABELS = {
    "Report": "Phản ánh", "UserDBModelView": "Người dùng", "RoleModelView": "Vai trò",
    "UserGroupModelView": "Nhóm", "PermissionModelView": "Quyền cơ sở",
    "ViewMenuModelView": "Chức năng, menu", "PermissionViewModelView": "Quyền trên chức năng",
    "ResetMyPasswordView": "Đổi mật khẩu", "ResetPasswordView": "Đặt lại mật khẩu",
    "UserInfoEditView": "Thông tin tài khoản", "MenuApi": "Menu", "OpenApi": "Mô tả API",
    "SwaggerView": "Tài liệu API", "Statistics": "Thống kê", "StatisticsSummary": "Tổng hợp",
    "StatisticsChart": "Biểu đồ phản ánh",
    "Notification": "Thông báo của tôi", "Notice": "Thông báo của Trung tâm",
}


def describe_permission(permission: str, view: str) -> str:
    """A permission as administrators read it: "Sửa — Danh mục lĩnh vực" instead of
    "can edit on Field"."""
    from flask import current_app, has_app_context
    from flask_babel import gettext

    if permission.startswith("can_") and permission[4:] in {a.value for a in Action}:
        what = "Thao tác “" + ACTION_LABELS[Action(permission[4:])] + "”"
    else:
        what = PERMISSION_LABELS.get(permission, permission)
    label = VIEW_LABELS.get(view)
    if not has_app_context():
        return f"{what} — {label or view}"
    if label is None:
        appbuilder = current_app.appbuilder
        for category in appbuilder.menu.get_list():
            for item in [category, *(category.childs or [])]:
                if item.baseview is not None and item.baseview.class_permission_name == view:
                    label = gettext(item.label or item.name)
    return f"{what} — {label or gettext(view)}"
