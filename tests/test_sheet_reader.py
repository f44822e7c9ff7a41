"""The .xlsx and .csv readers on sheets built here with openpyxl and on hand-written CSV."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import InputError
from engine.directory.agencies import Directory
from engine.intake.reader import read_plan
from engine.intake.rows import RawRow
from engine.intake.sheet_reader import read_csv_text, read_xlsx, sniff_delimiter
from rules import WorkingCalendar

CAL = WorkingCalendar.default()
DIRECTORY = Directory.bundled()


def workbook() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Hướng dẫn"
    notes["A1"] = "Trang này không có bảng nhiệm vụ"
    ws = wb.create_sheet("Phụ lục")
    ws["A1"] = "Kế hoạch số 12/KH-UBND ngày 05/01/2026 thực hiện cải cách hành chính năm 2026"
    ws.merge_cells("A1:F1")
    # Row 3-4: a two-row header, columns in an unusual order.
    ws.append([])
    ws.append(["Sản phẩm", "Nội dung", "Đơn vị thực hiện", None, "Thời hạn", "STT"])
    ws.append([None, None, "Chủ trì", "Phối hợp", None, None])
    ws.merge_cells("C3:D3")
    for col in "ABEF":
        ws.merge_cells(f"{col}3:{col}4")
    ws.append(["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"])  # column numbers under the header
    ws.append(["CẢI CÁCH THỂ CHẾ", None, None, None, None, "I"])  # row 6: group row
    ws.merge_cells("A6:E6")
    ws.append(["Kế hoạch", "Ban hành Kế hoạch", "Sở Tư pháp", "Sở Nội vụ", "Quý I/2026", 1])
    ws.append(["Báo cáo", "Báo cáo kết quả", None, "UBND cấp huyện",
               dt.datetime(2026, 11, 30), 1.1])
    ws.append(["Báo cáo", "Theo dõi", None, "Thường xuyên", None, 1.2])
    ws.merge_cells("C7:C9")  # one lead agency for three rows
    ws.merge_cells("D9:E9")  # support and timing merged: the reader must say so
    return wb


def xlsx_bytes(wb: openpyxl.Workbook) -> io.BytesIO:
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_xlsx_rows_merged_both_ways():
    doc = read_xlsx(xlsx_bytes(workbook()), "kh.xlsx")
    assert doc.rows[:3] == [
        RawRow({"group": "CẢI CÁCH THỂ CHẾ", "number": "I"}, line=6, is_group_row=True),
        RawRow({"product": "Kế hoạch", "title": "Ban hành Kế hoạch", "lead": "Sở Tư pháp",
                "support": "Sở Nội vụ", "timing": "Quý I/2026", "number": "1"}, line=7),
        RawRow({"product": "Báo cáo", "title": "Báo cáo kết quả", "lead": "Sở Tư pháp",
                "support": "UBND cấp huyện", "timing": "30/11/2026", "number": "1.1"},
               line=8, merged_from_above=frozenset({"lead"})),
    ]
    last = doc.rows[3]
    assert last.cells == {"product": "Báo cáo", "title": "Theo dõi", "lead": "Sở Tư pháp",
                          "number": "1.2", "support": "Thường xuyên"}
    assert last.merged_from_above == frozenset({"lead"})
    assert doc.warnings == ["dòng 9: một ô gộp các cột Cơ quan phối hợp, Thời gian thực hiện; "
                            "nội dung được đặt vào cột Cơ quan phối hợp"]


def test_xlsx_body_is_what_sits_above_the_header():
    doc = read_xlsx(xlsx_bytes(workbook()), "kh.xlsx")
    assert doc.body == ("Kế hoạch số 12/KH-UBND ngày 05/01/2026 thực hiện cải cách hành chính "
                        "năm 2026\n")


def test_xlsx_end_to_end(tmp_path: Path):
    wb = workbook()
    wb["Phụ lục"].unmerge_cells("D9:E9")
    wb["Phụ lục"]["D9"], wb["Phụ lục"]["E9"] = None, "Thường xuyên"
    path = tmp_path / "kh.xlsx"
    wb.save(path)
    plan = read_plan(path, directory=DIRECTORY, calendar=CAL)
    assert (plan.plan.number, plan.plan.year) == ("12/KH-UBND", 2026)
    assert [(t.group, t.code, t.leaf) for t in plan.tasks] == [
        ("CẢI CÁCH THỂ CHẾ", "1", False), ("CẢI CÁCH THỂ CHẾ", "1.1", True),
        ("CẢI CÁCH THỂ CHẾ", "1.2", True)]
    child = plan.tasks[1]
    assert child.lead_agencies == ["so-tu-phap"]
    assert child.timing == "30/11/2026"
    assert plan.tasks[2].kind == "ongoing"


def test_xlsx_without_the_headers_names_what_is_missing():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["STT", "Nội dung", "Ghi chú"])
    ws.append([1, "Rà soát", ""])
    with pytest.raises(InputError) as err:
        read_xlsx(xlsx_bytes(wb), "kh.xlsx")
    assert str(err.value) == ("kh.xlsx: bảng thiếu cột Cơ quan chủ trì, Thời gian thực hiện "
                              "(tìm thấy: STT, Nội dung / Nhiệm vụ)")


def test_xlsx_with_no_header_at_all():
    wb = openpyxl.Workbook()
    wb.active.append(["a", "b", "c"])
    with pytest.raises(InputError, match="không tìm thấy dòng tiêu đề"):
        read_xlsx(xlsx_bytes(wb), "kh.xlsx")


CSV_SEMICOLON = (
    "\ufeffKế hoạch cải cách hành chính năm 2026\n"
    "STT;Nhiệm vụ;Cơ quan chủ trì;Cơ quan phối hợp;Thời gian thực hiện;Sản phẩm\n"
    "I;CẢI CÁCH THỂ CHẾ;;;;\n"
    "1;\"Rà soát; hệ thống hóa văn bản\";Sở Tư pháp;\"Sở Nội vụ\nSở Y tế\";Quý I/2026;Báo cáo\n"
    "2;Kiểm tra;Sở Nội vụ;;Trước ngày 15/3/2026;Báo cáo\n"
)


def test_csv_semicolons_bom_quoted_cells_and_roman_group_rows():
    doc = read_csv_text(CSV_SEMICOLON, "kh.csv")
    assert doc.body == "Kế hoạch cải cách hành chính năm 2026\n"
    assert doc.rows == [
        RawRow({"group": "CẢI CÁCH THỂ CHẾ", "number": "I"}, line=3, is_group_row=True),
        RawRow({"number": "1", "title": "Rà soát; hệ thống hóa văn bản", "lead": "Sở Tư pháp",
                "support": "Sở Nội vụ\nSở Y tế", "timing": "Quý I/2026", "product": "Báo cáo"},
               line=4),
        RawRow({"number": "2", "title": "Kiểm tra", "lead": "Sở Nội vụ",
                "timing": "Trước ngày 15/3/2026", "product": "Báo cáo"}, line=5),
    ]


def test_a_task_whose_title_starts_like_a_header_is_a_task():
    """Only the header itself repeats (a table continued on a new page); a title that starts
    with a header's words ("Nhiệm vụ ...", "Nội dung ...", "Công việc") is a task, kept with
    its agency and timing. Such rows used to be skipped as repeated headers, silently."""
    header = "STT;Nội dung;Cơ quan chủ trì;Thời gian thực hiện"
    doc = read_csv_text("\n".join([
        header,
        "1;Việc một;Sở Tư pháp;Quý I/2026",
        "2;Nhiệm vụ trọng tâm về cải cách thủ tục hành chính;Sở Nội vụ;Quý II/2026",
        "3;Nội dung 2;Sở Y tế;Thường xuyên",
        "4;Công việc;Sở Tài chính;Quý III/2026",
        header,  # the header itself, repeated: skipped
        ";Nội dung;;",  # only the title column's header, exactly: skipped too
        "5;Việc năm;Sở Y tế;Quý IV/2026"]) + "\n", "kh.csv")
    assert [(r.get("number"), r.get("title"), r.get("lead")) for r in doc.rows] == [
        ("1", "Việc một", "Sở Tư pháp"),
        ("2", "Nhiệm vụ trọng tâm về cải cách thủ tục hành chính", "Sở Nội vụ"),
        ("3", "Nội dung 2", "Sở Y tế"),
        ("4", "Công việc", "Sở Tài chính"),
        ("5", "Việc năm", "Sở Y tế")]


@pytest.mark.parametrize(("text", "delimiter"), [
    ("Nhiệm vụ,Chủ trì,Thời hạn\n1. A,Sở Y tế,Quý I/2026\n", ","),
    ("Nhiệm vụ;Chủ trì;Thời hạn\n1. A, B;Sở Y tế;Quý I/2026\n", ";"),
    ("Nhiệm vụ\tChủ trì\tThời hạn\n1. A, B; C\tSở Y tế\tQuý I/2026\n", "\t"),
    # A title line above the header defeats csv.Sniffer; the count fallback still finds it.
    ("Kế hoạch năm 2026, tỉnh Sóc Trăng\nNhiệm vụ;Chủ trì;Thời hạn\n1. A;Sở Y tế;Quý I\n", ";"),
])
def test_delimiter_is_sniffed(text: str, delimiter: str):
    assert sniff_delimiter(text) == delimiter
    assert read_csv_text(text, "kh.csv").rows[0].get("lead") == "Sở Y tế"


def test_csv_end_to_end_with_accentless_headers(tmp_path: Path):
    path = tmp_path / "kh.csv"
    path.write_text(
        "Ke hoach CCHC nam 2026\n"
        "stt,noi dung,don vi chu tri,don vi phoi hop,thoi han hoan thanh\n"
        "1,Rà soát TTHC,Văn phòng UBND tỉnh,\"Các sở, ban, ngành tỉnh\",Quý I/2026\n",
        encoding="utf-8",
    )
    plan = read_plan(path, directory=DIRECTORY, calendar=CAL, year=2026)
    (task,) = plan.tasks
    assert (task.code, task.title, task.due) == ("1", "Rà soát TTHC", [dt.date(2026, 3, 31)])
    assert task.lead == ["Văn phòng UBND tỉnh"]


def test_csv_without_the_headers_names_what_is_missing():
    with pytest.raises(InputError) as err:
        read_csv_text("STT,Nội dung,Cơ quan chủ trì\n1,Rà soát,Sở Tư pháp\n", "kh.csv")
    assert "thiếu cột Thời gian thực hiện" in str(err.value)


def test_two_sheets_with_a_task_table_the_first_is_read_and_the_other_named():
    wb = workbook()
    extra = wb.create_sheet("Bản cũ")
    extra.append(["Nội dung", "Chủ trì", "Thời hạn"])
    extra.append(["1. Việc cũ", "Sở Y tế", "Quý I/2025"])
    doc = read_xlsx(xlsx_bytes(wb), "kh.xlsx")
    assert doc.rows[1].get("title") == "Ban hành Kế hoạch"
    assert doc.warnings[-1] == ("đọc bảng nhiệm vụ ở trang tính «Phụ lục»; bỏ qua các trang tính "
                                "cũng có bảng: «Bản cũ»")


_CELLS = st.sampled_from(["", "STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời hạn", "I", "1",
                          "1.1", "Sở Y tế", "Quý I/2026", "CẢI CÁCH", "(1)", "x;y", '"'])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_CELLS, max_size=7), max_size=12), st.sampled_from(",;\t"))
def test_any_csv_table_gives_rows_or_one_input_error(table, delimiter):
    text = "\n".join(delimiter.join(row) for row in table)
    try:
        doc = read_csv_text(text, "kh.csv")
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert doc.rows and all(r.cells or r.is_group_row for r in doc.rows)
