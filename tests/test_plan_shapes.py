"""Table shapes of real plans (issue #19): text copied from a legal-document web page (one cell
per line, "|" or tab lines between cells), "…" rows, sub-group rows ("III.1", "III.1.1") while
numbers run on, lettered codes ("1.a", "A."), merged number cells in .docx, sub-group heading rows
in .xlsx, and plans written as prose. The fragments are cut from the plans of
tests/data/real_plans/ (named in each test); expectations written by hand."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
import openpyxl
import pytest

from engine.directory.agencies import Directory
from engine.intake.docx_reader import read_docx
from engine.intake.reader import plan_from_rows, read_plan
from engine.intake.sheet_reader import read_xlsx
from engine.intake.text_reader import read_text
from engine.intake.web_text import unwrap
from tests.plan_factory import calendar

D = dt.date.fromisoformat
HEAD = ("ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN\n|\nSố: 980/KH-UBND\n|\n"
        "Nghệ An, ngày 18 tháng 11 năm 2025\n|\nKẾ HOẠCH\n\nTriển khai thi hành Nghị định\n\n")


@pytest.fixture(scope="module")
def d() -> Directory:
    return Directory.bundled()


def web(rows: list[list[str]], sep: str = "|") -> str:
    """A table as the page copies it: each cell on its own line(s), `sep` lines between."""
    out = [sep]
    for i, row in enumerate(rows):
        if i:
            out.append(sep)
        for j, cell in enumerate(row):
            if j:
                out.append(sep)
            out.extend(cell.split("\n") if cell else [])
        out.append(sep)
    return "\n".join(out) + "\n"


HEADER = ["TT", "Nội dung thực\nhiện", "Cơ quan chủ trì", "Cơ quan phối hợp",
          "Thời gian hoàn\nthành", "Sản phẩm dự kiến"]


def parse_text(text: str, d: Directory):
    return plan_from_rows(read_text(text, "kh.txt"), directory=d, calendar=calendar())


def by_code(plan):
    return {(t.group, t.code): t for t in plan.tasks}


@pytest.mark.parametrize("sep", ["|", "\t"])
def test_web_page_table_with_groups_gap_and_empty_last_cells(d, sep):
    # nghean-980-phong-thu-dan-su: group rows of two cells, rows missing their empty product
    # cell, a "…" row where the page hides rows, a wrapped cell.
    rows = [HEADER,
            ["I", "KIỆN TOÀN VÀ HOÀN THIỆN\nCƠ CHẾ CHỈ ĐẠO"],
            ["1", "Tổ chức lại Ban Chỉ huy Phòng thủ dân sự cấp tỉnh,\ncấp xã", "Sở Tài chính",
             "Sở Tư pháp", "Trước ngày\n30/11/2025", "Quyết định"],
            ["II", "TRIỂN KHAI ĐỒNG BỘ VĂN BẢN"],
            ["1", "Triển khai thực hiện một số nội dung chi", "Sở Tài chính", "Sở Y tế",
             "Thường xuyên", ""],
            ["2", "Triển khai thực hiện khi có sửa đổi", "Sở Y tế", "", "2025", ""]]
    text = HEAD + web(rows, sep)
    text += "….................................\n" + web(
        [["2", "Thành lập bộ máy quản lý Quỹ", "Sở Tài chính", "Sở Y tế", "2025", "QĐ"],
         ["3", "Tiếp nhận và duy trì Hệ thống Tổng đài 112", "Công an tỉnh", "", "2025", ""]],
        sep)
    plan = parse_text(text, d)
    assert (plan.plan.number, plan.plan.date, plan.plan.issuer) == (
        "980/KH-UBND", D("2025-11-18"), "UBND tỉnh Nghệ An")
    tasks = by_code(plan)
    first = tasks[("KIỆN TOÀN VÀ HOÀN THIỆN CƠ CHẾ CHỈ ĐẠO", "1")]
    assert first.title == "Tổ chức lại Ban Chỉ huy Phòng thủ dân sự cấp tỉnh, cấp xã"
    assert first.due == [D("2025-11-28")] and first.product == "Quyết định"
    group2 = "TRIỂN KHAI ĐỒNG BỘ VĂN BẢN"
    assert tasks[(group2, "1")].kind == "ongoing" and tasks[(group2, "1")].product is None
    assert tasks[(group2, "2")].support == [] and tasks[(group2, "2")].due == [D("2025-12-31")]
    # The "…" row is neither a task nor part of task II.2; the rows after it sit in a group the
    # page does not show, with a warning.
    assert "…" not in tasks[(group2, "2")].title and len(plan.tasks) == 5
    hidden = [t for t in plan.tasks if t.group.startswith("Nhóm không hiện")]
    assert [t.code for t in hidden] == ["2", "3"]
    assert any("lược" in w and "…" in w for w in plan.warnings)


def test_web_page_sub_group_rows_while_numbers_run_on(d):
    # ttg-2629-chinh-phu-so: "III", "III.1", "III.1.1" heading rows; task numbers 1, 2 then 5.
    rows = [["TT", "Nhiệm vụ, giải\npháp", "Cơ quan chủ trì", "Cơ quan phối hợp", "Kết quả",
             "Thời gian thực\nhiện"],
            ["III", "Phát triển các ứng dụng,\nnền tảng số cho Chính phủ số"],
            ["III.1", "Nhóm ứng dụng, nền tảng số quy mô quốc gia"],
            ["III.1.1", "Nhóm các nền tảng số giải quyết thủ tục"],
            ["1", "Triển khai Cổng Dịch vụ công quốc gia", "Sở Tư pháp", "Sở Y tế",
             "Hoàn thành", "Tháng 02/2026"],
            ["2", "Xây dựng, hoàn thiện Cổng thông tin một cửa", "Sở Tài chính", "Sở Y tế",
             "Hoàn thành", "Năm 2025-2026"],
            ["III.1.2", "Nhóm các nền tảng phục vụ quản trị"],
            ["3", "Phát triển Hệ thống thông tin báo cáo", "Văn phòng UBND tỉnh", "Sở Y tế",
             "Hoàn thành", "Năm 2025-2026"]]
    plan = parse_text(HEAD + web(rows), d)
    group = "Phát triển các ứng dụng, nền tảng số cho Chính phủ số"
    assert [(t.group, t.code) for t in plan.tasks] == [(group, "1"), (group, "2"), (group, "3")]
    assert [t.subgroup for t in plan.tasks] == [
        "III.1.1. Nhóm các nền tảng số giải quyết thủ tục",
        "III.1.1. Nhóm các nền tảng số giải quyết thủ tục",
        "III.1.2. Nhóm các nền tảng phục vụ quản trị"]
    assert [t.due for t in plan.tasks] == [[D("2026-02-27")], [D("2026-12-31")],
                                           [D("2026-12-31")]]
    assert plan.tasks[0].product == "Hoàn thành"


def test_sub_groups_whose_numbers_restart_are_groups_of_their_own(d):
    rows = [HEADER, ["I", "NHÓM MỘT"], ["I.1", "Phần thứ nhất"],
            ["1", "Việc một", "Sở Tư pháp", "", "Quý I/2026", ""],
            ["I.2", "Phần thứ hai"],
            ["1", "Việc hai", "Sở Y tế", "", "Quý II/2026", ""]]
    plan = parse_text(HEAD + web(rows), d)
    assert [(t.group, t.code) for t in plan.tasks] == [("NHÓM MỘT", "1"),
                                                        ("I.2. Phần thứ hai", "1")]
    assert not any("không có tên" in w for w in plan.warnings)


def test_lettered_codes_and_lettered_parts(d):
    text = ("ỦY BAN NHÂN DÂN TỈNH HẬU GIANG\nSố: 12/KH-UBND\nVị Thanh, ngày 05 tháng 01 năm 2026\n"
            "KẾ HOẠCH\nCải cách hành chính năm 2026\n"
            "STT\tNội dung\tCơ quan chủ trì\tThời gian thực hiện\n"
            "A.\tNHIỆM VỤ CHUNG\n"
            "1\tRà soát thủ tục\tSở Tư pháp\t\n"
            "1.a\tRà soát lĩnh vực tư pháp\t\tQuý I/2026\n"
            "1.b\tRà soát lĩnh vực y tế\tSở Y tế\tQuý II/2026\n"
            "B.\tNHIỆM VỤ RIÊNG\n"
            "1\tCông bố thủ tục\tVăn phòng UBND tỉnh\tQuý III/2026\n")
    plan = parse_text(text, d)
    tasks = by_code(plan)
    a = tasks[("NHIỆM VỤ CHUNG", "1.a")]
    assert (a.parent, a.lead, a.due) == ("1", ["Sở Tư pháp"], [D("2026-03-31")])
    assert not tasks[("NHIỆM VỤ CHUNG", "1")].leaf
    assert tasks[("NHIỆM VỤ CHUNG", "1.b")].lead_agencies == ["so-y-te"]
    assert tasks[("NHIỆM VỤ RIÊNG", "1")].due == [D("2026-09-30")]


def test_unwrap_joins_a_sentence_the_page_wrapped():
    lines = ["Ủy ban nhân dân Thành phố", "yêu cầu các Sở định kỳ trước ngày 30 tháng 11 hàng",
             "năm báo cáo kết quả.", "", "- Cơ quan chủ trì: Bộ Công", "an.", "2. Yêu", "cầu"]
    assert unwrap(lines) == [
        "Ủy ban nhân dân Thành phố yêu cầu các Sở định kỳ trước ngày 30 tháng 11 hàng năm báo "
        "cáo kết quả.", "- Cơ quan chủ trì: Bộ Công an.", "2. Yêu cầu"]


# --- prose plans ---------------------------------------------------------------------------------
PROSE = """THỦ TƯỚNG CHÍNH PHỦ
|
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
|
Số: 2623/QĐ-TTg
|
Hà Nội, ngày 29 tháng 11 năm 2025
|
KẾ HOẠCH
|
I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

