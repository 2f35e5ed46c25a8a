"""The letter's workflow worked by people of every role at once (locust, headless).

Run by scripts/soak/soak.py, which prepares the database and the accounts, starts gunicorn and
checks the data afterwards. Each simulated person signs in (the web form and the API), then loops
over what their role does in a day: the centre takes reports in, receives, distributes and
publishes; handlers accept and process; leaders approve or send back; viewers read. Every
answer is written to SOAK_LOG (JSON lines) so the checker can match each successful action with
exactly one event in the exchange log.
"""
from __future__ import annotations

import json
import os
import random
import re
import threading
import time

from locust import HttpUser, between, events, task

PASSWORD = os.environ["SOAK_PASSWORD"]
ACCOUNTS = json.loads(os.environ["SOAK_ACCOUNTS"])  # {"centre": [...], "handler": [...], ...}
UNITS = json.loads(os.environ["SOAK_UNITS"])  # unit ids the centre distributes to
FIELD_ID, SOURCE_ID = int(os.environ["SOAK_FIELD_ID"]), int(os.environ["SOAK_SOURCE_ID"])
LOG_PATH = os.environ["SOAK_LOG"]

_log_lock = threading.Lock()
_log = open(LOG_PATH, "a", encoding="utf-8")  # noqa: SIM115 (closed at the end of the test)
_next_account = {kind: 0 for kind in ACCOUNTS}
QUEUES = {
    "centre": ["tiep-nhan", "phan-phoi", "dang-tai", "tat-ca"],
    "handler": ["xu-ly", "theo-doi", "tat-ca"],
    "leader": ["phe-duyet", "theo-doi", "tat-ca"],
    "viewer": ["tat-ca"],
}


def record(**line) -> None:
    with _log_lock:
        _log.write(json.dumps(line, ensure_ascii=False) + "\n")


@events.request.add_listener
def _every_request(request_type, name, response_time, response_length, response=None,
                   exception=None, **kwargs):
    status = getattr(response, "status_code", 0) if response is not None else 0
    record(kind="request", time=time.time(), method=request_type, name=name, status=status,
           ms=round(response_time, 1), error=str(exception)[:200] if exception else None)


@events.test_stop.add_listener
def _close_log(**kwargs):
    with _log_lock:
        _log.flush()


class Person(HttpUser):
    abstract = True
    kind = ""
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        accounts = ACCOUNTS[self.kind]
        self.username = accounts[_next_account[self.kind] % len(accounts)]
        _next_account[self.kind] += 1
        page = self.client.get("/login/", name="/login/")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        self.client.post("/login/", data={"username": self.username, "password": PASSWORD,
                                          "csrf_token": token}, name="/login/ (POST)")
        answer = self.client.post("/api/v1/security/login", json={
            "username": self.username, "password": PASSWORD, "provider": "db", "refresh": False,
        }, name="/api/v1/security/login")
        self.headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}

    # --- helpers ---------------------------------------------------------------------------
    def reports(self, status: str, unit_id: int | None = None) -> list[dict]:
        filters = f"(col:status,opr:eq,value:{status})"
        if unit_id is not None:
            filters += f",(col:unit_id,opr:eq,value:{unit_id})"
        answer = self.client.get(
            f"/api/v1/report/?q=(filters:!({filters}),page_size:20)", headers=self.headers,
            name=f"/api/v1/report/ [{status}]")
        return answer.json().get("result", []) if answer.status_code == 200 else []

    def act(self, report: dict, action: str, **body) -> None:
        with self.client.post(
            f"/api/v1/report/{report['id']}/actions/{action}",
            json={"version": report["version"], **body}, headers=self.headers,
            name=f"/api/v1/report/<id>/actions/{action}", catch_response=True,
        ) as answer:
            if answer.status_code == 409:
                answer.success()  # someone else acted first: expected between colleagues
            record(kind="action", report_id=report["id"], action=action,
                   status=answer.status_code, user=self.username)

    def browse(self) -> None:
        queue = random.choice(QUEUES[self.kind])
        self.client.get(f"/phan-anh/{queue}/", name=f"/phan-anh/{queue}/")


class Centre(Person):
    kind = "centre"
    weight = 5

    @task(3)
    def take_in(self) -> None:
        n = random.randint(1, 10**6)
        with self.client.post("/api/v1/report/", json={
            "title": f"Ổ gà trên đường Điện Biên Phủ số {n}",
            "content": "Mặt đường hư hỏng, đề nghị kiểm tra và khắc phục sớm.",
            "reporter_name": "Người dân", "reporter_phone": "0905123456",
            "location": "Đường Điện Biên Phủ, phường Trường An",
        }, headers=self.headers, name="/api/v1/report/ (POST)", catch_response=True) as answer:
            if answer.status_code == 201:
                record(kind="action", report_id=answer.json()["id"], action="create",
                       status=201, user=self.username)
            elif answer.status_code >= 500 or answer.status_code == 0:
                record(kind="action", report_id=None, action="create",
                       status=answer.status_code, user=self.username)

    @task(3)
    def receive(self) -> None:
        for report in self.reports("new")[:3]:
            self.act(report, "receive", field_id=FIELD_ID, source_id=SOURCE_ID)

    @task(3)
    def distribute(self) -> None:
        for report in self.reports("received")[:3]:
            self.act(report, "distribute", unit_id=random.choice(UNITS),
                     content="Đề nghị đơn vị kiểm tra, xử lý.")

    @task(2)
    def publish(self) -> None:
        for report in self.reports("approved")[:3]:
            self.act(report, "publish")

    @task(2)
    def look(self) -> None:
        self.browse()


class UnitPerson(Person):
    abstract = True

    def on_start(self) -> None:
        super().on_start()
        self.unit_id = int(os.environ["SOAK_UNIT_OF_" + self.username.replace(".", "_")])

    @task(1)
    def comment(self) -> None:
        mine = self.reports("in_progress", self.unit_id)
        if mine:
            self.act(random.choice(mine), "comment", content="Đang tập kết vật tư.")

    @task(2)
    def look(self) -> None:
        self.browse()


class Handler(UnitPerson):
    kind = "handler"
    weight = 8

    @task(3)
    def accept(self) -> None:
        for report in self.reports("assigned", self.unit_id)[:2]:
            if random.random() < 0.1:
                self.act(report, "return", reason="Không thuộc thẩm quyền của đơn vị.")
            else:
                self.act(report, "accept")

    @task(3)
    def process(self) -> None:
        for report in self.reports("in_progress", self.unit_id)[:2]:
            self.act(report, "submit", content="Đã kiểm tra và khắc phục xong.")


class Leader(UnitPerson):
    kind = "leader"
    weight = 4

    @task(4)
    def approve(self) -> None:
        for report in self.reports("pending_approval", self.unit_id)[:2]:
            if random.random() < 0.1:
                self.act(report, "return", reason="Bổ sung ảnh sau khi khắc phục.")
            else:
                self.act(report, "approve")


class Viewer(Person):
    kind = "viewer"
    weight = 3

    @task
    def read(self) -> None:
        self.browse()
        found = self.reports(random.choice(["published", "in_progress", "assigned"]))
        if found:
            report = random.choice(found)
            self.client.get(f"/phan-anh/{report['id']}", name="/phan-anh/<id>")
            self.client.get(f"/api/v1/report/{report['id']}/events", headers=self.headers,
                            name="/api/v1/report/<id>/events")
