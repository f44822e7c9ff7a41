"""The PDF/Word text reader, one page-break artefact at a time, on small hand-made extracts."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import InputError
from engine.directory.agencies import Directory
from engine.intake.build import build_plan
from engine.intake.text_reader import column_for_header, read_text
from rules import WorkingCalendar

HEADER = "Nhiệm vụ chung\tNhiệm vụ cụ thể\tSản phẩm\tCơ quan chủ trì\tCơ quan phối hợp\t" \
         "Thời gian thực hiện"


def extract(*rows: str, body: str = "KẾ HOẠCH\nThực hiện CCHC năm 2025\n") -> str:
    return body + HEADER + "\n" + "\n".join(rows) + "\n"


def titles(doc):
    return [r.get("title") for r in doc.rows]


def test_header_columns_by_name_in_any_order():
    text = ("STT\tThời hạn hoàn thành\tCơ quan chủ trì\tNội dung / Nhiệm vụ\tKết quả\n"
            "1.\tQuý I/2026\tSở Nội vụ\tBan hành kế hoạch\tKế hoạch\n")
    doc = read_text(text, "x.txt")
    assert doc.rows[0].cells == {"number": "1.", "timing": "Quý I/2026", "lead": "Sở Nội vụ",
                                 "title": "Ban hành kế hoạch", "product": "Kế hoạch"}
    assert column_for_header("Cơ quan phối hợp") == "support"
    assert column_for_header("Nhiệm vụ chung") == "group"


def test_no_table_is_an_input_error():
    with pytest.raises(InputError, match="không tìm thấy bảng nhiệm vụ"):
        read_text("KẾ HOẠCH\nKhông có bảng nào\n", "x.txt")


def test_numbering_with_and_without_trailing_dot():
    doc = read_text(extract("A\t1. Việc một\t\tSở Nội vụ\t\tQuý I/2025",
                            "\t1.1 Việc con\t\t\t\t", "\t1.2. Việc con hai\t\t\t\t"), "x")
    assert titles(doc) == ["1. Việc một", "1.1 Việc con", "1.2. Việc con hai"]
    assert doc.rows[0].get("group") == "A"


def test_continuation_row_after_page_break_joins_every_cell():
    doc = read_text(extract(
        "A\t1. Rà soát theo Nghị định số 34/2016/NĐ-CP ngày\tBáo cáo\tCác cơ quan, đơn vị được "
        "nêu tại Phụ lục III, Công\tSở Tư pháp\tThường xuyên",
        "", "",
        "\t14/5/2016 của Chính phủ\t\tvăn số 3342/UBND-TTHC\t\t",
        "\t2. Việc tiếp\t\tSở Nội vụ\t\tQuý I/2025",
    ), "x")
    assert titles(doc) == ["1. Rà soát theo Nghị định số 34/2016/NĐ-CP ngày 14/5/2016 của "
                           "Chính phủ", "2. Việc tiếp"]
    assert doc.rows[0].get("lead").endswith("Phụ lục III, Công văn số 3342/UBND-TTHC")
    assert any("113" in w or "ngắt trang" in w for w in doc.warnings)


def test_text_starting_with_a_year_or_date_is_not_a_task_number():
    doc = read_text(extract("A\t1. Việc một năm\t\tSở Nội vụ\t\tQuý I/2025",
                            "\t2025 và các năm sau\t\t\t\t"), "x")
    assert titles(doc) == ["1. Việc một năm 2025 và các năm sau"]


def test_implausible_number_on_an_otherwise_empty_line_is_a_continuation():
    doc = read_text(extract("A\t2. Báo cáo trong vòng\t\tSở Nội vụ\t\tQuý I/2025",
                            "\t10 ngày làm việc\t\t\t\t"), "x")
    assert titles(doc) == ["2. Báo cáo trong vòng 10 ngày làm việc"]
    assert any("không nối tiếp" in w for w in doc.warnings)


def test_fragment_closing_a_parenthesis_goes_back_to_the_open_cell():
    doc = read_text(extract(
        "A\t1. Cấu hình\tBáo cáo\tSở, ban, ngành\tSở Thông tin và Truyền thông\tTối đa 05 ngày "
        "làm việc (kể từ khi UBND tỉnh",
        "", "",
        "\t\t\t\tcông bố Quyết định ban hành danh mục thành phần hồ sơ số hóa)\t",
    ), "x")
    row = doc.rows[0]
    assert row.get("support") == "Sở Thông tin và Truyền thông"
    assert row.get("timing") == ("Tối đa 05 ngày làm việc (kể từ khi UBND tỉnh công bố Quyết "
                                 "định ban hành danh mục thành phần hồ sơ số hóa)")
    assert any("dấu ngoặc" in w for w in row.warnings)


def test_tail_of_a_merged_cell_below_the_second_row_fills_both_rows():
    doc = read_text(extract(
        "A\t7. Phiếu lý lịch tư pháp\tBáo cáo\tSở Tư pháp\tCông an tỉnh\tTheo Công văn số "
        "3553/UBND-NC ngày 31/10/2024 của Chủ tịch",
        "\t8. Sổ sức khỏe điện tử\t\tSở Y tế\t\t",
        "", "",
        "\t\t\t\t\tUBND tỉnh Sóc Trăng",
    ), "x")
    full = "Theo Công văn số 3553/UBND-NC ngày 31/10/2024 của Chủ tịch UBND tỉnh Sóc Trăng"
    assert [r.get("timing") for r in doc.rows] == [full, full]
    assert doc.rows[0].warnings == []
    assert any("ô gộp" in w and "7" in w for w in doc.rows[1].warnings)
    assert doc.rows[1].get("support") == ""  # only the column that continued is shared


def test_merged_tail_does_not_reach_into_the_previous_group():
    doc = read_text(extract(
        "A\t1. Việc nhóm A\t\tSở Nội vụ\t\tQuý I/2025",
        "B\t1. Việc nhóm B\t\tSở Y tế\t\t",
        "\t\t\t\t\tQuý II/2025",
    ), "x")
    assert doc.rows[0].get("timing") == "Quý I/2025"
    assert doc.rows[1].get("timing") == "Quý II/2025"


def test_row_missing_its_first_cell_is_shifted_right():
    doc = read_text(extract(
        "A\t3. Cha\t\t\t\t",
        "3.1. Con một\tBáo cáo\tCác cơ quan, đơn vị, địa phương\tSở Nội vụ\tThường xuyên",
        "3.2. Con hai\tHội nghị\tSở Kế hoạch và Đầu tư\t\t",
    ), "x")
    one, two = doc.rows[1], doc.rows[2]
    assert one.get("title") == "3.1. Con một" and one.get("group") == ""
    assert one.get("lead") == "Các cơ quan, đơn vị, địa phương"
    assert one.get("timing") == "Thường xuyên"
    assert two.get("lead") == "Sở Kế hoạch và Đầu tư" and two.get("timing") == ""
    assert any("thiếu ô đầu tiên" in w for w in doc.warnings)


def test_footnotes_between_rows_are_dropped_and_markers_stripped():
    doc = read_text(extract(
        "A\t4.1. Đề án Phát triển nguồn nhân lực ²\tBáo cáo\tSở Nội vụ\t\tTrong năm 2025",
        "\t4.2. Đề án Tuyên truyền CCHC ³\tBáo cáo\tSở Nội vụ\t\tTrong năm 2025",
        "",
        "²Đề án số 02/ĐA-UBND ngày 22/11/2021",
        "³Quyết định số 1738/QĐ-UBND ngày 30/6/2022",
        "",
        "\t4.3. Đề án Chuyển đổi số⁸\tBáo cáo\tSở Nội vụ\t\tTrong năm 2025",
        "⁸ Đề án số 03/ĐA-UBND ngày 06/10/2022",
    ), "x")
    assert titles(doc) == ["4.1. Đề án Phát triển nguồn nhân lực", "4.2. Đề án Tuyên truyền CCHC",
                           "4.3. Đề án Chuyển đổi số"]
    assert doc.footnotes["2"] == "Đề án số 02/ĐA-UBND ngày 22/11/2021"
    assert doc.footnotes["8"] == "Đề án số 03/ĐA-UBND ngày 06/10/2022"
    assert "Đề án số" not in doc.body


def test_body_footnote_removed_and_cut_paragraph_joined():
    body = ("KẾ HOẠCH\nThực hiện CCHC năm 2025\n\nRà soát Chương trình tổng thể CCHC¹, để tổ\n\n"
            "¹ Kế hoạch số 163/KH-UBND ngày 10/5/2024\n\nchức triển khai hoàn thành.\n\n"
            "Đoạn sau.\n")
    doc = read_text(extract("A\t1. Việc\t\tSở Nội vụ\t\tQuý I/2025", body=body), "x")
    assert "Rà soát Chương trình tổng thể CCHC, để tổ chức triển khai hoàn thành." in doc.body
    assert "163/KH-UBND" not in doc.body
    assert "Đoạn sau." in doc.body.split("\n")


def test_repeated_header_on_a_new_page_is_skipped():
    doc = read_text(extract("A\t1. Việc một\t\tSở Nội vụ\t\tQuý I/2025", HEADER,
                            "\t2. Việc hai\t\tSở Y tế\t\tQuý II/2025"), "x")
    assert titles(doc) == ["1. Việc một", "2. Việc hai"]


def test_group_label_rows():
    text = ("STT\tNội dung\tCơ quan chủ trì\tThời gian thực hiện\n"
            "I\tCẢI CÁCH THỂ CHẾ\t\t\n1\tViệc một\tSở Tư pháp\tQuý I/2025\n")
    doc = read_text(text, "x")
    assert doc.rows[0].is_group_row and doc.rows[0].get("group") == "CẢI CÁCH THỂ CHẾ"
    assert not doc.rows[1].is_group_row


def test_decomposed_unicode_and_crlf_are_normalised():
    text = unicodedata.normalize("NFD", extract("A\t1. Việc một\t\tSở Nội vụ\t\tQuý I/2025"))
    doc = read_text(text.replace("\n", "\r\n"), "x")
    assert doc.rows[0].get("lead") == "Sở Nội vụ"
    assert unicodedata.is_normalized("NFC", doc.rows[0].get("title"))


def test_text_after_the_table_goes_to_the_body():
    doc = read_text(extract("A\t1. Việc một\t\tSở Nội vụ\t\tQuý I/2025", "Nơi nhận: như trên"),
                    "x")
    assert len(doc.rows) == 1 and "Nơi nhận: như trên" in doc.body



# --- the reader and builder never crash on odd tables --------------------------------------
CELLS = ["", "1.", "1.1", "2.1.3.", "10 ngày", "I", "Cải cách TTHC", "Sở Tư pháp", "(kể cả",
         "cấp xã)", "Sở, ban, ngành; UBND cấp huyện, cấp xã", "Quý I/2025", "Thường xuyên",
         "- Tháng 02/2025 - Tháng 12/2025", "- Kế hoạch - Báo cáo", "²", "Hội ABC", ")", "(",
         "3.1. Việc", "Theo Công văn số 1/UBND", "UBND tỉnh Sóc Trăng", "Cấp tỉnh: đạt 90%"]
DIRECTORY = Directory.bundled()
CALENDAR = WorkingCalendar.default()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(CELLS), min_size=1, max_size=8), max_size=25))
def test_reader_and_builder_never_raise_on_odd_rows(rows):
    doc = read_text(extract(*("\t".join(cells) for cells in rows)), "x")
    plan = build_plan(doc, directory=DIRECTORY, calendar=CALENDAR)
    assert all(t.code and t.group for t in plan.tasks)
    assert all(t.parent is None or t.code.startswith(t.parent + ".") for t in plan.tasks)
