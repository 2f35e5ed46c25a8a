"""The public channel's rules (DESIGN §10): reports found by tracking code, the published results,
what a citizen may read of a report, citizens' reports and photos, and their ratings.

Every public surface (the portal at /cong-khai/, Open311 at /open311/v2/) reads reports through
this module, which never hands out reporter data: a report reaches the public as a
``PublicReport`` holding only public fields.
"""
from __future__ import annotations

import datetime as dt
import hmac
import io
import os
from dataclasses import dataclass

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..domain import tracking
from ..domain.workflow import Action, Status
from ..extensions import db
from ..models import (
    Attachment, AttachmentStage, Feedback, FeedbackAnswer, Rating, Report, ReportEvent, Source,
)
from ..models.base import utcnow
from ..models.feedback import RATING_LABELS
from ..validators import normalise_phone
from . import attachments as attachment_store
from .counters import count_ratings
from .search import keyword_clause
from .workflow import (
    NOT_FOUND_MESSAGE, ActionRequest, ConflictError, InvalidInput, NewReport, NotFound,
    apply_action, create_report, on_event,
)

PORTAL_SOURCE_NAME = "Cổng thông tin tương tác"
PORTAL_PAGE_SIZE = 10
# The result's photos, as the units attached them when processing and approving.
RESULT_STAGES = (AttachmentStage.PROCESSING.value, AttachmentStage.APPROVAL.value)
PUBLIC_IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
# What a citizen reads in the tracking page's history: the steps, never who did them, and the
# text only of the lines written for the public (the published result, the centre's replies,
# the citizen's own rating).
PUBLIC_STEPS = {
    Action.CREATE.value: "Hệ thống đã nhận phản ánh",
    Action.RECEIVE.value: "Trung tâm đã tiếp nhận phản ánh",
    Action.REJECT.value: "Phản ánh không được tiếp nhận",
    Action.DISTRIBUTE.value: "Đã chuyển đơn vị xử lý",
    Action.SUBMIT.value: "Đơn vị đã xử lý, chờ phê duyệt",
    Action.APPROVE.value: "Kết quả xử lý đã được phê duyệt",
    Action.PUBLISH.value: "Đã đăng tải kết quả xử lý",
    Action.REOPEN.value: "Phản ánh được mở lại để xử lý tiếp",
    Action.REPLY.value: "Trả lời của Trung tâm",
    Action.FEEDBACK.value: "Đánh giá của người phản ánh",
}
PUBLIC_TEXT = frozenset({Action.PUBLISH.value, Action.REPLY.value, Action.FEEDBACK.value})
CITIZEN_ACTOR = "Người phản ánh (cổng thông tin)"


class PhotoError(ValueError):
    pass


# --- Reports as the public sees them ----------------------------------------------------------

def is_closed(report: Report) -> bool:
    return report.status in (Status.PUBLISHED.value, Status.REJECTED.value)


def report_by_code(raw_code: str | None) -> Report | None:
    code = tracking.normalise(raw_code)
    if code is None:
        return None
    return db.session.execute(
        select(Report).where(Report.tracking_code == code)
        .options(joinedload(Report.field), joinedload(Report.unit))
    ).scalar_one_or_none()


def published_report(raw_code: str | None) -> Report | None:
    report = report_by_code(raw_code)
    return report if report is not None and report.status == Status.PUBLISHED.value else None


def published_page(keyword: str | None, page: int = 1,
                   page_size: int = PORTAL_PAGE_SIZE) -> tuple[list[Report], int]:
    """One page of the published results (newest publication first), accent-free keyword
    search through the search service, and the number of results."""
    where = [Report.status == Status.PUBLISHED.value, keyword_clause(keyword, reporter=False)]
    rows = db.session.execute(
        select(Report).where(*where)
        .options(joinedload(Report.field), joinedload(Report.unit))
        .order_by(Report.published_at.desc(), Report.id.desc())
        .limit(page_size).offset(max(page - 1, 0) * page_size)
    ).scalars().all()
    total = db.session.execute(select(func.count(Report.id)).where(*where)).scalar_one()
    return list(rows), total


