"""Read a plan typed into a spreadsheet: .xlsx (openpyxl) or .csv, with the .docx table's headers.

The sheet holding the task header is used (the first such sheet when several have one); cells
above the header (a title row "Kế hoạch số 12/KH-UBND ngày 05/01/2026 ... năm 2026") are the body
the builder reads the plan's metadata from. Merged ranges (``ws.merged_cells.ranges``) are read
both ways, as in a .docx table: see `engine.intake.grid`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import IO

import openpyxl

from core.errors import InputError
from engine.intake.grid import GridRow, Header, Slot, clean, find_header, task_rows
from engine.intake.headers import REQUIRED, describe
from engine.intake.rows import RawDocument

_DELIMITERS = ",;\t"


def read_xlsx(file: Path | str | IO[bytes], source: str) -> RawDocument:
    # Not read-only: merged ranges are only known to a fully loaded sheet.
    workbook = openpyxl.load_workbook(file, data_only=True)
    chosen: tuple[str, list[GridRow], Header] | None = None
    partial: Header | None = None
    others: list[str] = []
    for ws in workbook.worksheets:
        grid = _sheet_grid(ws)
        header = find_header(grid)
        if header is None:
            continue
        if header.missing:
            if partial is None or len(header.found) > len(partial.found):
                partial = header
        elif chosen is None:
            chosen = (ws.title, grid, header)
        else:
            others.append(ws.title)
    if chosen is None:
        raise _no_table(source, partial)
    title, grid, header = chosen
    doc = _document(grid, header, source)
    if others:
        doc.warnings.append(
            f"đọc bảng nhiệm vụ ở trang tính «{title}»; bỏ qua các trang tính cũng có bảng: "
            + ", ".join(f"«{o}»" for o in others)
        )
    return doc


def read_csv_text(text: str, source: str) -> RawDocument:
    text = text.lstrip("\ufeff")
    delimiter = sniff_delimiter(text)
    grid: list[GridRow] = []
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for n, record in enumerate(records, start=1):
        grid.append(GridRow(n, [Slot(clean(v), object()) for v in record]))
    header = find_header(grid)
    if header is None or header.missing:
        raise _no_table(source, header)
    return _document(grid, header, source)


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon (Excel in a Vietnamese locale) or tab, from the first lines."""
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        # The sniffer wants a consistent count on every line; a title row above the header
        # defeats it. The delimiter that splits the most-split line is the one.
        counts = {d: max((line.count(d) for line in sample.splitlines()), default=0)
                  for d in _DELIMITERS}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _sheet_grid(ws) -> list[GridRow]:  # noqa: ANN001 - openpyxl Worksheet
    merged: dict[tuple[int, int], tuple[object, int, int]] = {}
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                merged[(r, c)] = (rng, rng.min_row, rng.min_col)
    values = {}
    grid: list[GridRow] = []
    for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
        slots = []
        for c, value in enumerate(row, start=1):
            values[(r, c)] = value
            if (r, c) in merged:
                rng, top, left = merged[(r, c)]
                slots.append(Slot(_text(values.get((top, left))), rng, continued=r > top))
            else:
                slots.append(Slot(_text(value), object()))
        grid.append(GridRow(r, slots))
    return grid


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    return clean(str(value))


def _document(grid: list[GridRow], header: Header, source: str) -> RawDocument:
    rows, warnings = task_rows(grid, header)
    body: list[str] = []
    for row in grid[: header.first]:
        seen: set[int] = set()
        for slot in row.slots:
            if slot.text and not slot.continued and id(slot.origin) not in seen:
                seen.add(id(slot.origin))
                body.append(slot.text)
    if not rows:
        raise InputError(f"{source}: bảng nhiệm vụ không có dòng nào dưới dòng tiêu đề")
    return RawDocument(body="\n".join(body) + "\n", rows=rows, source=source, warnings=warnings)


def _no_table(source: str, partial: Header | None) -> InputError:
    if partial is not None:
        return InputError(f"{source}: {partial.missing_message()}")
    return InputError(
        f"{source}: không tìm thấy dòng tiêu đề của bảng nhiệm vụ (cần các cột "
        f"{describe(REQUIRED)})"
    )
