"""Units' personnel lists: import from the letter's table, registration status, export, template.

The letter (17/STTTT-CNTT) asks each unit for a table "TT, Họ và tên, Chức vụ, Di động, Email"
with its approving leader (Lãnh đạo phê duyệt) and its handlers (Cán bộ xử lý). A file is read
the way people fill that table in:

- ``.xlsx`` (any sheet holding the header row; title lines above it are skipped) or ``.csv``
  (UTF-8 with or without BOM, or Windows-1258; comma, semicolon or tab separated);
- columns found by their Vietnamese headers, accents and case ignored: TT, Họ và tên, Chức vụ,
  Di động, Email, Nhiệm vụ, and an optional Đơn vị for a file gathering several units;
- the duty either in the Nhiệm vụ column or, as in the letter's own table, from a section line
  "Lãnh đạo phê duyệt" / "Cán bộ xử lý" above the people it heads.

A file with any bad row imports nothing: every bad row is reported with its line number (as
the spreadsheet shows it) and a Vietnamese reason. A good file replaces the lists of the units it
names: people in it are added or updated (matched by unit and e-mail, so importing the same file
twice changes nothing), people of those units missing from it leave the list and their accounts
are locked. ``replace=False`` only adds and updates.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import func

from ..domain.text import fold
from ..extensions import db
from ..models import Personnel, Unit, UnitKind
from ..models.personnel import DUTY_LABELS, Duty
from ..validators import EMAIL_MESSAGE, PHONE_MESSAGE, normalise_email, normalise_phone
from . import accounts

# The columns of the letter's table, in its order, plus the duty and (optional) unit.
COLUMNS = ["TT", "Họ và tên", "Chức vụ", "Di động", "Email", "Nhiệm vụ", "Đơn vị"]
HEADER_ALIASES = {
    "position_no": {"tt", "stt", "so tt", "so thu tu"},
    "full_name": {"ho va ten", "ho ten", "ho, ten", "ho và ten", "ten"},
    "title": {"chuc vu", "chuc danh"},
    "mobile": {"di dong", "so di dong", "dien thoai", "so dien thoai", "dien thoai di dong", "sdt"},
    "email": {"email", "e-mail", "e mail", "thu dien tu", "dia chi email", "dia chi thu dien tu"},
    "duty": {"nhiem vu", "vai tro"},
    "unit": {"don vi", "co quan", "co quan, don vi", "don vi, co quan", "ten don vi",
             "co quan xu ly", "don vi xu ly", "co quan, don vi xu ly"},
}
REQUIRED_COLUMNS = {"full_name": "Họ và tên", "mobile": "Di động", "email": "Email"}
DUTY_ALIASES = {
    Duty.LEADER: {"lanh dao phe duyet", "lanh dao", "phe duyet", "lanh dao duyet", "leader"},
    Duty.HANDLER: {"can bo xu ly", "xu ly", "can bo", "nhan vien xu ly", "handler"},
}
HEADER_SEARCH_ROWS = 20
MAX_ROWS = 5000


def _text(value) -> str:
    """A cell as text: numbers without ".0" (Excel stores 0917400300 as 917400300), NFC."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.strftime("%d/%m/%Y")
    return unicodedata.normalize("NFC", str(value)).replace("\xa0", " ").strip()


def _key(text: str) -> str:
    return fold(text).strip(" :.*")


def duty_of(raw: str) -> Duty | None:
    key = _key(raw)
    for duty, aliases in DUTY_ALIASES.items():
        if key in aliases or key == fold(DUTY_LABELS[duty]):
            return duty
    return None


class FileError(Exception):
    """The file as a whole cannot be read (Vietnamese message)."""


def read_table(filename: str, data: bytes) -> list[list[tuple[int, list[str]]]]:
    """The sheets of a file, each a list of (line number, cell texts)."""
    name = (filename or "").lower()
    if name.endswith(".xls") and not data.startswith(b"PK"):
        raise FileError("Tệp .xls (Excel 97-2003) không được hỗ trợ: hãy lưu lại dưới dạng .xlsx hoặc .csv.")
    if data.startswith(b"PK") or name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith(".csv") or name.endswith(".txt") or not name:
        return [_read_csv(data)]
    raise FileError("Chỉ nhận tệp .xlsx hoặc .csv.")


