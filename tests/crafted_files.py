"""Small hostile plan files, built in memory (issue 18, point 6).

Each is a few KB to a few hundred KB on disk and asks a naive reader for gigabytes or a crash:
a declared or merged range over a whole sheet, a million rows, five million paragraphs, a table
cell spanning two billion columns, XML entity bombs and external entities, an archive part that
inflates to hundreds of MB, a CSV field over Python's 128 KB limit, YAML nested ten thousand
deep or built of aliases. Shared by `tests/test_crafted_files.py` and
`benchmarks/bench_crafted.py`.

The Office files start from ones openpyxl and python-docx write (so everything but the crafted
part is what a real file holds) and swap one part of the archive for a crafted one.
"""

from __future__ import annotations

import io
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl

TITLE = ["Kế hoạch cải cách hành chính năm 2026"]
HEADER = ["STT", "Nội dung", "Cơ quan chủ trì", "Thời gian thực hiện"]
TASK = [1, "Rà soát thủ tục hành chính", "Sở Tư pháp", "Quý I/2026"]
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


# --- archives ----------------------------------------------------------------------------------
def replace_parts(archive: bytes, parts: dict[str, bytes]) -> bytes:
    """`archive` with `parts` replaced or added, every member deflated at level 9."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if info.filename not in parts:
                dst.writestr(info.filename, src.read(info.filename))
        for name, data in parts.items():
            dst.writestr(name, data)
    return out.getvalue()


def add_inflating_part(archive: bytes, name: str, size: int) -> bytes:
    """`archive` plus a member `name` of `size` zero bytes (deflate: about size / 1000 on
    disk), written as a stream so that the test never holds `size` bytes."""
    out = io.BytesIO(archive)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as z, \
            z.open(name, "w", force_zip64=True) as member:
        chunk = bytes(1 << 20)
        left = size
        while left > 0:
            member.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)
    return out.getvalue()


def deflated_size(data: bytes) -> int:
    return len(zlib.compress(data, 9))


# --- .xlsx -------------------------------------------------------------------------------------
def plan_xlsx(rows: list[list[object]] | None = None) -> bytes:
    """A one-sheet workbook (openpyxl's own) holding a plan: title, header and one task."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kế hoạch"
    for row in rows if rows is not None else [TITLE, HEADER, TASK]:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet(xlsx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return z.read("xl/worksheets/sheet1.xml").decode("utf-8")


def xlsx_with_sheet_edit(*, dimension: str | None = None, merged: list[str] | None = None,
                         rows: list[list[object]] | None = None,
                         extra_cells: str = "") -> bytes:
    """A plan workbook whose sheet declares `dimension`, merges `merged` and carries
    `extra_cells` (raw `<row>` XML appended to the sheet's data)."""
    base = plan_xlsx(rows)
    sheet = _sheet(base)
    if dimension is not None:
        sheet = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', sheet)
    if extra_cells:
        sheet = sheet.replace("</sheetData>", extra_cells + "</sheetData>")
    if merged:
        cells = "".join(f'<mergeCell ref="{ref}"/>' for ref in merged)
        block = f'<mergeCells count="{len(merged)}">{cells}</mergeCells>'
        sheet = re.sub(r"(</sheetData>|<sheetData\s*/>)", r"\1" + block, sheet, count=1)
    return replace_parts(base, {"xl/worksheets/sheet1.xml": sheet.encode("utf-8")})


def xlsx_whole_sheet_merged() -> bytes:
    """4-5 KB: the sheet declares every cell Excel allows and merges them all into one."""
    return xlsx_with_sheet_edit(dimension="A1:XFD1048576", merged=["A1:XFD1048576"])


def xlsx_merged_zz20000() -> bytes:
    """One merged range over 702 columns x 20,000 rows: 14 million cells."""
    return xlsx_with_sheet_edit(merged=["A1:ZZ20000"])


def xlsx_far_cell() -> bytes:
    """A task table and one value in the sheet's last cell, XFD1048576."""
    far = ('<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')
    return xlsx_with_sheet_edit(extra_cells=far)


def xlsx_million_rows(rows: int = 1_000_000) -> bytes:
    """`rows` rows of one number each, written without row numbers (Excel allows it: each
    <row> is the next one), so that the part deflates to a few dozen KB."""
    base = plan_xlsx()
    sheet = _sheet(base)
    body = "<row><c><v>1</v></c></row>" * rows
    sheet = re.sub(r"<sheetData>.*</sheetData>|<sheetData\s*/>",
                   f"<sheetData>{body}</sheetData>", sheet, flags=re.S)
    sheet = re.sub(r'<dimension ref="[^"]*"\s*/>', "", sheet)
    return replace_parts(base, {"xl/worksheets/sheet1.xml": sheet.encode("utf-8")})


def laughs(root: str) -> str:
    """A document type declaring ten entities, each ten of the one before: &l9; is 10^9 "ha"."""
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    return f'<!DOCTYPE {root} [<!ENTITY l0 "ha">{entities}]>'


BILLION_LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    + laughs("sst") + "\n"
    f'<sst xmlns="{_MAIN_NS}" count="1" uniqueCount="1"><si><t>&l9;</t></si></sst>'
)


def xlsx_entity_bomb() -> bytes:
    """The shared strings part defines ten nested entities: 10^9 "ha" when expanded."""
    base = xlsx_with_sheet_edit(extra_cells='<row r="4"><c r="A4" t="s"><v>0</v></c></row>')
    return replace_parts(base, {
        "xl/sharedStrings.xml": BILLION_LAUGHS.encode(),
        "[Content_Types].xml": _with_shared_strings(base),
    })


def xlsx_external_entity(target: str = "file:///etc/passwd") -> bytes:
    """XXE: the sheet's inline string is an external entity naming a local file."""
    base = plan_xlsx()
    sheet = _sheet(base)
    sheet = sheet.replace("<worksheet", f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "{target}">]>'
                          "<worksheet", 1)
    sheet = sheet.replace("</sheetData>", '<row r="4"><c r="A4" t="inlineStr"><is><t>&xxe;'
                          "</t></is></c></row></sheetData>")
    return replace_parts(base, {"xl/worksheets/sheet1.xml": sheet.encode("utf-8")})


