"""FAB's security manager, with our user model (bound to a unit), our rate limiter, and THE
authorization point for reports (``raise_for_access``)."""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager
from flask_appbuilder.models.sqla.filters import FilterNotEqual
from flask_appbuilder.widgets import ListWidget
from wtforms.validators import ValidationError
from flask_appbuilder.security.views import (
    PermissionModelView,
    PermissionViewModelView,
    ResetMyPasswordView as FabResetMyPasswordView,
    RoleModelView,
    UserDBModelView,
    UserGroupModelView,
    ViewMenuModelView,
)

from ..domain.workflow import (
    ACTION_LABELS, Action, Actor, Status, Transition, available_actions, find_transition,
    transitions_for,
)
from ..extensions import limiter
from ..formatting import local_datetime, yes_no
from ..models import AppUser, Report, ReportUnitKind
from .auth import SSO_NO_PASSWORD, AuthView, PasswordPolicyMixin
from .permissions import HANDLE, LEAD, SEE_ALL, holds, report_permissions, role_holds
from .roles import PERMISSION_LABELS, VIEW_LABELS

# FAB's role for people not signed in is called "Public" (AUTH_ROLE_PUBLIC); shown in Vietnamese.
PUBLIC_ROLE_LABEL = "Khách (chưa đăng nhập)"


def role_name(role) -> str:
    name = getattr(role, "name", role)
    return PUBLIC_ROLE_LABEL if name == "Public" else str(name)


def role_names(roles) -> str:
    """"Cán bộ xử lý, Theo dõi" rather than FAB's "[Cán bộ xử lý, Theo dõi]"."""
    return ", ".join(role_name(r) for r in roles or [])


def permission_name(permission) -> str:
    name = getattr(permission, "name", permission)
    return PERMISSION_LABELS.get(name, name)


def view_name(view_menu) -> str:
    name = getattr(view_menu, "name", view_menu)
    return VIEW_LABELS.get(name, name)


def _signs_in_by_sso(user) -> bool:
    from ..services.accounts import password_sign_in_refused

    return password_sign_in_refused(user)


def roles_required(_form, field) -> None:
    if not field.data:
        raise ValidationError("Vui lòng chọn ít nhất một vai trò.")


