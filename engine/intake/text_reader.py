"""Read a plan's text extracted from a PDF or Word file: tab-separated cells, page-break debris.

The extract has the plan's body, then the appendix table: one header line ("Nhiệm vụ chung ⇥
Nhiệm vụ cụ thể ⇥ Sản phẩm ⇥ Cơ quan chủ trì ⇥ Cơ quan phối hợp ⇥ Thời gian thực hiện", in any
order, with or without an STT column), then one line per table row. A page break leaves:

- a continuation line: the rest of the cells of the row above, without a task number;
- a fragment in the wrong column: a timing cell whose closing "...hồ sơ số hóa)" lands in the
  support column (put back where a parenthesis is still open);
- the tail of a vertically merged cell below the last row it spans (the text goes to the cell
  above that holds the beginning, and to every row the merge covers);
- a row whose first (empty) cell was lost: it starts with the task number;
- footnotes (¹, ², ...) between rows and in the body; their markers after titles.

Everything outside the table is the body, from which the builder reads the plan's metadata.
"""

from __future__ import annotations

import re
import unicodedata

from core.errors import InputError
from core.numbering import group_code, parse_code, plausible_next, split_number
from engine.intake.limits import HINT, MAX_LINES, number
from engine.intake.prose_reader import read_prose
from engine.intake.rows import COLUMNS, RawDocument, RawRow
from engine.intake.web_text import GAP, is_web_text, paragraphs, to_tabbed
from rules.normalize import fold

_HEADER_RULES = (
    ("number", re.compile(r"^(?:stt|tt|so tt|so thu tu)$")),
    ("group", re.compile(r"nhiem vu chung|nhom nhiem vu|linh vuc|noi dung chung")),
    ("lead", re.compile(r"chu tri")),
    ("support", re.compile(r"phoi hop")),
    ("timing", re.compile(r"thoi gian|thoi han|tien do")),
    ("product", re.compile(r"san pham|ket qua")),
    ("title", re.compile(r"nhiem vu|noi dung|cong viec|^ten\b")),
)
COLUMN_VI = {
    "group": "nhiệm vụ chung", "number": "STT", "title": "nội dung", "product": "sản phẩm",
    "lead": "cơ quan chủ trì", "support": "cơ quan phối hợp", "timing": "thời gian",
}
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TO_DIGIT = str.maketrans(SUPERSCRIPTS, "0123456789")
_FOOTNOTE = re.compile(rf"^\s*([{SUPERSCRIPTS}]+)\s*(\S.*)$")
_MARKER_END = re.compile(rf"\s*[{SUPERSCRIPTS}]+\s*$")
_MARKER = re.compile(rf"(?<=\S)\s?([{SUPERSCRIPTS}]+)(?=[\s,.;:)]|$)")
_MERGE_LOOKBACK = 10  # rows a vertically merged cell may span


def column_for_header(text: str) -> str | None:
    """The column key (rows.COLUMNS) a header cell names, or None."""
    key = fold(text).strip(" .:")
    for column, pattern in _HEADER_RULES:
        if pattern.search(key):
            return column
    return None


def header_columns(cells: list[str]) -> list[str | None] | None:
    """The column of each cell when `cells` is the table's header line, else None."""
    cols = [column_for_header(c) if c.strip() else None for c in cells]
    found = [c for c in cols if c]
    if len(found) != len(set(found)) or "title" not in found:
        return None
    if len(found) < 3 or not ({"lead", "timing"} & set(found)):
        return None
    return cols


def read_text(text: str, source: str) -> RawDocument:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    if text.count("\n") >= MAX_LINES:  # counted before any line is made
        raise InputError(f"{source}: tệp có hơn {number(MAX_LINES)} dòng (giới hạn); {HINT}")
    lines = text.split("\n")
    start, columns = _find_header(lines)
    if columns is None and is_web_text(text):
        # Copied from a legal-document web page: one cell per line between "|" lines.
        tabbed = to_tabbed(text, header_columns)
        if tabbed is not None:
            lines = tabbed.split("\n")
            start, columns = _find_header(lines)
    if columns is None:
        prose = read_prose(paragraphs(text), source)
        if prose is not None:
            return prose
        raise InputError(
            f"{source}: không tìm thấy bảng nhiệm vụ (dòng tiêu đề có các cột như «Nhiệm vụ», "
            "«Cơ quan chủ trì», «Thời gian thực hiện», cách nhau bằng dấu tab)"
        )
    footnotes = {}
    for line in lines:
        m = _FOOTNOTE.match(line)
        if m and "\t" not in line:
            footnotes[m.group(1).translate(_SUP_TO_DIGIT)] = m.group(2).strip()
    reader = _TableReader(columns, footnotes, [c.strip() for c in lines[start].split("\t")])
    for no, line in enumerate(lines[start + 1:], start + 2):
        reader.feed(no, line)
    body = _repair_body(lines[:start] + reader.after, footnotes)
    return RawDocument(body=body, rows=reader.rows, source=source,
                       warnings=reader.summary(), footnotes=footnotes)


