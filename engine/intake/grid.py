"""A table as a grid of slots, whatever file it came from, and the task rows it holds.

The .docx, .xlsx and .csv readers each turn a table into ``GridRow``s: one ``Slot`` per grid
column, where every slot of one (merged) cell shares the same ``origin`` object and a slot that
continues a vertical merge from the row above says so. From there one code path finds the header
(possibly over several rows), skips repeated headers and column-number rows, recognises group rows
spanning the table, and builds the ``RawRow``s the plan builder reads.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from engine.intake.headers import (
    COLUMN_NAMES,
    IGNORED,
    REQUIRED,
    describe,
    match_header,
    names_exactly,
)
from engine.intake.rows import RawRow

HEADER_SCAN_ROWS = 30  # a task header sits near the top of its table or sheet
_MAX_HEADER_ROWS = 4
_TASK_COLUMNS = ("product", "lead", "support", "timing")
_ROMAN = re.compile(r"^(?=[IVXLC])(M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3}))[.)]?$")
_ROMAN_PREFIX = re.compile(r"^([IVXLC]+)\s*[.):\-–]\s*(\S.*)$", re.S)
_ARABIC_NUMBERING = re.compile(r"^\d+(\.\d+)*\.?(\s|$)")
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")


@dataclass
class Slot:
    text: str
    origin: object  # identical for every grid position of one cell
    continued: bool = False  # continues a vertical merge from the row above


@dataclass
class GridRow:
    line: int  # row number in the source (sheet row, running table row)
    slots: list[Slot]


@dataclass
class Cell:
    text: str
    columns: list[int]
    continued: bool


@dataclass
class Header:
    first: int  # index in the row list of the first header row
    last: int  # ... and of the last
    columns: list[str | None]  # one key per grid column (None: unknown, IGNORED: not used)
    found: set[str] = field(default_factory=set)

    @property
    def missing(self) -> list[str]:
        return [k for k in REQUIRED if k not in self.found]

    def missing_message(self) -> str:
        found = describe(self.found) or "không có"
        return f"bảng thiếu cột {describe(self.missing)} (tìm thấy: {found})"


def clean(text: str) -> str:
    """NFC, no-break spaces as spaces, each line trimmed, empty edge lines dropped."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\r", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


def cells_of(row: GridRow) -> list[Cell]:
    """The row's distinct cells, left to right: adjacent slots with one origin are one cell."""
    out: list[Cell] = []
    prev: object = None
    for i, slot in enumerate(row.slots):
        if out and slot.origin is prev:
            out[-1].columns.append(i)
        else:
            out.append(Cell(slot.text, [i], slot.continued))
        prev = slot.origin
    return out


def _row_keys(row: GridRow) -> set[str]:
    keys = set()
    for cell in cells_of(row):
        if cell.text and not cell.continued:
            key = match_header(cell.text)
            if key and key != IGNORED:
                keys.add(key)
    return keys


def _is_header_continuation(row: GridRow) -> bool:
    """Under a header: a row of sub-headers ("Chủ trì | Phối hợp") or of column numbers."""
    texts = [c.text for c in cells_of(row) if c.text and not c.continued]
    if not texts:
        return False
    if all(match_header(t) for t in texts):
        return True
    return len(texts) >= 3 and all(_COLUMN_NUMBER.match(t) for t in texts)


def find_header(rows: list[GridRow], scan: int = HEADER_SCAN_ROWS) -> Header | None:
    """The first header with the task text column and at least one other known column, or the
    best partial one (``missing`` then names what is lacking); None when nothing looks like one."""
    best: Header | None = None
    for i, row in enumerate(rows[:scan]):
        keys = _row_keys(row)
        if len(keys) < 2:
            continue
        last = i
        while (
            last + 1 < len(rows)
            and last + 1 - i < _MAX_HEADER_ROWS
            and _is_header_continuation(rows[last + 1])
        ):
            last += 1
        header = _columns(rows, i, last)
        if not header.missing:
            return header
        if best is None or len(header.found) > len(best.found):
            best = header
    return best


