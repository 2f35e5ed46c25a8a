"""Delivering the outbox through SMTP, and the daily digest (DESIGN §9).

A pass (``send_pending``) claims the mails that are due — on PostgreSQL with ``SELECT … FOR
UPDATE SKIP LOCKED``, so two workers never take the same row; everywhere with one conditional
UPDATE that only succeeds on a row still due — and commits the claim before talking to the mail
server. Each mail is then marked sent (or scheduled again, or failed) in its own commit, so a
mail is sent once. A claim lapses after ``CLAIM_SECONDS``: a worker that died mid-pass leaves
nothing stuck. Failures are retried with back-off (the first retry after 30 seconds) up to
``MAIL_MAX_ATTEMPTS``; the last reason is kept in ``last_error``. A refusal for good (5xx) fails
the mail at once.
"""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid

from flask import current_app
from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError

from ..domain import calendar
from ..domain.notifications import DIGEST_PREFERENCE, Delivery, Kind
from ..domain.workflow import OPEN_AT_UNIT, Role
from ..extensions import db
from ..formatting import local_datetime
from ..models import (
    AppUser, MailStatus, Notification, OutboxMail, Report, ReportUnit, ReportUnitKind, Unit,
)
from ..models.base import utcnow
from ..ops import data_version
from ..security.permissions import acts_as
from . import calendar as calendar_service
from .notifications import (
    base_url, delivery_for, digest_wanted, people_acting_as, preferences_of, queue_mail,
    render_mail, target_url,
)

log = logging.getLogger(__name__)

# Seconds to wait after the n-th failed attempt (the last value repeats).
BACKOFF_SECONDS = (30, 120, 600, 1800, 3600, 7200, 14400)
CLAIM_SECONDS = 15 * 60
BATCH = 20


class MailNotConfigured(RuntimeError):
    pass


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=BACKOFF_SECONDS[min(max(attempts, 1), len(BACKOFF_SECONDS)) - 1])


@dataclass
class PassResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _due(now: dt.datetime):
    return and_(OutboxMail.status.in_([MailStatus.PENDING.value, MailStatus.SENDING.value]),
                OutboxMail.next_attempt_at <= now)


def claim(now: dt.datetime, limit: int = BATCH) -> list[int]:
    """Take up to ``limit`` due mails for this worker (committed before anything is sent)."""
    candidates = select(OutboxMail.id).where(_due(now)).order_by(
        OutboxMail.next_attempt_at, OutboxMail.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(db.session.execute(candidates).scalars())
    if not ids:
        db.session.commit()
        return []
    claimed = list(db.session.execute(
        update(OutboxMail).where(OutboxMail.id.in_(ids), _due(now))
        .values(status=MailStatus.SENDING.value, attempts=OutboxMail.attempts + 1,
                next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS))
        .returning(OutboxMail.id)
    ).scalars())
    data_version.declare({data_version.UNSEEN})
    db.session.commit()
    return sorted(claimed)


def _message(mail: OutboxMail, sender: str) -> MIMEMultipart:
    """Plain text and HTML alternatives. The subject goes through ``Header``: the modern
    ``EmailMessage`` folds a long Vietnamese subject into encoded words and loses the spaces at
    the folds (CPython 3.11), which readers then show run together."""
    message = MIMEMultipart("alternative")
    message["Subject"] = Header(mail.subject, "utf-8")
    message["From"] = sender
    message["To"] = mail.recipient
    message["Date"] = format_datetime(dt.datetime.now(dt.timezone.utc))
    message["Message-ID"] = make_msgid(idstring=f"outbox-{mail.id}")
    message.attach(MIMEText(mail.body_text, "plain", "utf-8"))
    message.attach(MIMEText(mail.body_html, "html", "utf-8"))
    return message


class _Connection:
    """One SMTP connection per pass, opened at the first mail."""

    def __init__(self, config):
        if not config.get("MAIL_SERVER"):
            raise MailNotConfigured(
                "Chưa cấu hình máy chủ thư (MAIL_SERVER): thư vẫn nằm trong hàng đợi.")
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def send(self, message: MIMEMultipart) -> None:
        if self.smtp is None:
            c = self.config
            timeout = c.get("MAIL_TIMEOUT", 20)
            if c.get("MAIL_USE_SSL"):
                self.smtp = smtplib.SMTP_SSL(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=timeout,
                                             context=ssl.create_default_context())
            else:
                self.smtp = smtplib.SMTP(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=timeout)
                if c.get("MAIL_USE_TLS"):
                    self.smtp.starttls(context=ssl.create_default_context())
            if c.get("MAIL_USERNAME"):
                self.smtp.login(c["MAIL_USERNAME"], c.get("MAIL_PASSWORD", ""))
        self.smtp.send_message(message)

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.smtp = None


