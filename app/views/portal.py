"""The public portal at /cong-khai/ (DESIGN §10): no sign-in, the app's look, never reporter data.

    /cong-khai/                          published results, accent-free search (?tu_khoa=), ?trang=
    /cong-khai/ket-qua/<code>            one published result by tracking code
    /cong-khai/ket-qua/<code>/anh/<name> a result photo (re-encoded without metadata)
    /cong-khai/gui-phan-anh              the citizen's form "Gửi phản ánh" → its tracking code
    /cong-khai/tra-cuu                   tracking: code + the reporter's phone
    /cong-khai/tra-cuu/<code>            status, history, result; rating ("danh-gia", POST)

Spam defences, none needing an outside service: a rate limit per address on every POST, a
honeypot field people never see, a minimum time between showing the form and sending it
(signed into the form), and size limits on every field and photo. Thin: every rule is in
app.services.public.
"""
from __future__ import annotations

import math
import time

from flask import abort, current_app, flash, redirect, request, send_file, session, url_for
from flask_appbuilder import BaseView, expose
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import BooleanField, HiddenField, MultipleFileField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..domain.workflow import Status
from ..extensions import db, limiter
from ..models.feedback import RATING_LABELS, Rating
from ..services import public
from ..services.workflow import NewReport, WorkflowError
from ..validators import EmailAddress, VietnamesePhone

MAX_PHOTOS = 5
TRACKED_KEY = "portal_tracked"  # codes whose phone the visitor proved in this session
SENT_KEY = "portal_sent"


def _post_limit() -> str:
    return current_app.config["PUBLIC_POST_RATE_LIMIT"]


def _track_limit() -> str:
    return current_app.config["PUBLIC_TRACK_RATE_LIMIT"]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="cong-khai-bieu-mau")


def form_started_token() -> str:
    return _serializer().dumps(time.time())


def filled_too_fast(token: str | None) -> bool:
    """True when the form came back sooner than a person can fill it (or without the signed
    time it was shown with)."""
    try:
        shown = float(_serializer().loads(token or ""))
    except (BadSignature, TypeError, ValueError):
        return True
    return time.time() - shown < current_app.config["PUBLIC_MIN_FILL_SECONDS"]


class CitizenReportForm(FlaskForm):
    reporter_name = StringField("Họ và tên", validators=[
        DataRequired(message="Vui lòng nhập họ và tên."), Length(max=120)])
    reporter_phone = StringField("Điện thoại", validators=[
        DataRequired(message="Vui lòng nhập số điện thoại."), VietnamesePhone()])
    reporter_email = StringField("Email (không bắt buộc)", validators=[
        Optional(), Length(max=255), EmailAddress()])
    title = StringField("Tiêu đề", validators=[
        DataRequired(message="Vui lòng nhập tiêu đề."), Length(max=200)])
    content = TextAreaField("Nội dung phản ánh", validators=[
        DataRequired(message="Vui lòng nhập nội dung phản ánh."), Length(max=5000)])
    location = StringField("Địa điểm", validators=[
        DataRequired(message="Vui lòng nhập địa điểm."), Length(max=300)])
    photos = MultipleFileField(f"Hình ảnh (tối đa {MAX_PHOTOS} ảnh)")
    confidential = BooleanField("Giữ bí mật thông tin người phản ánh")
    # Spam defences: people leave "website" empty (it is hidden); "started" is signed.
    website = StringField("Trang web", validators=[Optional(), Length(max=200)])
    started = HiddenField()


class TrackForm(FlaskForm):
    code = StringField("Mã phản ánh", validators=[
        DataRequired(message="Vui lòng nhập mã phản ánh."), Length(max=30)])
    phone = StringField("Số điện thoại đã dùng khi gửi", validators=[
        DataRequired(message="Vui lòng nhập số điện thoại."), Length(max=30)])


class FeedbackForm(FlaskForm):
    rating = RadioField("Mức độ hài lòng với kết quả",
                        choices=[(r.value, RATING_LABELS[r]) for r in Rating],
                        validators=[DataRequired(message="Vui lòng chọn mức đánh giá.")])
    comment = TextAreaField("Ý kiến (không bắt buộc)", validators=[Optional(), Length(max=2000)])


def _page_number() -> int:
    try:
        return max(int(request.args.get("trang") or 1), 1)
    except ValueError:
        return 1


def _tracked() -> list[str]:
    return list(session.get(TRACKED_KEY, []))


