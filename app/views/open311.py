"""Open311 GeoReport v2 at /open311/v2/ (DESIGN §10): XML or JSON by the suffix.

Thin: arguments → app.services.open311 → the answer in the asked format. Errors are the spec's
list of ``{code, description}`` with the same HTTP status (also the application's HTTP errors
under /open311/: app/errors.py asks ``error_response``). No session, no CSRF (clients are
programs holding an api_key); POST is rate-limited per address.
"""
from __future__ import annotations

import json
from xml.etree import ElementTree

from flask import Blueprint, Response, current_app, request

from ..extensions import csrf, limiter
from ..services import open311

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
FORMATS = "<any(json,xml):fmt>"
# The XML element of one item of each list (the spec's examples).
ITEM_TAGS = {"services": "service", "service_requests": "request", "errors": "error",
             "endpoints": "endpoint", "formats": "format", "attributes": "attribute",
             "values": "value"}


def _xml_value(parent: ElementTree.Element, tag: str, value) -> None:
    element = ElementTree.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(element, key, inner)
    elif isinstance(value, list):
        for inner in value:
            _xml_value(element, ITEM_TAGS.get(tag, "item"), inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def _answer(fmt: str, root: str, body, status: int = 200) -> Response:
    if fmt == "json":
        return Response(json.dumps(body, ensure_ascii=False), status=status,
                        mimetype="application/json")
    document = ElementTree.Element(root)
    for item in body if isinstance(body, list) else [body]:
        if isinstance(body, list):
            _xml_value(document, ITEM_TAGS[root], item)
        else:
            for key, value in item.items():
                _xml_value(document, key, value)
    xml = ElementTree.tostring(document, encoding="unicode")
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + xml, status=status,
                    mimetype="text/xml")


def _error(fmt: str, exc: open311.Open311Error) -> Response:
    return _answer(fmt, "errors", [{"code": exc.code, "description": exc.description}], exc.code)


def _serve(fmt: str, root: str, produce, status: int = 200) -> Response:
    try:
        open311.check_jurisdiction(request.values.get("jurisdiction_id"))
        return _answer(fmt, root, produce(), status)
    except open311.Open311Error as exc:
        return _error(fmt, exc)


@bp.route(f"/discovery.{FORMATS}")
def discovery(fmt):
    return _serve(fmt, "discovery", open311.discovery)


@bp.route(f"/services.{FORMATS}")
def services(fmt):
    return _serve(fmt, "services", open311.services)


@bp.route(f"/services/<code>.{FORMATS}")
def service_definition(code, fmt):
    return _serve(fmt, "service_definition", lambda: open311.service_definition(code))


@bp.route(f"/requests.{FORMATS}", methods=["GET"])
def requests_list(fmt):
    return _serve(fmt, "service_requests", lambda: open311.search_requests(request.args))


@bp.route(f"/requests.{FORMATS}", methods=["POST"])
@limiter.limit(lambda: current_app.config["PUBLIC_POST_RATE_LIMIT"])
def requests_create(fmt):
    return _serve(fmt, "service_requests", lambda: open311.create_request(request.form))


@bp.route(f"/requests/<code>.{FORMATS}")
def request_by_code(code, fmt):
    return _serve(fmt, "service_requests", lambda: open311.get_request(code))


def error_response(code: int, description: str) -> Response:
    """An HTTP error under /open311/ (unknown path, 405, 413, 429…) as the spec's error list."""
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return _error(fmt, open311.Open311Error(code, description))


def init_app(app) -> None:
    csrf.exempt(bp)
    app.register_blueprint(bp)