def _columns(rows: list[GridRow], first: int, last: int) -> Header:
    width = max(len(r.slots) for r in rows[first : last + 1])
    columns: list[str | None] = []
    for c in range(width):
        key = None
        # The lowest header row that names the column wins ("Cơ quan thực hiện" over
        # "Chủ trì" / "Phối hợp" below it).
        for r in range(last, first - 1, -1):
            slots = rows[r].slots
            if c >= len(slots) or slots[c].continued or not slots[c].text:
                continue
            key = match_header(slots[c].text)
            if key:
                break
        columns.append(key)
    found = {k for k in columns if k and k != IGNORED}
    return Header(first, last, columns, found)


def _is_repeated_header(cells: list[Cell], header: Header) -> bool:
    """The header again (a new page of a PDF extract): its title cell names the title column and
    every other cell with text names its own column, one at least; or the title cell alone, and
    it is a header name exactly. A task whose title only starts like a header ("Nhiệm vụ trọng
    tâm ...", "Nội dung 2") is a task: it used to be skipped, without a word."""
    title, others = None, 0
    for cell in cells:
        if not cell.text or cell.continued:
            continue
        column = header.columns[cell.columns[0]]
        if column is None:
            continue  # a column the header did not name: its text says nothing either way
        if column == "title":
            title = cell
        elif match_header(cell.text) == column:
            others += 1
        else:
            return False  # a cell holding data
    if title is None or match_header(title.text) != "title":
        return False
    return others > 0 or names_exactly(title.text) == "title"


def task_rows(rows: list[GridRow], header: Header) -> tuple[list[RawRow], list[str]]:
    """The rows under ``header`` as ``RawRow``s, plus what was repaired or doubted."""
    out: list[RawRow] = []
    warnings: list[str] = []
    width = len(header.columns)
    for row in rows[header.last + 1 :]:
        cells = [c for c in cells_of(row) if c.columns[0] < width]
        if not any(c.text for c in cells):
            continue
        if _is_repeated_header(cells, header) or _is_header_continuation(row):
            continue
        group = _group_row(row, cells, header)
        if group is not None:
            out.append(group)
            continue
        values: dict[str, str] = {}
        above: set[str] = set()
        for cell in cells:
            keys = _keys(cell, header)
            if not keys or not cell.text:
                continue
            key = keys[0]
            if len(keys) > 1 and key != "title" and not cell.continued:
                # A task text spanning the empty columns after it is a common layout for parent
                # tasks; a merge of other columns (lead with support) is worth a look.
                names = ", ".join(COLUMN_NAMES[k] for k in keys)
                warnings.append(
                    f"dòng {row.line}: một ô gộp các cột {names}; nội dung được đặt vào cột "
                    f"{COLUMN_NAMES[key]}"
                )
            values[key] = f"{values[key]} {cell.text}" if key in values else cell.text
            if cell.continued:
                above.add(key)
        if values:
            out.append(RawRow(values, line=row.line, merged_from_above=frozenset(above)))
    return out, warnings


def _keys(cell: Cell, header: Header) -> list[str]:
    keys: list[str] = []
    for c in cell.columns:
        key = header.columns[c] if c < len(header.columns) else None
        if key and key != IGNORED and key not in keys:
            keys.append(key)
    return keys


def _group_row(row: GridRow, cells: list[Cell], header: Header) -> RawRow | None:
    """A group label row: one cell spanning the task text and the columns after it
    ("I | CẢI CÁCH THỂ CHẾ"), or, where nothing is merged (.csv), a Roman number with a label
    and nothing else."""
    number = ""
    label = None
    spanning = False
    for cell in cells:
        if not cell.text or cell.continued:
            continue
        keys = _keys(cell, header)
        if keys == ["number"]:
            number = cell.text
        elif "title" in keys and label is None:
            label = cell.text
            spanning = any(k in _TASK_COLUMNS for k in keys)
        elif keys and keys != ["group"]:
            return None  # the row has its own product, agency or timing: a task
    if label is None or _ARABIC_NUMBERING.match(label):
        return None  # "4. Xây dựng ..." spanning the row is a parent task, not a group
    if number and not _ROMAN.match(number):
        return None
    if not spanning and not number:
        return None
    if not number:
        m = _ROMAN_PREFIX.match(label)
        if m and _ROMAN.match(m.group(1)):
            number, label = m.group(1), m.group(2).strip()
    values = {"group": label}
    if number:
        values["number"] = number.rstrip(".)")
    return RawRow(values, line=row.line, is_group_row=True)