class PortalView(BaseView):
    """The public portal; no permission: every page here is for everyone."""

    route_base = "/cong-khai"
    default_view = "index"

    @expose("/")
    def index(self):
        keyword = (request.args.get("tu_khoa") or "").strip()[:200]
        page = _page_number()
        reports, total = public.published_page(keyword, page)
        pages = max(math.ceil(total / public.PORTAL_PAGE_SIZE), 1)
        return self.render_template(
            "portal/index.html", reports=reports, total=total, page=page, pages=pages,
            keyword=keyword, photos=public.result_photos([r.id for r in reports]),
        )

    @expose("/ket-qua/<code>")
    def result(self, code):
        report = public.published_report(code)
        if report is None:
            abort(404)
        return self.render_template("portal/result.html", report=report,
                                    photos=public.result_photos([report.id]).get(report.id, []))

    @expose("/ket-qua/<code>/anh/<name>")
    def photo(self, code, name):
        report = public.published_report(code)
        attachment = public.public_photo(report, name) if report else None
        if attachment is None:
            abort(404)
        try:
            path = public.public_image_path(attachment)
        except (OSError, public.PhotoError):
            abort(404)
        response = send_file(path, mimetype="image/jpeg", max_age=3600)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @expose("/gui-phan-anh", methods=["GET", "POST"])
    @limiter.limit(_post_limit, methods=["POST"])
    def submit(self):
        form = CitizenReportForm()
        if request.method == "GET":
            form.started.data = form_started_token()
            return self.render_template("portal/submit.html", form=form)
        error = None
        files = [f for f in request.files.getlist("photos") if f and f.filename]
        if (form.website.data or "").strip():
            error = "Không gửi được phản ánh. Vui lòng thử lại."  # a robot filled the honeypot
        elif filled_too_fast(form.started.data):
            error = ("Biểu mẫu được gửi quá nhanh hoặc đã cũ. Vui lòng kiểm tra nội dung "
                     "rồi bấm gửi lại.")
        elif len(files) > MAX_PHOTOS:
            error = f"Chỉ được gửi tối đa {MAX_PHOTOS} ảnh."
        elif form.validate():
            try:
                photos = [public.clean_photo(f.filename, f.read()) for f in files]
                report = public.submit_citizen_report(NewReport(
                    title=form.title.data.strip(), content=form.content.data.strip(),
                    reporter_name=form.reporter_name.data.strip(),
                    reporter_phone=form.reporter_phone.data,
                    reporter_email=(form.reporter_email.data or "").strip() or None,
                    confidential=bool(form.confidential.data),
                    location=form.location.data.strip(), files=photos,
                ))
            except public.PhotoError as exc:
                error = str(exc)
            except WorkflowError as exc:
                db.session.rollback()
                error = exc.message
            else:
                session[SENT_KEY] = report.tracking_code
                session[TRACKED_KEY] = (_tracked() + [report.tracking_code])[-20:]
                return redirect(url_for(".sent"))
        else:
            error = " ".join(e for errors in form.errors.values() for e in errors)
        form.started.data = form_started_token()
        return self.render_template("portal/submit.html", form=form, error=error,
                                    files_lost=bool(files)), 400

    @expose("/da-gui")
    def sent(self):
        code = session.get(SENT_KEY)
        if not code:
            return redirect(url_for(".submit"))
        return self.render_template("portal/sent.html", code=code)

    @expose("/tra-cuu", methods=["GET", "POST"])
    @limiter.limit(_track_limit, methods=["POST"])
    def track(self):
        form = TrackForm()
        if request.method == "GET":
            form.code.data = request.args.get("ma", "")
            return self.render_template("portal/track.html", form=form)
        if form.validate():
            report = public.report_by_code(form.code.data)
            # One message whether the code or the phone is wrong: a code alone reveals nothing.
            if report is not None and public.reporter_matches(report, form.phone.data):
                session[TRACKED_KEY] = (_tracked() + [report.tracking_code])[-20:]
                return redirect(url_for(".tracking", code=report.tracking_code))
            error = "Mã phản ánh hoặc số điện thoại không đúng."
        else:
            error = " ".join(e for errors in form.errors.values() for e in errors)
        return self.render_template("portal/track.html", form=form, error=error), 400

    def _tracked_report(self, code):
        report = public.report_by_code(code)
        if report is None or report.tracking_code not in _tracked():
            return None
        return report

    @expose("/tra-cuu/<code>")
    def tracking(self, code):
        report = self._tracked_report(code)
        if report is None:
            return redirect(url_for(".track", ma=code))
        return self._tracking_page(report, FeedbackForm(formdata=None))

    def _tracking_page(self, report, form, error=None, status=200):
        published = report.status == Status.PUBLISHED.value
        return self.render_template(
            "portal/tracking.html", report=report, history=public.public_history(report),
            published=published, feedback=public.current_feedback(report),
            may_rate=public.may_rate(report), form=form, error=error,
            photos=public.result_photos([report.id]).get(report.id, []) if published else [],
        ), status

    @expose("/tra-cuu/<code>/danh-gia", methods=["POST"])
    @limiter.limit(_track_limit)
    def rate(self, code):
        report = self._tracked_report(code)
        if report is None:
            return redirect(url_for(".track", ma=code))
        form = FeedbackForm()
        if not form.validate():
            message = " ".join(e for errors in form.errors.values() for e in errors)
            return self._tracking_page(report, form, message, 400)
        try:
            public.rate(report, form.rating.data, form.comment.data)
        except WorkflowError as exc:
            db.session.rollback()
            return self._tracking_page(report, form, exc.message, exc.status_code)
        flash("Cảm ơn bạn đã đánh giá kết quả xử lý.", "success")
        return redirect(url_for(".tracking", code=report.tracking_code))
