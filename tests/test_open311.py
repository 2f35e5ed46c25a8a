"""Open311 GeoReport v2 at /open311/v2/ (DESIGN §10), read with an XML parser and a JSON parser
against the spec's field lists, its examples and error cases, and through the `georeport`
client library from PyPI against the application served on a local port."""
from __future__ import annotations

import datetime as dt
import threading
import xml.etree.ElementTree as ET

import pytest
from conftest import free_port, new_client
from report_helpers import make_report
from sqlalchemy import select, update

from app.domain.workflow import Action, Status

# The spec's field lists (wiki.open311.org/GeoReport_v2), in its order.
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords",
                  "group"]
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code",
                  "description", "agency_responsible", "service_notice", "requested_datetime",
                  "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                  "lat", "long", "media_url"]
DISCOVERY_FIELDS = ["changeset", "contact", "key_service", "endpoints"]
ENDPOINT_FIELDS = ["specification", "url", "changeset", "type", "formats"]


def _xml(response) -> ET.Element:
    assert response.mimetype == "text/xml"
    return ET.fromstring(response.data)


def _row(element: ET.Element) -> dict:
    return {child.tag: child.text for child in element}


@pytest.fixture(scope="module")
def api_key(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["source", "api-key", "Ứng dụng Hue-S"])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def _post(client, fmt="json", **form):
    return client.post(f"/open311/v2/requests.{fmt}", data=form)


def _code_of(app, report_id):
    from app.extensions import db
    from app.models import Report

    with app.app_context():
        return db.session.get(Report, report_id).tracking_code


# --- Discovery, services, service definitions ---------------------------------------------

def test_discovery_in_both_formats(app):
    client = new_client(app)
    data = client.get("/open311/v2/discovery.json").json
    assert list(data) == DISCOVERY_FIELDS
    endpoint = data["endpoints"][0]
    assert list(endpoint) == ENDPOINT_FIELDS
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = _xml(client.get("/open311/v2/discovery.xml"))
    assert root.tag == "discovery"
    assert [e.text for e in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]
    assert root.findtext("endpoints/endpoint/type") == "production"


