"""FAB's security manager, with our user model (bound to a unit) and our rate limiter."""
from flask import flash, g, redirect, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager
from flask_appbuilder.models.sqla.filters import FilterNotEqual
from flask_appbuilder.widgets import ListWidget
from flask_appbuilder.security.views import (
    PermissionModelView,
    PermissionViewModelView,
    ResetMyPasswordView as FabResetMyPasswordView,
    RoleModelView,
    UserDBModelView,
    UserGroupModelView,
    ViewMenuModelView,
)

from ..extensions import limiter
from ..formatting import local_datetime, yes_no
from ..models import AppUser
from .auth import SSO_NO_PASSWORD, AuthView, PasswordPolicyMixin
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
    # Nobody is given the role of people not signed in.
    add_form_query_rel_fields = {"roles": [["name", FilterNotEqual, "Public"]]}
    edit_form_query_rel_fields = add_form_query_rel_fields
    list_columns = ["first_name", "last_name", "username", "email", "unit", "active", "roles"]
    show_fieldsets = [
        ("Tài khoản", {"fields": ["username", "active", "roles", "unit", "login_count"]}),
        ("Thông tin cá nhân", {"fields": ["first_name", "last_name", "email"]}),
        ("Thông tin khác", {"fields": ["last_login", "fail_login_count", "created_on", "changed_on"],
                            "expanded": False}),
    ]
    user_show_fieldsets = [
        ("Thông tin người dùng", {"fields": ["username", "active", "roles", "unit", "login_count"]}),
        ("Thông tin cá nhân", {"fields": ["first_name", "last_name", "email"], "expanded": True}),
    ]
    add_columns = ["first_name", "last_name", "username", "active", "email", "roles", "unit",
                   "password", "conf_password"]
    edit_columns = ["first_name", "last_name", "username", "active", "email", "roles", "unit"]
    search_columns = ["first_name", "last_name", "username", "email", "unit", "active", "roles"]

    @expose("/userinfo/")
    @has_access
    def userinfo(self):
        """"Thông tin tài khoản": FAB's page and the person's choice of how to be told;
        "Đổi mật khẩu" is not offered to a person of an SSO unit (their password is the
        provider's, ours is never used)."""
        from ..views.notify import preference_rows

        item = self.datamodel.get(g.user.id, self._base_filters)
        actions = {name: a for name, a in self.actions.items()
                   if not (name == "resetmypassword" and _signs_in_by_sso(g.user))}
        widgets = self._get_show_widget(g.user.id, item, actions=actions,
                                        show_fieldsets=self.user_show_fieldsets)
        self.update_redirect()
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


class SecurityManager(PasswordPolicyMixin, FabSecurityManager):
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

    def create_limiter(self, app):
        limiter.init_app(app)
        return limiter
