"""Exports in the official form (.xlsx) and as .csv: the statistics tables and the queues.

- ``.xlsx``: text cells are always text, never formulas; the national heading "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh
  phúc", the issuing body, the date line "Thừa Thiên Huế, ngày … tháng … năm …", the title, the
  period, the table (column widths, borders, bold header and total, header frozen) and the
  signature block "NGƯỜI LẬP BIỂU / THỦ TRƯỞNG ĐƠN VỊ". Numbers stay numbers (the reader's Excel
  shows them with its separators).
- ``.csv``: UTF-8 with BOM (Excel opens it in Vietnamese), numbers with Vietnamese separators
  (1.234 and 97,5), every text cell that a spreadsheet would run as a formula made inert.
- A queue is streamed: rows are read from the database in batches and written as they come
  (openpyxl's write-only mode into a temporary file for .xlsx), never held in memory.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
from collections.abc import Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter

from ..domain.calendar import LOCAL_TZ, UTC
from ..formatting import vi_number
from ..models.base import utcnow

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PROVINCE = "UBND TỈNH THỪA THIÊN HUẾ"
SIGNERS = (("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"),
           ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)"))
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
BOLD = Font(name="Times New Roman", bold=True, size=12)
NORMAL = Font(name="Times New Roman", size=12)
ITALIC = Font(name="Times New Roman", italic=True, size=12)
TITLE = Font(name="Times New Roman", bold=True, size=14)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)


CENTRE_NAME = "Trung tâm Giám sát, điều hành đô thị thông minh"


def issuer(user) -> str:
    """The issuing body under the province's name: the person's unit, else the centre."""
    unit = getattr(user, "unit", None)
    return unit.name if unit is not None else CENTRE_NAME


def date_line(now: dt.datetime | None = None) -> str:
    day = (now or utcnow()).replace(tzinfo=UTC).astimezone(LOCAL_TZ)
    return f"Thừa Thiên Huế, ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def inert(value) -> str:
    """A text cell a spreadsheet must not run as a formula (=, +, -, @, tab, CR first)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(value) -> str:
    return vi_number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else inert(value)


# --- Statistics tables (small: built in memory) --------------------------------------------