def test_services_one_per_active_field_with_string_codes(app):
    from app.extensions import db
    from app.models import Field

    with app.app_context():
        active = set(db.session.execute(select(Field.name).where(Field.active.is_(True))).scalars())
        road_id = db.session.execute(select(Field.id).where(Field.name == "Giao thông")).scalar_one()
    client = new_client(app)
    services = client.get("/open311/v2/services.json").json
    assert {s["service_name"] for s in services} == active
    for service in services:
        assert list(service) == SERVICE_FIELDS
        assert isinstance(service["service_code"], str) and service["metadata"] is False
        assert service["type"] == "realtime"
    root = _xml(client.get("/open311/v2/services.xml"))
    assert root.tag == "services"
    rows = [_row(s) for s in root.findall("service")]
    assert {r["service_name"] for r in rows} == active
    assert all(r["metadata"] == "false" for r in rows)

    definition = client.get(f"/open311/v2/services/LV{road_id}.json").json
    assert definition == {"service_code": f"LV{road_id}", "attributes": []}
    root = _xml(client.get(f"/open311/v2/services/LV{road_id}.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == f"LV{road_id}"


@pytest.mark.parametrize("url, code", [
    ("/open311/v2/services/LV99999.json", 404),
    ("/open311/v2/services/khong-co.xml", 404),
    ("/open311/v2/requests/HUE-22222222.json", 404),
    ("/open311/v2/requests/12.xml", 404),
    ("/open311/v2/services.json?jurisdiction_id=hanoi.gov.vn", 404),
    ("/open311/v2/requests.json?status=pending", 400),
    ("/open311/v2/requests.json?start_date=hom-qua", 400),
    ("/open311/v2/requests.xml?start_date=2025-01-01T00:00:00Z&end_date=2025-06-01T00:00:00Z", 400),
    ("/open311/v2/requests.json?service_code=LV99999", 404),
])
def test_errors_are_the_specs_list_of_code_and_description(app, url, code):
    response = new_client(app).get(url)
    assert response.status_code == code
    if url.split("?")[0].endswith(".json"):
        assert response.mimetype == "application/json"
        errors = response.json
        assert isinstance(errors, list) and list(errors[0]) == ["code", "description"]
        assert errors[0]["code"] == code and errors[0]["description"]
    else:
        root = _xml(response)
        assert root.tag == "errors"
        assert root.findtext("error/code") == str(code) and root.findtext("error/description")


def test_jurisdiction_is_optional_and_ours_is_accepted(app):
    client = new_client(app)
    assert client.get("/open311/v2/services.json").status_code == 200
    assert client.get("/open311/v2/services.json?jurisdiction_id=thuathienhue.gov.vn").status_code == 200


# --- Requests GET -------------------------------------------------------------------------------

def test_requests_list_public_fields_filters_and_window(app):
    published = make_report(app, Status.PUBLISHED, title="Biển báo bị che khuất ở Kim Long")
    in_progress = make_report(app, Status.IN_PROGRESS, title="Cống thoát nước tắc ở An Cựu")
    waiting = make_report(app, Status.NEW, title="Chưa tiếp nhận")
    rejected = make_report(app, Status.REJECTED, title="Không tiếp nhận")
    old = make_report(app, Status.PUBLISHED, title="Phản ánh cũ")
    from app.extensions import db
    from app.models import Report

    with app.app_context():
        db.session.execute(update(Report).where(Report.id == old).values(
            received_at=dt.datetime(2026, 1, 5, 3, 0), version=Report.version + 1))
        db.session.commit()
    codes = {name: _code_of(app, rid) for name, rid in [
        ("published", published), ("in_progress", in_progress), ("waiting", waiting),
        ("rejected", rejected), ("old", old)]}
    client = new_client(app)
    listed = client.get("/open311/v2/requests.json").json
    by_code = {r["service_request_id"]: r for r in listed}
    assert codes["published"] in by_code and codes["in_progress"] in by_code
    for absent in ("waiting", "rejected", "old"):  # unvetted, rejected, older than 90 days
        assert codes[absent] not in by_code
    for row in listed:
        assert list(row) == REQUEST_FIELDS
    row = by_code[codes["published"]]
    assert row["status"] == "closed" and row["status_notes"] == "Nội dung thử nghiệm"
    assert row["agency_responsible"] == "Sở Giao thông vận tải" and row["service_name"] == "Giao thông"
    assert row["requested_datetime"].endswith("+07:00")
    assert dt.datetime.fromisoformat(row["updated_datetime"]).utcoffset() == dt.timedelta(hours=7)
    assert by_code[codes["in_progress"]]["status"] == "open"
    assert by_code[codes["in_progress"]]["status_notes"] is None

    closed = {r["service_request_id"] for r in client.get("/open311/v2/requests.json?status=closed").json}
    assert codes["published"] in closed and codes["in_progress"] not in closed
    opened = {r["service_request_id"] for r in client.get("/open311/v2/requests.json?status=open").json}
    assert codes["in_progress"] in opened and codes["published"] not in opened

    window = client.get("/open311/v2/requests.json?start_date=2026-01-01T00:00:00%2B07:00"
                        "&end_date=2026-01-31T23:59:59Z").json
    assert [r["service_request_id"] for r in window] == [codes["old"]]

    # service_request_id (a comma list) overrides the other filters; any state.
    both = client.get(f"/open311/v2/requests.json?service_request_id={codes['waiting']},"
                      f"{codes['old']}&status=open").json
    assert {r["service_request_id"] for r in both} == {codes["waiting"], codes["old"]}

    root = _xml(client.get(f"/open311/v2/requests.xml?service_request_id={codes['published']}"))
    assert root.tag == "service_requests"
    rows = [_row(r) for r in root.findall("request")]
    assert [list(r) for r in rows] == [REQUEST_FIELDS]
    assert rows[0]["status"] == "closed" and rows[0]["requested_datetime"].endswith("+07:00")


def test_requests_by_code_whatever_the_state(app):
    client = new_client(app)
    for status, expected in [(Status.NEW, "open"), (Status.APPROVED, "open"),
                             (Status.PUBLISHED, "closed"), (Status.REJECTED, "closed")]:
        code = _code_of(app, make_report(app, status))
        answer = client.get(f"/open311/v2/requests/{code}.json").json
        assert len(answer) == 1 and answer[0]["service_request_id"] == code
        assert answer[0]["status"] == expected
        root = _xml(client.get(f"/open311/v2/requests/{code}.xml"))
        assert root.findtext("request/status") == expected


def test_the_list_is_cut_at_the_limit_newest_first(app, monkeypatch):
    from app.services import open311

    assert open311.MAX_REQUESTS == 1000  # DESIGN §10
    newest = [make_report(app, Status.RECEIVED, title=f"Mới nhất {i}") for i in range(3)]
    monkeypatch.setattr(open311, "MAX_REQUESTS", 2)
    listed = new_client(app).get("/open311/v2/requests.json").json
    assert [r["service_request_id"] for r in listed] == [_code_of(app, i) for i in newest[:0:-1]]


# --- Requests POST ------------------------------------------------------------------------------

def test_post_creates_a_report_waiting_for_intake_with_the_keys_source(app, api_key):
    from app.extensions import db
    from app.models import Field, Report, Source

    with app.app_context():
        road = db.session.execute(select(Field).where(Field.name == "Giao thông")).scalar_one()
        hue_s = db.session.execute(select(Source.id).where(Source.name == "Ứng dụng Hue-S")).scalar_one()
    client = new_client(app)
    # The spec's example, adapted: form-encoded, location by lat/long.
    response = _post(client, api_key=api_key, service_code=f"LV{road.id}", lat="16.4637",
                     long="107.5909", address_string="Cầu Trường Tiền",
                     description="Lan can cầu Trường Tiền bị gãy một đoạn.",
                     first_name="Lê", last_name="Văn Tám", phone="0935 111 222",
                     email="tam.le@example.vn", jurisdiction_id="thuathienhue.gov.vn")
    assert response.status_code == 200, response.text
    answer = response.json
    assert list(answer[0]) == ["service_request_id", "service_notice", "account_id"]
    code = answer[0]["service_request_id"]
    with app.app_context():
        report = db.session.execute(select(Report).where(Report.tracking_code == code)).scalar_one()
        assert (report.status, report.source_id, report.field_id) == ("new", hue_s, road.id)
        assert report.reporter_name == "Lê Văn Tám" and report.reporter_phone == "0935111222"
        assert (report.latitude, report.longitude) == (16.4637, 107.5909)
        assert report.title == "Lan can cầu Trường Tiền bị gãy một đoạn."
    shown = client.get(f"/open311/v2/requests/{code}.json").json[0]
    assert shown["status"] == "open" and shown["address"] == "Cầu Trường Tiền"
    assert "Lê Văn Tám" not in str(shown) and "0935111222" not in str(shown)

    xml = _xml(_post(client, "xml", api_key=api_key, service_code=f"LV{road.id}",
                     address_string="Chợ Đông Ba", description="Rác ùn ứ."))
    assert xml.tag == "service_requests"
    assert xml.findtext("request/service_request_id").startswith("HUE-")


@pytest.mark.parametrize("form, code", [
    ({}, 403),
    ({"api_key": "sai-khoa"}, 403),
    ({"api_key": "{key}", "lat": "16.4", "long": "107.5"}, 400),  # no service_code
    ({"api_key": "{key}", "service_code": "LV99999", "lat": "16.4", "long": "107.5"}, 404),
    ({"api_key": "{key}", "service_code": "{road}"}, 400),  # no location
    ({"api_key": "{key}", "service_code": "{road}", "lat": "bac", "long": "107.5"}, 400),
    ({"api_key": "{key}", "service_code": "{road}", "lat": "16.4"}, 400),
    ({"api_key": "{key}", "service_code": "{road}", "lat": "96", "long": "107.5"}, 400),
    ({"api_key": "{key}", "service_code": "{road}", "address_string": "x", "phone": "12"}, 400),
    ({"api_key": "{key}", "service_code": "{road}", "address_string": "x",
      "description": "x" * 4001}, 400),
])
def test_post_errors_change_nothing(app, api_key, form, code):
    from app.extensions import db
    from app.models import Field, Report

    with app.app_context():
        road = db.session.execute(select(Field.id).where(Field.name == "Giao thông")).scalar_one()
        before = db.session.execute(select(Report.id).order_by(Report.id.desc())).first()
    data = {k: v.format(key=api_key, road=f"LV{road}") for k, v in form.items()}
    response = _post(new_client(app), **data)
    assert response.status_code == code
    assert response.json[0]["code"] == code
    with app.app_context():
        assert db.session.execute(select(Report.id).order_by(Report.id.desc())).first() == before


def test_a_new_key_replaces_the_old_one_and_only_its_hash_is_kept(app):
    from app.extensions import db
    from app.models import Source

    runner = app.test_cli_runner()
    first = runner.invoke(args=["source", "api-key", "Thư điện tử"]).output.strip().splitlines()[-1]
    second = runner.invoke(args=["source", "api-key", "Thư điện tử"]).output.strip().splitlines()[-1]
    assert first != second and len(second) >= 40
    with app.app_context():
        stored = db.session.execute(select(Source.api_key).where(Source.name == "Thư điện tử")).scalar_one()
    assert stored not in (first, second) and len(stored) == 64
    client = new_client(app)
    form = {"service_code": "LV1", "address_string": "Huế", "description": "Thử khóa"}
    assert _post(client, api_key=first, **form).status_code == 403
    assert _post(client, api_key=second, **form).status_code in (200, 404)  # LV1 may be inactive
    unknown = runner.invoke(args=["source", "api-key", "Không có nguồn này"])
    assert unknown.exit_code != 0 and "Không có nguồn tên" in unknown.output


# --- A client library from PyPI -----------------------------------------------------------------

@pytest.fixture(scope="module")
def served(app):
    """The application on a local port (same database), for a client that speaks HTTP."""
    from werkzeug.serving import make_server

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/open311/v2"
    server.shutdown()


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_the_georeport_client_library_reads_every_endpoint(app, served, output_format):
    from georeport import GeoReport

    report_id = make_report(app, Status.PUBLISHED, title="Đèn tín hiệu hỏng ở Bến Ngự")
    code = _code_of(app, report_id)
    client = GeoReport(served, jurisdiction="thuathienhue.gov.vn", output_format=output_format)
    services = client.get_service_list()
    names = [s["service_name"] for s in services]
    assert "Giao thông" in names
    road = next(s for s in services if s["service_name"] == "Giao thông")
    definition = client.get_service_definition(road["service_code"])
    assert definition["service_code"] == road["service_code"]
    requests = client.get_service_requests(service_code=road["service_code"], status="closed")
    rows = requests if isinstance(requests, list) else [requests]
    assert code in [r["service_request_id"] for r in rows]
    one = client.get_service_request(code)
    assert one["service_request_id"] == code and one["status"] == "closed"
    assert one["agency_responsible"] == "Sở Giao thông vận tải"


def test_http_errors_under_open311_are_the_specs_list_too(app, api_key):
    client = new_client(app)
    unknown = client.get("/open311/v2/khong-co.json")
    assert unknown.status_code == 404 and unknown.json[0]["code"] == 404
    wrong_method = _xml(client.delete("/open311/v2/requests.xml"))
    assert wrong_method.findtext("error/code") == "405"
    # POST is rate-limited per address (5 a minute by default): the 6th is a 429 in the list.
    answers = [_post(client, api_key=api_key, service_code="LV99999", lat="16.4", long="107.5")
               for _ in range(6)]
    assert [a.status_code for a in answers] == [404] * 5 + [429]
    assert answers[-1].json[0]["code"] == 429 and answers[-1].json[0]["description"]
    assert _post(new_client(app), api_key=api_key, service_code="LV99999",
                 lat="16.4", long="107.5").status_code == 404
