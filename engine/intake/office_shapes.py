"""What the readers of an Office file will walk, counted while its XML streams by
(`engine.intake.office_limits` feeds these the expat events of one part each).

- A worksheet (`Sheet`): rows and cells numbered as openpyxl numbers them (a row or cell without
  its reference is the one after the previous), counting only cells that hold a value; the last
  such row and column and the merged ranges as declared make its `SheetShape`.
- The package's content types (`collect_types`): which parts are XML.
- The workbook's relationships and sheet list (`collect_rels`, `collect_sheets`): which part is
  which sheet.

Each limit of `engine.intake.limits` is checked as the count grows: the first offence ends the
reading with one Vietnamese line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core.errors import InputError
from engine.intake.limits import (
    HINT,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_MERGES,
    MAX_ROWS,
    number,
)

_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships}"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types}"
_WORKSHEET = "/worksheet"  # the end of a worksheet relationship's type


@dataclass
class SheetShape:
    """What a worksheet holds, from its XML: the last row and column with a value, and its
    merged ranges as declared (min_col, min_row, max_col, max_row)."""

    title: str
    rows: int = 0
    columns: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


def collect_types(types: dict[str, str]) -> Callable[[str, dict[str, str]], None]:
    """[Content_Types].xml: "/part/name" (an override) or "extension" (a default) -> type."""
    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == _TYPES + "Default":
            types[attrs.get("Extension", "").lower()] = attrs.get("ContentType", "")
        elif tag == _TYPES + "Override":
            types[attrs.get("PartName", "")] = attrs.get("ContentType", "")
    return start


def collect_rels(rels: dict[str, str]) -> Callable[[str, dict[str, str]], None]:
    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == _PKG_RELS + "Relationship" and attrs.get("Type", "").endswith(_WORKSHEET):
            rels[attrs.get("Id", "")] = attrs.get("Target", "")
    return start


def collect_sheets(sheets: list[tuple[str, str]]) -> Callable[[str, dict[str, str]], None]:
    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == _S + "sheet":
            sheets.append((attrs.get("name", ""), attrs.get(_R + "id", "")))
    return start


class Sheet:
    """A worksheet's rows and cells; `shape` grows as they are read."""

    def __init__(self, shape: SheetShape, source: str) -> None:
        # openpyxl only when a workbook is read: the CLI starts without it.
        from openpyxl.utils import cell
        from openpyxl.utils.exceptions import CellCoordinatesException

        self._coordinate, self._column = cell.coordinate_from_string, cell.column_index_from_string
        self._bounds, self._bad_ref = cell.range_boundaries, CellCoordinatesException
        self.shape, self.source = shape, source
        self.row = self.col = 0
        self.cell: tuple[int, int] | None = None  # the cell being read

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == _S + "row":
            r = attrs.get("r")
            self.row = _row_number(r) if r is not None else self.row + 1
            self.col = 0
        elif tag == _S + "c":
            ref = attrs.get("r")
            if ref:
                try:
                    letters, row = self._coordinate(ref)
                    self.col = self._column(letters)
                except self._bad_ref:
                    raise ValueError(f"ô «{ref}» không hợp lệ") from None
            else:
                self.col, row = self.col + 1, self.row
            self.cell = (row, self.col)
        elif tag in (_S + "v", _S + "is") and self.cell is not None:
            self._value(*self.cell)
        elif tag == _S + "mergeCell":
            self._merge(attrs.get("ref", ""))

    def end(self, tag: str) -> None:
        if tag == _S + "c":
            self.cell = None

    def _value(self, row: int, col: int) -> None:
        s = self.shape
        where = f"trang tính «{s.title}»"
        if row > MAX_ROWS:
            raise InputError(f"{self.source}: {where} có dữ liệu ở dòng {number(row)} (giới hạn "
                             f"{number(MAX_ROWS)} dòng); {HINT}")
        if col > MAX_COLUMNS:
            raise InputError(f"{self.source}: {where} có dữ liệu ở cột thứ {number(col)} (giới "
                             f"hạn {MAX_COLUMNS} cột); {HINT}")
        s.rows, s.columns = max(s.rows, row), max(s.columns, col)
        if s.rows * s.columns > MAX_CELLS:
            raise InputError(f"{self.source}: {where} có dữ liệu trên {number(s.rows)} dòng x "
                             f"{s.columns} cột (giới hạn {number(MAX_CELLS)} ô); {HINT}")

    def _merge(self, ref: str) -> None:
        merged = self.shape.merged
        if len(merged) >= MAX_MERGES:
            raise InputError(f"{self.source}: trang tính «{self.shape.title}» có hơn "
                             f"{number(MAX_MERGES)} vùng ô gộp; {HINT}")
        if ref:
            bounds = self._bounds(ref)
            if None in bounds:  # a whole row or column ("A:A"): reaches every existing cell
                bounds = tuple(b if b is not None else (1 if i < 2 else 1 << 30)
                               for i, b in enumerate(bounds))
            merged.append(bounds)  # type: ignore[arg-type]


def _row_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        value = float(text)
        if not value.is_integer():
            raise ValueError(f"số dòng «{text}» không hợp lệ") from None
        return int(value)
