"""Every view, API and menu entry of the application, in the order of the letter's menu."""
from ..api.catalogue import FieldApi, SourceApi, UnitApi
from .catalogue import FieldView, SourceView, UnitView, WorkdayExceptionView

REPORTS_MENU = "Phản ánh, kiến nghị"
CATALOGUE_MENU = "Danh mục"


def register_views(appbuilder) -> None:
    # The letter's left menu "Phản ánh, kiến nghị": queues first, then the catalogues it lists.
    appbuilder.add_view(FieldView, "Danh mục lĩnh vực", icon="fa-tags", category=REPORTS_MENU,
                        category_icon="fa-bullhorn")
    appbuilder.add_view(SourceView, "Danh mục nguồn", icon="fa-inbox", category=REPORTS_MENU)
    appbuilder.add_view(UnitView, "Đơn vị xử lý", icon="fa-building", category=CATALOGUE_MENU,
                        category_icon="fa-list")
    appbuilder.add_view(WorkdayExceptionView, "Ngày làm việc, ngày nghỉ", icon="fa-calendar",
                        category=CATALOGUE_MENU)

    appbuilder.add_api(UnitApi)
    appbuilder.add_api(FieldApi)
    appbuilder.add_api(SourceApi)
