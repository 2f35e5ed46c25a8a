"""Demo reports: the letter's reports and enough others that every queue of every demo role
shows something. Loaded by ``flask --app app demo`` (app.services.demo.load_demo).

Everything goes through the workflow service (``create_report``, ``apply_action``), so the
exchange logs, versions, scopes and follow-ups are real; only the times are then moved back to
when the letter says things happened, as a data import would (the events' ``created_at``, the
report's ``distributed_at``/``due_at``/``return_due_at``/``published_at``; due dates are
recomputed with the working-day calendar from the backdated distribution).

Choices (see README):
- the receivers of the letter's first screen, "Lê Thị Nhật Thịnh" and "Trình Quang Nhật Bình",
  become accounts of the centre (role "Trung tâm Giám sát, điều hành ĐTTM") that are inactive
  and have a random password nobody knows: they are recorded as who took the reports in, and an
  administrator may activate them later and set a password;
- the letter's reports show the whole text; their title is the text's first words;
- idempotent: a demo report is identified by its title; one already present is left alone.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import secrets
from dataclasses import dataclass, field

from sqlalchemy import func, select, update

from ..domain import calendar
from ..domain.workflow import Role
from ..extensions import appbuilder, db
from ..models import Attachment, Field, Report, ReportEvent, ReportUnit, Source, Unit
from ..models.base import utcnow
from . import attachments as attachment_store
from . import calendar as calendar_service
from .demo_image import pothole_photo
from .seed import CENTRE_UNIT_NAME, DATA_DIR
from .statistics import rebuild_assignments
from .workflow import ActionRequest, NewReport, apply_action, create_report

GTVT = "Sở Giao thông vận tải"
TTTT = "Sở Thông tin và Truyền thông"
XD = "Sở Xây dựng"

# The letter's receivers: username, first name, last name.
RECEIVERS = {
    "Lê Thị Nhật Thịnh": ("thinh.ltn", "Lê Thị Nhật", "Thịnh"),
    "Trình Quang Nhật Bình": ("binh.tqn", "Trình Quang Nhật", "Bình"),
}

POTHOLE_TITLE = "Hiện tượng xuống cấp tại đường tránh Huế"
POTHOLE_TEXT = ("Phản ánh tình trạng ổ gà xuất hiện nhiều ở đường tránh Huế. Kính mong các cơ quan "
                "chức năng xử lý. Trân trọng./.")
POTHOLE_RESULT = "Đã kiểm tra và tiến hành khắc phục"


def short_title(text: str, words: int = 12, limit: int = 90) -> str:
    """A title from the first words of a text ("…" when cut)."""
    parts = text.split()
    title = ""
    for i, word in enumerate(parts[:words]):
        candidate = f"{title} {word}".strip()
        if len(candidate) > limit:
            break
        title = candidate
    cut = len(title) < len(" ".join(parts))
    title = title.rstrip(" ,.;:!?-–")
    return f"{title}…" if cut else title


def local_time(text: str) -> dt.datetime:
    """"dd/mm/yyyy HH:MM" in Huế → naive UTC (how the database stores time)."""
    moment = dt.datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=calendar.LOCAL_TZ)
    return moment.astimezone(calendar.UTC).replace(tzinfo=None)


# --- The script of one report ----------------------------------------------------------------

@dataclass
class Step:
    """One action: who, what, when (naive UTC), with the inputs the action needs."""

    username: str
    action: str
    at: dt.datetime
    inputs: dict = field(default_factory=dict)


@dataclass
class Story:
    report: NewReport
    created_by: str | None  # None: a public channel (the citizen sent it through the app)
    steps: list[Step] = field(default_factory=list)


class _Catalogue:
    def __init__(self):
        self.units = {u.name: u for u in db.session.execute(select(Unit)).scalars()}
        self.fields = {f.name: f for f in db.session.execute(select(Field)).scalars()}
        self.sources = {s.channel: s for s in db.session.execute(select(Source)).scalars()}

    def unit(self, name):
        return self.units[name].id

    def field(self, name):
        return self.fields[name].id

    def source(self, channel):
        return self.sources[channel].id


def _user(username):
    user = appbuilder.sm.find_user(username=username)
    if user is None:
        raise LookupError(f"Thiếu tài khoản {username}: chạy phần tài khoản minh họa trước.")
    return user


def _latest_event(report_id: int) -> int:
    return db.session.execute(
        select(func.max(ReportEvent.id)).where(ReportEvent.report_id == report_id)
    ).scalar_one()


def _backdate(report_id: int, step: Step, started: dt.datetime) -> None:
    """Move the step's event (and what the action stamped on the report) back to ``step.at``."""
    report = db.session.get(Report, report_id)
    db.session.refresh(report)
    event_id = _latest_event(report_id)
    event_values = {"created_at": step.at}
    report_values = {"updated_at": step.at}
    if step.action == "distribute":
        exceptions = calendar_service.exceptions()
        days = report.field.handling_days if report.field else calendar.DEFAULT_HANDLING_DAYS
        report_values.update(
            distributed_at=step.at,
            due_at=calendar.window_end(step.at, days, exceptions),
            return_due_at=calendar.window_end(step.at, calendar.RETURN_WINDOW_DAYS, exceptions),
        )
        db.session.execute(
            update(ReportUnit.__table__)
            .where(ReportUnit.__table__.c.report_id == report_id,
                   ReportUnit.__table__.c.created_at >= started)
            .values(created_at=step.at)
        )
    elif step.action == "return" and report.status == "received":
        # Late or not is judged at the backdated moment, against the backdated window.
        previous = db.session.execute(
            select(ReportEvent.late).where(ReportEvent.report_id == report_id,
                                           ReportEvent.id < event_id, ReportEvent.late.is_(True))
        ).first()
        distributed = db.session.execute(
            select(ReportEvent.created_at).where(ReportEvent.report_id == report_id,
                                                 ReportEvent.action == "distribute")
            .order_by(ReportEvent.id.desc()).limit(1)
        ).scalar_one()
        window = calendar.window_end(distributed, calendar.RETURN_WINDOW_DAYS,
                                     calendar_service.exceptions())
        late = step.at > window
        event_values["late"] = late
        report_values["late_return"] = late or previous is not None
    elif step.action == "publish":
        report_values["published_at"] = step.at
    elif step.action == "follow_done":
        db.session.execute(
            update(ReportUnit.__table__)
            .where(ReportUnit.__table__.c.report_id == report_id,
                   ReportUnit.__table__.c.done_at >= started)
            .values(done_at=step.at)
        )
    # Core statements: the event stays immutable for the application (its ORM refuses
    # changes); this is the demo import setting the historical time once.
    db.session.execute(
        update(ReportEvent.__table__).where(ReportEvent.__table__.c.id == event_id)
        .values(**event_values)
    )
    db.session.execute(
        update(Attachment.__table__).where(Attachment.__table__.c.event_id == event_id)
        .values(uploaded_at=step.at)
    )
    db.session.execute(
        update(Report.__table__).where(Report.__table__.c.id == report_id).values(**report_values)
    )
    rebuild_assignments(db.session.connection(), report_id)  # the statistics follow the times
    db.session.commit()


