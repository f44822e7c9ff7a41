"""Small crafted files must not exhaust memory or crash (issue 18, point 6).

Each file is built here (a few KB to a few hundred KB on disk, `tests/crafted_files.py`) and
given to the real `nhacviec plan parse` in a child process whose address space is capped
(RLIMIT_AS): exit status 2 and one Vietnamese line, never "Lỗi không mong đợi" with exit 1,
never a MemoryError. Time is not asserted (the figures are printed; `benchmarks/
bench_crafted.py` measures them against an honest file). Before the limits, the first three
xlsx cases ran out of a 4 GB cap after minutes, the 2e9-column .docx cell too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.intake.limits import MAX_COLUMNS, MAX_ROWS
from tests import crafted_files as C
from tests.crafted_files import Run, run_limited

MEMORY_MB = 1024  # the child's whole address space: interpreter, libraries and the file
TIMEOUT = 180  # seconds; generous, a refusal takes a few


def refused(result: Run, fragment: str) -> None:
    print(f"{result.figures()}: {result.stderr.strip()}")
    assert not result.timed_out
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.lines
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Lỗi: ") and fragment in lines[0], lines[0]
    assert "không mong đợi" not in lines[0]


CASES: dict[str, tuple[str, Callable[[], bytes], str]] = {
    # A title and a header over the whole sheet: clipped to the cells that exist, the sheet is
    # read in full and holds no task table.
    "xlsx dimension and merge A1:XFD1048576": (
        "kh.xlsx", C.xlsx_whole_sheet_merged, "không tìm thấy dòng tiêu đề"),
    "xlsx merged A1:ZZ20000": ("kh.xlsx", C.xlsx_merged_zz20000, "không tìm thấy dòng tiêu đề"),
    "xlsx a value in XFD1048576": (
        "kh.xlsx", C.xlsx_far_cell,
        f"trang tính «Kế hoạch» có dữ liệu ở dòng 1.048.576 (giới hạn {MAX_ROWS:,} dòng)"
        .replace(",", ".")),
    "xlsx 1,000,000 rows": ("kh.xlsx", C.xlsx_million_rows, "có dữ liệu ở dòng 20.001"),
    "xlsx 120 columns": (
        "kh.xlsx", lambda: C.plan_xlsx([C.TITLE, C.HEADER, [*C.TASK, *range(116)]]),
        f"có dữ liệu ở cột thứ {MAX_COLUMNS + 1} (giới hạn {MAX_COLUMNS} cột)"),
    "xlsx entity bomb": ("kh.xlsx", C.xlsx_entity_bomb,
                         "phần «xl/sharedStrings.xml» của tệp có khai báo DTD hoặc thực thể XML"),
    "xlsx external entity": (
        "kh.xlsx", C.xlsx_external_entity,
        "phần «xl/worksheets/sheet1.xml» của tệp có khai báo DTD hoặc thực thể XML"),
    "docx 5,000,000 paragraphs": (
        "kh.docx", C.docx_paragraphs,
        "phần «word/document.xml» của tệp có hơn 1.500.000 phần tử XML"),
    "docx cell spanning 2e9 columns": ("kh.docx", C.docx_wide_span,
                                       "một dòng của bảng trải trên hơn 100 cột"),
    "docx 25,000 table rows": ("kh.docx", C.docx_table_rows,
                               "các bảng của tệp có hơn 20.000 dòng (giới hạn)"),
    "docx entity bomb": ("kh.docx", C.docx_entity_bomb,
                         "phần «word/document.xml» của tệp có khai báo DTD hoặc thực thể XML"),
    "docx DTD in a part named .bin, typed XML": (
        "kh.docx", lambda: C.with_typed_part(C.plan_docx(), "word/evil.bin",
                                             C.laughs("x").encode() + b"<x>&l9;</x>",
                                             "application/xml"),
        "phần «word/evil.bin» của tệp có khai báo DTD hoặc thực thể XML"),
    "docx part of 120 MB": ("kh.docx", lambda: C.docx_zip_bomb(120 * 1024 * 1024),
                            "tệp nén chứa 121 MB khi giải nén (giới hạn 100 MB)"),  # + the .docx
    "csv field of 200 KB": ("kh.csv", C.csv_long_field,
                            "dòng 2: một ô dài hơn 128 KB (giới hạn); thường do một dấu ngoặc"),
    "csv 30,000 rows": ("kh.csv", lambda: C.csv_many_rows(30_000),
                        "tệp có hơn 20.000 dòng (giới hạn)"),
    "txt 250,000 lines": ("kh.txt", lambda: C.text_many_lines(250_000),
                          "tệp có hơn 200.000 dòng (giới hạn)"),
    "review nested 10,000 deep": ("kh.yaml", C.yaml_nested,
                                  "tệp YAML lồng nhau quá 64 tầng (dòng 2)"),
    "review of aliases": ("kh.yaml", C.yaml_aliases,
                          "tệp YAML có hơn 250.000 mục khi mở các bí danh (*)"),
    "review of 300,000 empty tasks": ("kh.yaml", lambda: C.yaml_flat(300_000),
                                       "tệp YAML có hơn 250.000 mục (dòng 3)"),
    "review alias inside itself": (
        "kh.yaml", lambda: b"format: nhacviec-review/1\nplan: &p {x: *p}\ntasks: []\n",
        "bí danh (*) dùng bên trong chính neo (&) của nó"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_crafted_file_is_refused_in_one_line(case: str, tmp_path: Path):
    name, build, fragment = CASES[case]
    data = build()
    assert len(data) < 1024 * 1024  # small on disk
    (tmp_path / name).write_bytes(data)
    refused(run_limited(["plan", "parse", name, "--json"], tmp_path, memory_mb=MEMORY_MB,
                        timeout=TIMEOUT), fragment)


@pytest.mark.parametrize("case", ["xlsx merged A1:ZZ20000", "docx entity bomb",
                                  "review of aliases"])
def test_import_refuses_them_too_and_writes_nothing(case: str, tmp_path: Path):
    name, build, fragment = CASES[case]
    (tmp_path / name).write_bytes(build())
    database = tmp_path / "kh.sqlite"
    result = run_limited(["plan", "import", name], tmp_path, memory_mb=MEMORY_MB,
                         timeout=TIMEOUT,
                         env={"NHACVIEC_DATABASE_URL": f"sqlite:///{database}"})
    refused(result, fragment)
    assert not database.exists()


def test_agency_directory_nested_deep_is_a_setting_error(tmp_path: Path):
    (tmp_path / "agencies.yaml").write_bytes(C.agencies_nested())
    result = run_limited(["agency", "list"], tmp_path, memory_mb=MEMORY_MB, timeout=TIMEOUT,
                         env={"NHACVIEC_AGENCIES": "agencies.yaml"})
    print(result.figures(), result.stderr)
    assert result.returncode == 3, result.stderr  # a wrong setting, as every directory error
    [line] = result.lines
    assert line == "Lỗi: danh bạ cơ quan agencies.yaml: tệp YAML lồng nhau quá 64 tầng (dòng 5)"


# --- what the limits leave alone -------------------------------------------------------------
def tasks_of(result: Run) -> list[dict]:
    print(result.figures(), result.stderr)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["tasks"]


def test_a_merge_down_to_the_last_row_is_clipped_and_the_plan_read(tmp_path: Path):
    """The lead column merged from the task's row down to row 1,048,576 over a declared
    dimension of the whole sheet, and a formatted empty cell in the sheet's last column: only
    the cells holding a value are read, the merge ends with them, the task keeps its lead."""
    styled = '<row r="9"><c r="XFD9" s="0"/></row>'
    data = C.xlsx_with_sheet_edit(dimension="A1:XFD1048576", merged=["C3:C1048576"],
                                  extra_cells=styled)
    (tmp_path / "kh.xlsx").write_bytes(data)
    [task] = tasks_of(run_limited(["plan", "parse", "kh.xlsx", "--json"], tmp_path,
                                  memory_mb=MEMORY_MB, timeout=TIMEOUT))
    assert (task["code"], task["title"]) == ("1", "Rà soát thủ tục hành chính")
    assert task["lead_agencies"] == ["so-tu-phap"]
    assert task["due"] == ["2026-03-31"]


def test_a_header_merged_across_columns_keeps_its_meaning(tmp_path: Path):
    """A merged header cell (Thời gian thực hiện over D2:F2) and a group row merged across
    the table (A3:D3): both read as before the clipping."""
    rows = [C.TITLE, C.HEADER, ["I. CẢI CÁCH THỂ CHẾ"], C.TASK]
    data = C.xlsx_with_sheet_edit(rows=rows, merged=["D2:F2", "A3:D3"])
    (tmp_path / "kh.xlsx").write_bytes(data)
    [task] = tasks_of(run_limited(["plan", "parse", "kh.xlsx", "--json"], tmp_path,
                                  memory_mb=MEMORY_MB, timeout=TIMEOUT))
    assert task["group"] == "CẢI CÁCH THỂ CHẾ"
    assert task["lead_agencies"] == ["so-tu-phap"] and task["due"] == ["2026-03-31"]


def test_an_html_part_imported_into_a_docx_is_not_taken_for_xml(tmp_path: Path):
    """Word keeps an imported HTML chunk (altChunk) as a text/html part: its <!DOCTYPE html>
    is no XML document type declaration, and the plan is read."""
    html = b"<!DOCTYPE html><html><body><p>Ph\xe1\xbb\xa5 l\xe1\xbb\xa5c<br></p></body></html>"
    data = C.with_typed_part(C.plan_docx(), "word/afchunk.htm", html, "text/html")
    (tmp_path / "kh.docx").write_bytes(data)
    [task] = tasks_of(run_limited(["plan", "parse", "kh.docx", "--json"], tmp_path,
                                  memory_mb=MEMORY_MB, timeout=TIMEOUT))
    assert task["lead_agencies"] == ["so-tu-phap"]
