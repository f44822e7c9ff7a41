"""The .docx reader on Word files built here with python-docx: merged cells both ways, columns
found by name in any order, a two-row header, bullets in cells, letterhead tables as body text,
STT columns numbered by Word's automatic list numbering."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from pathlib import Path

import docx
import docx.shared
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from core.errors import InputError
from engine.directory.agencies import Directory
from engine.intake.docx_reader import read_docx
from engine.intake.reader import read_plan
from engine.intake.rows import RawRow
from rules import WorkingCalendar

CAL = WorkingCalendar.default()
DIRECTORY = Directory.bundled()

# Columns in an unusual order: timing first, the agencies under one two-row heading.
HEADER_TOP = ["Thời gian hoàn thành", "STT", "NỘI DUNG NHIỆM VỤ", "Cơ quan thực hiện", "",
              "Sản phẩm đầu ra"]
HEADER_SUB = ["", "", "", "Chủ trì", "Phối hợp", ""]


def plan_document() -> docx.Document:
    d = docx.Document()
    letterhead = d.add_table(rows=2, cols=2)
    letterhead.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nTỈNH SÓC TRĂNG"
    letterhead.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    letterhead.cell(1, 0).text = "Số: 12/KH-UBND"
    letterhead.cell(1, 1).text = "Sóc Trăng, ngày 05 tháng 01 năm 2026"
    d.add_paragraph("KẾ HOẠCH")
    d.add_paragraph("Thực hiện cải cách hành chính năm 2026")
    d.add_paragraph("Thời hạn báo cáo chậm nhất vào ngày 20 của tháng cuối kỳ báo cáo.")

    t = d.add_table(rows=8, cols=6)
    for c, text in enumerate(HEADER_TOP):
        t.cell(0, c).text = text
    for c, text in enumerate(HEADER_SUB):
        t.cell(1, c).text = text
    t.cell(0, 3).merge(t.cell(0, 4))  # "Cơ quan thực hiện" over "Chủ trì" | "Phối hợp"
    for c in (0, 1, 2, 5):
        t.cell(0, c).merge(t.cell(1, c)).text = HEADER_TOP[c]
    # Group row: "I" in the STT column, the label spanning every column after it.
    t.cell(2, 1).text = "I"
    t.cell(2, 2).merge(t.cell(2, 5)).text = "CẢI CÁCH THỂ CHẾ"
    t.cell(2, 0).text = ""
    rows = [
        ("Quý I/2026", "1", "Ban hành Kế hoạch kiểm tra văn bản", "Sở Tư pháp", None,
         "Kế hoạch"),
        ("Quý II/2026", "2", "Rà soát văn bản", None, "UBND cấp huyện", "Báo cáo"),
        ("Thường xuyên", "3", "Theo dõi thi hành pháp luật", None, None, "Báo cáo"),
        ("- Tháng 02/2026\n- Tháng 12/2026", "4", "Tuyên truyền CCHC", "Sở Nội vụ", None,
         "- Kế hoạch\n- Báo cáo kết quả"),
    ]
    for r, values in enumerate(rows, start=3):
        for c, value in enumerate(values):
            if value is not None:
                t.cell(r, c).text = value
    # One lead agency for tasks 1-3: a vertical merge.
    t.cell(3, 3).merge(t.cell(5, 3)).text = "Sở Tư pháp"
    # Support of task 1 as two bullet paragraphs (Word's own list style, no "-" typed).
    support = t.cell(3, 4)
    support.text = "Sở Nội vụ"
    support.paragraphs[0].style = d.styles["List Bullet"]
    support.add_paragraph("Văn phòng UBND tỉnh", style="List Bullet")
    # A second group row written in one cell across the whole table.
    t.cell(7, 0).merge(t.cell(7, 5)).text = "II. CẢI CÁCH THỦ TỤC HÀNH CHÍNH"
    t2 = d.add_table(rows=2, cols=6)
    for c, text in enumerate(["Thời hạn", "TT", "Nhiệm vụ cụ thể", "Đơn vị chủ trì",
                              "Đơn vị phối hợp", "Kết quả"]):
        t2.cell(0, c).text = text
    for c, text in enumerate(["Tháng 6 và tháng 12/2026", "1", "Công bố TTHC",
                              "Văn phòng UBND tỉnh", "Các sở, ban, ngành tỉnh", "Quyết định"]):
        t2.cell(1, c).text = text
    d.add_paragraph("Nơi nhận: như trên.")
    return d


def as_bytes(document: docx.Document) -> io.BytesIO:
    buf = io.BytesIO()
    document.save(buf)
    buf.seek(0)
    return buf


def test_rows_merged_both_ways_and_columns_by_name():
    doc = read_docx(as_bytes(plan_document()), "kh.docx")
    assert doc.rows == [
        RawRow({"group": "CẢI CÁCH THỂ CHẾ", "number": "I"}, line=5, is_group_row=True),
        RawRow({"timing": "Quý I/2026", "number": "1",
                "title": "Ban hành Kế hoạch kiểm tra văn bản", "lead": "Sở Tư pháp",
                "support": "- Sở Nội vụ\n- Văn phòng UBND tỉnh", "product": "Kế hoạch"},
               line=6),
        RawRow({"timing": "Quý II/2026", "number": "2", "title": "Rà soát văn bản",
                "lead": "Sở Tư pháp", "support": "UBND cấp huyện", "product": "Báo cáo"},
               line=7, merged_from_above=frozenset({"lead"})),
        RawRow({"timing": "Thường xuyên", "number": "3", "title": "Theo dõi thi hành pháp luật",
                "lead": "Sở Tư pháp", "product": "Báo cáo"},
               line=8, merged_from_above=frozenset({"lead"})),
        RawRow({"timing": "- Tháng 02/2026\n- Tháng 12/2026", "number": "4",
                "title": "Tuyên truyền CCHC", "lead": "Sở Nội vụ",
                "product": "- Kế hoạch\n- Báo cáo kết quả"}, line=9),
        RawRow({"group": "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "number": "II"}, line=10,
               is_group_row=True),
        RawRow({"timing": "Tháng 6 và tháng 12/2026", "number": "1", "title": "Công bố TTHC",
                "lead": "Văn phòng UBND tỉnh", "support": "Các sở, ban, ngành tỉnh",
                "product": "Quyết định"}, line=12),
    ]
    assert doc.warnings == []


def test_body_has_paragraphs_and_letterhead_but_not_the_task_tables():
    body = read_docx(as_bytes(plan_document()), "kh.docx").body
    lines = body.splitlines()
    assert "Số: 12/KH-UBND" in lines
    assert "Sóc Trăng, ngày 05 tháng 01 năm 2026" in lines
    assert lines.index("KẾ HOẠCH") < lines.index("Nơi nhận: như trên.")
    assert "Tuyên truyền CCHC" not in body and "Chủ trì" not in body


def test_end_to_end_through_the_builder(tmp_path: Path):
    path = tmp_path / "kh.docx"
    plan_document().save(path)
    plan = read_plan(path, directory=DIRECTORY, calendar=CAL)
    assert (plan.plan.number, plan.plan.date, plan.plan.year) == (
        "12/KH-UBND", dt.date(2026, 1, 5), 2026)
    assert plan.report_cycle.day == 20 and plan.report_cycle.stated
    got = {(t.group, t.code): t for t in plan.tasks}
    assert list(got) == [("CẢI CÁCH THỂ CHẾ", c) for c in "1234"] + [
        ("CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "1")]
    t1, t2, t4 = got["CẢI CÁCH THỂ CHẾ", "1"], got["CẢI CÁCH THỂ CHẾ", "2"], got[
        "CẢI CÁCH THỂ CHẾ", "4"]
    assert t1.lead_agencies == ["so-tu-phap"]
    assert t1.support == ["Sở Nội vụ", "Văn phòng UBND tỉnh"]
    assert t1.due == [dt.date(2026, 3, 31)]
    assert t2.lead == ["Sở Tư pháp"] and t2.due == [dt.date(2026, 6, 30)]
    # The bullets put back in the product and timing cells pair them into labelled deadlines.
    assert [(d.due, d.label) for d in t4.deadlines] == [
        (dt.date(2026, 2, 27), "Kế hoạch"), (dt.date(2026, 12, 31), "Báo cáo kết quả")]
    assert got["CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "1"].due == [
        dt.date(2026, 6, 30), dt.date(2026, 12, 31)]


def test_table_split_in_two_without_a_second_header_is_continued():
    d = docx.Document()
    d.add_paragraph("Kế hoạch cải cách hành chính năm 2026")
    t = d.add_table(rows=2, cols=4)
    for c, text in enumerate(["Nhiệm vụ", "Chủ trì", "Phối hợp", "Thời hạn"]):
        t.cell(0, c).text = text
    for c, text in enumerate(["1. Việc một", "Sở Y tế", "", "Quý I/2026"]):
        t.cell(1, c).text = text
    d.add_paragraph("")
    t2 = d.add_table(rows=1, cols=4)
    for c, text in enumerate(["2. Việc hai", "Sở Nội vụ", "", "Quý II/2026"]):
        t2.cell(0, c).text = text
    doc = read_docx(as_bytes(d), "kh.docx")
    assert [r.get("title") for r in doc.rows] == ["1. Việc một", "2. Việc hai"]
    assert doc.rows[1].get("lead") == "Sở Nội vụ"
    assert any("không có dòng tiêu đề" in w for w in doc.warnings)


def test_decomposed_unicode_comes_out_composed():
    d = docx.Document()
    t = d.add_table(rows=2, cols=3)
    for c, text in enumerate(["Nội dung", "Cơ quan chủ trì", "Thời gian thực hiện"]):
        t.cell(0, c).text = unicodedata.normalize("NFD", text)
    for c, text in enumerate(["1. Rà soát", "Sở Tư pháp", "Quý I/2026"]):
        t.cell(1, c).text = unicodedata.normalize("NFD", text)
    doc = read_docx(as_bytes(d), "kh.docx")
    assert doc.rows[0].cells == {"title": "1. Rà soát", "lead": "Sở Tư pháp",
                                 "timing": "Quý I/2026"}


def test_a_task_table_missing_columns_is_named():
    d = docx.Document()
    t = d.add_table(rows=2, cols=3)
    for c, text in enumerate(["STT", "Nội dung", "Sản phẩm"]):
        t.cell(0, c).text = text
    for c, text in enumerate(["1", "Rà soát", "Báo cáo"]):
        t.cell(1, c).text = text
    with pytest.raises(InputError) as err:
        read_docx(as_bytes(d), "kh.docx")
    assert "thiếu cột Cơ quan chủ trì, Thời gian thực hiện" in str(err.value)


def test_no_table_at_all():
    d = docx.Document()
    d.add_paragraph("Kế hoạch năm 2026")
    with pytest.raises(InputError, match="không tìm thấy bảng nhiệm vụ"):
        read_docx(as_bytes(d), "kh.docx")


def test_a_parent_task_spanning_the_row_is_not_a_group():
    d = docx.Document()
    t = d.add_table(rows=3, cols=4)
    for c, text in enumerate(["Nội dung", "Chủ trì", "Phối hợp", "Thời gian"]):
        t.cell(0, c).text = text
    t.cell(1, 0).merge(t.cell(1, 3)).text = "4. Xây dựng và tổ chức thực hiện Kế hoạch"
    for c, text in enumerate(["4.1. Ban hành Kế hoạch", "Sở Tư pháp", "", "Quý I/2026"]):
        t.cell(2, c).text = text
    rows = read_docx(as_bytes(d), "kh.docx").rows
    assert not rows[0].is_group_row
    assert rows[0].cells == {"title": "4. Xây dựng và tổ chức thực hiện Kế hoạch"}


def test_cell_text_keeps_line_breaks_and_leaves_out_deleted_text():
    d = docx.Document()
    t = d.add_table(rows=2, cols=3)
    for c, text in enumerate(["Nội dung", "Cơ quan chủ trì", "Thời gian thực hiện"]):
        t.cell(0, c).text = text
    t.cell(1, 0).text = "1. Rà soát"
    lead = t.cell(1, 1).paragraphs[0]
    lead.paragraph_format.tab_stops.add_tab_stop(docx.shared.Cm(3))  # a w:tab in w:pPr
    lead.add_run("Sở Tư pháp")
    lead.add_run().add_break()  # Shift+Enter inside one paragraph
    lead.add_run("Sở Nội vụ")
    deleted = lead.add_run("")._r  # tracked deletion: Word does not show it
    deleted.append(deleted.makeelement(qn("w:delText"), {}))
    deleted[-1].text = "Sở Y tế"
    t.cell(1, 2).text = "Quý I/2026"
    (row,) = read_docx(as_bytes(d), "kh.docx").rows
    assert row.get("lead") == "Sở Tư pháp\nSở Nội vụ"


# --- Word's automatic numbering ------------------------------------------------------------
def add_list(document: docx.Document, abstract_id: int, levels: list[tuple[str, str]],
             start_overrides: dict[int, int] | None = None) -> int:
    """Write a list definition into the numbering part as Word stores it: a w:abstractNum with
    one w:lvl per (numFmt, lvlText), each starting at 1, and a w:num instance naming it (with
    w:lvlOverride/w:startOverride for `start_overrides`). Returns the instance's numId."""
    numbering = document.part.numbering_part.element  # the default template has one
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        + "".join(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                  f'<w:lvlText w:val="{text}"/></w:lvl>' for i, (fmt, text) in enumerate(levels))
        + "</w:abstractNum>")
    numbering.num_lst[0].addprevious(abstract)  # the schema puts abstractNums before nums
    return numbering_instance(document, abstract_id, start_overrides)


