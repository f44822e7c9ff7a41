"""The plan builder on hand-made rows: groups, hierarchy, inheritance, deadlines, metadata."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import InputError
from engine.directory.agencies import Directory
from engine.intake.build import build_plan
from engine.intake.rows import RawDocument, RawRow
from rules import WorkingCalendar

BODY = "KẾ HOẠCH\nThực hiện cải cách hành chính năm 2025\n"
CAL = WorkingCalendar.default()
DIR = Directory.bundled()


def row(title="", *, line=None, **cells) -> RawRow:
    return RawRow(cells={"title": title, **cells}, line=line)


def build(rows, body=BODY, **kw):
    return build_plan(RawDocument(body=body, rows=rows, source="t"), directory=DIR, calendar=CAL,
                      **kw)


def task(plan, group, code):
    return next(t for t in plan.tasks if (t.group, t.code) == (group, code))


def test_child_inherits_from_nearest_ancestor_with_a_value():
    plan = build([
        row("1. Cha", group="A", lead="Sở Tư pháp", support="Sở Y tế", product="Báo cáo",
            timing="Quý I/2025"),
        row("1.1. Con", timing="Quý II/2025"),
        row("1.1.1. Cháu", lead="Sở Nội vụ"),
    ])
    child, grandchild = task(plan, "A", "1.1"), task(plan, "A", "1.1.1")
    assert (child.lead, child.support, child.product) == (["Sở Tư pháp"], ["Sở Y tế"], "Báo cáo")
    assert child.timing == "Quý II/2025" and not child.leaf and child.parent == "1"
    assert grandchild.lead == ["Sở Nội vụ"] and grandchild.lead_agencies == ["so-noi-vu"]
    assert grandchild.timing == "Quý II/2025" and grandchild.due == [dt.date(2025, 6, 30)]
    assert grandchild.parent == "1.1" and grandchild.leaf


def test_restart_at_one_starts_a_group_and_misplaced_label_moves_forward():
    plan = build([
        row("1. Việc", group="Nhóm A", lead="Sở Nội vụ", timing="Quý I/2025", line=1),
        row("2. Việc", group="Nhóm B", lead="Sở Nội vụ", timing="Quý I/2025", line=2),
        row("3. Việc", lead="Sở Nội vụ", timing="Quý I/2025", line=3),
        row("1. Việc", lead="Sở Y tế", timing="Quý I/2025", line=4),
        row("1. Việc", group="Nhóm C", lead="Sở Y tế", timing="Quý I/2025", line=5),
    ])
    assert [(t.group, t.code) for t in plan.tasks] == [
        ("Nhóm A", "1"), ("Nhóm A", "2"), ("Nhóm A", "3"), ("Nhóm B", "1"), ("Nhóm C", "1")]
    assert any("Nhóm B" in w and "dòng 2" in w for w in plan.warnings)


def test_unlabelled_group_gets_a_placeholder_and_a_warning():
    plan = build([row("1. Việc", group="A", lead="Sở Nội vụ", timing="Quý I/2025"),
                  row("1. Việc", lead="Sở Nội vụ", timing="Quý I/2025", line=9)])
    assert [t.group for t in plan.tasks] == ["A", "Nhóm 2"]
    assert any("dòng 9" in w and "không có tên" in w for w in plan.warnings)


def test_group_rows_and_a_separate_number_column():
    plan = build([
        RawRow(cells={"group": "CẢI CÁCH THỂ CHẾ"}, is_group_row=True),
        RawRow(cells={"number": "1", "title": "Việc một", "lead": "Sở Tư pháp",
                      "timing": "Quý I/2025"}),
        RawRow(cells={"number": "1.1.", "title": "Việc con"}),
        RawRow(cells={"number": "II", "title": "CẢI CÁCH TTHC"}),
        RawRow(cells={"number": "1", "title": "Việc hai", "lead": "Văn phòng UBND tỉnh",
                      "timing": "Tháng 01/2025"}),
    ])
    assert [(t.group, t.code, t.title) for t in plan.tasks] == [
        ("CẢI CÁCH THỂ CHẾ", "1", "Việc một"), ("CẢI CÁCH THỂ CHẾ", "1.1", "Việc con"),
        ("CẢI CÁCH TTHC", "1", "Việc hai")]
    assert task(plan, "CẢI CÁCH THỂ CHẾ", "1.1").lead_agencies == ["so-tu-phap"]
    assert task(plan, "CẢI CÁCH TTHC", "1").due == [dt.date(2025, 1, 24)]


def test_row_without_number_joins_the_task_above_with_a_warning():
    plan = build([row("1. Việc", group="A", lead="Sở Nội vụ", timing="Quý I/2025"),
                  RawRow(cells={"title": "phần còn lại"}, line=7)])
    [t] = plan.tasks
    assert t.title == "Việc phần còn lại" and any("Dòng 7" in w for w in t.warnings)


def test_missing_parent_and_duplicate_code_are_warned():
    plan = build([row("1. Việc", group="A", lead="Sở Nội vụ", timing="Quý I/2025"),
                  row("1.2.1. Cháu không có cha 1.2"),
                  row("1.2.1. Lặp", lead="Sở Y tế", timing="Quý I/2025")])
    orphan = task(plan, "A", "1.2.1")
    assert orphan.parent == "1" and any("1.2" in w for w in orphan.warnings)
    again = plan.tasks[-1]
    assert again.title == "Lặp" and any("lặp lại" in w for w in again.warnings)


def test_dashed_products_pair_with_dashed_timings():
    plan = build([row("2. Tuyên truyền", group="A", lead="Sở Nội vụ",
                      product="- Kế hoạch - Báo cáo kết quả (lồng ghép với kết quả CCHC)",
                      timing="- Tháng 02/2025 - Tháng 12/2025")])
    [t] = plan.tasks
    assert [(d.due, d.label) for d in t.deadlines] == [
        (dt.date(2025, 2, 28), "Kế hoạch"),
        (dt.date(2025, 12, 31), "Báo cáo kết quả (lồng ghép với kết quả CCHC)")]
    assert t.due == [dt.date(2025, 2, 28), dt.date(2025, 12, 31)] and t.kind == "fixed"


def test_dashed_products_with_one_timing_keep_one_deadline():
    plan = build([row("2. Rà soát", group="A", lead="Sở Nội vụ",
                      product="- Báo cáo của UBND tỉnh - Quyết định",
                      timing="Trong quý III/2025")])
    [t] = plan.tasks
    assert [d.due for d in t.deadlines] == [dt.date(2025, 9, 30)]


def test_dashed_lists_of_different_lengths_are_warned():
    plan = build([row("2. Việc", group="A", lead="Sở Nội vụ", product="- A - B - C",
                      timing="- Tháng 02/2025 - Tháng 12/2025")])
    [t] = plan.tasks
    assert t.due == [dt.date(2025, 2, 28), dt.date(2025, 12, 31)]
    assert any("3 sản phẩm" in w and "2 mốc" in w for w in t.warnings)


def test_targets():
    plan = build([row("1. Hồ sơ xử lý trên môi trường mạng theo tỷ lệ tối thiểu: - Cấp tỉnh: đạt "
                      "90% - Cấp huyện: đạt 80% - Cấp xã: đạt 60,5%", group="A",
                      lead="Sở Nội vụ", timing="Hàng quý")])
    [t] = plan.tasks
    assert [(x.scope, x.value, x.unit) for x in t.targets] == [
        ("Cấp tỉnh", 90, "%"), ("Cấp huyện", 80, "%"), ("Cấp xã", 60.5, "%")]
    assert t.targets[0].text == "Cấp tỉnh: đạt 90%"
    plain = build([row("1. Đảm bảo 100% văn bản", group="A", lead="Sở Nội vụ",
                       timing="Quý I/2025")])
    assert plain.tasks[0].targets == []


def test_warnings_quote_unknown_timing_and_unresolved_agencies():
    plan = build([row("1. Việc", group="A", lead="Hội Nông dân tỉnh; Sở Y tế",
                      timing="Xem ghi chú")])
    [t] = plan.tasks
    assert t.kind == "unknown" and t.due == []
    assert any("«Xem ghi chú»" in w for w in t.warnings)
    assert any("«Hội Nông dân tỉnh»" in w for w in t.warnings)
    assert t.lead == ["Hội Nông dân tỉnh", "Sở Y tế"] and t.lead_agencies == ["so-y-te"]


def test_empty_lead_is_left_empty_and_warned():
    plan = build([row("1. Việc", group="A", timing="Quý I/2025")])
    [t] = plan.tasks
    assert t.lead == [] and t.lead_agencies == []
    assert any("chủ trì" in w for w in t.warnings)


REPORT = ("KẾ HOẠCH\nThực hiện cải cách hành chính năm 2026\n"
          "Báo cáo định kỳ quý, 6 tháng và năm.\n"
          "Thời hạn gửi báo cáo chậm nhất vào ngày {day} của tháng cuối quý; nhập số liệu tại "
          "https://example.org/baocao.\n")


def test_report_day_stated_by_the_plan_is_used():
    plan = build([row("1. Báo cáo", group="A", lead="Sở Nội vụ", timing="Hàng quý")],
                 body=REPORT.format(day=20))
    rc = plan.report_cycle
    assert rc.day == 20 and rc.stated and rc.data_entry_url == "https://example.org/baocao"
    # 2026-06-20 is a Saturday, 2026-09-20 a Sunday: moved to the next working day.
    assert [p.deadline for p in rc.periods] == [
        dt.date(2026, 3, 20), dt.date(2026, 6, 22), dt.date(2026, 9, 21), dt.date(2026, 12, 21)]
    assert [p.name for p in rc.periods] == ["Quý I", "6 tháng", "Quý III", "Năm"]
    assert plan.tasks[0].due == [p.deadline for p in rc.periods]


def test_a_plan_stating_no_cycle_gets_no_report_periods_and_one_warning():
    # Issue #19: never another plan's cycle. Periodic tasks still fall on the default day
    # (contract section 1: the 18th unless the plan states another).
    rows = [row("1. Báo cáo", group="A", lead="Sở Nội vụ", timing="Hàng quý")]
    plan = build(rows)
    rc = plan.report_cycle
    assert rc.periods == [] and not rc.stated and rc.frequencies == [] and rc.windows is None
    assert [w for w in plan.warnings if "báo cáo" in w] == [
        "Kế hoạch không nêu chế độ báo cáo định kỳ (kỳ báo cáo, hạn gửi): không lập kỳ báo cáo "
        "nào; nhiệm vụ định kỳ (nếu có) lấy hạn ngày 18 của tháng cuối kỳ theo mặc định."]
    assert rc.day == 18 and plan.tasks[0].due[0] == dt.date(2025, 3, 18)
    plan = build(rows, default_report_day=15)
    assert plan.report_cycle.day == 15 and plan.tasks[0].due[0] == dt.date(2025, 3, 17)


def test_letterhead_metadata_and_cited_plans_are_not_taken():
    body = ("ỦY BAN NHÂN DÂN TỈNH HẬU GIANG\nSố: 12/KH-UBND\nVị Thanh, ngày 5 tháng 1 năm 2026\n"
            "KẾ HOẠCH\nCải cách hành chính tỉnh Hậu Giang\nnăm 2026\n"
            "Căn cứ Kế hoạch số 163/KH-UBND ngày 24/11/2021 của UBND tỉnh.\n")
    plan = build([row("1. Việc", group="A", lead="Sở Nội vụ", timing="Quý I")], body=body)
    info = plan.plan
    assert (info.number, info.date, info.issuer, info.year) == (
        "12/KH-UBND", dt.date(2026, 1, 5), "UBND tỉnh Hậu Giang", 2026)
    assert info.title == "Cải cách hành chính tỉnh Hậu Giang năm 2026"
    assert plan.tasks[0].due == [dt.date(2026, 3, 31)]


def test_year_argument_overrides_with_a_warning_and_missing_year_is_an_error():
    rows = [row("1. Việc", group="A", lead="Sở Nội vụ", timing="Quý I")]
    plan = build(rows, year=2026)
    assert plan.plan.year == 2026 and plan.tasks[0].due == [dt.date(2026, 3, 31)]
    assert any("2025" in w and "2026" in w for w in plan.warnings)
    # No year in the title and no date to take it from: refused, the message names --year.
    with pytest.raises(InputError, match="--year"):
        build(rows, body="KẾ HOẠCH\nCải cách hành chính\n")
    assert build(rows, body="KẾ HOẠCH\nCải cách hành chính\n", year=2027).plan.year == 2027


def test_report_day_written_as_before_a_day():
    # "trước ngày 15": the last working day before the 15th (15/03/2026 is a Sunday: Friday
    # 13/03, not the next working day after the 14th, which would be Monday 16/03, too late).
    body = REPORT.format(day=15).replace("chậm nhất vào ngày", "trước ngày")
    plan = build([row("1. Báo cáo", group="A", lead="Sở Nội vụ", timing="Hàng quý")], body=body)
    rc = plan.report_cycle
    assert (rc.day, rc.before, rc.stated) == (15, True, True)
    assert [p.deadline for p in rc.periods] == [
        dt.date(2026, 3, 13), dt.date(2026, 6, 12), dt.date(2026, 9, 14), dt.date(2026, 12, 14)]
    assert plan.tasks[0].due == [p.deadline for p in rc.periods]


def test_word_letterhead_over_two_lines_beside_the_motto():
    body = ("ỦY BAN NHÂN DÂN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "TỈNH SÓC TRĂNG\tĐộc lập - Tự do - Hạnh phúc\n"
            "Số: 196/KH-UBND\tSóc Trăng, ngày 23 tháng 12 năm 2024\n"
            "KẾ HOẠCH\nThực hiện cải cách hành chính năm 2025\n")
    info = build([row("1. Việc", group="A", lead="Sở Nội vụ", timing="Quý I")], body=body).plan
    assert (info.number, info.date, info.issuer) == (
        "196/KH-UBND", dt.date(2024, 12, 23), "UBND tỉnh Sóc Trăng")


def test_two_groups_with_the_same_label_are_told_apart():
    plan = build([row("1. Việc", group="A", lead="Sở Nội vụ", timing="Quý I"),
                  row("1. Việc", group="A", lead="Sở Y tế", timing="Quý I", line=5)])
    assert [t.group for t in plan.tasks] == ["A", "A (2)"]
    assert any("Hai nhóm cùng tên «A»" in w for w in plan.warnings)