def _with_shared_strings(xlsx: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        types = z.read("[Content_Types].xml").decode()
    if "sharedStrings" in types:
        return types.encode()
    override = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    return types.replace("</Types>", override + "</Types>").encode()


# --- .docx -------------------------------------------------------------------------------------
def plan_docx() -> bytes:
    """A one-table plan (python-docx's own file): header and one task."""
    d = docx.Document()
    d.add_paragraph("Kế hoạch cải cách hành chính năm 2026")
    t = d.add_table(rows=2, cols=len(HEADER))
    for r, row in enumerate((HEADER, TASK)):
        for c, text in enumerate(row):
            t.cell(r, c).text = str(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _document(archive: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return z.read("word/document.xml").decode("utf-8")


def docx_with_body(extra: str, *, prolog: str = "") -> bytes:
    """The plan .docx with `extra` (raw WordprocessingML) at the start of its body and
    `prolog` before its root element."""
    base = plan_docx()
    doc = _document(base)
    doc = re.sub(r"(<w:body>)", lambda m: m.group(1) + extra, doc, count=1)
    if prolog:
        doc = doc.replace("<w:document", prolog + "<w:document", 1)
    return replace_parts(base, {"word/document.xml": doc.encode("utf-8")})


def docx_paragraphs(count: int = 5_000_000) -> bytes:
    """`count` empty paragraphs before the table (six bytes each, deflated a thousandfold)."""
    return docx_with_body("<w:p/>" * count)


def docx_wide_span(span: int = 2_000_000_000) -> bytes:
    """A table whose one cell says it spans `span` grid columns."""
    cell = (f'<w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr><w:p><w:r><w:t>x</w:t></w:r>'
            "</w:p></w:tc>")
    return docx_with_body(f"<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid><w:tr>{cell}</w:tr>"
                          "</w:tbl><w:p/>")


def docx_table_rows(rows: int = 25_000) -> bytes:
    """A table of `rows` one-cell rows before the plan's."""
    row = "<w:tr><w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc></w:tr>"
    return docx_with_body(f"<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid>{row * rows}</w:tbl>"
                          "<w:p/>")


def docx_entity_bomb() -> bytes:
    return docx_with_body("<w:p><w:r><w:t>&l9;</w:t></w:r></w:p>", prolog=laughs("w:document"))


def with_typed_part(archive: bytes, name: str, data: bytes, content_type: str) -> bytes:
    """`archive` plus a part `name` whose content type the package declares."""
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        types = z.read("[Content_Types].xml").decode()
    override = f'<Override PartName="/{name}" ContentType="{content_type}"/>'
    return replace_parts(archive, {
        name: data, "[Content_Types].xml": types.replace("</Types>", override + "</Types>")
        .encode()})


def docx_zip_bomb(size: int = 300 * 1024 * 1024) -> bytes:
    """A plan .docx carrying an image part of `size` zero bytes (about size / 1000 on disk)."""
    return add_inflating_part(plan_docx(), "word/media/image1.png", size)


# --- text --------------------------------------------------------------------------------------
def csv_long_field(size: int = 200 * 1024) -> bytes:
    """A task table whose one quoted cell is longer than Python's csv field limit (128 KB)."""
    long = "x" * size
    return ("STT,Nội dung,Cơ quan chủ trì,Thời gian thực hiện\n"
            f'1,"{long}",Sở Tư pháp,Quý I/2026\n').encode()


def csv_many_rows(rows: int = 2_000_000) -> bytes:
    return ("STT,Nội dung,Cơ quan chủ trì,Thời gian thực hiện\n" + "1,a,b,c\n" * rows).encode()


def text_many_lines(lines: int = 5_000_000) -> bytes:
    return ("Kế hoạch cải cách hành chính năm 2026\n" + "\n" * lines).encode()


def yaml_nested(depth: int = 10_000) -> bytes:
    """A review file whose plan is a list nested `depth` deep."""
    return ("format: nhacviec-review/1\nplan: " + "[" * depth + "]" * depth
            + "\ntasks: []\n").encode()


def yaml_aliases(levels: int = 9) -> bytes:
    """A review file whose tasks are aliases of aliases: ten to the `levels` entries."""
    lines = ["format: nhacviec-review/1", "plan: {}", 'a0: &a0 ["ha"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    lines.append(f"tasks: *a{levels}")
    return ("\n".join(lines) + "\n").encode()


def yaml_flat(tasks: int = 2_000_000) -> bytes:
    """A review file of `tasks` empty tasks, written flow style: three bytes each."""
    return ("format: nhacviec-review/1\nplan: {year: 2026}\ntasks: [" + "{}," * tasks
            + "]\n").encode()


def agencies_nested(depth: int = 10_000) -> bytes:
    return ("agencies:\n  - id: so-tu-phap\n    name: Sở Tư pháp\n    kind: department\n"
            "    emails: " + "[" * depth + "]" * depth + "\n").encode()


# --- running the real command under a memory limit ---------------------------------------------
@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float  # wall clock
    cpu: float  # the child's user + system time: what the file cost, however busy the machine
    peak_mb: float  # the child's peak resident memory (ru_maxrss)
    timed_out: bool = False

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines()

    def figures(self) -> str:
        return (f"{self.seconds:.2f} s ({self.cpu:.2f} s CPU), {self.peak_mb:.0f} MB, "
                f"exit {self.returncode}")


def run_limited(args: list[str], cwd: Path, *, memory_mb: int = 1024, timeout: float = 120,
                env: dict[str, str] | None = None, python: str = sys.executable,
                pythonpath: str | None = None) -> Run:
    """`python -m engine.cli ARGS` in `cwd`, its address space capped at `memory_mb`
    (RLIMIT_AS, set in the child before it starts), killed after `timeout` seconds. The
    environment is the test's without NHACVIEC_* settings, with HOME and the XDG folders
    inside `cwd`, plus `env`."""
    home = cwd / "home"
    home.mkdir(exist_ok=True)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    environ.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"),
                   XDG_CONFIG_HOME=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"),
                   PYTHONDONTWRITEBYTECODE="1", COLUMNS="100", **(env or {}))
    if pythonpath is not None:
        environ["PYTHONPATH"] = pythonpath
    cap = memory_mb * 1024 * 1024

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([python, "-m", "engine.cli", *args], cwd=cwd, env=environ,
                                stdout=out, stderr=err, preexec_fn=limit)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(proc.returncode, out.read().decode("utf-8", "replace"),
                   err.read().decode("utf-8", "replace"), seconds,
                   usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                   timed_out=seconds >= timeout)