def numbering_instance(document: docx.Document, abstract_id: int,
                       start_overrides: dict[int, int] | None = None) -> int:
    """A w:num naming an existing abstract list; its numId."""
    num = document.part.numbering_part.element.add_num(abstract_id)
    for ilvl, start in (start_overrides or {}).items():
        num.add_lvlOverride(ilvl).add_startOverride(start)
    return num.numId


def numbered(paragraph, num_id: int, ilvl: int = 0):
    numpr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numpr.get_or_add_ilvl().val = ilvl
    numpr.get_or_add_numId().val = num_id
    return paragraph


def task_table(document: docx.Document, rows: int):
    t = document.add_table(rows=rows + 1, cols=4)
    for c, text in enumerate(["STT", "Nội dung", "Cơ quan chủ trì", "Thời gian thực hiện"]):
        t.cell(0, c).text = text
    return t


def auto_numbered_plan() -> docx.Document:
    """Groups "I", "II" and tasks "1", "2" / "1" all drawn by Word: the STT cells are empty."""
    d = docx.Document()
    d.add_paragraph("Số: 12/KH-UBND")
    d.add_paragraph("Sóc Trăng, ngày 05 tháng 01 năm 2026")
    d.add_paragraph("KẾ HOẠCH cải cách hành chính năm 2026")
    stt = add_list(d, 50, [("upperRoman", "%1."), ("decimal", "%2.")])
    t = task_table(d, 5)
    rows = [
        (0, "CẢI CÁCH THỂ CHẾ", None, None),
        (1, "Rà soát văn bản quy phạm pháp luật", "Sở Tư pháp", "Quý I/2026"),
        (1, "Kiểm tra văn bản", "Sở Tư pháp", "Quý II/2026"),
        (0, "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", None, None),
        (1, "Công bố thủ tục hành chính", "Văn phòng UBND tỉnh", "Quý III/2026"),
    ]
    for r, (level, title, lead, timing) in enumerate(rows, start=1):
        numbered(t.cell(r, 0).paragraphs[0], stt, level)
        if lead is None:
            t.cell(r, 1).merge(t.cell(r, 3)).text = title  # a group label across the row
        else:
            for c, text in enumerate([title, lead, timing], start=1):
                t.cell(r, c).text = text
    return d


