"""The administrators' data console: Flask-Admin 2 mounted at /admin/ (DESIGN §6).

Bulk editing of the catalogues, the personnel lists, working-day exceptions, read-only browsing
of the exchange log, the audit log, accounts, roles and reports, CSV/XLSX export of every table.

- Access: every view (the index included) requires FAB's ``can_access`` on ``DataConsole``, which
  only the administrators' role holds (app/views/personnel.py registers it, security/roles.py
  gives administrators every registered permission). Nobody signed in is sent to the login page;
  anybody else gets the Vietnamese 403 page.
- Forms: based on Flask-WTF's ``FlaskForm`` (the CSRF token of the app's CSRFProtect, WTForms'
  messages in Vietnamese), never Flask-Admin's ``SecureForm``, which would add a second token.
- Language: Flask-Admin translates through its own babel domain "admin"; its bundled Vietnamese
  catalogue has wrong words ("Kỷ lục" for a record, "mặt hàng" for items, "sản phẩm nào" for
  empty...). translations/vi/LC_MESSAGES/admin.po is our corrected, complete catalogue, merged
  over the bundled one (see ``_use_our_catalogue``).
"""
from __future__ import annotations

import os

from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

TRANSLATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
                                "translations")
CONSOLE_NAME = "Bảng dữ liệu quản trị"


def _use_our_catalogue() -> None:
    """Make Flask-Admin's "admin" domain read our catalogue after its own, so ours wins.

    Flask-Admin's domain (``flask_admin.babel.domain``, whose bound methods every Flask-Admin
    module and template uses) merges catalogues in the order of ``translation_directories``, a
    later one overriding an earlier one; with ``Admin(translations_path=...)`` a custom
    catalogue comes *first*, so the bundled wrong words would still win. Here the domain's class
    is narrowed to one that lists the bundled directory first and ours last, whatever view is
    current, and its cache is emptied.
    """
    from flask_admin import babel as admin_babel
    from flask_admin import translations as bundled

    domain = getattr(admin_babel, "domain", None)
    if domain is None:  # Flask-Babel missing: Flask-Admin shows English
        return
    base = type(domain)
    if getattr(base, "_phananh", False):
        return

    class OurCatalogueLast(base):
        _phananh = True

        @property
        def translation_directories(self):
            return [bundled.__path__[0], TRANSLATIONS_DIR]

    domain.__class__ = OurCatalogueLast
    domain.cache.clear()


def init_console(app, appbuilder, db) -> Admin:
    from . import views

    _use_our_catalogue()
    admin = Admin(
        app,
        name=CONSOLE_NAME,
        url="/admin",
        index_view=views.ConsoleIndexView(name="Trang chủ", url="/admin", endpoint="console"),
        theme=Bootstrap4Theme(base_template="console/base.html", fluid=True),
    )
    views.add_views(admin, db.session)
    app.extensions["phananh.console"] = admin
    return admin