def _find_header(lines: list[str]) -> tuple[int, list[str | None] | None]:
    for i, line in enumerate(lines):
        if "\t" in line:
            cols = header_columns(line.split("\t"))
            if cols is not None:
                return i, cols
    return -1, None


def strip_markers(cell: str, footnotes: dict[str, str]) -> str:
    """Drop footnote markers: any at the end of a cell, known ones anywhere after a word."""
    cell = _MARKER_END.sub("", cell)

    def drop(m: re.Match[str]) -> str:
        return "" if m.group(1).translate(_SUP_TO_DIGIT) in footnotes else m.group(0)

    return _MARKER.sub(drop, cell).strip()


def _paren_balance(text: str) -> int:
    return text.count("(") - text.count(")")


def _join(a: str, b: str) -> str:
    if not a:
        return b
    return a + b if b[:1] in ",.;:)" else f"{a} {b}"


class _TableReader:
    def __init__(self, columns: list[str | None], footnotes: dict[str, str],
                 header: list[str]) -> None:
        self.columns = columns
        self.header = header
        self.footnotes = footnotes
        self.rows: list[RawRow] = []
        self.after: list[str] = []  # text lines outside the table (after it)
        self.joined: list[int] = []
        self.shifted: list[int] = []
        self.notes: list[str] = []
        self.last_code: str | None = None

    def summary(self) -> list[str]:
        out = []
        if self.joined:
            out.append("Đã nối phần nội dung bị ngắt trang ở các dòng "
                       f"{_lines(self.joined)} vào hàng phía trên.")
        if self.shifted:
            out.append(f"Các dòng {_lines(self.shifted)} thiếu ô đầu tiên (bắt đầu bằng số thứ "
                       "tự nhiệm vụ); đã dịch các ô sang phải.")
        return out + self.notes

    def feed(self, no: int, line: str) -> None:
        if not line.strip() or ("\t" not in line and _FOOTNOTE.match(line)):
            return
        raw = [strip_markers(c.strip(), self.footnotes) for c in line.split("\t")]
        if GAP.match(line) or (raw[0] == "" and len(raw) > 1 and all(
                GAP.match(c) or not c for c in raw) and any(raw)):
            # "…......": rows the source leaves out. Never a task, never part of the row above.
            self.rows.append(RawRow(cells={}, line=no, is_group_row=True, gap=line.strip()))
            self.last_code = None
            return
        if "\t" not in line and split_number(raw[0])[0] is None:
            self.after.append(line)
            return
        if "\t" in line and raw[:1] == self.header[:1] and raw == self.header:
            return  # the header repeated at the top of a page
        cells = self._place(no, raw)
        code = cells.get("number") and parse_code(cells["number"])
        if not code:
            code = split_number(cells.get("title", ""))[0]
        if code and not plausible_next(self.last_code, code):
            if any(v for k, v in cells.items() if k not in ("title", "number")):
                self.notes.append(f"Dòng {no}: số thứ tự {code} không nối tiếp {self.last_code}.")
            else:
                self.notes.append(f"Dòng {no}: «{code}» không nối tiếp số thứ tự "
                                  f"{self.last_code}; coi là phần tiếp theo của ô phía trên.")
                code = None
        if code:
            self.rows.append(RawRow(cells=cells, line=no))
            self.last_code = code
        elif self._is_group_row(cells):
            label = cells.get("group") or cells.get("title", "")
            group = {"number": cells["number"]} if cells.get("number") else {}
            self.rows.append(RawRow(cells={"group": label, **group}, line=no,
                                    is_group_row=True))
            if group_code(cells.get("number", "")) is None or "." not in cells["number"]:
                self.last_code = None  # a sub-group heading: task numbers may run on
        else:
            self._continue(no, cells)

    def _place(self, no: int, raw: list[str]) -> dict[str, str]:
        n = len(self.columns)
        first = self.columns[0]
        if len(raw) < n and first not in ("title", "number") and split_number(raw[0])[0]:
            raw = ["", *raw]
            self.shifted.append(no)
        if len(raw) > n:
            extra = [c for c in raw[n:] if c]
            raw = raw[:n]
            if extra:
                raw[-1] = " ".join([raw[-1], *extra]).strip()
                self.notes.append(f"Dòng {no}: nhiều ô hơn tiêu đề; đã gộp phần thừa vào cột "
                                  "cuối.")
        return {col: cell for col, cell in zip(self.columns, raw, strict=False) if col and cell}

    def _is_group_row(self, cells: dict[str, str]) -> bool:
        if group_code(cells.get("number", "")) and cells.get("title") and not (
                cells.keys() & {"lead", "support", "timing"}):
            return True  # "I | CẢI CÁCH THỂ CHẾ", "III.1 | Nhóm ứng dụng ..."
        if set(cells) != {"group"}:
            return False
        # A lone label under a row whose label is empty starts a group; under a labelled row it
        # is the rest of that label, cut by a page break.
        return not self.rows or not self.rows[-1].get("group")

    def _continue(self, no: int, cells: dict[str, str]) -> None:
        if not self.rows:
            self.notes.append(f"Dòng {no}: nội dung trước nhiệm vụ đầu tiên, đã bỏ qua: "
                              f"«{' | '.join(cells.values())}».")
            return
        prev = self.rows[-1]
        self.joined.append(no)
        open_cols = [c for c in COLUMNS if _paren_balance(prev.get(c)) > 0]
        for col, frag in cells.items():
            target = col
            if col != "group" and _paren_balance(frag) < 0 and open_cols and col not in open_cols:
                target = open_cols[0]
                prev.warnings.append(
                    f"Phần «{frag}» nằm ở cột {COLUMN_VI[col]} sau ngắt trang; đã nối vào cột "
                    f"{COLUMN_VI[target]} (nơi còn dấu ngoặc mở): cần kiểm tra."
                )
            if prev.get(target):
                prev.cells[target] = _join(prev.get(target), frag)
            elif target == "group":
                prev.cells[target] = frag  # a label beside a continuation: the builder places it
            else:
                self._merged_tail(no, target, frag)

    def _merged_tail(self, no: int, col: str, frag: str) -> None:
        """Text under a row whose cell is empty: the tail of a cell merged over several rows."""
        prev = self.rows[-1]
        for k in range(len(self.rows) - 2, max(-1, len(self.rows) - 2 - _MERGE_LOOKBACK), -1):
            row = self.rows[k]
            if _starts_group(self.rows[k + 1]):
                break  # the merge cannot reach above the first row of a group
            if row.get(col):
                joined = _join(row.get(col), frag)
                row.cells[col] = joined
                head = _code(row)
                for between in self.rows[k + 1:]:
                    between.cells[col] = joined
                    between.warnings.append(
                        f"Ô {COLUMN_VI[col]} lấy từ ô gộp với nhiệm vụ {head} (phần cuối "
                        f"«{frag}» nằm dưới nhiệm vụ này, dòng {no}): cần kiểm tra."
                    )
                return
        prev.cells[col] = frag


def _starts_group(row: RawRow) -> bool:
    return row.is_group_row or bool(row.get("group")) or _code(row) == "1"


def _code(row: RawRow) -> str:
    return parse_code(row.get("number")) or split_number(row.get("title"))[0] or "?"


def _lines(nums: list[int]) -> str:
    return ", ".join(str(n) for n in nums)


def _repair_body(lines: list[str], footnotes: dict[str, str]) -> str:
    """The body without footnotes; a paragraph a footnote cut in two is joined again."""
    paragraphs: list[str] = []
    cut = False
    for line in lines:
        if _FOOTNOTE.match(line) and "\t" not in line:
            cut = True
            continue
        line = strip_markers(line.strip(), footnotes) if line.strip() else ""
        if not line:
            continue
        prev = paragraphs[-1] if paragraphs else ""
        if cut and prev and prev[-1:] not in ".;:!?)»\"”" and line[:1].islower():
            paragraphs[-1] = f"{prev} {line}"
        else:
            paragraphs.append(line)
        cut = False
    return "\n".join(paragraphs)