class UserView(UserDBModelView):
    """FAB's user list, with the unit each account works for."""

    class_permission_name = "UserDBModelView"  # FAB's own name, kept for the self-service grants

    label_columns = {**UserDBModelView.label_columns, "unit": "Đơn vị"}
    formatters_columns = {"active": yes_no, "last_login": local_datetime,
                          "created_on": local_datetime, "changed_on": local_datetime,
                          "roles": role_names}
    description_columns = {
        "first_name": "Họ và tên đệm của người dùng.",
        "last_name": "Tên của người dùng.",
        "username": "Tên dùng để đăng nhập bằng mật khẩu.",
        "password": "Mật khẩu đăng nhập.",
        "conf_password": "Nhập lại mật khẩu để xác nhận.",
        "active": "Không nên xóa tài khoản: bỏ chọn để khóa tài khoản, lịch sử được giữ lại.",
        "email": "Email của người dùng; dùng để đối chiếu khi đăng nhập một lần (SSO).",
        "roles": "Vai trò của người dùng trong hệ thống; mỗi vai trò gắn với một nhóm quyền "
                 "(Quản trị hệ thống, Trung tâm, Cán bộ xử lý, Lãnh đạo phê duyệt, Theo dõi).",
        "groups": "Nhóm người dùng; mỗi nhóm gắn với các vai trò.",
        "unit": "Đơn vị, cơ quan xử lý mà người dùng làm việc.",
    }
    # FAB's validator asks for roles or groups; the forms here have no groups field (a KeyError
    # on FAB 5.3): a role is required.
    validators_columns = {"roles": [roles_required]}
    # Nobody is given the role of people not signed in.
    add_form_query_rel_fields = {"roles": [["name", FilterNotEqual, "Public"]]}
    edit_form_query_rel_fields = add_form_query_rel_fields
    list_columns = ["first_name", "last_name", "username", "email", "unit", "active", "roles"]
    show_fieldsets = [
        ("Tài khoản", {"fields": ["username", "active", "roles", "unit", "login_count"]}),
        ("Thông tin cá nhân", {"fields": ["first_name", "last_name", "email"]}),
        ("Thông tin khác", {"fields": ["last_login", "fail_login_count", "locked_until",
                                       "created_on", "changed_on"], "expanded": False}),
    ]
    user_show_fieldsets = [
        ("Thông tin người dùng", {"fields": ["username", "active", "roles", "unit", "login_count"]}),
        ("Thông tin cá nhân", {"fields": ["first_name", "last_name", "email"], "expanded": True}),
    ]
    add_columns = ["first_name", "last_name", "username", "active", "email", "roles", "unit",
                   "password", "conf_password"]
    label_columns = {**label_columns, "locked_until": "Tạm khóa đăng nhập đến",
                     "fail_login_count": "Số lần đăng nhập sai liên tiếp"}
    formatters_columns = {**formatters_columns, "locked_until": local_datetime}
    edit_columns = ["first_name", "last_name", "username", "active", "email", "roles", "unit"]
    search_columns = ["first_name", "last_name", "username", "email", "unit", "active", "roles"]

    @action("unlock", "Mở khóa đăng nhập", "Mở khóa đăng nhập cho các tài khoản đã chọn?",
            "fa-unlock", single=False)
    def unlock(self, items):
        """Administrators lift a sign-in lockout before it runs out (audited as their change)."""
        items = items if isinstance(items, list) else [items]
        for user in items:
            self.appbuilder.sm.unlock(user)
        self.datamodel.session.commit()
        flash(f"Đã mở khóa đăng nhập cho {len(items)} tài khoản.", "success")
        return redirect(request.referrer or self.get_redirect())

    @expose("/userinfo/")
    @has_access
    def userinfo(self):
        """"Thông tin tài khoản": FAB's page and the person's choice of how to be told;
        "Đổi mật khẩu" is not offered to a person of an SSO unit (their password is the
        provider's, ours is never used)."""
        from ..ops import page_cache  # not at the top: the security manager comes first

        self.update_redirect()
        return page_cache.page(self._userinfo_page)

    def _userinfo_page(self):
        from ..views.notify import preference_rows

        item = g.user  # the signed-in person, already loaded (FAB reads them again)
        actions = {name: a for name, a in self.actions.items()
                   if not (name == "resetmypassword" and _signs_in_by_sso(g.user))}
        widgets = self._get_show_widget(g.user.id, item, actions=actions,
                                        show_fieldsets=self.user_show_fieldsets)
        return self.render_template("notify/user_info.html", title=self.user_info_title,
                                    widgets=widgets, appbuilder=self.appbuilder,
                                    prefs=preference_rows(g.user))


class ResetMyPasswordView(FabResetMyPasswordView):
    """FAB's own password change, refused to a person of an SSO unit (it would say "Đã đổi mật
    khẩu" for a password that can never be used). Same name: same endpoints and permission."""

    def _refused(self):
        if _signs_in_by_sso(g.user):
            flash(SSO_NO_PASSWORD, "warning")
            return redirect(url_for(f"{UserView.__name__}.userinfo"))
        return None

    @expose("/form", methods=["GET"])
    @has_access
    def this_form_get(self):
        return self._refused() or super().this_form_get()

    @expose("/form", methods=["POST"])
    @has_access
    def this_form_post(self):
        return self._refused() or super().this_form_post()


# FAB's other security views, with Vietnamese labels for the columns FAB leaves unlabelled (it
# would show English made up from the column names: "Label", "Users", "Login Count"...).
# Each keeps FAB's permission name.


class RoleView(RoleModelView):
    class_permission_name = "RoleModelView"
    label_columns = {**RoleModelView.label_columns, "user": "Người dùng", "groups": "Nhóm"}
    formatters_columns = {"name": role_name}
    # FAB's own role list template prints the raw name (no formatters); builtin roles unused.
    list_widget = ListWidget


class GroupView(UserGroupModelView):
    class_permission_name = "UserGroupModelView"
    label_columns = {"name": "Tên nhóm", "label": "Tên hiển thị", "description": "Mô tả",
                     "users": "Người dùng", "roles": "Vai trò"}


