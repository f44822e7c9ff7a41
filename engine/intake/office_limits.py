"""An Office archive (.docx, .xlsx) checked before python-docx or openpyxl reads any of it.

1. From the archive's directory alone: how many parts, and their unpacked sizes as declared.
   zipfile never inflates a part past its declared size (the CRC check fails first), so these
   sizes bound all later work: a zip bomb is refused before a byte of it is inflated.
2. Every XML part streamed through expat with defusedxml's rules: no document type declaration
   at all (entity bombs, external entities and external DTDs all need one; Office never writes
   one), at most `MAX_ELEMENTS` elements; the first offence stops the reading.
3. In the same pass, what the readers will walk: a worksheet's rows and columns that hold a
   value and its merged ranges (`SheetShape`: the sheet reader reads that many rows and
   columns and clips the merges to them), a .docx body's paragraphs, table rows and the grid
   width of each row (gridBefore + every cell's gridSpan).

Every refusal is one Vietnamese line (`engine.errors.InputError`).
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.parsers import expat

from engine.errors import InputError
from engine.intake.limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ELEMENTS,
    MAX_MEMBERS,
    MAX_MERGES,
    MAX_PARAGRAPHS,
    MAX_ROWS,
    MAX_UNPACKED,
    MAX_XML_PART,
    MB,
    number,
)

_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships}"
_WORKSHEET = "/worksheet"  # the end of a worksheet relationship's type
_CHUNK = 1 << 16
HINT = "một kế hoạch chỉ có vài trăm dòng; hãy kiểm tra lại tệp"


@dataclass
class SheetShape:
    """What a worksheet holds, from its XML: the last row and column with a value, and its
    merged ranges as declared (min_col, min_row, max_col, max_row)."""

    title: str
    rows: int = 0
    columns: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


# --- 1. the archive's directory ----------------------------------------------------------------
def check_members(archive: zipfile.ZipFile, source: str) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise InputError(f"{source}: tệp nén có {number(len(infos))} phần (giới hạn "
                         f"{number(MAX_MEMBERS)}), không phải tệp Word/Excel thông thường")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED:
        raise InputError(f"{source}: tệp nén chứa {total / MB:,.0f} MB khi giải nén (giới hạn "
                         f"{MAX_UNPACKED // MB} MB); {HINT}")
    for i in infos:
        if _is_xml_name(i.filename) and i.file_size > MAX_XML_PART:
            raise InputError(f"{source}: phần «{i.filename}» của tệp có {i.file_size / MB:,.0f} "
                             f"MB XML khi giải nén (giới hạn {MAX_XML_PART // MB} MB); {HINT}")


# --- 2 and 3. every XML part -------------------------------------------------------------------
def check_office(archive: zipfile.ZipFile, source: str, kind: str) -> dict[str, SheetShape]:
    """Check the whole archive; for an .xlsx, the shape of each worksheet by its title."""
    check_members(archive, source)
    label = f".{kind}"
    rels: dict[str, str] = {}  # relationship id -> worksheet part
    sheets: list[tuple[str, str]] = []  # (title, relationship id), in workbook order
    titles: dict[str, str] = {}  # worksheet part -> title
    shapes: dict[str, SheetShape] = {}
    for info in sorted(archive.infolist(), key=_scan_order):
        part = info.filename
        if not _is_xml(archive, info):
            continue
        on_start: Callable[[str, dict[str, str]], None] | None = None
        on_end: Callable[[str], None] | None = None
        if kind == "xlsx" and part == "xl/_rels/workbook.xml.rels":
            on_start = _collect_rels(rels)
        elif kind == "xlsx" and part == "xl/workbook.xml":
            on_start = _collect_sheets(sheets)
        elif kind == "xlsx" and part in titles:
            sheet = _Sheet(SheetShape(titles[part]), source)
            shapes[titles[part]] = sheet.shape
            on_start, on_end = sheet.start, sheet.end
        elif kind == "docx" and part == "word/document.xml":
            body = _Body(source)
            on_start, on_end = body.start, body.end
        _scan(archive, info, source, label, on_start, on_end)
        if part == "xl/workbook.xml":
            titles = {_target(rels[rid]): title for title, rid in sheets if rid in rels}
    return shapes


def _scan_order(info: zipfile.ZipInfo) -> tuple[int, str]:
    """The workbook's relationships, then the workbook, then the rest: a worksheet is known by
    its title by the time it is read."""
    first = ("xl/_rels/workbook.xml.rels", "xl/workbook.xml")
    name = info.filename
    return (first.index(name) if name in first else len(first), name)


def _target(target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))


def _is_xml_name(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _is_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """By its name, or by its first bytes: a library reads any part its content type calls XML,
    whatever it is named."""
    if info.is_dir():
        return False
    if _is_xml_name(info.filename):
        return True
    try:
        with archive.open(info) as f:
            head = f.read(64)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
            NotImplementedError):
        return True  # let the scan say it is broken
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, as XML may be written
        return True
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, label: str,
          on_start: Callable[[str, dict[str, str]], None] | None,
          on_end: Callable[[str], None] | None) -> None:
    part = info.filename
    parser = expat.ParserCreate(namespace_separator="}")

    def forbidden(*_: object) -> None:
        raise InputError(f"{source}: phần «{part}» của tệp có khai báo DTD hoặc thực thể XML "
                         "(<!DOCTYPE ...>), điều tệp Word/Excel thật không bao giờ có; tệp bị từ "
                         "chối để an toàn")

    # defusedxml's rules: forbid_dtd, forbid_entities, forbid_external.
    parser.StartDoctypeDeclHandler = forbidden
    parser.EntityDeclHandler = forbidden
    parser.UnparsedEntityDeclHandler = forbidden
    parser.ExternalEntityRefHandler = forbidden
    elements = 0

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal elements
        elements += 1
        if elements > MAX_ELEMENTS:
            raise InputError(f"{source}: phần «{part}» của tệp có hơn {number(MAX_ELEMENTS)} "
                             f"phần tử XML; {HINT}")
        if on_start is not None:
            on_start(tag, attrs)

    parser.StartElementHandler = start
    if on_end is not None:
        parser.EndElementHandler = on_end
    try:
        with archive.open(info) as f:
            while chunk := f.read(_CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except InputError:
        raise
    except expat.ExpatError as exc:
        raise InputError(f"{source}: tệp {label} bị hỏng, không đọc được (phần «{part}» không "
                         f"phải XML hợp lệ, dòng {exc.lineno})") from None
    except ValueError as exc:  # a number or a cell name that is none
        raise InputError(f"{source}: tệp {label} bị hỏng, không đọc được (phần «{part}»: "
                         f"{exc})") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError):
        raise InputError(f"{source}: tệp {label} bị hỏng hoặc không đầy đủ (tải lại tệp gốc)"
                         ) from None


# --- what the parts hold -----------------------------------------------------------------------
def _collect_rels(rels: dict[str, str]) -> Callable[[str, dict[str, str]], None]:
    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == _PKG_RELS + "Relationship" and attrs.get("Type", "").endswith(_WORKSHEET):
            rels[attrs.get("Id", "")] = attrs.get("Target", "")
    return start


def _collect_sheets(sheets: list[tuple[str, str]]) -> Callable[[str, dict[str, str]], None]:
    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == _S + "sheet":
            sheets.append((attrs.get("name", ""), attrs.get(_R + "id", "")))
    return start


class _Sheet:
    """A worksheet's rows and cells, numbered as openpyxl numbers them (a row or cell without
    its reference is the one after the previous), counting only cells that hold a value."""

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


class _Body:
    """A .docx body: its paragraphs, its table rows, and the grid width each row asks for."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.paragraphs = self.rows = self.slots = 0
        self.widths: list[int] = []  # the rows being read, nested tables innermost last

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == _W + "p":
            self.paragraphs += 1
            if self.paragraphs > MAX_PARAGRAPHS:
                raise InputError(f"{self.source}: tệp có hơn {number(MAX_PARAGRAPHS)} đoạn văn; "
                                 f"{HINT}")
        elif tag == _W + "tr":
            self.rows += 1
            if self.rows > MAX_ROWS:
                raise InputError(f"{self.source}: các bảng của tệp có hơn {number(MAX_ROWS)} "
                                 f"dòng; {HINT}")
            self.widths.append(0)
        elif not self.widths:
            return
        elif tag == _W + "tc":
            self._grow(1)
        elif tag in (_W + "gridSpan", _W + "gridBefore"):
            span = int(attrs.get(_W + "val", "1"))
            self._grow(max(span, 1) - (1 if tag == _W + "gridSpan" else 0))

    def end(self, tag: str) -> None:
        if tag == _W + "tr" and self.widths:
            self.widths.pop()

    def _grow(self, slots: int) -> None:
        self.widths[-1] += slots
        self.slots += slots
        if self.widths[-1] > MAX_COLUMNS:
            raise InputError(f"{self.source}: một dòng của bảng trải trên hơn {MAX_COLUMNS} cột "
                             f"(giới hạn); {HINT}")
        if self.slots > MAX_CELLS:
            raise InputError(f"{self.source}: các bảng của tệp có hơn {number(MAX_CELLS)} ô; "
                             f"{HINT}")