def result_photos(report_ids: list[int]) -> dict[int, list[Attachment]]:
    """The pictures of the published results of these reports, one query."""
    if not report_ids:
        return {}
    rows = db.session.execute(
        select(Attachment).where(Attachment.report_id.in_(report_ids),
                                 Attachment.stage.in_(RESULT_STAGES),
                                 Attachment.content_type.in_(PUBLIC_IMAGE_TYPES))
        .order_by(Attachment.id)
    ).scalars().all()
    photos: dict[int, list[Attachment]] = {}
    for attachment in rows:
        photos.setdefault(attachment.report_id, []).append(attachment)
    return photos


def public_photo(report: Report, name: str) -> Attachment | None:
    """A result photo of a published report by its stored (random) name, never by id."""
    if report.status != Status.PUBLISHED.value:
        return None
    return db.session.execute(
        select(Attachment).where(Attachment.report_id == report.id,
                                 Attachment.stored_name == name,
                                 Attachment.stage.in_(RESULT_STAGES),
                                 Attachment.content_type.in_(PUBLIC_IMAGE_TYPES))
    ).scalar_one_or_none()


def reporter_matches(report: Report, phone: str | None) -> bool:
    """Is ``phone`` the reporter's phone? (Both in national form; compared in constant time.)"""
    given, stored = normalise_phone(phone), normalise_phone(report.reporter_phone)
    return bool(given and stored) and hmac.compare_digest(given, stored)


@dataclass
class PublicStep:
    time: dt.datetime
    label: str
    content: str | None
    unit_name: str | None


def public_history(report: Report) -> list[PublicStep]:
    """The tracking page's history, oldest first."""
    events = db.session.execute(
        select(ReportEvent).where(ReportEvent.report_id == report.id,
                                  ReportEvent.action.in_(list(PUBLIC_STEPS)))
        .order_by(ReportEvent.created_at, ReportEvent.id)
    ).scalars().all()
    return [
        PublicStep(
            time=e.created_at, label=PUBLIC_STEPS[e.action],
            content=e.content if e.action in PUBLIC_TEXT else None,
            unit_name=e.target_unit_name if e.action == Action.DISTRIBUTE.value else None,
        )
        for e in events
    ]


# --- Citizens' reports and photos -------------------------------------------------------------

MAX_PHOTO_PIXELS = 40_000_000
MAX_PHOTO_SIDE = 2560


def clean_photo(original_name: str, data: bytes) -> attachment_store.CheckedFile:
    """A citizen's photo re-encoded as JPEG without its metadata (EXIF, GPS position included),
    turned upright, at most 2560 px a side; PhotoError with a Vietnamese message otherwise."""
    name = os.path.basename((original_name or "").replace("\\", "/")) or "anh"
    limit_mb = current_app.config.get("MAX_UPLOAD_MB", 10)
    if len(data) > limit_mb * 1024 * 1024:
        raise PhotoError(f"Ảnh “{name}” vượt quá dung lượng cho phép ({limit_mb} MB).")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG", "WEBP", "GIF"):
                raise PhotoError(f"Tệp “{name}” không phải ảnh JPEG, PNG, WEBP hoặc GIF.")
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise PhotoError(f"Ảnh “{name}” quá lớn (tối đa 40 triệu điểm ảnh).")
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        raise PhotoError(f"Tệp “{name}” không phải ảnh hợp lệ.") from None
    upright.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=85, optimize=True)  # no exif= : nothing carried
    stem = os.path.splitext(name)[0][:200] or "anh"
    return attachment_store.check_file(stem + ".jpg", out.getvalue())


def public_image_path(attachment: Attachment) -> str:
    """The file the public is given for a result photo: a copy re-encoded without metadata
    (units' photos keep theirs inside), made on first request."""
    source = attachment_store.path_of(attachment)
    target = source + ".public.jpg"
    if not os.path.isfile(target):
        with open(source, "rb") as f:
            cleaned = clean_photo(attachment.original_name, f.read())
        tmp = f"{target}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            f.write(cleaned.data)
        os.replace(tmp, target)
    return target


def portal_source_id() -> int:
    source_id = db.session.execute(
        select(Source.id).where(Source.name == PORTAL_SOURCE_NAME, Source.active.is_(True))
    ).scalar_one_or_none()
    if source_id is None:
        raise InvalidInput(f"Nguồn “{PORTAL_SOURCE_NAME}” chưa có hoặc đã ngừng sử dụng.")
    return source_id


