"""Every view, API and menu entry of the application, in the order of the letter's menu."""
from ..api.catalogue import FieldApi, SourceApi, UnitApi
from ..api.bulk import ReportBulkApi
from ..api.report import ReportApi
from ..api.notify import NoticeApi, NotificationApi
from .bulk import register_bulk_views
from .catalogue import FieldView, SourceView, UnitView, WorkdayExceptionView
from .notify import register_notify_views
from .personnel import DataConsoleView, PersonnelRegistrationView, PersonnelView
from .feedback import FeedbackAnswerView
from .portal import PortalView
from .reports import register_report_views

REPORTS_MENU = "Phản ánh, kiến nghị"
CATALOGUE_MENU = "Danh mục"
PERSONNEL_MENU = "Nhân sự"


def register_views(appbuilder) -> None:
    # The letter's left menu "Phản ánh, kiến nghị": queues first, then the catalogues it lists.
    register_report_views(appbuilder, REPORTS_MENU)
    appbuilder.add_view_no_menu(FeedbackAnswerView)
    register_bulk_views(appbuilder)  # "Thao tác với các phản ánh đã chọn" on the queues
    appbuilder.add_view(FieldView, "Danh mục lĩnh vực", icon="fa-tags", category=REPORTS_MENU,
                        category_icon="fa-bullhorn")
    register_notify_views(appbuilder, REPORTS_MENU)  # "Thông báo", the bell's page
    appbuilder.add_view(SourceView, "Danh mục nguồn", icon="fa-inbox", category=REPORTS_MENU)
    appbuilder.add_view(UnitView, "Đơn vị xử lý", icon="fa-building", category=CATALOGUE_MENU,
                        category_icon="fa-list")
    appbuilder.add_view(WorkdayExceptionView, "Ngày làm việc, ngày nghỉ", icon="fa-calendar",
                        category=CATALOGUE_MENU)

    # Units' personnel lists (administrators; the centre reads) and the data console (/admin/).
    appbuilder.add_view(PersonnelView, "Danh sách nhân sự", icon="fa-id-card",
                        category=PERSONNEL_MENU, category_icon="fa-users")
    appbuilder.add_view(PersonnelRegistrationView, "Tình hình đăng ký", icon="fa-tasks",
                        category=PERSONNEL_MENU)
    appbuilder.add_view(DataConsoleView, "Bảng dữ liệu quản trị", icon="fa-database",
                        category="Security")  # FAB's own menu of accounts and roles

    # The public portal (/cong-khai/): no sign-in, no menu entry inside the application.
    appbuilder.add_view_no_menu(PortalView)

    appbuilder.add_api(UnitApi)
    appbuilder.add_api(FieldApi)
    appbuilder.add_api(SourceApi)
    appbuilder.add_api(ReportApi)
    appbuilder.add_api(NotificationApi)
    appbuilder.add_api(NoticeApi)
    appbuilder.add_api(ReportBulkApi)