class PermissionOnViewView(PermissionViewModelView):
    class_permission_name = "PermissionViewModelView"
    label_columns = {**PermissionViewModelView.label_columns, "role": "Vai trò"}
    formatters_columns = {"permission": permission_name, "view_menu": view_name}
    # FAB's filter lists would offer the raw codes ("can_this_form_post"): filter by role only.
    search_columns = ["role"]


# The "Bảo mật" menu's lists of permission and view names: what they mean, not their codes.
class PermissionNameView(PermissionModelView):
    class_permission_name = "PermissionModelView"
    formatters_columns = {"name": permission_name}


class ViewNameView(ViewMenuModelView):
    class_permission_name = "ViewMenuModelView"
    formatters_columns = {"name": view_name}


def action_permission(action: Action) -> str:
    """The FAB permission (on ``Report``) of a workflow action or of intake: ``can_<action>``."""
    return "can_" + action.value


class ReportAccessMixin:
    """"May this person do action X on report R now?" — answered here and nowhere else.

    Yes when all three hold (modelled on Superset's ``raise_for_access``):

    1. the person holds the FAB permission ``can_<action>`` on ``Report`` (the role editor
       grants and withdraws it; the built-in roles get theirs from the transition table);
    2. the report is in the person's scope (app/services/scope.py);
    3. the transition table has a row for the action in the report's state whose actor the
       person is towards this report: the centre (``can_see_all``), the handler or leader of the
       unit the report is assigned to (``can_handle`` / ``can_lead`` and that unit), a follow-up
       unit's person, or anyone in scope for a comment (app/security/permissions.py).

    Intake (``Action.CREATE``, no report yet) needs ``can_create`` and ``can_see_all``.
    """

    def report_relations(self, user, report: Report) -> frozenset[Actor]:
        """How ``user`` stands towards ``report`` (which must be in the user's scope), from the
        person's unit and permissions, never from a role's name."""
        perms = report_permissions(user)
        unit_id = getattr(user, "unit_id", None)
        kinds = {Actor.PARTICIPANT}
        if SEE_ALL in perms:
            kinds.add(Actor.CENTRE)
        assigned = unit_id is not None and report.unit_id == unit_id
        if assigned and HANDLE in perms:
            kinds.add(Actor.HANDLER)
        if assigned and LEAD in perms:
            kinds.add(Actor.LEADER)
        if (HANDLE in perms or LEAD in perms) and unit_id is not None and any(
            link.kind == ReportUnitKind.FOLLOW and link.unit_id == unit_id
            and link.done_at is None for link in report.unit_links
        ):
            kinds.add(Actor.FOLLOWER)
        return frozenset(kinds)

    def report_actions(self, user, report: Report) -> list[Transition]:
        """Exactly the actions ``raise_for_access`` allows now: the "Thao tác" choices."""
        from ..services.scope import in_scope

        if not in_scope(user, report):
            return []
        perms = report_permissions(user)
        return [t for t in available_actions(Status(report.status),
                                             self.report_relations(user, report))
                if action_permission(t.action) in perms]

    def may_take_in(self, user) -> bool:
        perms = report_permissions(user)
        return action_permission(Action.CREATE) in perms and SEE_ALL in perms

    def raise_for_access(self, user, action: Action, report: Report | None = None,
                         version=None) -> Transition | None:
        """The transition ``user`` may apply, or a WorkflowError saying why not (404 outside
        the scope, 403 without the permission or the relation, 409 for the state or an older
        version). For intake (``Action.CREATE``) returns None when allowed."""
        from ..services.scope import in_scope
        from ..services.workflow import (
            CONFLICT_MESSAGE, NOT_FOUND_MESSAGE, ConflictError, InvalidInput, NotAllowed, NotFound,
        )

        if action == Action.CREATE:
            if not self.may_take_in(user):
                raise NotAllowed("Bạn không có quyền tiếp nhận phản ánh mới.")
            return None
        if report is None or not in_scope(user, report):
            raise NotFound(NOT_FOUND_MESSAGE)
        if action_permission(action) not in report_permissions(user):
            raise NotAllowed(
                f"Vai trò của bạn không được thực hiện thao tác “{ACTION_LABELS[action]}”.")
        # The version the person saw is checked before the state: someone who saw an older
        # report is told to reload, whatever the other person's action did to the state.
        if version is not None and any(t.target is not None for t in transitions_for(action)):
            try:
                seen = int(version)
            except (TypeError, ValueError):
                raise InvalidInput("Phiên bản (version) không hợp lệ.") from None
            if seen != report.version:
                raise ConflictError(CONFLICT_MESSAGE)
        status = Status(report.status)
        if not any(t.applies_to(status) for t in transitions_for(action)):
            raise ConflictError(
                f"Không thể “{ACTION_LABELS[action]}” phản ánh đang ở trạng thái "
                f"“{report.status_label}”.")
        transition = find_transition(action, status, self.report_relations(user, report))
        if transition is None:
            raise NotAllowed(
                f"Bạn không được “{ACTION_LABELS[action]}” phản ánh này: "
                "phản ánh không được giao cho đơn vị của bạn ở bước này.")
        return transition


