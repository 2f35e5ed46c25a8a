"""Personnel files laid out like the letter's table, built in the tests (openpyxl, csv)."""
from __future__ import annotations

import csv
import io
import itertools
import re

from openpyxl import Workbook, load_workbook

HEADER = ["TT", "Họ và tên", "Chức vụ", "Di động", "Email", "Nhiệm vụ"]
LEADER, HANDLER = "Lãnh đạo phê duyệt", "Cán bộ xử lý"
_numbers = itertools.count(1)


def unique_mobile() -> str:
    """A valid Vietnamese mobile number, different in every call."""
    return "0912" + f"{next(_numbers):06d}"


def xlsx(rows, header=HEADER, title_lines=("DANH SÁCH NHÂN SỰ THAM GIA HỆ THỐNG THÔNG TIN "
                                             "PHẢN ÁNH HIỆN TRƯỜNG",)) -> bytes:
    """A workbook as a unit would send it: a title line, a blank line, the table."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    for line in title_lines:
        sheet.append([line])
    if title_lines:
        sheet.append([])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, header=HEADER, delimiter=",", encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def read_xlsx(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def passwords_on_page(html: str) -> dict[str, str]:
    """{user name: initial password} from the accounts table of a result page."""
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        password = re.search(r'class="initial-password">([^<]+)<', row)
        if password and len(cells) >= 4:
            found[cells[3]] = password.group(1)
    return found


def cp1258(text: str) -> bytes:
    """Text as Excel writes it on a Vietnamese Windows: Windows-1258, letters with their tone mark
    as a separate combining character where the code page has no precomposed letter."""
    import unicodedata

    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        # Keep the vowel's own mark (â, ê, ô, ơ, ư, ă) on the letter, the tone separate.
        for mark in list(marks):
            combined = unicodedata.normalize("NFC", base + mark)
            try:
                combined.encode("cp1258")
            except UnicodeEncodeError:
                continue
            base = combined
            marks.remove(mark)
        out += base.encode("cp1258") + "".join(marks).encode("cp1258")
    return bytes(out)


class database:
    """``with database(app) as db:`` — a short application context for reading or writing.

    Tests that sign several people in must not keep one application context pushed while
    they make requests: Flask would reuse it, and with it Flask-Login's user in ``g``.
    """

    def __init__(self, app):
        self.ctx = app.app_context()

    def __enter__(self):
        self.ctx.push()
        from app.extensions import db

        return db

    def __exit__(self, *exc):
        from app.extensions import db

        db.session.rollback()
        self.ctx.pop()


def unit_ids(app) -> set[int]:
    from app.models import Unit

    with database(app) as db:
        return {i for (i,) in db.session.query(Unit.id)}


def remove_units_since(app, before: set[int]) -> None:
    """Take the units a test module made out of the shared database again (other modules count
    the letter's 66 units): their lists go, their accounts stay, locked and unbound."""
    from app.models import AppUser, Field, Personnel, Unit

    with database(app) as db:
        for unit in db.session.query(Unit).filter(Unit.id.notin_(before)).all():
            db.session.query(Personnel).filter_by(unit_id=unit.id).delete()
            for user in db.session.query(AppUser).filter_by(unit_id=unit.id):
                user.unit_id, user.active = None, False
            for field in db.session.query(Field).filter_by(default_unit_id=unit.id):
                field.default_unit_id = None
            db.session.flush()
            db.session.delete(unit)
        db.session.commit()