def _read_xlsx(data: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a broken or foreign file: openpyxl raises many kinds
        raise FileError("Không đọc được tệp Excel (.xlsx): tệp bị hỏng hoặc không đúng định dạng.") from exc
    sheets = []
    try:
        for sheet in book.worksheets:
            rows = []
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > MAX_ROWS:
                    raise FileError(f"Tệp có quá nhiều dòng (tối đa {MAX_ROWS}).")
                rows.append((number, [_text(v) for v in row]))
            sheets.append(rows)
    finally:
        book.close()
    return sheets


def _read_csv(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1258")  # Excel's "CSV" on a Vietnamese Windows
        except UnicodeDecodeError as exc:
            raise FileError("Không đọc được tệp CSV: hãy lưu tệp với bảng mã UTF-8.") from exc
    text = unicodedata.normalize("NFC", text)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows = []
    for cells in reader:
        if reader.line_num > MAX_ROWS:
            raise FileError(f"Tệp có quá nhiều dòng (tối đa {MAX_ROWS}).")
        rows.append((reader.line_num, [_text(c) for c in cells]))
    return rows


def _header(cells: list[str]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = _key(cell)
        for name, aliases in HEADER_ALIASES.items():
            if key in aliases and name not in found:
                found[name] = index
                break
    if "full_name" in found and "email" in found:
        return found
    return None


@dataclass
class Row:
    line: int
    full_name: str
    title: str | None
    mobile: str
    email: str
    duty: Duty
    unit: Unit
    position_no: int | None


@dataclass
class ImportResult:
    errors: list[tuple[int | None, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    units: list[Unit] = field(default_factory=list)
    accounts: list[accounts.AccountResult] = field(default_factory=list)
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def new_passwords(self) -> list[accounts.AccountResult]:
        return [a for a in self.accounts if a.password]

    def summary(self) -> str:
        return (
            f"Đã nhập danh sách nhân sự của {len(self.units)} đơn vị: thêm {self.added}, "
            f"cập nhật {self.updated}, không đổi {self.unchanged}, gỡ khỏi danh sách {self.removed}."
        )


class UnitIndex:
    """Find a unit by the name people write: case, spacing and (if unambiguous) accents ignored."""

    def __init__(self):
        self.exact: dict[str, Unit] = {}
        self.folded: dict[str, list[Unit]] = {}
        for unit in db.session.query(Unit).all():
            self.exact[" ".join(unit.name.split()).casefold()] = unit
            self.folded.setdefault(fold(unit.name), []).append(unit)

    def find(self, name: str) -> Unit | None:
        unit = self.exact.get(" ".join(name.split()).casefold())
        if unit is not None:
            return unit
        candidates = self.folded.get(fold(name), [])
        return candidates[0] if len(candidates) == 1 else None


def _position(raw: str) -> int | None:
    match = re.match(r"\s*(\d{1,6})", raw)
    return int(match.group(1)) if match else None


def parse(filename: str, data: bytes, unit: Unit | None = None) -> ImportResult:
    """Read and check a file; nothing is written. ``unit``: for a file without a Đơn vị column."""
    result = ImportResult()
    try:
        sheets = read_table(filename, data)
    except FileError as exc:
        result.errors.append((None, str(exc)))
        return result
    header, rows = None, []
    for sheet in sheets:
        for position, (line, cells) in enumerate(sheet[:HEADER_SEARCH_ROWS]):
            header = _header(cells)
            if header:
                rows = sheet[position + 1:]
                break
        if header:
            break
    if not header:
        result.errors.append((None, (
            "Không tìm thấy dòng tiêu đề của bảng. Tệp cần các cột: "
            + ", ".join(COLUMNS[:-1]) + " (và cột Đơn vị nếu tệp gồm nhiều đơn vị)."
        )))
        return result
    missing = [label for name, label in REQUIRED_COLUMNS.items() if name not in header]
    if missing:
        result.errors.append((None, "Thiếu cột: " + ", ".join(missing) + "."))
        return result

    units = UnitIndex()
    section_duty: Duty | None = None
    seen_emails: dict[str, int] = {}
    seen_people: dict[tuple, int] = {}

    def cell(cells: list[str], name: str) -> str:
        index = header.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    for line, cells in rows:
        values = {name: cell(cells, name) for name in HEADER_ALIASES}
        if not any(v for k, v in values.items() if k != "position_no"):
            continue  # an empty line (or only a TT number)
        # The letter's own layout: "1 | Lãnh đạo phê duyệt" heads the people below it.
        heading = duty_of(values["full_name"])
        if heading and not (values["mobile"] or values["email"] or values["title"]):
            section_duty = heading
            continue
        reasons = []
        full_name = " ".join(values["full_name"].split())
        if not full_name:
            reasons.append("Thiếu họ và tên.")
        elif len(full_name) > 255:
            reasons.append("Họ và tên quá dài (tối đa 255 ký tự).")
        title = " ".join(values["title"].split()) or None
        if title and len(title) > 255:
            reasons.append("Chức vụ quá dài (tối đa 255 ký tự).")
        mobile = None
        if not values["mobile"]:
            reasons.append("Thiếu số di động.")
        else:
            mobile = normalise_phone(values["mobile"])
            if mobile is None:
                reasons.append(f"Di động “{values['mobile']}”: {PHONE_MESSAGE}")
        email = None
        if not values["email"]:
            reasons.append("Thiếu email.")
        else:
            email = normalise_email(values["email"])
            if email is None or len(email) > 128:
                reasons.append(f"Email “{values['email']}”: {EMAIL_MESSAGE}")
                email = None
            else:
                email = email.lower()
        duty = None
        if values["duty"]:
            duty = duty_of(values["duty"])
            if duty is None:
                reasons.append(
                    f"Nhiệm vụ “{values['duty']}” không hợp lệ: chỉ nhận “Lãnh đạo phê duyệt” "
                    "hoặc “Cán bộ xử lý”."
                )
        elif section_duty:
            duty = section_duty
        else:
            reasons.append("Thiếu nhiệm vụ (Lãnh đạo phê duyệt hoặc Cán bộ xử lý).")
        row_unit = None
        if values["unit"]:
            row_unit = units.find(values["unit"])
            if row_unit is None:
                reasons.append(f"Không tìm thấy đơn vị “{values['unit']}” trong danh mục đơn vị xử lý.")
            elif unit is not None and row_unit.id != unit.id:
                reasons.append(f"Đơn vị “{values['unit']}” khác với đơn vị đã chọn “{unit.name}”.")
                row_unit = None
        elif unit is not None:
            row_unit = unit
        else:
            reasons.append("Thiếu đơn vị: điền cột Đơn vị hoặc chọn đơn vị khi nhập tệp.")
        if row_unit is not None:
            if not row_unit.active:
                reasons.append(f"Đơn vị “{row_unit.name}” đã ngừng sử dụng.")
            elif row_unit.kind == UnitKind.CENTER:
                reasons.append(f"“{row_unit.name}” không phải là cơ quan xử lý.")
        if email:
            if email in seen_emails:
                reasons.append(f"Trùng người: email {email} đã có ở dòng {seen_emails[email]}.")
            else:
                seen_emails[email] = line
        if full_name and mobile and row_unit is not None:
            person_key = (row_unit.id, fold(full_name), mobile)
            if person_key in seen_people and not (email and seen_emails.get(email) != line):
                reasons.append(
                    f"Trùng người: {full_name} ({mobile}) đã có ở dòng {seen_people[person_key]}."
                )
            seen_people.setdefault(person_key, line)
        if reasons:
            result.errors.extend((line, reason) for reason in reasons)
            continue
        result.rows.append(Row(line, full_name, title, mobile, email, duty, row_unit,
                               _position(values["position_no"])))
    if not result.rows and not result.errors:
        result.errors.append((None, "Tệp không có dòng nhân sự nào."))
    return result


def _check_against_database(result: ImportResult, replace: bool) -> None:
    """E-mails registered elsewhere, accounts that may not be taken over."""
    unit_ids = {row.unit.id for row in result.rows}
    in_file = {(row.unit.id, row.email) for row in result.rows}
    for row in result.rows:
        others = (
            db.session.query(Personnel)
            .filter(func.lower(Personnel.email) == row.email, Personnel.active.is_(True),
                    Personnel.unit_id != row.unit.id)
            .all()
        )
        for other in others:
            leaving = replace and other.unit_id in unit_ids and (other.unit_id, row.email) not in in_file
            if not leaving:
                result.errors.append((row.line, (
                    f"Email {row.email} đã được đăng ký cho đơn vị “{other.unit.name}”."
                )))
        foreign = accounts.foreign_account(row.email)
        if foreign:
            result.errors.append((row.line, foreign))
    result.errors.sort(key=lambda e: (e[0] or 0))


def _warnings(result: ImportResult, replace: bool) -> None:
    by_unit: dict[int, list[Row]] = {}
    for row in result.rows:
        by_unit.setdefault(row.unit.id, []).append(row)
    for rows in by_unit.values():
        unit = rows[0].unit
        leaders = sum(1 for r in rows if r.duty == Duty.LEADER)
        handlers = sum(1 for r in rows if r.duty == Duty.HANDLER)
        if replace and not leaders:
            result.warnings.append(f"Đơn vị “{unit.name}” chưa có Lãnh đạo phê duyệt trong tệp.")
        if leaders > 1:
            result.warnings.append(
                f"Đơn vị “{unit.name}” có {leaders} Lãnh đạo phê duyệt (công văn đề nghị 01 người)."
            )
        if replace and not handlers:
            result.warnings.append(f"Đơn vị “{unit.name}” chưa có Cán bộ xử lý trong tệp.")


def import_file(filename: str, data: bytes, unit: Unit | None = None, *, replace: bool = True,
                provision: bool = True) -> ImportResult:
    """Check a file and, if every row is good, apply it and provision the accounts (one commit)."""
    result = parse(filename, data, unit)
    if result.rows:
        _check_against_database(result, replace)  # the good rows too: every bad row at once
    if not result.ok:
        db.session.rollback()
        return result
    _warnings(result, replace)
    try:
        _apply(result, replace, provision)
    except accounts.AccountError as exc:
        db.session.rollback()
        result.errors.append((None, str(exc)))
        result.accounts = []
        return result
    db.session.commit()
    result.imported = True
    return result


def _apply(result: ImportResult, replace: bool, provision: bool) -> None:
    units: dict[int, Unit] = {}
    for row in result.rows:
        units.setdefault(row.unit.id, row.unit)
    result.units = sorted(units.values(), key=lambda u: u.name)
    touched: list[Personnel] = []
    removed: list[Personnel] = []
    for unit_id, unit in units.items():
        existing = {
            p.email.lower(): p
            for p in db.session.query(Personnel).filter(Personnel.unit_id == unit_id).all()
        }
        rows = [r for r in result.rows if r.unit.id == unit_id]
        for row in rows:
            person = existing.pop(row.email, None)
            values = {
                "position_no": row.position_no, "full_name": row.full_name, "title": row.title,
                "mobile": row.mobile, "email": row.email, "duty": row.duty.value, "active": True,
            }
            if person is None:
                person = Personnel(unit=unit, **values)
                db.session.add(person)
                result.added += 1
            elif any(getattr(person, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(person, k, v)
                result.updated += 1
            else:
                result.unchanged += 1
            touched.append(person)
        if replace:
            for person in existing.values():
                if person.active:
                    person.active = False
                    removed.append(person)
                    result.removed += 1
    db.session.flush()
    if provision:
        # Those leaving first: an e-mail moving between two units frees its account before.
        result.accounts = [a for a in accounts.provision(removed + touched) if a.status != "unchanged"]


# --- registration status --------------------------------------------------------------------

@dataclass
class UnitRegistration:
    unit: Unit
    leaders: list[Personnel]
    handlers: list[Personnel]

    @property
    def complete(self) -> bool:
        return bool(self.leaders) and bool(self.handlers)

    @property
    def missing(self) -> str:
        if not self.leaders and not self.handlers:
            return "Chưa đăng ký"
        if not self.leaders:
            return "Thiếu Lãnh đạo phê duyệt"
        if not self.handlers:
            return "Thiếu Cán bộ xử lý"
        return "Đã đăng ký đủ"

    @property
    def accounts(self) -> int:
        return sum(1 for p in self.leaders + self.handlers if p.user is not None and p.user.active)


def registration_status() -> list[UnitRegistration]:
    """Every active handling unit with its registered leaders and handlers (the centre excluded)."""
    units = sorted(  # Vietnamese order: "Điện lực" among the D, not after the Z
        db.session.query(Unit).filter(Unit.active.is_(True), Unit.kind != UnitKind.CENTER),
        key=lambda u: fold(u.name),
    )
    people: dict[int, list[Personnel]] = {}
    for person in (
        db.session.query(Personnel)
        .filter(Personnel.active.is_(True))
        .order_by(Personnel.position_no, Personnel.full_name)
    ):
        people.setdefault(person.unit_id, []).append(person)
    status = []
    for unit in units:
        listed = people.get(unit.id, [])
        status.append(UnitRegistration(
            unit,
            [p for p in listed if p.duty == Duty.LEADER],
            [p for p in listed if p.duty == Duty.HANDLER],
        ))
    return status


# --- export and template --------------------------------------------------------------------

def listed_people(unit_id: int | None = None, include_inactive: bool = False) -> list[Personnel]:
    query = db.session.query(Personnel).join(Unit, Personnel.unit_id == Unit.id)
    if unit_id:
        query = query.filter(Personnel.unit_id == unit_id)
    if not include_inactive:
        query = query.filter(Personnel.active.is_(True))
    people = query.all()
    # The leader first, then the handlers, as in the letter's table.
    order = {Duty.LEADER: 0, Duty.HANDLER: 1}
    people.sort(key=lambda p: (p.unit.name, order.get(p.duty, 2), p.position_no or 10**6, p.full_name))
    return people


EXPORT_COLUMNS = COLUMNS + ["Tài khoản", "Đang tham gia"]


def _safe(text: str) -> str:
    """A cell Excel must not run as a formula (CSV injection: "=HYPERLINK(...)" as a name)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _export_rows(people):
    for n, person in enumerate(people, start=1):
        yield [
            person.position_no or n, _safe(person.full_name), _safe(person.title or ""),
            person.mobile or "", person.email, person.duty_label, person.unit.name,
            person.user.username if person.user else "", "Có" if person.active else "Không",
        ]


def export_csv(people) -> bytes:
    """UTF-8 with a BOM, so that Excel shows the Vietnamese letters; importable as it is."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(_export_rows(people))
    return out.getvalue().encode("utf-8-sig")


def _sheet(book, title: str, header: list[str], rows, widths: list[int]):
    from openpyxl.styles import Font, PatternFill

    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in rows:
        sheet.append(row)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    return sheet


def _text_columns(sheet, columns: str, rows: int) -> None:
    """Phones as text: Excel would drop the leading 0 of 0917400300."""
    for col in columns:
        for r in range(2, rows + 2):
            sheet[f"{col}{r}"].number_format = "@"


def export_xlsx(people) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    rows = list(_export_rows(people))
    sheet = _sheet(book, "Danh sách nhân sự", EXPORT_COLUMNS, rows, [6, 28, 24, 14, 32, 20, 45, 32, 12])
    _text_columns(sheet, "D", len(rows))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


TEMPLATE_NOTES = [
    "Danh sách nhân sự tham gia hệ thống thông tin phản ánh hiện trường (Công văn 17/STTTT-CNTT).",
    "Mỗi đơn vị cử 01 Lãnh đạo phê duyệt và tối thiểu 01 Cán bộ xử lý.",
    "Cột Nhiệm vụ: ghi “Lãnh đạo phê duyệt” hoặc “Cán bộ xử lý”.",
    "Cột Đơn vị: ghi đúng tên đơn vị trong danh mục; có thể để trống nếu chọn đơn vị khi nhập tệp.",
    "Di động: số điện thoại Việt Nam, ví dụ 0917400300. Email: dùng để đăng nhập một lần (SSO) "
    "và làm tên đăng nhập.",
    "Danh sách trong tệp thay thế danh sách cũ của đơn vị: người không còn trong tệp sẽ bị gỡ "
    "khỏi danh sách và khóa tài khoản.",
]


def template_xlsx(unit: Unit | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.remove(book.active)
    sheet = _sheet(book, "Danh sách nhân sự", COLUMNS, [], [6, 28, 24, 14, 32, 22, 45])
    duties = DataValidation(
        type="list", formula1='"{}"'.format(",".join(DUTY_LABELS.values())), allow_blank=True,
        errorTitle="Nhiệm vụ", error="Chọn Lãnh đạo phê duyệt hoặc Cán bộ xử lý.",
    )
    sheet.add_data_validation(duties)
    duties.add("F2:F500")
    _text_columns(sheet, "D", 200)
    if unit is not None:
        for r in range(2, 4):
            sheet[f"G{r}"] = unit.name
        sheet["F2"], sheet["F3"] = DUTY_LABELS[Duty.LEADER], DUTY_LABELS[Duty.HANDLER]
        sheet["A2"], sheet["A3"] = 1, 2
    notes = book.create_sheet("Hướng dẫn")
    for note in TEMPLATE_NOTES:
        notes.append([note])
    notes.column_dimensions["A"].width = 110
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    return (",".join(COLUMNS) + "\r\n").encode("utf-8-sig")
