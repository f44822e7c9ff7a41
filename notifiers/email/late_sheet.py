"""The complete list of late items as an .xlsx workbook, attached to an oversight email whose
body shows only the oldest ones (``notifiers.late_view``).

One row per late item, agency by agency (by name), oldest first within an agency; column
headings in Vietnamese, bold, frozen above the rows; due dates are real dates (dd/mm/yyyy).

Written by openpyxl (write-only mode: headings, widths, frozen pane, the first row with its
styles), the other rows streamed after it by ``notifiers.sheet_stream``, every cell with its
address. Measured on the synthetic national Monday digest (164,500 items, nothing ever
completed; `benchmarks/bench_reports.py`, on a machine shared with other work): openpyxl's
write-only mode alone 26.9 s (15.5 s of CPU), streamed 6.2 s (3.5 s of CPU), the same 5.1 MB.
The message is built in a thread (``notifiers.email.notifier``).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from core.formatting import label_is_period, product_of
from core.messages import Item
from core.numbering import code_key
from notifiers import sheet_stream
from notifiers.late_view import FAR_FUTURE, agency_of
from notifiers.sheet_stream import clean

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE = "Nhiệm vụ quá hạn"  # at most 31 characters, none of []:*?/ and backslash
# (heading, column width in characters)
COLUMNS = (
    ("Cơ quan", 34),
    ("Nhóm nhiệm vụ", 28),
    ("Số TT", 9),
    ("Nhiệm vụ", 70),
    ("Sản phẩm", 24),
    ("Hạn", 12),
    ("Số ngày quá hạn (ngày làm việc)", 16),
)
_LETTERS = "ABCDEFG"  # one per column of COLUMNS


def file_name(day: dt.date) -> str:
    return f"danh-sach-qua-han-{day.isoformat()}.xlsx"


def by_agency(i: Item) -> tuple[str, dt.date, str, tuple]:
    return (agency_of(i).casefold(), i.due or FAR_FUTURE, i.group or "", code_key(i.code))


def _text(value: str | None) -> str | None:
    return clean(value)


def workbook_bytes(items: Iterable[Item], *, title: str = "",
                   created: dt.datetime | None = None) -> bytes:
    """The workbook of `items`, sorted agency by agency, oldest first."""
    wb = Workbook(write_only=True)
    if created is not None:
        wb.properties.created = created.astimezone(dt.UTC).replace(tzinfo=None)
    wb.properties.title = _text(title)
    wb.properties.creator = "Nhắc việc CCHC"
    ws = wb.create_sheet(SHEET_TITLE)
    for letter, (_, width) in zip(_LETTERS, COLUMNS, strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    bold, top = Font(bold=True), Alignment(vertical="top", wrap_text=True)
    header = []
    for heading, _ in COLUMNS:
        cell = WriteOnlyCell(ws, heading)
        cell.font, cell.alignment = bold, top
        header.append(cell)
    ws.append(header)
    rows = [_row(i) for i in sorted(items, key=by_agency)]
    if rows:
        # The first row through openpyxl, its due cell styled even when empty: the rest are
        # streamed after it with the same styles (notifiers.sheet_stream).
        first = [_text(v) if isinstance(v, str) else v for v in rows[0]]
        first[5] = WriteOnlyCell(ws, first[5])
        first[5].number_format = "dd/mm/yyyy"
        ws.append(first)
    out = io.BytesIO()
    sheet_stream.save(wb, out, {SHEET_TITLE: rows[1:]} if len(rows) > 1 else {})
    return out.getvalue()


def _row(i: Item) -> tuple:
    # Text is cleaned where it is written (sheet_stream escapes, and cleans, each distinct text
    # once).
    # "Sản phẩm" holds what is delivered; a period label ("Năm 2025") goes with the title.
    title = i.title or i.period
    if i.label and label_is_period(i.label) and title:
        title = f"{title} ({i.label})"
    return (agency_of(i) or None, i.group, i.code, title, product_of(i.label, i.product),
            i.due, i.days_late)
