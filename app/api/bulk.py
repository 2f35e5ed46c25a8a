"""REST API of bulk workflow actions (DESIGN §7):

``POST /api/v1/report/actions/<action>`` with ``{"ids": [...], <the action's inputs>}`` (and,
optionally, ``"versions": {"<id>": <version seen>}``) applies the action to each id on its own
through the workflow service — the same checks as ``POST /api/v1/report/<id>/actions/<action>``
— and answers 200 with ``{"result": [{"id", "status", "message"}]}``, one entry per distinct
id, in the order given. An empty or malformed list, more than 200 ids, an unknown input or an
action not offered in bulk → 400 with a Vietnamese message, and nothing changes.
"""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import BaseApi, expose, safe
from flask_appbuilder.security.decorators import permission_name, protect

from ..extensions import appbuilder, db
from ..services import bulk
from ..services.workflow import InvalidInput, WorkflowError
from .report import action_request


class ReportBulkApi(BaseApi):
    resource_name = "report"
    class_permission_name = "Report"
    allow_browser_login = False  # a write: JWT only (the API is exempt from CSRF)
    openapi_spec_tag = "Report"

    @expose("/actions/<action>", methods=["POST"])
    @protect()
    @safe
    @permission_name("get")  # each report's can_<action> is checked by the workflow service
    def bulk_action(self, action):
        """Apply one workflow action to many reports, each on its own.
        ---
        post:
          description: >-
            Thao tác hàng loạt: receive, reject, distribute, accept, approve, publish,
            follow_done. Thân JSON: `ids` (1–200 mã phản ánh) và đầu vào của thao tác
            (unit_id, follow_unit_ids, reason, content, field_id, source_id); `versions`
            (tùy chọn) là {mã: phiên bản đã xem}. Với receive, thiếu field_id/source_id thì
            giữ lĩnh vực/nguồn của từng phản ánh. Mỗi phản ánh được xử lý riêng; một phản ánh
            bị từ chối không làm dừng các phản ánh khác.
          parameters:
          - in: path
            schema:
              type: string
            name: action
          responses:
            200:
              description: '{result: [{id, status: 200|400|403|404|409, message}]}'
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
        """
        user = appbuilder.sm.current_user
        try:
            chosen = bulk.parse_action(action)
            data = request.get_json(silent=True) if request.get_data(cache=True) else None
            if not isinstance(data, dict):
                raise InvalidInput("Nội dung yêu cầu phải là một đối tượng JSON có “ids”.")
            data = dict(data)
            if "version" in data:
                raise InvalidInput("Với nhiều phản ánh, gửi “versions”: {mã phản ánh: phiên bản}.")
            ids = bulk.parse_ids(data.pop("ids", None))
            versions = bulk.parse_versions(data.pop("versions", None), ids)
            template = action_request(chosen.value, data, [])
        except WorkflowError as exc:
            db.session.rollback()
            return self.response(exc.status_code, message=exc.message)
        outcomes = bulk.apply_to_each(user, chosen, ids, template, versions=versions)
        return self.response(200, result=[
            {"id": o.id, "status": o.status, "message": o.message} for o in outcomes
        ])
