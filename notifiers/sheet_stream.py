"""Long sheets for workbooks that openpyxl builds: openpyxl writes the workbook (styles, headings,
column widths, frozen panes, filters, charts, and the first data row of each long sheet, styled
cell by cell); the rest of each long sheet's rows are then streamed into the saved file as
SpreadsheetML (ECMA-376 part 1, 18.3.1.73 `row`, 18.3.1.4 `c`), each cell with its address and
the style openpyxl gave the cell above it in the first data row.

Why: openpyxl's write-only mode still makes a cell object and four XML elements per cell: about
14 us a cell, 16 s for the national late list's 1.15 million cells and over 30 s for a national
period report. Here a row is one formatted string (about 1 us a cell); measured in
`benchmarks/bench_reports.py`. Text is written inline (`t="inlineStr"`, as openpyxl's write-only
mode writes it), dates as serial numbers under the column's date style.

The only thing read back from openpyxl's output is standard OOXML: the workbook part's sheet
list and relationships, the long sheet's `dimension` and its last row. The tests open every file
again with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

MAX_CELL_TEXT = 32767  # Excel's limit for one cell
# Characters XML 1.0 does not allow (a PDF's form feed in a title would break the file).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 61 = 1900-03-01 (Lotus's leap day before it)
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
_ROW = re.compile(r'<row r="(\d+)"[^>]*>(.*?)</row>', re.S)
_CELL = re.compile(r'<c r="([A-Z]+)\d+"([^>]*?)/?>')
_STYLE = re.compile(r'\bs="(\d+)"')
_DIMENSION = re.compile(r'<dimension ref="(?:[A-Z]+\d+:)?([A-Z]+\d+)"\s*/>')
_CACHE_LIMIT = 200_000  # distinct texts kept escaped (agency names, groups, titles repeat)
_CHUNK = 2_000  # rows per write


def clean(value: str | None) -> str | None:
    """Text as a cell can hold it: no XML-forbidden characters, at most Excel's length."""
    return NOT_XML.sub("", value)[:MAX_CELL_TEXT] if value else None


def save(wb: Workbook, target: str | Path | IO[bytes],
         long_rows: dict[str, Sequence[Sequence]], *, compresslevel: int = 6) -> None:
    """Save `wb` to `target` with `long_rows[title]` appended to each named sheet, after the
    rows openpyxl wrote. Values: str, int, float, bool, date, or None (an empty cell)."""
    first = io.BytesIO()
    wb.save(first)
    with zipfile.ZipFile(first) as zin:
        paths = _sheet_paths(zin)
        wanted = {paths[title]: rows for title, rows in long_rows.items()}
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED,
                             compresslevel=compresslevel) as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                rows = wanted.get(info.filename)
                if rows is None:
                    zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                    continue
                with zout.open(info.filename, "w", force_zip64=True) as out:
                    _splice(data.decode("utf-8"), rows, out)


def _sheet_paths(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> part name, from the workbook part and its relationships."""
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels.findall("p:Relationship", _NS)}
    out = {}
    for sheet in book.findall("m:sheets/m:sheet", _NS):
        part = target[sheet.get(f"{{{_NS['r']}}}id")]
        out[sheet.get("name")] = part.lstrip("/") if part.startswith("/") else f"xl/{part}"
    return out


def _splice(xml: str, rows: Sequence[Sequence], out: IO[bytes]) -> None:
    head, end, tail = xml.rpartition("</sheetData>")
    if not end:
        raise ValueError("the long sheet has no sheetData")
    written = list(_ROW.finditer(head))  # the headings and the first data row
    last = written[-1] if written else None
    if last is None:
        raise ValueError("a long sheet needs its first row written by openpyxl")
    styles = {col: (f' s="{m.group(1)}"' if (m := _STYLE.search(attrs)) else "")
              for col, attrs in _CELL.findall(last.group(2))}
    start = int(last.group(1)) + 1
    dim = _DIMENSION.search(head)
    width = max(_col_number(re.sub(r"\d", "", dim.group(1))) if dim else 1,
                max(map(_col_number, styles), default=0), max(map(len, rows), default=0))
    columns = [(x, styles.get(x, "")) for x in _LETTERS[:width]]
    if rows:
        head = _DIMENSION.sub(
            f'<dimension ref="A1:{_LETTERS[width - 1]}{start + len(rows) - 1}"/>', head,
            count=1)
    out.write(head.encode("utf-8"))
    escaped: dict[str, str] = {}
    for at in range(0, len(rows), _CHUNK):
        out.write("".join(
            _row(n, row, columns, escaped)
            for n, row in enumerate(rows[at:at + _CHUNK], start + at)).encode("utf-8"))
    out.write((end + tail).encode("utf-8"))


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


_LETTERS = [get_column_letter(i) for i in range(1, 16385)]


def _row(n: int, row: Sequence, columns: list[tuple[str, str]], escaped: dict[str, str]) -> str:
    """One row: `columns` gives each column's letter and style attribute."""
    r = str(n)
    cells = [f'<row r="{r}">']
    add = cells.append
    for (letter, s), v in zip(columns, row, strict=False):
        t = type(v)
        if t is str:
            e = escaped.get(v)
            if e is None:
                e = _escape(v)
                if len(escaped) < _CACHE_LIMIT:
                    escaped[v] = e
            add(f'<c r="{letter}{r}"{s} t="inlineStr">{e}</c>')
        elif v is None:
            continue
        elif t is int or t is float:
            add(f'<c r="{letter}{r}"{s}><v>{v!r}</v></c>')
        elif t is dt.date:
            add(f'<c r="{letter}{r}"{s}><v>{(v - EXCEL_EPOCH).days}</v></c>')
        elif t is bool:
            add(f'<c r="{letter}{r}"{s} t="b"><v>{int(v)}</v></c>')
        else:
            raise TypeError(f"cannot write a {t.__name__} into a cell; give str, int, float, "
                            "bool or date")
    add("</row>")
    return "".join(cells)


def _escape(text: str) -> str:
    text = clean(text) or ""
    body = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<is><t{space}>{body}</t></is>"