def _permanent(exc: Exception) -> bool:
    """A refusal for good (5xx): sending again would not help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and code >= 500 and not isinstance(
        exc, smtplib.SMTPAuthenticationError)


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "Máy chủ thư từ chối người nhận: " + "; ".join(
            f"{addr} ({code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg})"
            for addr, (code, msg) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        msg = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return f"Máy chủ thư trả lời {exc.smtp_code}: {msg}"
    if isinstance(exc, (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return f"Không kết nối được máy chủ thư: {exc}"
    return f"{type(exc).__name__}: {exc}"


def _settle(mail_id: int, now: dt.datetime, error: Exception | None, max_attempts: int) -> str:
    mail = db.session.get(OutboxMail, mail_id)
    if error is None:
        mail.status, mail.sent_at, mail.last_error = MailStatus.SENT.value, now, None
    else:
        mail.last_error = _reason(error)[:2000]
        if _permanent(error) or mail.attempts >= max_attempts:
            mail.status = MailStatus.FAILED.value
        else:
            mail.status = MailStatus.PENDING.value
            mail.next_attempt_at = now + backoff(mail.attempts)
    data_version.declare({data_version.UNSEEN})
    db.session.commit()
    return mail.status


def send_pending(now: dt.datetime | None = None, limit: int | None = None) -> PassResult:
    """One pass: send every due mail (``limit``: at most that many)."""
    config = current_app.config
    connection = _Connection(config)  # refuses before claiming anything when not configured
    max_attempts = int(config.get("MAIL_MAX_ATTEMPTS", 8))
    sender = config.get("MAIL_DEFAULT_SENDER") or "phananh@localhost"
    result = PassResult()
    try:
        while limit is None or result.sent + result.retried + result.failed < limit:
            moment = now or utcnow()
            batch = claim(moment, BATCH if limit is None else min(BATCH, limit))
            if not batch:
                break
            down = None
            for mail_id in batch:
                error = down
                if error is None:
                    mail = db.session.get(OutboxMail, mail_id)
                    try:
                        connection.send(_message(mail, sender))
                    except (smtplib.SMTPException, OSError) as exc:
                        error = exc
                        if not isinstance(exc, (smtplib.SMTPRecipientsRefused,
                                                smtplib.SMTPDataError, smtplib.SMTPSenderRefused)):
                            # The server is unreachable or broke off: the rest of the batch
                            # waits for its retry, untried.
                            down = exc
                            connection.close()
                status = _settle(mail_id, moment, error, max_attempts)
                if status == MailStatus.SENT:
                    result.sent += 1
                elif status == MailStatus.FAILED:
                    result.failed += 1
                else:
                    result.retried += 1
                if error is not None and len(result.errors) < 5:
                    result.errors.append(_reason(error))
            if down is not None:
                break
    finally:
        connection.close()
    return result


# --- The daily digest ----------------------------------------------------------------------------

DIGEST_LIST_LIMIT = 50


@dataclass
class DigestItem:
    title: str
    unit: str | None
    note: str  # "Hạn xử lý: …" of a report, the time of a notification
    link: str


@dataclass
class DigestSection:
    title: str
    items: list
    total: int


def _report_items(query, limit=DIGEST_LIST_LIMIT) -> tuple[list[DigestItem], int]:
    total = db.session.execute(
        select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(
        query.order_by(Report.due_at, Report.id).limit(limit)
        .add_columns(Unit.name).outerjoin(Unit, Unit.id == Report.unit_id)
    ).all()
    return [DigestItem(r.title, unit, f"Hạn xử lý: {local_datetime(r.due_at)}",
                       f"{base_url()}/phan-anh/{r.id}") for r, unit in rows], total


def digest_sections(person: AppUser, day: dt.date, preferences: dict) -> list[DigestSection]:
    """What the digest of ``day`` tells ``person`` (empty: nothing to say)."""
    start = calendar.end_of_local_day_utc(day - dt.timedelta(days=1)) + dt.timedelta(seconds=1)
    soon_end = calendar.end_of_local_day_utc(
        calendar.add_working_days(day, 1, calendar_service.exceptions()))
    open_at_unit = Report.status.in_(sorted(s.value for s in OPEN_AT_UNIT))
    sections: list[DigestSection] = []
    unit_person = person.unit_id is not None and (
        acts_as(person, Role.HANDLER) or acts_as(person, Role.LEADER))
    centre = acts_as(person, Role.CENTRE)
    if unit_person:
        mine = select(Report).where(open_at_unit, Report.unit_id == person.unit_id)
        items, total = _report_items(mine.where(Report.due_at >= start, Report.due_at <= soon_end))
        if total:
            sections.append(DigestSection("Phản ánh sắp đến hạn (trong một ngày làm việc)",
                                          items, total))
    if unit_person or centre:
        overdue = select(Report).where(open_at_unit, Report.due_at < start)
        if not centre:
            overdue = overdue.where(Report.unit_id == person.unit_id)
        items, total = _report_items(overdue)
        if total:
            sections.append(DigestSection("Phản ánh quá hạn chưa xử lý xong", items, total))
    if unit_person:
        follow = select(Report).join(ReportUnit, ReportUnit.report_id == Report.id).where(
            ReportUnit.unit_id == person.unit_id, ReportUnit.kind == ReportUnitKind.FOLLOW.value,
            ReportUnit.done_at.is_(None))
        items, total = _report_items(follow)
        if total:
            sections.append(DigestSection("Thông tin theo dõi chưa thực hiện", items, total))
    digest_kinds = [k.value for k in Kind
                    if delivery_for(preferences, person.id, k.value) == Delivery.DIGEST]
    if digest_kinds:
        since = start - dt.timedelta(days=1)
        rows = db.session.execute(
            select(Notification).where(
                Notification.user_id == person.id, Notification.kind.in_(digest_kinds),
                Notification.created_at >= since, Notification.created_at < start)
            .order_by(Notification.created_at).limit(DIGEST_LIST_LIMIT)
        ).scalars().all()
        if rows:
            sections.append(DigestSection("Thông báo trong ngày trước", [
                DigestItem(n.title, None, f"Lúc {local_datetime(n.created_at)}",
                           base_url() + target_url(n)) for n in rows], len(rows)))
    return sections


@dataclass
class DigestResult:
    queued: int = 0
    already: int = 0
    nothing: int = 0


def digest_key(person_id: int, day: dt.date) -> str:
    return f"digest:{person_id}:{day.isoformat()}"


def queue_digests(day: dt.date) -> DigestResult:
    """One digest mail per person for ``day`` into the outbox: only when there is something to
    say, never twice for the same person and day (the outbox's unique ``dedupe_key``)."""
    people = {p.id: p for role in (Role.CENTRE, Role.HANDLER, Role.LEADER)
              for p in people_acting_as(role)}
    preferences = preferences_of(list(people))
    result = DigestResult()
    for person in sorted(people.values(), key=lambda p: p.id):
        if not (person.email or "").strip() or not digest_wanted(preferences, person.id):
            continue
        key = digest_key(person.id, day)
        if db.session.execute(select(OutboxMail.id).where(OutboxMail.dedupe_key == key)).first():
            result.already += 1
            continue
        sections = digest_sections(person, day, preferences)
        if not sections:
            result.nothing += 1
            continue
        subject = f"Bản tin ngày {day.strftime('%d/%m/%Y')}"
        mail = render_mail("digest", subject, person_name=" ".join(
            p for p in (person.first_name, person.last_name) if p), day=day.strftime("%d/%m/%Y"),
            sections=sections, base=base_url())
        queue_mail(person, DIGEST_PREFERENCE, mail, dedupe_key=key)
        try:
            db.session.commit()
        except IntegrityError:  # another run queued it meanwhile
            db.session.rollback()
            result.already += 1
            continue
        result.queued += 1
    return result


__all__ = ["MailNotConfigured", "PassResult", "backoff", "claim", "queue_digests",
           "send_pending", "digest_sections"]
