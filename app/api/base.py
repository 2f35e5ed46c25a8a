"""What every REST API of ours shares."""
import datetime as dt
import functools
import json

import jsonschema
import prison
from flask import request
from flask_appbuilder.const import API_FILTERS_RIS_KEY, API_PAGE_INDEX_RIS_KEY, API_URI_RIS_KEY
from flask_appbuilder.exceptions import (
    InvalidColumnFilterFABException, InvalidOperationFilterFABException,
)

_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}


def _stored_moment(moment: dt.datetime) -> dt.datetime:
    """As times are stored: UTC without an offset (a time with an offset, as the API writes
    them, is converted)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


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
        filters.rest_add_filters([self._checked_filter(filters, item)
                                  for item in rison_args.get(API_FILTERS_RIS_KEY, [])])
        return filters

    # A filter's value taken in its column's type (text: any scalar); one the database would
    # refuse with a server error is refused here first.
    _PARSERS = (
        ("is_string", str, ""),
        ("is_text", str, ""),
        ("is_integer", int, "số nguyên"),
        ("is_boolean", lambda v: _BOOLEANS[str(v).lower()], "true hoặc false"),
        ("is_datetime", lambda v: _stored_moment(dt.datetime.fromisoformat(v)),
         "ngày giờ dạng YYYY-MM-DDTHH:MM"),
        ("is_date", lambda v: dt.date.fromisoformat(v), "ngày dạng YYYY-MM-DD"),
    )

    def _checked_filter(self, filters, item: dict) -> dict:
        """One ``{col, opr, value}`` of ``q``, refused in Vietnamese where FAB answers in English
        or fails (a number given to a text filter: a server error)."""
        col, opr, value = item.get("col"), item.get("opr"), item.get("value")
        if col not in filters.search_columns:
            raise InvalidColumnFilterFABException(f"Không lọc được theo cột “{col}”.")
        if not filters._rest_check_valid_filter_operation(col, opr):
            raise InvalidOperationFilterFABException(
                f"Phép lọc “{opr}” không dùng được cho cột “{col}”.")
        if isinstance(value, (dict, list)):
            raise InvalidOperationFilterFABException(f"Giá trị lọc của cột “{col}” không hợp lệ.")
        if value is not None:
            for is_kind, parse, expected in self._PARSERS:
                if getattr(self.datamodel, is_kind)(col):
                    try:
                        value = parse(value)
                    except (TypeError, ValueError, KeyError):
                        raise InvalidOperationFilterFABException(
                            f"Giá trị lọc của cột “{col}” phải là {expected}.") from None
                    break
        return {**item, "value": value}

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


def rison(schema: dict):
    """FAB's ``@rison``: the ``q`` argument (rison, or JSON) parsed and checked against
    ``schema`` into ``kwargs["rison"]``. The checker is built once: FAB's
    ``jsonschema.validate`` checks the schema itself against the meta-schema on every request
    (5–8 ms of each call of the list). A bad ``q`` is answered in Vietnamese."""
    validator = jsonschema.validators.validator_for(schema)(schema)

    def decorate(endpoint):
        @functools.wraps(endpoint)
        def wraps(self, *args, **kwargs):
            value = request.args.get(API_URI_RIS_KEY)
            try:
                kwargs["rison"] = _loads(value) if value else {}
            except ValueError:
                return self.response_400(message="Tham số q không đúng cú pháp (rison hoặc JSON).")
            error = jsonschema.exceptions.best_match(validator.iter_errors(kwargs["rison"]))
            if error is not None:
                where = ".".join(str(part) for part in error.absolute_path) or "q"
                return self.response_400(message=f"Tham số q không hợp lệ: giá trị của “{where}” "
                                                 "sai kiểu hoặc không được phép.")
            return endpoint(self, *args, **kwargs)
        return wraps
    return decorate


def _loads(value: str):
    try:
        return prison.loads(value)
    except prison.decoder.ParserException:
        return json.loads(value)  # FAB takes a JSON ``q`` too (a ValueError when neither)
