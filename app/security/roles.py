"""Roles and their permissions, declared as data and synced into FAB's tables at start-up.

Each role's grants are written per view (by its ``class_permission_name``); the workflow
permissions (``can_<action>`` on ``Report``) come from the workflow table, and menu access is
derived from the views a role may open. The sync makes each role hold exactly these
permissions: anything granted by hand or by FAB's defaults is taken away.
"""
from __future__ import annotations

import logging

from flask_appbuilder.const import PERMISSION_PREFIX

from ..domain.workflow import ACTION_LABELS, Action, Role, WORKFLOW_ACTIONS, actions_of_role

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

ROLE_GRANTS: dict[Role, dict[str, frozenset[str] | None]] = {
    Role.CENTRE: {
        **{view: READ | WRITE for view in CATALOGUES},
        **{view: READ for view in REPORT_VIEWS + CENTRE_QUEUES},
        "ReportIntake": EVERYTHING,
        "Personnel": READ | {"can_export"},  # lists, registration status, export
        "Notice": READ | WRITE,  # writes notices to the units, sees who has read them
    },
    Role.HANDLER: {**{view: READ for view in CATALOGUES + REPORT_VIEWS + HANDLER_QUEUES},
                   "Notice": READ},
    Role.LEADER: {**{view: READ for view in CATALOGUES + REPORT_VIEWS + LEADER_QUEUES},
                  "Notice": READ},
    Role.VIEWER: {**{view: READ for view in CATALOGUES + REPORT_VIEWS + VIEWER_QUEUES},
                  "Notice": READ},
}


def workflow_permission(action: Action) -> str:
    return PERMISSION_PREFIX + action.value


def _role_pairs(role: Role, existing: dict[str, set[str]]) -> set[tuple[str, str]]:
    """The (permission, view) pairs a role should hold, among those FAB has registered."""
    if role == Role.ADMIN:
        # Administrators: everything, except acting in the workflow (that is the centre's and units').
        workflow = {workflow_permission(a) for a in WORKFLOW_ACTIONS}
        return {
            (perm, view)
            for view, perms in existing.items()
            for perm in perms
            if not (view == "Report" and perm in workflow)
        }
    pairs: set[tuple[str, str]] = set()
    grants = {**SELF_SERVICE, **ROLE_GRANTS.get(role, {})}
    for view, perms in grants.items():
        for perm in existing.get(view, ()):
            if perms is EVERYTHING or perm in perms:
                pairs.add((perm, view))
    for action in actions_of_role(role):
        pairs.add((workflow_permission(action), "Report"))
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
    # Workflow permissions exist even before a view declares them.
    for action in WORKFLOW_ACTIONS:
        sm.add_permission_view_menu(workflow_permission(action), "Report")


def sync_roles(appbuilder) -> None:
    """Create the declared roles and give each exactly its declared permissions."""
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
        pairs = _role_pairs(role, existing)
        if role != Role.ADMIN:
            pairs |= _menu_pairs(appbuilder, pairs)
        db_role = sm.find_role(role.value) or sm.add_role(role.value)
        wanted = [index[p] for p in sorted(pairs) if p in index]
        if set(db_role.permissions) != set(wanted):
            db_role.permissions = wanted
            log.info("Đồng bộ quyền của vai trò %s: %d quyền", role.value, len(wanted))
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
    "newpassword": "Cấp lại mật khẩu",
}
VIEW_LABELS = {
    "Report": "Phản ánh", "UserDBModelView": "Người dùng", "RoleModelView": "Vai trò",
    "UserGroupModelView": "Nhóm", "PermissionModelView": "Quyền cơ sở",
    "ViewMenuModelView": "Chức năng, menu", "PermissionViewModelView": "Quyền trên chức năng",
    "ResetMyPasswordView": "Đổi mật khẩu", "ResetPasswordView": "Đặt lại mật khẩu",
    "UserInfoEditView": "Thông tin tài khoản", "MenuApi": "Menu", "OpenApi": "Mô tả API",
    "SwaggerView": "Tài liệu API",
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
