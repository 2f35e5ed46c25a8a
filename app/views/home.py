"""The home page: the left menu "Phản ánh, kiến nghị" and the "Cảnh báo" panel of the letter."""
from flask import g
from flask_appbuilder import IndexView, expose

from ..ops import page_cache
from ..security.permissions import report_permissions


class HomeView(IndexView):
    index_template = "home.html"

    @expose("/")
    def index(self):
        self.update_redirect()
        return page_cache.page(self._page)

    def _page(self):
        user = getattr(g, "user", None)
        alerts = None
        if user is not None and user.is_authenticated and report_permissions(user):
            from .reports import alert_panel

            alerts = alert_panel(user)
        return self.render_template(self.index_template, appbuilder=self.appbuilder,
                                    alerts=alerts)