def table_xlsx(title: str, period: str, issuer: str, headers: list[str],
               rows: list[list], total: list | None, widths: list[int],
               now: dt.datetime | None = None) -> bytes:
    """One official-form sheet: ``rows`` (and the bold ``total``) under ``headers``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    n = len(headers)
    half = max(n // 2, 1)
    _heading(ws.cell, ws.merge_cells, n, half, issuer, title, period, now)
    first = 8
    for j, header in enumerate(headers, 1):
        cell = ws.cell(first, j, header)
        cell.font, cell.alignment, cell.border = BOLD, CENTRE, BORDER
    r = first
    for values in rows + ([total] if total else []):
        r += 1
        bold = total is not None and values is total
        for j, value in enumerate(values, 1):
            cell = ws.cell(r, j, value)
            _text_cell(cell)
            cell.border = BORDER
            cell.font = BOLD if bold else NORMAL
            if isinstance(value, float):
                cell.number_format = "0.0"
            elif isinstance(value, int):
                cell.number_format = "#,##0"
                cell.alignment = Alignment(horizontal="right")
            else:
                cell.alignment = WRAP
    _signatures(ws.cell, ws.merge_cells, r + 2, n, half)
    for j, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = ws.cell(first + 1, 1)
    ws.print_title_rows = f"{first}:{first}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def table_csv(headers: list[str], rows: Iterable[list], total: list | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for values in list(rows) + ([total] if total else []):
        writer.writerow([csv_text(v) for v in values])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _heading(cell, merge, n, half, issuer, title, period, now):
    """Rows 1–6: issuer | nation, motto; the date line; the title; the period."""
    right = half + 1 if n > 1 else 1
    lines = [(1, 1, half, PROVINCE, NORMAL), (2, 1, half, issuer.upper(), BOLD),
             (1, right, n, NATION, BOLD), (2, right, n, MOTTO, BOLD),
             (3, right, n, date_line(now), ITALIC),
             (5, 1, n, title.upper(), TITLE), (6, 1, n, period, ITALIC)]
    for row, start, stop, value, font in lines:
        target = cell(row, start, value)
        target.font, target.alignment = font, CENTRE
        if stop > start:
            merge(start_row=row, start_column=start, end_row=row, end_column=stop)


def _signatures(cell, merge, row, n, half):
    right = half + 1 if n > 1 else 1
    for start, stop, (who, how) in ((1, half, SIGNERS[0]), (right, n, SIGNERS[1])):
        for offset, (value, font) in enumerate(((who, BOLD), (how, ITALIC))):
            target = cell(row + offset, start, value)
            target.font, target.alignment = font, CENTRE
            if stop > start:
                merge(start_row=row + offset, start_column=start, end_row=row + offset,
                      end_column=stop)


# --- Queues (streamed) -------------------------------------------------------------------------

def stream_csv(headers: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(headers)
    for i, values in enumerate(rows, 1):
        writer.writerow([csv_text(v) for v in values])
        if i % 500 == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def stream_xlsx(title: str, period: str, issuer: str, headers: list[str], rows: Iterable[list],
                widths: list[int], now: dt.datetime | None = None,
                chunk: int = 64 * 1024) -> Iterator[bytes]:
    """The official form in openpyxl's write-only mode: each row goes to a temporary file as
    it is read (memory stays flat), then the file is sent in chunks and removed."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Danh sách")
    styles = _row_styles(wb)
    n = len(headers)
    half = max(n // 2, 1)
    for j, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A9"
    grid: dict[tuple[int, int], WriteOnlyCell] = {}
    merges: list[str] = []

    def cell(row, column, value):
        grid[(row, column)] = WriteOnlyCell(ws, value)
        return grid[(row, column)]

    def merge(start_row, start_column, end_row, end_column):
        merges.append(f"{get_column_letter(start_column)}{start_row}:"
                      f"{get_column_letter(end_column)}{end_row}")

    _heading(cell, merge, n, half, issuer, title, period, now)
    for r in range(1, 8):
        ws.append([grid.get((r, c)) for c in range(1, n + 1)])
    ws.append([_styled(ws, h, styles["header"]) for h in headers])
    count = 0
    for values in rows:
        ws.append([_styled(ws, v, styles["date" if isinstance(v, dt.datetime) else "cell"])
                   for v in values])
        count += 1
    grid.clear()
    ws.append([])
    ws.append([_styled(ws, f"Tổng số: {vi_number(count)} phản ánh", styles["note"])])
    ws.append([])
    _signatures(cell, merge, count + 12, n, half)
    for r in (count + 12, count + 13):
        ws.append([grid.get((r, c)) for c in range(1, n + 1)])
    for ref in merges:
        ws.merged_cells.add(ref)
    handle, path = tempfile.mkstemp(prefix="xuat-", suffix=".xlsx")
    os.close(handle)
    try:
        wb.save(path)
        with open(path, "rb") as f:
            while block := f.read(chunk):
                yield block
    finally:
        os.remove(path)


def _text_cell(c) -> None:
    """A text that starts like a formula stays text (openpyxl would write it as a formula)."""
    if isinstance(c.value, str) and c.value.startswith("="):
        c.data_type = "s"


def _row_styles(wb) -> dict[str, str]:
    """The streamed sheet's cell styles as named styles of the workbook: a row's cells take a
    style by name (openpyxl then copies one index tuple) instead of registering a font and a
    border per cell, which made a million rows take the better part of an hour."""
    named = {
        "header": NamedStyle("pa-tieu-de-cot", font=BOLD, border=BORDER, alignment=CENTRE),
        "cell": NamedStyle("pa-o", font=NORMAL, border=BORDER),
        "date": NamedStyle("pa-o-ngay", font=NORMAL, border=BORDER,
                           number_format="dd/mm/yyyy hh:mm"),
        "note": NamedStyle("pa-ghi-chu", font=ITALIC, border=BORDER),
    }
    for style in named.values():
        wb.add_named_style(style)
    return {key: style.name for key, style in named.items()}


def _styled(ws, value, style: str):
    c = WriteOnlyCell(ws, value)
    _text_cell(c)
    c.style = style
    return c


def statistics_layout(table) -> tuple[list[str], list[list], list, list[int]]:
    """Headers, rows, total row and column widths of a statistics table
    (``app.services.statistics.Table``), as the screens show it."""
    from .statistics import COLUMNS, GROUPINGS, change_percent

    headers = ["STT", GROUPINGS[table.by], *COLUMNS.values()]
    widths = [6, 40] + [13] * len(COLUMNS)
    if table.compared:
        headers += ["Tiếp nhận cùng kỳ năm trước", "Tăng/giảm so với cùng kỳ (%)"]
        widths += [14, 14]

    def line(row, number):
        values = [number, row.label, *(row.figures[c] for c in COLUMNS)]
        if table.compared:
            values += [row.same_period, change_percent(row.figures["received"], row.same_period)]
        return values

    rows = [line(row, i) for i, row in enumerate(table.rows, 1)]
    return headers, rows, line(table.total, ""), widths


SUMMARY_TITLE = "Báo cáo tổng hợp tình hình tiếp nhận, xử lý phản ánh hiện trường"
STATISTICS_TITLE = "Thống kê phản ánh hiện trường theo {}"


def statistics_download(table, fmt: str, user) -> tuple[bytes, str, str]:
    """(the file, its content type, its name) of a statistics table: .csv or official .xlsx."""
    from .statistics import GROUPINGS

    headers, rows, total, widths = statistics_layout(table)
    stamp = f"{table.period.first:%Y%m%d}-{table.period.last:%Y%m%d}"
    name = f"{'tong-hop' if table.by == 'unit' else 'thong-ke-' + table.by}-{stamp}"
    if fmt == "csv":
        return table_csv(headers, rows, total), CSV_TYPE, name + ".csv"
    title = SUMMARY_TITLE if table.by == "unit" else STATISTICS_TITLE.format(
        GROUPINGS[table.by].lower())
    body = table_xlsx(title, table.period.label, issuer(user), headers, rows, total, widths)
    return body, XLSX_TYPE, name + ".xlsx"
