"""The centre's answers from the queue "Phản ánh có tương tác": reply to the citizen, or reopen
the report with the rating as reason (app.services.public.answer_feedback)."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from ..extensions import db
from ..services import public
from ..services.workflow import WorkflowError

QUEUE_ENDPOINT = "QueueFeedbackView.list"


class FeedbackAnswerView(BaseView):
    route_base = "/phan-anh/tuong-tac"
    class_permission_name = "QueueFeedback"  # whoever may open the queue; roles checked by the service
    method_permission_name = {"reply": "list", "reopen": "list"}

    def _answer(self, feedback_id: int, reply: str | None, done: str):
        try:
            report = public.answer_feedback(g.user, feedback_id, reply=reply)
        except WorkflowError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            flash(f"{done}: “{report.title}” ({report.tracking_code}).", "success")
        return redirect(url_for(QUEUE_ENDPOINT))

    @expose("/<int:feedback_id>/tra-loi", methods=["POST"])
    @has_access
    def reply(self, feedback_id: int):
        return self._answer(feedback_id, request.form.get("content", ""), "Đã trả lời người phản ánh")

    @expose("/<int:feedback_id>/mo-lai", methods=["POST"])
    @has_access
    def reopen(self, feedback_id: int):
        return self._answer(feedback_id, None, "Đã mở lại phản ánh")
