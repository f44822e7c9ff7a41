"""Read a plan typed into a spreadsheet: .xlsx (openpyxl) or .csv, with the .docx table's headers.

The sheet holding the task header is used (the first such sheet when several have one); cells
above the header (a title row "Kế hoạch số 12/KH-UBND ngày 05/01/2026 ... năm 2026") are the body
the builder reads the plan's metadata from. Merged ranges are read both ways, as in a .docx
table: see `engine.intake.grid`.

The workbook is first checked part by part (`engine.intake.office_limits`): each sheet's rows and
columns that hold a value, and its merged ranges, are known before openpyxl reads a cell. openpyxl
then streams the sheet (read-only mode) over exactly those rows and columns, and the merged
ranges are clipped to them: a range declared over the whole sheet covers only the cells that
exist (openpyxl's full mode made a cell object for every position of every merged range).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
import zipfile
from pathlib import Path
from typing import IO

import openpyxl

from core.errors import InputError
from engine.intake.grid import GridRow, Header, Slot, clean, find_header, task_rows
from engine.intake.headers import REQUIRED, describe
from engine.intake.limits import HINT, MAX_CELLS, MAX_COLUMNS, MAX_ROWS, number
from engine.intake.office_limits import check_office
from engine.intake.office_shapes import SheetShape
from engine.intake.rows import RawDocument

_DELIMITERS = ",;\t"
_SNIFF_CHARS = 64 * 1024  # the delimiter is read from the first lines of this much text


def read_xlsx(file: Path | str | IO[bytes], source: str) -> RawDocument:
    with zipfile.ZipFile(file) as archive:
        shapes = check_office(archive, source, "xlsx")
    if hasattr(file, "seek"):
        file.seek(0)
    with warnings.catch_warnings():
        # openpyxl's remarks on a file's styles, extensions or dates go to standard error;
        # they are not for the person importing a plan.
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
        try:
            return _read_sheets(workbook, shapes, source)
        finally:
            workbook.close()


def _read_sheets(workbook, shapes: dict[str, SheetShape], source: str  # noqa: ANN001
                 ) -> RawDocument:
    chosen: tuple[str, list[GridRow], Header] | None = None
    partial: Header | None = None
    others: list[str] = []
    for ws in workbook.worksheets:
        shape = shapes.get(ws.title)
        if shape is None:
            raise InputError(f"{source}: tệp .xlsx bị hỏng, không đọc được (không tìm thấy dữ "
                             f"liệu của trang tính «{ws.title}»)")
        grid = _sheet_grid(ws, shape, source)
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
    cells = 0
    try:
        for n, record in enumerate(records, start=1):
            cells += len(record)
            if n > MAX_ROWS or len(record) > MAX_COLUMNS or cells > MAX_CELLS:
                raise _csv_too_big(source, n, len(record))
            grid.append(GridRow(n, [Slot(clean(v), object()) for v in record]))
    except csv.Error as exc:
        raise _csv_broken(source, records.line_num, exc) from None
    header = find_header(grid)
    if header is None or header.missing:
        raise _no_table(source, header)
    return _document(grid, header, source)


def _csv_too_big(source: str, n: int, width: int) -> InputError:
    if n > MAX_ROWS:
        what = f"tệp có hơn {number(MAX_ROWS)} dòng (giới hạn)"
    elif width > MAX_COLUMNS:
        what = f"dòng {number(n)} có {number(width)} cột (giới hạn {MAX_COLUMNS})"
    else:
        what = f"tệp có hơn {number(MAX_CELLS)} ô (giới hạn)"
    return InputError(f"{source}: {what}; {HINT}")


def _csv_broken(source: str, line: int, exc: csv.Error) -> InputError:
    if "field larger than field limit" in str(exc):
        return InputError(
            f"{source}: dòng {number(line)}: một ô dài hơn {csv.field_size_limit() // 1024} KB "
            "(giới hạn); thường do một dấu ngoặc kép \" không được đóng, làm cả phần sau thành "
            "một ô: hãy kiểm tra lại tệp")
    return InputError(f"{source}: dòng {number(line)}: tệp .csv không đúng định dạng; hãy lưu "
                      "lại từ Excel dạng CSV UTF-8")


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon (Excel in a Vietnamese locale) or tab, from the first lines."""
    sample = "\n".join(text[:_SNIFF_CHARS].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        # The sniffer wants a consistent count on every line; a title row above the header
        # defeats it. The delimiter that splits the most-split line is the one.
        counts = {d: max((line.count(d) for line in sample.splitlines()), default=0)
                  for d in _DELIMITERS}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _sheet_grid(ws, shape: SheetShape, source: str) -> list[GridRow]:  # noqa: ANN001
    """The sheet's rows and columns up to the last that holds a value; a merged range clipped
    to them (beyond, nothing exists to merge)."""
    rows, cols = shape.rows, shape.columns
    if not rows or not cols:
        return []
    merged: dict[tuple[int, int], tuple[object, int, int]] = {}
    area = 0
    for min_col, min_row, max_col, max_row in shape.merged:
        max_row, max_col = min(max_row, rows), min(max_col, cols)
        if min_row > max_row or min_col > max_col:
            continue
        area += (max_row - min_row + 1) * (max_col - min_col + 1)
        if area > MAX_CELLS:  # ranges lying over one another, again and again
            raise InputError(f"{source}: trang tính «{shape.title}» có các vùng ô gộp chồng lên "
                             f"nhau, phủ hơn {number(MAX_CELLS)} ô; {HINT}")
        origin = object()
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                merged[(r, c)] = (origin, min_row, min_col)
    tops = {(top, left) for _, top, left in merged.values()}
    values = {}
    grid: list[GridRow] = []
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=rows, min_col=1, max_col=cols,
                                         values_only=True), start=1):
        slots = []
        for c, value in enumerate(row, start=1):
            if (r, c) in tops:
                values[(r, c)] = value
            if (r, c) in merged:
                origin, top, left = merged[(r, c)]
                slots.append(Slot(_text(values.get((top, left))), origin, continued=r > top))
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