def play(story: Story) -> Report:
    """Create the report and do its steps through the service, backdating each."""
    creator = _user(story.created_by) if story.created_by else None
    report = create_report(creator, story.report)
    received_at = story.report.received_at
    db.session.execute(
        update(Report.__table__).where(Report.__table__.c.id == report.id)
        .values(created_at=received_at, updated_at=received_at)
    )
    db.session.execute(
        update(Attachment.__table__).where(Attachment.__table__.c.report_id == report.id)
        .values(uploaded_at=received_at)
    )
    db.session.commit()
    for step in story.steps:
        started = utcnow() - dt.timedelta(seconds=1)
        apply_action(_user(step.username), report.id, ActionRequest(action=step.action, **step.inputs))
        _backdate(report.id, step, started)
    db.session.expire_all()
    return db.session.get(Report, report.id)


# --- The stories -----------------------------------------------------------------------------

def _ensure_receivers() -> None:
    """The letter's receivers as inactive centre accounts without a usable password."""
    from .demo import ensure_account

    for username, first, last in RECEIVERS.values():
        if appbuilder.sm.find_user(username=username) is None:
            user = ensure_account(username, first, last, Role.CENTRE, CENTRE_UNIT_NAME,
                                  secrets.token_urlsafe(32) + "Aa1!")
            user.active = False
            db.session.commit()


