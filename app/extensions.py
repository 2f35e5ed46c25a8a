"""The application's singletons, created once and bound to the app in ``create_app``."""
from flask_appbuilder import AppBuilder
from flask_appbuilder.utils.legacy import get_sqla_class
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

db = get_sqla_class()()
appbuilder = AppBuilder()
csrf = CSRFProtect()
migrate = Migrate()
# FAB's security manager uses this limiter for the login form (see SecurityManager.create_limiter).
limiter = Limiter(key_func=get_remote_address)
