"""An Office archive (.docx, .xlsx) checked before python-docx or openpyxl reads any of it.

1. From the archive's directory alone: how many parts, and their unpacked sizes as declared.
   zipfile never inflates a part past its declared size (the CRC check fails first), so these
   sizes bound all later work: a zip bomb is refused before a byte of it is inflated.
2. Every XML part streamed: at most `MAX_ELEMENTS` elements, counted from its bytes as they
   are inflated; its prolog read by expat with defusedxml's rules: no document type declaration
   at all (entity bombs, external entities and external DTDs all need one, and Office never
   writes one). The first offence stops the reading.
3. A worksheet is read whole by expat, for what the sheet reader will walk
   (`engine.intake.office_shapes`): the rows and columns that hold a value and the merged
   ranges (`SheetShape`: the reader reads that many rows and columns and clips the merges to
   them). A .docx table's rows and widths are checked by its reader as it walks them.

Every refusal is one Vietnamese line (`core.errors.InputError`).
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import Callable
from xml.parsers import expat

from core.errors import InputError
from engine.intake.limits import (
    HINT,
    MAX_ELEMENTS,
    MAX_MEMBERS,
    MAX_UNPACKED,
    MAX_XML_PART,
    MB,
    number,
)
from engine.intake.office_shapes import (
    Sheet,
    SheetShape,
    collect_rels,
    collect_sheets,
    collect_types,
)

_CHUNK = 1 << 16
_TYPES = "[Content_Types].xml"


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
    types: dict[str, str] = {}  # "/part/name" or "extension" -> content type
    for info in sorted(archive.infolist(), key=_scan_order):
        part = info.filename
        if not _is_xml(info, types):
            continue
        on_start: Callable[[str, dict[str, str]], None] | None = None
        on_end: Callable[[str], None] | None = None
        if part == _TYPES:
            on_start = collect_types(types)
        elif kind == "xlsx" and part == "xl/_rels/workbook.xml.rels":
            on_start = collect_rels(rels)
        elif kind == "xlsx" and part == "xl/workbook.xml":
            on_start = collect_sheets(sheets)
        elif kind == "xlsx" and part in titles:
            sheet = Sheet(SheetShape(titles[part]), source)
            shapes[titles[part]] = sheet.shape
            on_start, on_end = sheet.start, sheet.end
        _scan(archive, info, source, label, on_start, on_end)
        if part == "xl/workbook.xml":
            titles = {_target(rels[rid]): title for title, rid in sheets if rid in rels}
    return shapes


def _scan_order(info: zipfile.ZipInfo) -> tuple[int, str]:
    """The content types, the workbook's relationships, the workbook, then the rest: what a
    part is, and a worksheet's title, are known by the time it is read."""
    first = (_TYPES, "xl/_rels/workbook.xml.rels", "xl/workbook.xml")
    name = info.filename
    return (first.index(name) if name in first else len(first), name)


def _target(target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))


def _is_xml_name(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _is_xml(info: zipfile.ZipInfo, types: dict[str, str]) -> bool:
    """An XML part by its name, or by the content type the package gives it (a library reads
    any part its content type calls XML, whatever it is named). An HTML part imported into a
    .docx (altChunk, text/html) is not XML and is left alone."""
    if info.is_dir():
        return False
    name = info.filename
    if _is_xml_name(name):
        return True
    kind = types.get("/" + name) or types.get(posixpath.splitext(name)[1][1:].lower(), "")
    return kind.endswith(("+xml", "/xml"))


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, label: str,
          on_start: Callable[[str, dict[str, str]], None] | None,
          on_end: Callable[[str], None] | None) -> None:
    """Stream one part. Its elements are counted from the bytes as they are inflated ("<" less
    "</": an upper bound, counted in C); expat reads its prolog, where alone a document type
    declaration may stand, and the whole part only when `on_start` wants its elements."""
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
    prolog = True

    def root(tag: str, attrs: dict[str, str]) -> None:
        nonlocal prolog
        prolog = False
        parser.StartElementHandler = on_start
        if on_start is not None:
            on_start(tag, attrs)

    parser.StartElementHandler = root
    if on_end is not None:
        parser.EndElementHandler = on_end
    elements = 0
    try:
        with archive.open(info) as f:
            while chunk := f.read(_CHUNK):
                elements += chunk.count(b"<") - chunk.count(b"</")
                if elements > MAX_ELEMENTS:
                    raise InputError(f"{source}: phần «{part}» của tệp có hơn "
                                     f"{number(MAX_ELEMENTS)} phần tử XML; {HINT}")
                if prolog or on_start is not None:
                    parser.Parse(chunk, False)
        if prolog or on_start is not None:
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