def letter_first_screen(cat: _Catalogue) -> list[Story]:
    """The reports of the letter's first screen (app/data/sample-reports.csv)."""
    with open(os.path.join(DATA_DIR, "sample-reports.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    # How far each got (by the reporter's name): the letter shows them in the centre's list.
    plans = {
        # Just taken in by phone: waits for the centre's "Tiếp nhận".
        "Nguyễn Thủy": dict(source="phone", steps=lambda at: []),
        # Construction waste on the road: Sở Xây dựng is handling it, long past its due date.
        "Trần Văn Tường": dict(source="phone", steps=lambda at: [
            Step("trungtam", "receive", at + dt.timedelta(minutes=20),
                 {"field_id": cat.field("Xây dựng"), "source_id": cat.source("phone")}),
            Step("trungtam", "distribute", at + dt.timedelta(minutes=35),
                 {"unit_id": cat.unit(XD)}),
            Step("xd.xuly", "accept", at + dt.timedelta(hours=19)),
        ]),
        # Potholes on Ngô Thế Vinh: sent to Sở Giao thông vận tải, Sở Xây dựng follows; the
        # unit has not accepted it and it is overdue.
        "Nguyễn Thạch": dict(source="phone", steps=lambda at: [
            Step("trungtam", "receive", at + dt.timedelta(minutes=15),
                 {"field_id": cat.field("Giao thông"), "source_id": cat.source("phone")}),
            Step("trungtam", "distribute", at + dt.timedelta(minutes=30),
                 {"unit_id": cat.unit(GTVT), "follow_unit_ids": [cat.unit(XD)],
                  "content": "Đề nghị Sở Xây dựng phối hợp theo dõi việc đầu tư sửa chữa tuyến đường."}),
        ]),
        # Big C: received, waiting for distribution.
        "Nguyễn Văn Minh": dict(source="phone", steps=lambda at: [
            Step("trungtam", "receive", at + dt.timedelta(minutes=40),
                 {"field_id": cat.field("Trật tự đô thị"), "source_id": cat.source("phone")}),
        ]),
    }
    stories = []
    for row in rows:
        at = local_time(row["received_at"])
        plan = plans.get(row["reporter_name"], dict(source="phone", steps=lambda at: []))
        stories.append(Story(
            report=NewReport(
                title=short_title(row["text"]), content=row["text"],
                reporter_name=row["reporter_name"] or None,
                reporter_phone=row["reporter_phone"] or None,
                location=row["location"] or None, source_id=cat.source(plan["source"]),
                received_at=at,
            ),
            created_by=RECEIVERS[row["receiver"]][0],
            steps=plan["steps"](at),
        ))
    return stories


def worked_example(cat: _Catalogue) -> Story:
    """The letter's pothole report, through its exchange log (05/01/2019), up to approval."""
    t = local_time
    road = {"field_id": cat.field("Giao thông"), "source_id": cat.source("app")}
    photo = attachment_store.check_file("2_48079.jpg", pothole_photo())
    return Story(
        report=NewReport(
            title=POTHOLE_TITLE, content=POTHOLE_TEXT, reporter_name="Phạm Văn Dương",
            reporter_address="207 Hùng Vương", reporter_phone="0917400300",
            reporter_email="duongcntt@gmail.com", location="Đường tránh Huế",
            source_id=cat.source("app"), received_at=t("05/01/2019 17:27"),
        ),
        created_by=None,  # sent from the Hue-S app: the log's first line has no person
        steps=[
            Step("trungtam", "receive", t("05/01/2019 17:28"), road),
            Step("trungtam", "distribute", t("05/01/2019 17:30"), {"unit_id": cat.unit(GTVT)}),
            Step("gtvt.xuly", "return", t("05/01/2019 17:31"), {"reason": "Demo tài liệu"}),
            Step("trungtam", "distribute", t("05/01/2019 17:33"), {"unit_id": cat.unit(TTTT)}),
            Step("tttt.xuly", "accept", t("05/01/2019 17:40")),
            Step("tttt.xuly", "submit", t("05/01/2019 17:58"),
                 {"content": POTHOLE_RESULT, "files": [photo]}),
            Step("tttt.lanhdao", "approve", t("05/01/2019 18:05"), {"content": POTHOLE_RESULT}),
        ],
    )


def recent(cat: _Catalogue, now: dt.datetime) -> list[Story]:
    """Reports of the last days, so that every queue of every demo role has something."""
    def ago(days: float, hours: float = 0) -> dt.datetime:
        return now - dt.timedelta(days=days, hours=hours)

    def field_of(name, channel="app"):
        return {"field_id": cat.field(name), "source_id": cat.source(channel)}

    stories = [
        # Centre, "Tiếp nhận": a new report from the app.
        Story(NewReport(
            title="Ngập nước sau mưa tại kiệt 12 Phan Đình Phùng",
            content="Mỗi khi mưa lớn, kiệt 12 Phan Đình Phùng ngập sâu hơn 30 cm, người dân không "
                    "đi lại được. Đề nghị nạo vét cống thoát nước.",
            reporter_name="Lê Văn Hòa", reporter_phone="0905111222",
            location="Kiệt 12 Phan Đình Phùng, phường Vĩnh Ninh", latitude=16.4611,
            longitude=107.5872, source_id=cat.source("app"), received_at=ago(0, 3)),
            None),
        # Rejected at intake.
        Story(NewReport(
            title="Quảng cáo dịch vụ cho vay tiền nhanh",
            content="Cho vay tiền nhanh lãi suất thấp, liên hệ 0999000111.",
            reporter_name="Không rõ", source_id=cat.source("facebook"), received_at=ago(3, 5)),
            None,
            [Step("trungtam", "reject", ago(3, 4),
                  {"reason": "Nội dung quảng cáo, không phải phản ánh hiện trường."})]),
        # GTVT handler, "Xử lý": assigned, to accept; Sở Thông tin và Truyền thông follows.
        Story(NewReport(
            title="Cột ăng-ten và dây cáp đổ ra lòng đường Bà Triệu",
            content="Sau trận gió lớn tối qua, một cột ăng-ten cùng nhiều dây cáp viễn thông đổ ra "
                    "lòng đường Bà Triệu đoạn gần ngã tư Tố Hữu, rất nguy hiểm cho người đi đường.",
            reporter_name="Trần Thị Mai", reporter_phone="0914222333",
            reporter_address="45 Bà Triệu, phường Xuân Phú", location="Đường Bà Triệu",
            source_id=cat.source("app"), received_at=ago(1, 6)),
            None,
            [Step("trungtam", "receive", ago(1, 5), field_of("Giao thông")),
             Step("trungtam", "distribute", ago(1, 4),
                  {"unit_id": cat.unit(GTVT), "follow_unit_ids": [cat.unit(TTTT)],
                   "content": "Sở Thông tin và Truyền thông theo dõi, yêu cầu doanh nghiệp viễn "
                              "thông thu hồi cáp."})]),
        # GTVT handler, "Đang xử lý": a confidential reporter ("Ẩn danh" for the unit).
        Story(NewReport(
            title="Xe quá tải chạy ban đêm trên Quốc lộ 49",
            content="Hàng đêm từ 23 giờ có nhiều xe tải chở đất quá tải chạy qua Quốc lộ 49 đoạn "
                    "qua xã Phú Mỹ, làm hư hỏng mặt đường. Đề nghị giữ bí mật thông tin người "
                    "phản ánh.",
            reporter_name="Hoàng Văn Nam", reporter_phone="0935444555",
            reporter_email="hvnam@example.vn", reporter_address="Thôn 3, xã Phú Mỹ",
            confidential=True, location="Quốc lộ 49, xã Phú Mỹ", source_id=cat.source("phone"),
            received_at=ago(2, 8)),
            "trungtam",
            [Step("trungtam", "receive", ago(2, 7), field_of("Giao thông", "phone")),
             Step("trungtam", "distribute", ago(2, 6), {"unit_id": cat.unit(GTVT)}),
             Step("gtvt.xuly", "accept", ago(1, 20))]),
        # Published: handled by GTVT, approved, result posted.
        Story(NewReport(
            title="Đèn tín hiệu giao thông ngã tư Lê Lợi – Hùng Vương không hoạt động",
            content="Đèn tín hiệu tại ngã tư Lê Lợi – Hùng Vương tắt từ sáng, giao thông ùn tắc.",
            reporter_name="Nguyễn Minh Tuấn", reporter_phone="0983666777",
            location="Ngã tư Lê Lợi – Hùng Vương", latitude=16.4637, longitude=107.5909,
            source_id=cat.source("app"), received_at=ago(6, 2)),
            None,
            [Step("trungtam", "receive", ago(6, 1), field_of("Giao thông")),
             Step("trungtam", "distribute", ago(6, 0.5), {"unit_id": cat.unit(GTVT)}),
             Step("gtvt.xuly", "accept", ago(5, 22)),
             Step("gtvt.xuly", "submit", ago(5, 4),
                  {"content": "Đã phối hợp Công ty Điện lực thay bộ điều khiển; đèn hoạt động "
                              "bình thường từ 15 giờ."}),
             Step("gtvt.lanhdao", "approve", ago(5, 2)),
             Step("trungtam", "publish", ago(4, 23),
                  {"content": "Đèn tín hiệu tại ngã tư Lê Lợi – Hùng Vương đã được sửa chữa và "
                              "hoạt động bình thường."})]),
        # GTVT leader, "Phê duyệt": waiting for approval.
        Story(NewReport(
            title="Biển báo giao thông bị cây che khuất trên đường Trần Hưng Đạo",
            content="Biển báo cấm rẽ trái ở đầu cầu Trường Tiền phía đường Trần Hưng Đạo bị cành "
                    "cây che khuất, nhiều xe vi phạm mà không biết.",
            reporter_name="Lý Quốc Việt", reporter_phone="0967555444",
            location="Đường Trần Hưng Đạo, đầu cầu Trường Tiền", source_id=cat.source("app"),
            received_at=ago(2, 9)),
            None,
            [Step("trungtam", "receive", ago(2, 8), field_of("Giao thông")),
             Step("trungtam", "distribute", ago(2, 7), {"unit_id": cat.unit(GTVT)}),
             Step("gtvt.xuly", "accept", ago(2, 5)),
             Step("gtvt.xuly", "submit", ago(0, 20),
                  {"content": "Đã phối hợp Trung tâm Công viên cây xanh Huế cắt tỉa cành cây; "
                              "biển báo đã thông thoáng."})]),
        # TTTT handler, "Xử lý": assigned, to accept.
        Story(NewReport(
            title="Wifi công cộng khu phố đi bộ Phạm Ngũ Lão không truy cập được",
            content="Mạng wifi miễn phí ở khu phố đi bộ Phạm Ngũ Lão báo kết nối nhưng không vào "
                    "được Internet từ tối thứ Bảy.",
            reporter_name="Trương Công Minh", reporter_email="tcminh@example.vn",
            location="Phố đi bộ Phạm Ngũ Lão", source_id=cat.source("app"),
            received_at=ago(0, 9)),
            None,
            [Step("trungtam", "receive", ago(0, 8),
                  field_of("Thông tin, truyền thông, viễn thông")),
             Step("trungtam", "distribute", ago(0, 7), {"unit_id": cat.unit(TTTT)})]),
        # TTTT handler, "Đang xử lý".
        Story(NewReport(
            title="Mất sóng di động khu vực phường Thủy Xuân",
            content="Từ ba ngày nay khu vực tổ 5 phường Thủy Xuân gần như mất sóng di động.",
            reporter_name="Đặng Thị Hương", reporter_phone="0977888999",
            location="Tổ 5, phường Thủy Xuân", source_id=cat.source("portal"),
            received_at=ago(2, 3)),
            None,
            [Step("trungtam", "receive", ago(2, 2),
                  field_of("Thông tin, truyền thông, viễn thông", "portal")),
             Step("trungtam", "distribute", ago(2, 1), {"unit_id": cat.unit(TTTT)}),
             Step("tttt.xuly", "accept", ago(1, 22))]),
        # TTTT leader, "Phê duyệt": waiting for approval.
        Story(NewReport(
            title="Cáp viễn thông treo thấp trên đường Nguyễn Huệ",
            content="Nhiều sợi cáp viễn thông treo thấp ngang đường Nguyễn Huệ, xe tải đi qua dễ "
                    "vướng.",
            reporter_name="Võ Văn Sơn", reporter_phone="0932123456",
            location="Đường Nguyễn Huệ, phường Vĩnh Ninh", source_id=cat.source("email"),
            received_at=ago(3, 6)),
            None,
            [Step("trungtam", "receive", ago(3, 5),
                  field_of("Thông tin, truyền thông, viễn thông", "email")),
             Step("trungtam", "distribute", ago(3, 4), {"unit_id": cat.unit(TTTT)}),
             Step("tttt.xuly", "accept", ago(2, 22)),
             Step("tttt.xuly", "submit", ago(1, 3),
                  {"content": "Đã yêu cầu VNPT và Viettel thu gọn, nâng độ cao cáp; kiểm tra "
                              "lại đạt yêu cầu."})]),
        # Centre, "Phân phối": returned late by Sở Xây dựng (not its competence).
        Story(NewReport(
            title="Cây xanh gãy đổ chắn vỉa hè đường Lê Lợi",
            content="Một cây phượng lớn gãy cành chắn hết vỉa hè đường Lê Lợi trước trường Hai Bà "
                    "Trưng.",
            reporter_name="Phan Thị Thu", reporter_phone="0901234567",
            location="Đường Lê Lợi, trước trường THPT Hai Bà Trưng",
            source_id=cat.source("app"), received_at=ago(5, 6)),
            None,
            [Step("trungtam", "receive", ago(5, 5), field_of("Xây dựng")),
             Step("trungtam", "distribute", ago(5, 4), {"unit_id": cat.unit(XD)}),
             Step("xd.xuly", "return", ago(0, 5),
                  {"reason": "Cây xanh đô thị thuộc Trung tâm Công viên cây xanh Huế, đề nghị "
                             "phân phối lại."})]),
    ]
    for story in stories:
        if not isinstance(story, Story):
            raise TypeError(story)
    return stories


def load_demo_reports() -> str:
    """Create the demo reports that are not there yet (matched by title); returns a summary."""
    _ensure_receivers()
    cat = _Catalogue()
    now = utcnow()
    stories = letter_first_screen(cat) + [worked_example(cat)] + recent(cat, now)
    existing = set(db.session.execute(
        select(Report.title).where(Report.title.in_([s.report.title for s in stories]))
    ).scalars())
    created = 0
    for story in stories:
        if story.report.title in existing:
            continue
        play(story)
        created += 1
    return (f"Phản ánh minh họa: thêm {created}, đã có {len(stories) - created} "
            f"(tổng {len(stories)}).")
