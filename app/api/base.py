"""What every REST API of ours shares."""
from flask_appbuilder.const import API_FILTERS_RIS_KEY


class RequestFiltersMixin:
    """Filters built per request.

    FAB's ModelRestApi keeps one ``Filters`` object per API and clears and refills it on every
    request, so two requests served at once can mix their filters. Ours build their own.
    """

    def request_filters(self, rison_args):
        filters = self.datamodel.get_filters(
            search_columns=self.search_columns, search_filters=self.search_filters
        )
        filters.rest_add_filters(rison_args.get(API_FILTERS_RIS_KEY, []))
        return filters

    def _handle_filters_args(self, rison_args):
        return self.request_filters(rison_args).get_joined_filters(self._base_filters)