class SecurityManager(ReportAccessMixin, PasswordPolicyMixin, FabSecurityManager):
    user_model = AppUser
    userdbmodelview = UserView
    resetmypasswordview = ResetMyPasswordView
    authdbview = AuthView  # passwords and the provincial SSO on one login page (security/auth.py)
    rolemodelview = RoleView
    groupmodelview = GroupView
    permissionviewmodelview = PermissionOnViewView
    permissionmodelview = PermissionNameView
    viewmenumodelview = ViewNameView
    # FAB's user statistics chart loads Google's chart code from the internet: not offered.
    userstatschartview = None

    def _has_view_access(self, user, permission_name: str, view_name: str) -> bool:
        """FAB 5 asks the database once per check (one EXISTS for each protected page, action
        and menu entry: five on a page with only the menu); the person's permissions are read
        once per request instead (app/security/permissions.py). FAB's built-in roles (none
        configured here) keep FAB's own check; with none, the roles are not even loaded."""
        if self.builtin_roles and any(role.name in self.builtin_roles for role in self.get_user_roles(user)):
            return super()._has_view_access(user, permission_name, view_name)
        return holds(user, permission_name, view_name)

    def is_item_public(self, permission_name: str, view_name: str) -> bool:
        """FAB loads the public role and each of its permissions' rows before every API call
        (three statements); one statement, once per request, instead."""
        return role_holds(self.auth_role_public, permission_name, view_name)

    def create_limiter(self, app):
        limiter.init_app(app)
        return limiter

    def register_views(self):
        super().register_views()
        # The API's sign-in (and token refresh) is limited exactly like the login form: same
        # limiter, same rate, same storage (RATELIMIT_STORAGE_URI, shared by the instances).
        if self.is_auth_limited:
            for view in self.appbuilder.baseviews:
                if isinstance(view, SecurityApi):
                    self.limiter.limit(self.auth_rate_limit, methods=["POST"])(view.blueprint)

    # -- JWTs stop working when the password changes or the account is locked or disabled --

    def create_jwt_manager(self, app):
        jwt_manager = super().create_jwt_manager(app)
        jwt_manager.additional_claims_loader(self._token_claims)
        jwt_manager.token_in_blocklist_loader(self._token_revoked)
        return jwt_manager

    @staticmethod
    def _password_stamp(user) -> str:
        """A keyed digest of the password hash: changes with the password, reveals nothing."""
        key = current_app.config["SECRET_KEY"].encode()
        return hmac.new(key, (user.password or "").encode(), hashlib.sha256).hexdigest()[:24]

    def _token_claims(self, identity) -> dict:
        user = self.get_user_by_id(int(identity))
        return {"pwd": self._password_stamp(user)} if user is not None else {}

    def _token_revoked(self, _header, payload) -> bool:
        try:
            user = self.get_user_by_id(int(payload["sub"]))
        except (KeyError, TypeError, ValueError):
            return True
        return (user is None or not user.is_active or self.is_locked(user)
                or not hmac.compare_digest(str(payload.get("pwd", "")),
                                           self._password_stamp(user)))