def submit_citizen_report(data: NewReport) -> Report:
    """A report from the portal: "Chờ tiếp nhận", source "Cổng thông tin tương tác", through
    the one intake service (its authorization point and event hooks included)."""
    data.source_id = portal_source_id()
    return create_report(None, data)


# --- Citizens' ratings ------------------------------------------------------------------------

def current_feedback(report: Report) -> Feedback | None:
    """The rating of the report's current publication, if given."""
    if report.published_at is None:
        return None
    return db.session.execute(
        select(Feedback).where(Feedback.report_id == report.id,
                               Feedback.published_at == report.published_at)
    ).scalar_one_or_none()


def may_rate(report: Report) -> bool:
    return report.status == Status.PUBLISHED.value and current_feedback(report) is None


def rate(report: Report, rating: str, comment: str | None) -> Feedback:
    """The reporter rates the published result: once per publication, written to the log."""
    try:
        rating = Rating(rating)
    except ValueError:
        raise InvalidInput("Vui lòng chọn mức đánh giá: Hài lòng, Chấp nhận được hoặc "
                           "Không hài lòng.") from None
    comment = (comment or "").strip() or None
    if comment and len(comment) > 2000:
        raise InvalidInput("Ý kiến tối đa 2000 ký tự.")
    if report.status != Status.PUBLISHED.value or report.published_at is None:
        raise ConflictError("Chỉ đánh giá được phản ánh đã đăng tải kết quả.")
    if current_feedback(report) is not None:
        raise ConflictError("Bạn đã đánh giá kết quả lần đăng tải này.")
    now = utcnow()
    label = RATING_LABELS[rating]
    event = ReportEvent(
        report_id=report.id, created_at=now, actor_name=CITIZEN_ACTOR,
        action=Action.FEEDBACK.value, content=f"{label}: {comment}" if comment else label,
        from_status=report.status, to_status=report.status,
    )
    feedback = Feedback(report_id=report.id, published_at=report.published_at,
                        unit_id=report.unit_id, rating=rating.value, comment=comment,
                        created_at=now, event=event)
    db.session.add_all([event, feedback])
    try:
        db.session.flush()
        count_ratings(db.session.connection(), rated=1)
        db.session.commit()
    except IntegrityError:  # the same publication rated twice at the same moment
        db.session.rollback()
        raise ConflictError("Bạn đã đánh giá kết quả lần đăng tải này.") from None
    return feedback


@on_event
def _answer_feedback(report: Report, event: ReportEvent, user) -> None:
    """The centre's reply to the citizen, or reopening the report, answers the report's waiting
    ratings (same transaction as the event)."""
    answers = {Action.REPLY.value: FeedbackAnswer.REPLY, Action.REOPEN.value: FeedbackAnswer.REOPEN}
    if event.action not in answers:
        return
    db.session.flush()  # the event's id
    answered = db.session.execute(
        update(Feedback)
        .where(Feedback.report_id == report.id, Feedback.answered_at.is_(None))
        .values(answered_at=event.created_at, answer=answers[event.action].value,
                answer_event_id=event.id)
    ).rowcount
    if answered:
        count_ratings(db.session.connection(), answered=answered)


def feedback_reason(feedback: Feedback) -> str:
    """The reason of a reopening decided on a citizen's rating."""
    text = f"Người phản ánh đánh giá “{feedback.rating_label}”"
    return f"{text}: {feedback.comment}" if feedback.comment else text + "."


def answer_feedback(user, feedback_id, *, reply: str | None = None) -> Report:
    """The centre answers a rating from its queue: a reply the citizen reads (``reply``), or,
    without one, reopening the report with the rating as reason. Through the workflow service
    (scope, role, state, log, hooks); the hook above marks the rating answered."""
    feedback = db.session.get(Feedback, feedback_id) if str(feedback_id).isdigit() else None
    if feedback is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    if reply is not None:
        return apply_action(user, feedback.report_id,
                            ActionRequest(action=Action.REPLY.value, content=reply))
    return apply_action(user, feedback.report_id,
                        ActionRequest(action=Action.REOPEN.value, reason=feedback_reason(feedback)))
