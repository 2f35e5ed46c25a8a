"""What every REST API of ours shares."""
from flask_appbuilder.const import API_FILTERS_RIS_KEY, API_PAGE_INDEX_RIS_KEY

# Past this a page of any list is empty anyway; the bound keeps page × page_size inside a
# PostgreSQL bigint OFFSET.
LAST_PAGE = 10_000_000


class RequestFiltersMixin:
    """Filters and paging checked per request.

    FAB's ModelRestApi keeps one ``Filters`` object per API and clears and refills it on every
    request, so two requests served at once can mix their filters. Ours build their own.
    FAB's list schema also lets any integer through as ``page``; PostgreSQL refuses a negative
    or oversized OFFSET with a server error, so the page is checked first.
    """

    def request_filters(self, rison_args):
        filters = self.datamodel.get_filters(
            search_columns=self.search_columns, search_filters=self.search_filters
        )
        filters.rest_add_filters(rison_args.get(API_FILTERS_RIS_KEY, []))
        return filters

    def _handle_filters_args(self, rison_args):
        return self.request_filters(rison_args).get_joined_filters(self._base_filters)

    @staticmethod
    def page_refusal(rison_args) -> str | None:
        """The Vietnamese reason a requested page is refused, or None."""
        page = rison_args.get(API_PAGE_INDEX_RIS_KEY)
        if page is None:
            return None
        if page < 0:
            return "Số trang (page) không được âm."
        if page > LAST_PAGE:
            return f"Số trang (page) không được vượt quá {LAST_PAGE:,}.".replace(",", ".")
        return None

    def get_list_headless(self, **kwargs):
        refusal = self.page_refusal(kwargs.get("rison", {}))
        if refusal:
            return self.response_400(message=refusal)
        return super().get_list_headless(**kwargs)
