"""FAB's security manager, with our user model (bound to a unit) and our rate limiter."""
from flask import g
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager
from flask_appbuilder.security.views import (
    PermissionViewModelView,
    RoleModelView,
    UserDBModelView,
    UserGroupModelView,
)

from ..extensions import limiter
from ..formatting import local_datetime, yes_no
from ..models import AppUser
from .auth import AuthView, PasswordPolicyMixin


class UserView(UserDBModelView):
    """FAB's user list, with the unit each account works for."""

    class_permission_name = "UserDBModelView"  # FAB's own name, kept for the self-service grants

    label_columns = {**UserDBModelView.label_columns, "unit": "Đơn vị"}
    formatters_columns = {"active": yes_no, "last_login": local_datetime,
                          "created_on": local_datetime, "changed_on": local_datetime}
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
        """"Thông tin tài khoản": FAB's page and the person's choice of how to be told."""
        from ..views.notify import preference_rows

        item = self.datamodel.get(g.user.id, self._base_filters)
        widgets = self._get_show_widget(g.user.id, item, show_fieldsets=self.user_show_fieldsets)
        self.update_redirect()
        return self.render_template("notify/user_info.html", title=self.user_info_title,
                                    widgets=widgets, appbuilder=self.appbuilder,
                                    prefs=preference_rows(g.user))


# FAB's other security views, with Vietnamese labels for the columns FAB leaves unlabelled (it
# would show English made up from the column names: "Label", "Users", "Login Count"...).
# Each keeps FAB's permission name.


class RoleView(RoleModelView):
    class_permission_name = "RoleModelView"
    label_columns = {**RoleModelView.label_columns, "user": "Người dùng", "groups": "Nhóm"}


class GroupView(UserGroupModelView):
    class_permission_name = "UserGroupModelView"
    label_columns = {"name": "Tên nhóm", "label": "Tên hiển thị", "description": "Mô tả",
                     "users": "Người dùng", "roles": "Vai trò"}


class PermissionOnViewView(PermissionViewModelView):
    class_permission_name = "PermissionViewModelView"
    label_columns = {**PermissionViewModelView.label_columns, "role": "Vai trò"}


class SecurityManager(PasswordPolicyMixin, FabSecurityManager):
    user_model = AppUser
    userdbmodelview = UserView
    authdbview = AuthView  # passwords and the provincial SSO on one login page (security/auth.py)
    rolemodelview = RoleView
    groupmodelview = GroupView
    permissionviewmodelview = PermissionOnViewView
    # FAB's user statistics chart loads Google's chart code from the internet: not offered.
    userstatschartview = None

    def create_limiter(self, app):
        limiter.init_app(app)
        return limiter
