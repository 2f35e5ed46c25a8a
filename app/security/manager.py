"""FAB's security manager, with our user model (bound to a unit) and our rate limiter."""
from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager
from flask_appbuilder.security.views import UserDBModelView

from ..extensions import limiter
from ..models import AppUser


class UserView(UserDBModelView):
    """FAB's user list, with the unit each account works for."""

    class_permission_name = "UserDBModelView"  # FAB's own name, kept for the self-service grants

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


class SecurityManager(FabSecurityManager):
    user_model = AppUser
    userdbmodelview = UserView

    def create_limiter(self, app):
        limiter.init_app(app)
        return limiter
