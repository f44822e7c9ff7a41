"""Read any plan file into a ``ParsedPlan``: the one entry point of `nhacviec plan parse/import`.

Dispatch is by content first, then by extension: an Office archive is a .docx or .xlsx by what
it holds; text is the review YAML (.yaml/.yml, or our own format marker), a .csv table, or an
extract of a PDF/Word plan (.txt, .md, anything else). Every way a file can be unusable ends in
`core.errors.InputError` with one Vietnamese line (see `engine.intake.sniff`). Nothing is written.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from docx.opc.exceptions import PackageNotFoundError
from lxml.etree import XMLSyntaxError
from openpyxl.utils.exceptions import InvalidFileException

from core.errors import InputError
from engine.directory.agencies import Directory
from engine.intake import sniff
from engine.intake.build import build_plan
from engine.intake.control_chars import strip_document
from engine.intake.docx_reader import read_docx
from engine.intake.metadata import Identity
from engine.intake.model import ParsedPlan
from engine.intake.review import FORMAT_MARK, from_yaml
from engine.intake.rows import RawDocument
from engine.intake.sheet_reader import read_csv_text, read_xlsx
from engine.intake.text_reader import read_text
from rules import WorkingCalendar

YAML_SUFFIXES = (".yaml", ".yml")
# Errors python-docx / openpyxl raise on a damaged archive that passed the ZIP check (IndexError:
# a cell naming a shared string the workbook does not have).
_BROKEN = (zipfile.BadZipFile, zlib.error, KeyError, IndexError, EOFError, XMLSyntaxError,
           OSError, ValueError, PackageNotFoundError, InvalidFileException)


def read_plan(path: Path, *, directory: Directory, calendar: WorkingCalendar,
              year: int | None = None, default_report_day: int = 18,
              max_bytes: int = sniff.DEFAULT_MAX_BYTES, given: Identity | None = None
              ) -> ParsedPlan:
    path = Path(path)
    sniff.check_size(path, max_bytes)
    data = path.read_bytes()
    name, suffix = path.name, path.suffix.lower()
    kind = sniff.container(data, name, suffix)
    if kind is not None:
        doc = _office(kind, data, name)
    else:
        text = sniff.decode(data, name)
        if suffix in YAML_SUFFIXES or _is_review_file(text):

            if year is not None:
                raise InputError(f"{name}: tệp duyệt ghi sẵn năm của kế hoạch; sửa «year» trong "
                                 "tệp thay vì dùng --year")
            plan = from_yaml(text, calendar=calendar, directory=directory, name=name)
            return supply(plan, given)
        doc = read_csv_text(text, name) if suffix == ".csv" else read_text(text, name)
    return plan_from_rows(doc, directory=directory, calendar=calendar, year=year,
                          default_report_day=default_report_day, given=given)


def supply(plan: ParsedPlan, given: Identity | None) -> ParsedPlan:
    """A review file's plan with the number, date and issuer a person gave on the command
    line (the file's own values otherwise)."""
    if given is None:
        return plan
    info = plan.plan
    for field in ("number", "date", "issuer"):
        value = getattr(given, field)
        if value is not None:
            setattr(info, field, value)
    return plan


def plan_from_rows(doc: RawDocument, *, directory: Directory, calendar: WorkingCalendar,
                   year: int | None = None, default_report_day: int = 18,
                   given: Identity | None = None) -> ParsedPlan:
    strip_document(doc)  # control and right-to-left characters out, each removal warned
    if not doc.rows:
        raise InputError(f"{doc.source}: không tìm thấy bảng nhiệm vụ")
    plan = build_plan(doc, directory=directory, calendar=calendar, year=year,
                      default_report_day=default_report_day, given=given)
    if not plan.tasks:
        raise InputError(f"{doc.source}: không tìm thấy bảng nhiệm vụ (bảng không có nhiệm vụ "
                         "nào được đánh số)")
    return plan


def _office(kind: str, data: bytes, name: str) -> RawDocument:
    reader = read_docx if kind == "docx" else read_xlsx
    try:
        return reader(io.BytesIO(data), name)
    except InputError:
        raise
    except _BROKEN as exc:
        label = ".docx" if kind == "docx" else ".xlsx"
        raise InputError(
            f"{name}: tệp {label} bị hỏng, không đọc được ({type(exc).__name__})"
        ) from exc


def _is_review_file(text: str) -> bool:

    head = text[:4096]
    return any(line.strip() == FORMAT_MARK for line in head.splitlines())