def test_auto_numbered_stt_column_is_read_as_word_shows_it():
    rows = read_docx(as_bytes(auto_numbered_plan()), "kh.docx").rows
    # Level 0 draws "I.", "II." (the reader keeps a group's Roman number without its dot);
    # level 1 draws "1.", "2.", and starts again at "1." under "II.".
    assert [(r.get("number"), r.is_group_row) for r in rows] == [
        ("I", True), ("1.", False), ("2.", False), ("II", True), ("1.", False)]
    assert rows[3].get("group") == "CẢI CÁCH THỦ TỤC HÀNH CHÍNH"


def test_auto_numbered_plan_end_to_end(tmp_path: Path):
    path = tmp_path / "kh.docx"
    auto_numbered_plan().save(path)
    plan = read_plan(path, directory=DIRECTORY, calendar=CAL)
    assert [(t.group, t.code, t.title) for t in plan.tasks] == [
        ("CẢI CÁCH THỂ CHẾ", "1", "Rà soát văn bản quy phạm pháp luật"),
        ("CẢI CÁCH THỂ CHẾ", "2", "Kiểm tra văn bản"),
        ("CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "1", "Công bố thủ tục hành chính"),
    ]
    assert plan.tasks[2].due == [dt.date(2026, 9, 30)]


def test_two_level_text_and_a_start_override():
    d = docx.Document()
    levels = [("decimal", "%1."), ("decimal", "%1.%2.")]
    first = add_list(d, 51, levels)
    # A second instance of the same list, restarted by the user at 5 ("Set numbering value").
    second = numbering_instance(d, 51, start_overrides={0: 5})
    t = task_table(d, 7)
    for r, (num, level) in enumerate([(first, 0), (first, 1), (first, 1), (second, 0),
                                      (second, 1), (first, 0), (first, 1)], start=1):
        numbered(t.cell(r, 0).paragraphs[0], num, level)
        for c, text in enumerate([f"Việc {r}", "Sở Nội vụ", "Quý I/2026"], start=1):
            t.cell(r, c).text = text
    rows = read_docx(as_bytes(d), "kh.docx").rows
    # The instances share the list's counters: the first one goes on from the restart.
    assert [r.get("number") for r in rows] == [
        "1.", "1.1.", "1.2.", "5.", "5.1.", "6.", "6.1."]


def test_formats_of_each_level_in_a_multilevel_number():
    d = docx.Document()
    num = add_list(d, 53, [("upperRoman", "%1."), ("lowerLetter", "%1.%2)"),
                           ("decimalZero", "%1-%2-%3")])
    t = task_table(d, 6)
    for r, level in enumerate([0, 1, 1, 2, 0, 1], start=1):
        numbered(t.cell(r, 0).paragraphs[0], num, level)
        for c, text in enumerate([f"Việc {r}", "Sở Nội vụ", "Quý I/2026"], start=1):
            t.cell(r, c).text = text
    rows = read_docx(as_bytes(d), "kh.docx").rows
    # Each %n in its own level's format; "II." starts level 1 again.
    assert [r.get("number") for r in rows] == [
        "I.", "I.a)", "I.b)", "I-b-01", "II.", "II.a)"]


def test_counting_follows_document_order_through_body_and_text_paragraphs():
    d = docx.Document()
    num = add_list(d, 54, [("decimal", "%1.")])
    numbered(d.add_paragraph("Mục đích, yêu cầu"), num)  # drawn "1." by Word, counted
    t = task_table(d, 2)
    numbered(t.cell(1, 0).paragraphs[0], num)  # "2."
    # A paragraph with text of its own keeps it ("3." is drawn before it, not read) ...
    numbered(t.cell(1, 1).paragraphs[0], num).add_run("Rà soát văn bản")
    t.cell(1, 2).text, t.cell(1, 3).text = "Sở Tư pháp", "Quý I/2026"
    numbered(t.cell(2, 0).paragraphs[0], num)  # ... but it is counted: "4."
    # A bulleted list of agencies in one cell still reads as "- " lines.
    t.cell(2, 1).text = "Kiểm tra văn bản"
    support = t.cell(2, 2)
    numbered(support.paragraphs[0], num).add_run("Sở Tư pháp")  # "5."
    numbered(support.add_paragraph(), num).add_run("Sở Nội vụ")  # "6."
    t.cell(2, 3).text = "Quý II/2026"
    d.add_paragraph("Nơi nhận: như trên.")
    doc = read_docx(as_bytes(d), "kh.docx")
    assert [r.cells for r in doc.rows] == [
        {"number": "2.", "title": "Rà soát văn bản", "lead": "Sở Tư pháp",
         "timing": "Quý I/2026"},
        {"number": "4.", "title": "Kiểm tra văn bản", "lead": "- Sở Tư pháp\n- Sở Nội vụ",
         "timing": "Quý II/2026"},
    ]
    assert doc.body.splitlines()[0] == "Mục đích, yêu cầu"


def test_style_linked_numbering_and_numbering_turned_off():
    d = docx.Document()
    t = task_table(d, 3)
    # Word's "List Number" style carries its list (numPr in the style, decimal "%1.").
    for r in (1, 2, 3):
        t.cell(r, 0).paragraphs[0].style = d.styles["List Number"]
        for c, text in enumerate([f"Việc {r}", "Sở Nội vụ", "Quý I/2026"], start=1):
            t.cell(r, c).text = text
    numbered(t.cell(2, 0).paragraphs[0], 0)  # numId 0: this paragraph's numbering removed
    rows = read_docx(as_bytes(d), "kh.docx").rows
    assert [r.get("number") for r in rows] == ["1.", "", "2."]


def test_numbering_from_a_style_and_its_base_style():
    d = docx.Document()
    num = add_list(d, 55, [("upperRoman", "%1."), ("decimal", "%2.")])
    group = d.styles.add_style("STT nhóm", WD_STYLE_TYPE.PARAGRAPH)
    numpr = group.element.get_or_add_pPr().get_or_add_numPr()
    numpr.get_or_add_ilvl().val, numpr.get_or_add_numId().val = 0, num
    # A style based on it that gives only its level: the list comes from the base style.
    task = d.styles.add_style("STT nhiệm vụ", WD_STYLE_TYPE.PARAGRAPH)
    task.base_style = group
    task.element.get_or_add_pPr().get_or_add_numPr().get_or_add_ilvl().val = 1
    t = task_table(d, 5)
    for r, style in enumerate([group, task, task, group, task], start=1):
        t.cell(r, 0).paragraphs[0].style = style
        for c, text in enumerate([f"Việc {r}", "Sở Nội vụ", "Quý I/2026"], start=1):
            t.cell(r, c).text = text
    rows = read_docx(as_bytes(d), "kh.docx").rows
    assert [r.get("number") for r in rows] == ["I.", "1.", "2.", "II.", "1."]  # as drawn