- Xác định cụ thể nội dung công việc.

II. NỘI DUNG

1. Tổ chức tuyên truyền, phổ
biến pháp luật

- Cơ quan thực hiện: Sở Tư
pháp, Sở Y tế.

- Thời gian thực hiện: năm
2025 và các năm tiếp theo.

2. Rà soát văn bản

- Cơ quan thực hiện: Sở Tư pháp.

- Thời gian thực hiện:

+ Các sở gửi kết quả rà soát về Sở Tư pháp trước ngày 15 tháng 12 năm 2025.

+ Sở Tư pháp tổng hợp, báo cáo trước ngày 31 tháng 12 năm 2025.

3. Xây dựng Nghị định

- Nghị định quy định chi tiết

+ Nội dung: quy định chi tiết.

+ Cơ quan chủ trì: Sở Tư pháp.

+ Cơ quan phối hợp: Văn phòng UBND tỉnh và các cơ quan có liên quan.

+ Thời hạn ban hành: trước ngày 01 tháng 01 năm 2026.

- Nghị định xử phạt

+ Cơ quan chủ trì: Công an tỉnh.

+ Thời hạn ban hành: Theo tiến độ được giao của Luật An ninh mạng 2025.

III. TỔ CHỨC THỰC HIỆN

1. Các sở báo cáo hằng năm.
|
"""


def test_a_prose_plan_copied_from_a_web_page(d):
    # ttg-2623-du-lieu-ca-nhan, cut down, with the bundled directory's agencies.
    plan = parse_text(PROSE, d)
    assert [t.code for t in plan.tasks] == ["1", "2", "3", "3.1", "3.2"]
    tasks = {t.code: t for t in plan.tasks}
    assert tasks["1"].title == "Tổ chức tuyên truyền, phổ biến pháp luật"
    assert tasks["1"].lead == ["Sở Tư pháp", "Sở Y tế"]
    assert tasks["1"].kind == "fixed" and tasks["1"].warnings  # approximate, flagged
    # A field written with nothing after its colon takes the "+" lines: one deadline each.
    assert tasks["2"].due == [D("2025-12-12"), D("2025-12-30")]
    sub = tasks["3.1"]
    assert (sub.title, sub.lead, sub.due) == ("Nghị định quy định chi tiết", ["Sở Tư pháp"],
                                              [D("2025-12-31")])
    assert sub.support == ["Văn phòng UBND tỉnh", "các cơ quan có liên quan"]
    assert any("không đánh số" in w for w in sub.warnings)
    assert tasks["3.2"].kind == "reference" and tasks["3.2"].lead_agencies == ["cong-an-tinh"]
    assert not tasks["3"].leaf
    assert (plan.plan.number, plan.plan.issuer) == ("2623/QĐ-TTg", "Thủ tướng Chính phủ")


def test_a_prose_plan_in_word_with_groups_and_shared_fields(d, tmp_path):
    # luongminh-16-bau-cu: "1." items are groups, "1.1." the tasks; 3.1-3.3 share the fields
    # written after 3.3; "3.2" written twice.
    document = docx.Document()
    for line in ("ỦY BAN NHÂN DÂN", "TỈNH HẬU GIANG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Số: 7/KH-UBND", "Vị Thanh, ngày 18 tháng 11 năm 2025", "KẾ HOẠCH",
                 "Công tác bầu cử", "I. MỤC ĐÍCH", "- Triển khai đầy đủ.",
                 "II. NỘI DUNG, TIẾN ĐỘ", "1. Xây dựng văn bản",
                 "1.1. Ban hành hướng dẫn",
                 "- Bảo đảm thống nhất với cấp trên.",
                 "- Thời gian hoàn thành: Tháng 11/2025 (sau khi tỉnh ban hành Hướng dẫn).",
                 "- Đơn vị chủ trì: Sở Nội vụ",
                 "- Đơn vị phối hợp: Sở Tư pháp, Sở Y tế.",
                 "2. Theo dõi công tác bầu cử",
                 "2.1. Tham gia các đoàn kiểm tra.",
                 "2.2. Tổng hợp khó khăn.",
                 "2.2. Tiếp nhận thông tin.",
                 "2.3. Theo dõi, đôn đốc.",
                 "- Thời gian thực hiện: Từ tháng 12/2025 đến quý I/2026.",
                 "- Đơn vị chủ trì: Sở Nội vụ",
                 "III. TỔ CHỨC THỰC HIỆN", "1. Sở Nội vụ", "- Theo dõi, đôn đốc."):
        document.add_paragraph(line)
    path = tmp_path / "kh.docx"
    document.save(path)
    plan = read_plan(path, directory=d, calendar=calendar())
    assert [(t.group, t.code) for t in plan.tasks] == [
        ("Xây dựng văn bản", "1.1"), ("Theo dõi công tác bầu cử", "2.1"),
        ("Theo dõi công tác bầu cử", "2.2"), ("Theo dõi công tác bầu cử", "2.2 (2)"),
        ("Theo dõi công tác bầu cử", "2.3")]
    first = plan.tasks[0]
    assert first.due == [D("2025-11-28")] and first.support == ["Sở Tư pháp", "Sở Y tế"]
    assert any("điều kiện" in w for w in first.warnings)
    for t in plan.tasks[1:]:
        assert t.due == [D("2026-03-31")] and t.lead_agencies == ["so-noi-vu"], t.code
    assert any("dùng chung" in w for w in plan.tasks[1].warnings)
    assert any("lặp lại" in w for w in plan.tasks[3].warnings)
    assert (plan.plan.number, plan.plan.issuer) == ("7/KH-UBND", "UBND tỉnh Hậu Giang")


# --- Word and Excel ------------------------------------------------------------------------------
def _docx_table(rows: list[list[str]], merge_down: list[tuple[int, int]]) -> io.BytesIO:
    document = docx.Document()
    document.add_paragraph("Số: 5/KH-UBND")
    document.add_paragraph("Cần Thơ, ngày 05 tháng 01 năm 2026")
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Cải cách hành chính năm 2026")
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    for r, c in merge_down:  # the cell of row r merged with the one below
        top = table.cell(r, c)
        text = top.text
        top.merge(table.cell(r + 1, c)).text = text
    out = io.BytesIO()
    document.save(out)
    out.seek(0)
    return out


def test_docx_number_cell_merged_over_two_rows_is_one_task(d):
    rows = [["STT", "Nội dung", "Sản phẩm", "Cơ quan chủ trì", "Thời gian thực hiện"],
            ["1", "Kiểm soát thủ tục", "Kế hoạch", "Sở Tư pháp", "Quý I/2026"],
            ["1", "Kiểm soát thủ tục", "Báo cáo", "Sở Tư pháp", "Quý IV/2026"],
            ["2", "Công bố thủ tục", "Quyết định", "Sở Y tế", "Tháng 6/2026"]]
    doc = read_docx(_docx_table(rows, [(1, 0), (1, 1), (1, 3)]), "kh.docx")
    plan = plan_from_rows(doc, directory=d, calendar=calendar())
    assert [(t.group, t.code) for t in plan.tasks] == [("Nhiệm vụ", "1"), ("Nhiệm vụ", "2")]
    assert not any("Nhóm" in w and "không có tên" in w for w in plan.warnings)
    one = plan.tasks[0]
    assert [(x.due, x.label) for x in one.deadlines] == [(D("2026-03-31"), "Kế hoạch"),
                                                          (D("2026-12-31"), "Báo cáo")]
    assert any("nhiều dòng" in w for w in one.warnings)


def test_xlsx_sub_group_heading_keeps_the_tasks_timing(d, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Kế hoạch số 12/KH-UBND ngày 05/01/2026 thực hiện cải cách hành chính năm 2026"])
    ws.append(["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"])
    ws.append(["I", "CẢI CÁCH THỂ CHẾ"])
    ws.merge_cells(start_row=3, start_column=2, end_row=3, end_column=5)
    ws.append(["I.1", "Nhóm văn bản quy phạm"])
    ws.merge_cells(start_row=4, start_column=2, end_row=4, end_column=5)
    ws.append([1, "Rà soát văn bản", "Sở Tư pháp", "Sở Y tế", "Quý I/2026"])
    ws.append([2, "Xây dựng văn bản", "Sở Y tế", "", "Quý II/2026"])
    ws.append(["I.2", "Nhóm kiểm tra"])
    ws.merge_cells(start_row=7, start_column=2, end_row=7, end_column=5)
    ws.append([3, "Kiểm tra văn bản", "Sở Tư pháp", "", "Quý III/2026"])
    path = tmp_path / "kh.xlsx"
    wb.save(path)
    plan = plan_from_rows(read_xlsx(path, "kh.xlsx"), directory=d, calendar=calendar())
    assert [(t.group, t.code, t.due) for t in plan.tasks] == [
        ("CẢI CÁCH THỂ CHẾ", "1", [D("2026-03-31")]),
        ("CẢI CÁCH THỂ CHẾ", "2", [D("2026-06-30")]),
        ("CẢI CÁCH THỂ CHẾ", "3", [D("2026-09-30")])]
    assert [t.subgroup for t in plan.tasks] == ["I.1. Nhóm văn bản quy phạm"] * 2 + [
        "I.2. Nhóm kiểm tra"]
    assert plan.plan.number == "12/KH-UBND"


def test_the_five_web_texts_of_the_corpus_are_read(d):
    root = Path(__file__).parent / "data" / "real_plans"
    for name in ("hanoi-310-5g-iot", "nghean-980-phong-thu-dan-su", "ttg-2623-du-lieu-ca-nhan",
                 "ttg-2629-chinh-phu-so", "bvhttdl-6225-cuoi-nam-2025"):
        directory = Directory.load(root / name / "directory.yaml")
        plan = read_plan(root / name / f"{name}.txt", directory=directory, calendar=calendar())
        assert plan.tasks and plan.plan.number and plan.plan.date, name
