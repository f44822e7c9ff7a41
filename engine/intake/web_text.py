"""Text copied from a legal-document web page (thuvienphapluat.vn and the like): tables as one
cell per line, cells and rows separated by lines holding a single "|" (or a lone tab), the page's
hard line wraps kept.

    |                      <- a row opens
    TT                     <- a cell (possibly over several wrapped lines)
    |                      <- between two cells
    Nội dung/nhiệm vụ
    |
    ...
    Thời gian thực hiện
    |                      <- the row closes ...
    |                      <- ... and the next one opens
    1
    |

An empty cell is an empty segment too, so the end of a row is told from an empty cell by what
follows: a row is complete at the header's width; a shorter row (a group row "I | KIỆN TOÀN ...",
a row missing its empty last cells) ends at an empty segment followed by the start of a row (a
task number, a Roman group number, a sub-group code "III.1", a "…" gap). A "…" line between rows
is where the page hides rows: it stays a gap, never a task and never the end of the row above.

`to_tabbed` rewrites such a text into the tab-separated form `engine.intake.text_reader` reads
(one line per row, cells joined by tabs, a cell's wrapped lines joined by spaces); everything
outside the task table is the body, its wrapped lines joined back into paragraphs (`unwrap`), so
that a sentence the page wrapped ("định kỳ trước ngày 30 tháng 11 hàng / năm báo cáo") is read
whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.numbering import parse_code, plausible_next

SEPARATOR = re.compile(r"^(?:\s*\|\s*|\t[\t ]*)$")
GAP = re.compile(r"^\s*(?:…|\.\.\.)[….\s]*$")
_ROMAN_CODE = re.compile(r"^[IVXLC]{1,6}(?:\.\d{1,2}){0,3}\.?$")
_LETTER_CODE = re.compile(r"^[A-ZĐ]\.?$|^\d{1,2}\.?[a-zđ]\)?$|^[a-zđ]\)$")
# A paragraph starts at a bullet, a numbered item, a Roman heading or a footnote.
_NEW_PARAGRAPH = re.compile(
    r"^(?:[-–—+•*]|\d{1,2}(?:\.\d{1,2}){0,3}[.)](?:\s|$)|[IVXLC]{1,6}\.\s|[a-zđ]\)\s|\(\d{1,2}\)"
    r"|\[\d{1,3}\])"
)
_RULE = re.compile(r"^[-_=*]{3,}$")  # "--------" under a letterhead
_MIN_SEPARATORS = 8
_MAX_HEADER_CELL = 80
_MAX_COLUMNS = 12


@dataclass
class _Segment:
    line: int  # 1-based line of its first text line (or of the separator that closes it)
    lines: list[str]

    @property
    def text(self) -> str:
        return " ".join(" ".join(x.split()) for x in self.lines if x.strip())


def is_web_text(text: str) -> bool:
    return sum(1 for line in text.split("\n") if SEPARATOR.match(line)) >= _MIN_SEPARATORS


def _segments(lines: list[str]) -> tuple[list[_Segment], int]:
    segs: list[_Segment] = []
    current: list[str] = []
    start = 1
    count = 0
    for no, line in enumerate(lines, 1):
        if SEPARATOR.match(line):
            segs.append(_Segment(start, current))
            current, start = [], no + 1
            count += 1
        else:
            current.append(line)
    segs.append(_Segment(start, current))
    return segs, count


def row_start(cell: str) -> bool:
    """Could this cell open a row: a task number, a Roman group number or sub-group code, a
    lettered code, a gap?"""
    cell = cell.strip()
    return bool(parse_code(cell) or _ROMAN_CODE.match(cell) or _LETTER_CODE.match(cell)
                or GAP.match(cell))


def to_tabbed(text: str, header_columns) -> str | None:  # noqa: ANN001 - a callable
    """The text rewritten with its task table as tab-separated lines (header first), or None
    when no task header is found among its cells. `header_columns(cells)` says whether a list
    of cells is a task header (`engine.intake.text_reader.header_columns`)."""
    lines = text.split("\n")
    segs, count = _segments(lines)
    if count < _MIN_SEPARATORS:
        return None
    texts = [s.text for s in segs]
    found = _find_header(texts, header_columns)
    if found is None:
        return None
    k, n = found
    rows, end = _rows(texts, segs, k + n, n)
    out = [p for seg in segs[:k] for p in unwrap(seg.lines)]
    out.append("\t".join(texts[k:k + n]))
    out.extend(rows)
    out.extend(p for seg in segs[end:] for p in unwrap(seg.lines))
    return "\n".join(out) + "\n"


def paragraphs(text: str) -> list[str]:
    """The page's text as paragraphs, each cell and each unwrapped paragraph on its own line
    (no table read: a plan written as prose)."""
    segs, _ = _segments(text.split("\n"))
    return [p for seg in segs for p in unwrap(seg.lines)]


def _find_header(texts: list[str], header_columns) -> tuple[int, int] | None:  # noqa: ANN001
    for k in range(1, len(texts)):
        best = None
        for n in range(3, _MAX_COLUMNS + 1):
            cells = texts[k:k + n]
            if len(cells) < n or not all(c and len(c) <= _MAX_HEADER_CELL for c in cells):
                break
            follows = texts[k + n] if k + n < len(texts) else ""
            columns = header_columns(cells)
            if follows == "" and columns is not None and columns[0] is not None and sum(
                    1 for c, x in zip(columns, cells, strict=True)
                    if c is None and (len(x) > 40 or any(ch.isdigit() for ch in x))) == 0 \
                    and columns.count(None) <= 1:
                best = n
        if best is not None:
            return k, best
    return None


def _rows(texts: list[str], segs: list[_Segment], at: int, width: int) -> tuple[list[str], int]:
    """The rows after the header (its closing empty segment at `at`), as tab-joined lines, and
    the index of the first segment after the table (the text after its last separator)."""
    out: list[str] = []
    last = len(texts) - 1  # the text after the last separator is never a cell
    row: list[str] = []
    code: str | None = None
    numbered = True
    i = at + 1
    while i < last:
        t = texts[i]
        if not row:
            if t == "":
                i += 1
                continue
            if GAP.match(t):
                out.append(t)
                i += 1
                continue
            if numbered and out and not row_start(t) and len(t) > 200:
                break  # prose after the table
            row = [t]
            code = parse_code(t)
            numbered = numbered and row_start(t)
            i += 1
            continue
        if len(row) >= width:
            out.append("\t".join(row))
            row = []
            if t == "":
                i += 1
            continue
        if t == "":
            nxt = texts[i + 1] if i + 1 < last else None
            if nxt is None or (nxt != "" and row_start(nxt) and len(row) >= 2
                               and (code is None or parse_code(nxt) is None
                                    or plausible_next(code, parse_code(nxt)))):
                out.append("\t".join(row))
                row = []
            else:
                row.append("")
            i += 1
            continue
        row.append(t)
        i += 1
    if row:
        out.append("\t".join(row))
    return out, i


def unwrap(lines: list[str]) -> list[str]:
    """Join a page's hard-wrapped lines back into paragraphs: a blank line ends a paragraph; a
    bullet, a numbered item or a Roman heading starts one; any other line continues the one
    above unless that one ended a sentence and this one starts with a capital."""
    out: list[str] = []
    joining = False
    for raw in lines:
        line = " ".join(raw.split())
        if not line or _RULE.match(line):
            joining = False
            continue
        if joining and out and not _NEW_PARAGRAPH.match(line) and not (
                out[-1][-1:] in ".;:!?" and line[:1].isupper()):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        joining = True
    return out
