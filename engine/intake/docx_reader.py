"""Read a plan from a Word .docx: its body text and its task table(s).

python-docx repeats a merged cell's text in ``row.cells``, so merges are read from the XML
itself: a ``w:tc`` with ``gridSpan`` covers several grid columns (a group row such as
"I | CẢI CÁCH THỂ CHẾ" spanning the table) and a ``w:tc`` with ``vMerge="continue"`` continues
the cell above (one lead agency for several tasks). Each grid position of a cell shares that
cell's ``w:tc`` as its origin; see `engine.intake.grid`.

Tables that are not task tables (the letterhead "ỦY BAN NHÂN DÂN ... | Số: 196/KH-UBND", the
"Nơi nhận" block) are body text: the plan's number and date often live there.

Word's automatic list numbers are not in the runs: an STT cell numbered by Word gets its number
from `engine.intake.docx_numbering`, which counts every paragraph read here in document order.

Before python-docx reads the file, every part of it is checked (`engine.intake.office_limits`):
unpacked sizes, no DTD or entity, a bounded number of elements. The table rows read and the grid
width a row asks for (gridBefore, gridSpan) are checked here, before the slots are made.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import docx
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl, CT_Tc
from docx.oxml.text.paragraph import CT_P

from core.errors import InputError
from engine.intake.docx_numbering import ListNumbers
from engine.intake.grid import GridRow, Header, Slot, clean, find_header, task_rows
from engine.intake.headers import REQUIRED, describe
from engine.intake.limits import HINT, MAX_CELLS, MAX_COLUMNS, MAX_ROWS, number
from engine.intake.office_limits import check_office
from engine.intake.prose_reader import read_prose
from engine.intake.rows import RawDocument, RawRow

_BULLETS = ("-", "–", "—", "•", "+", "*", "")
_P, _TC, _TC_PR = qn("w:p"), qn("w:tc"), qn("w:tcPr")
_GRID_SPAN, _VMERGE, _VAL, _TYPE = qn("w:gridSpan"), qn("w:vMerge"), qn("w:val"), qn("w:type")
_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_NO_BREAK_HYPHEN, _TABS = qn("w:noBreakHyphen"), qn("w:tabs")


def read_docx(file: Path | str | IO[bytes], source: str) -> RawDocument:
    with zipfile.ZipFile(file) as archive:
        check_office(archive, source, "docx")
    if hasattr(file, "seek"):
        file.seek(0)
    document = docx.Document(file)
    numbers = ListNumbers.of(document)
    body: list[str] = []
    rows: list[RawRow] = []
    warnings: list[str] = []
    partial: Header | None = None
    previous: Header | None = None  # the last task table's header, for split tables
    line = cells = 0
    for index, element in enumerate(_blocks(document.element.body), start=1):
        if isinstance(element, CT_P):
            numbers.label(element)  # counted, but a body line keeps its own text
            body.append(clean(_paragraph_text(element)))
            continue
        grid = _grid(element, line, numbers, source)
        line += len(grid)
        cells += sum(len(r.slots) for r in grid)
        if cells > MAX_CELLS:
            raise InputError(f"{source}: các bảng của tệp có hơn {number(MAX_CELLS)} ô (giới "
                             f"hạn); {HINT}")
        header = find_header(grid)
        if header is not None and not header.missing:
            found, notes = task_rows(grid, header)
            rows.extend(found)
            warnings.extend(notes)
            previous = header
            continue
        width = max((len(r.slots) for r in grid), default=0)
        if header is None and previous is not None and width == len(previous.columns):
            # A task table Word split in two (a paragraph slipped in between): same columns,
            # no header of its own.
            warnings.append(
                f"bảng thứ {index} không có dòng tiêu đề; đọc như phần tiếp theo của bảng "
                "nhiệm vụ trước nó"
            )
            found, notes = task_rows(grid, Header(-1, -1, previous.columns, previous.found))
            rows.extend(found)
            warnings.extend(notes)
            continue
        if header is not None and (partial is None or len(header.found) > len(partial.found)):
            partial = header
        body.extend(_table_text(grid))
    if not rows:
        # A plan written as prose: numbered items with "Cơ quan chủ trì: ..." lines.
        prose = read_prose([line for text in body for line in text.split("\n")], source)
        if prose is not None:
            return prose
        if partial is not None:
            raise InputError(f"{source}: {partial.missing_message()}")
        raise InputError(
            f"{source}: không tìm thấy bảng nhiệm vụ (bảng có các cột {describe(REQUIRED)})"
        )
    return RawDocument(body="\n".join(body).strip() + "\n", rows=rows, source=source,
                       warnings=warnings)


def _blocks(parent) -> Iterator[CT_P | CT_Tbl]:
    """Paragraphs and tables in document order, looking inside content controls (w:sdt)."""
    for child in parent.iterchildren():
        if isinstance(child, CT_P | CT_Tbl):
            yield child
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content)


def _grid(tbl: CT_Tbl, first_line: int, numbers: ListNumbers, source: str) -> list[GridRow]:
    rows: list[GridRow] = []
    above: dict[int, Slot] = {}
    for n, tr in enumerate(tbl.tr_lst, start=first_line + 1):
        if n > MAX_ROWS:
            raise InputError(f"{source}: các bảng của tệp có hơn {number(MAX_ROWS)} dòng (giới "
                             f"hạn); {HINT}")
        # A row's width is what its cells say (gridBefore, gridSpan): checked before a slot
        # is made for it (a cell spanning 2,000,000,000 columns asked for that many).
        slots: list[Slot] = [Slot("", object()) for _ in range(_width(tr.grid_before, 0,
                                                                           source))]
        for tc in tr.iterchildren(_TC):
            col = len(slots)
            span, vmerge = _merge_of(tc)
            span = _width(span, col, source)
            if vmerge == "continue" and col in above:
                start = above[col]
                slot = Slot(start.text, start.origin, continued=True)
            else:
                slot = Slot(_cell_text(tc, numbers), tc)
            slots.extend(slot for _ in range(span))
        rows.append(GridRow(n, slots))
        above = dict(enumerate(slots))
    return rows


def _width(span: int, col: int, source: str) -> int:
    if col + span > MAX_COLUMNS:
        raise InputError(f"{source}: một dòng của bảng trải trên hơn {MAX_COLUMNS} cột (giới "
                         f"hạn); {HINT}")
    return span


def _merge_of(tc: CT_Tc) -> tuple[int, str | None]:
    """(gridSpan, vMerge) read straight from the XML: python-docx's properties run an XPath
    query each, which was most of the reading time of a 2,000-row table."""
    pr = tc.find(_TC_PR)
    if pr is None:
        return 1, None
    span_el, vmerge_el = pr.find(_GRID_SPAN), pr.find(_VMERGE)
    span = int(span_el.get(_VAL, "1")) if span_el is not None else 1
    # <w:vMerge/> without a value continues the merge above (ECMA-376 17.4.85).
    vmerge = None if vmerge_el is None else vmerge_el.get(_VAL, "continue")
    return max(span, 1), vmerge


def _paragraph_text(p: CT_P) -> str:
    """Text as Word shows it: runs (also inside hyperlinks, fields and tracked insertions), tabs,
    line breaks; deleted text (w:delText) is left out."""
    parts = []
    for el in p.iter(_T, _TAB, _BR, _CR, _NO_BREAK_HYPHEN):
        tag = el.tag
        if tag == _T:
            parts.append(el.text or "")
        elif tag == _TAB:
            if el.getparent().tag != _TABS:  # not a tab stop of the paragraph's properties
                parts.append("\t")
        elif tag == _NO_BREAK_HYPHEN:
            parts.append("-")
        elif tag == _CR or el.get(_TYPE) in (None, "textWrapping"):
            parts.append("\n")
    return "".join(parts)


def _cell_text(tc: CT_Tc, numbers: ListNumbers) -> str:
    """The cell's paragraphs, one per line. Word's automatic bullets and numbers are not in the
    text, so a bulleted paragraph in a cell of several gets a "- " back (agency splitting and
    the pairing of product and timing lists rely on it), and a numbered paragraph with no text
    of its own (an STT cell) gets the number Word shows ("II.", "1.2.")."""
    paragraphs = list(tc.iterchildren(_P))
    labels = [numbers.label(p) for p in paragraphs]  # every one, to keep Word's count
    texts = [clean(_paragraph_text(p)) for p in paragraphs]
    several = sum(1 for t in texts if t) > 1
    lines = []
    for p, text, label in zip(paragraphs, texts, labels, strict=True):
        if not text:
            text = clean(label or "")
        elif several and _is_list_item(p) and not text.startswith(_BULLETS[:-1]):
            text = f"- {text}"
        lines.append(text)
    return clean("\n".join(lines))


def _is_list_item(p: CT_P) -> bool:
    ppr = p.pPr
    if ppr is None:
        return False
    if ppr.numPr is not None:
        return True
    style = ppr.pStyle
    return style is not None and (style.val or "").lower().startswith("list")


def _table_text(grid: list[GridRow]) -> list[str]:
    lines: list[str] = []
    for row in grid:
        seen: set[int] = set()
        for slot in row.slots:
            if slot.continued or id(slot.origin) in seen or not slot.text:
                continue
            seen.add(id(slot.origin))
            lines.append(slot.text)
    return lines
