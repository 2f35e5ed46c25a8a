"""Files attached to reports: checked for size and real type, stored under generated names."""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import filetype
from flask import current_app

from ..models import Attachment

# Types accepted, by what the content really is (never by the name the file came with).
ALLOWED_TYPES = {
    "jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp",
    "heic": "image/heic", "pdf": "application/pdf",
    "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
ALLOWED_DESCRIPTION = "ảnh (JPEG, PNG, GIF, WEBP, HEIC), PDF, tài liệu Word, Excel, PowerPoint"


class AttachmentError(ValueError):
    pass


@dataclass
class CheckedFile:
    original_name: str
    data: bytes
    extension: str
    content_type: str


def upload_folder() -> str:
    folder = current_app.config["UPLOAD_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    return folder


def check_file(original_name: str, data: bytes) -> CheckedFile:
    """Size and real type; raises AttachmentError with a Vietnamese message."""
    name = os.path.basename((original_name or "").replace("\\", "/")).strip() or "tep-dinh-kem"
    limit_mb = current_app.config.get("MAX_UPLOAD_MB", 10)
    if not data:
        raise AttachmentError(f"Tệp “{name}” rỗng.")
    if len(data) > limit_mb * 1024 * 1024:
        raise AttachmentError(f"Tệp “{name}” vượt quá dung lượng cho phép ({limit_mb} MB).")
    kind = filetype.guess(data)
    if kind is None or kind.extension not in ALLOWED_TYPES:
        raise AttachmentError(
            f"Tệp “{name}” không đúng định dạng cho phép ({ALLOWED_DESCRIPTION}); "
            "định dạng được kiểm tra theo nội dung tệp, không theo tên."
        )
    return CheckedFile(name[:255], data, kind.extension, ALLOWED_TYPES[kind.extension])


def read_upload(storage) -> CheckedFile:
    """A werkzeug FileStorage → CheckedFile."""
    return check_file(storage.filename or "", storage.read())


def write(checked: CheckedFile) -> str:
    """Write the file under a generated name (returned) in the upload folder."""
    stored_name = f"{uuid.uuid4().hex}.{checked.extension}"
    with open(os.path.join(upload_folder(), stored_name), "xb") as f:
        f.write(checked.data)
    return stored_name


def store(checked: CheckedFile, *, report_id: int, stage: str, user_id: int | None) -> Attachment:
    """Write the file under a generated name and return its (unsaved) Attachment row."""
    stored_name = write(checked)
    return Attachment(
        report_id=report_id, stage=stage, original_name=checked.original_name,
        stored_name=stored_name, content_type=checked.content_type, size=len(checked.data),
        uploaded_by_id=user_id,
    )


def discard(attachments: list) -> None:
    """Remove files written for a change that was not committed (rows with ``stored_name``)."""
    for attachment in attachments:
        try:
            os.remove(os.path.join(upload_folder(), attachment.stored_name))
        except FileNotFoundError:
            pass


def path_of(attachment) -> str:
    return os.path.join(upload_folder(), attachment.stored_name)
