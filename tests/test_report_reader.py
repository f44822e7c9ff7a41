"""The report cycle as a plan states it (rules/report_reader.py), through the plan builder.

Every expected date is worked out by hand from the civil-service calendar
(shared/data/vn-civil-service-days-off.md): "chậm nhất ngày D" is D or the next working day;
"trước ngày D" is the last working day before D.
"""

from __future__ import annotations

import datetime as dt

from engine.directory.agencies import Directory
from engine.intake.build import build_plan
from engine.intake.rows import RawDocument, RawRow
from rules import WorkingCalendar
from rules.report_periods import decree_window, periods_of
from rules.report_reader import read_report_cycle

CAL = WorkingCalendar.default()
DIR = Directory.bundled()
D = dt.date.fromisoformat
HEAD = ("ỦY BAN NHÂN DÂN TỈNH HẬU GIANG\nSố: 12/KH-UBND\nVị Thanh, ngày {date}\nKẾ HOẠCH\n"
        "{title}\n")


def build(body: str, timing: str = "Thường xuyên", **kw):
    rows = [RawRow(cells={"title": "1. Việc", "group": "A", "lead": "Sở Nội vụ",
                          "timing": timing})]
    return build_plan(RawDocument(body=body, rows=rows, source="t"), directory=DIR,
                      calendar=CAL, **kw)


def plan_2026(sentences: str, *, date: str = "05 tháng 01 năm 2026",
              title: str = "Cải cách hành chính năm 2026", **kw):
    return build(HEAD.format(date=date, title=title) + sentences, **kw)


def periods(plan) -> list[tuple]:
    return [(p.name, p.from_, p.to, p.deadline) for p in plan.report_cycle.periods]


def test_the_seeds_cycle_who_and_what():
    # The seed's section IV (shared/seed/000_d4f10401d282f57e.txt), read from its sentences.
    body = ("KẾ HOẠCH\nThực hiện cải cách hành chính năm 2025\n"
            "Báo cáo định kỳ quý, 6 tháng và năm về kết quả thực hiện công tác CCHC về UBND tỉnh "
            "(qua Sở Nội vụ) để theo dõi, tổng hợp và báo cáo Bộ Nội vụ.\n"
            "Thời hạn báo cáo chậm nhất vào ngày 18 của tháng cuối kỳ báo cáo, đồng thời nhập dữ "
            "liệu tại: <https://ktxh.socstrang.gov.vn>, thời điểm chốt số liệu như sau:\n"
            "- Báo cáo Quý I: Từ ngày 15/12/2024 đến ngày 14/3/2025;\n"
            "- Báo cáo 6 tháng: Từ ngày 15/12/2024 đến ngày 14/6/2025;\n"
            "- Báo cáo Quý III: Từ ngày 15/6/2025 đến ngày 14/9/2025;\n"
            "- Báo cáo năm: Từ ngày 15/12/2024 đến ngày 14/12/2025.\n"
            "Thường xuyên theo dõi; định kỳ hàng quý, báo cáo, đề xuất UBND tỉnh chỉ đạo.\n")
    rc = build(body).report_cycle
    assert rc.frequencies == ["quarter", "half", "year"]
    assert rc.report_to == "UBND tỉnh (qua Sở Nội vụ)"
    assert (rc.day, rc.before, rc.stated, rc.windows) == (18, False, True, "plan")
    assert rc.data_entry_url == "https://ktxh.socstrang.gov.vn"
    assert [(p.name, p.from_, p.to, p.deadline) for p in rc.periods] == [
        ("Quý I", D("2024-12-15"), D("2025-03-14"), D("2025-03-18")),
        ("6 tháng", D("2024-12-15"), D("2025-06-14"), D("2025-06-18")),
        ("Quý III", D("2025-06-15"), D("2025-09-14"), D("2025-09-18")),
        ("Năm", D("2024-12-15"), D("2025-12-14"), D("2025-12-18"))]
    assert rc.text[0].startswith("Báo cáo định kỳ quý, 6 tháng và năm")


def test_before_the_20th_of_the_quarters_last_month_no_windows():
    plan = plan_2026("Các sở, ngành báo cáo kết quả thực hiện định kỳ hằng quý về Sở Nội vụ "
                     "trước ngày 20 của tháng cuối quý để tổng hợp.\n")
    rc = plan.report_cycle
    assert (rc.frequencies, rc.report_to, rc.windows) == (["quarter"], "Sở Nội vụ", None)
    # 20/03/2026 Friday -> Thu 19/03; 20/06 Saturday -> Fri 19/06; 20/09 Sunday -> Fri 18/09;
    # 20/12 Sunday -> Fri 18/12. No window: the plan gives none and cites no regime.
    assert periods(plan) == [("Quý I", None, None, D("2026-03-19")),
                             ("Quý II", None, None, D("2026-06-19")),
                             ("Quý III", None, None, D("2026-09-18")),
                             ("Quý IV", None, None, D("2026-12-18"))]


def test_day_18_with_the_decree_cited_gives_the_decrees_windows():
    plan = plan_2026("Căn cứ Nghị định số 09/2019/NĐ-CP ngày 24/01/2019 của Chính phủ quy định "
                     "về chế độ báo cáo của cơ quan hành chính nhà nước;\n"
                     "Báo cáo định kỳ 6 tháng và năm gửi UBND tỉnh, chậm nhất vào ngày 18 của "
                     "tháng cuối kỳ báo cáo.\n")
    rc = plan.report_cycle
    assert rc.windows == "decree" and rc.report_to == "UBND tỉnh"
    # 18/06/2026 Thursday, 18/12/2026 Friday; windows 15/12/2025-14/6/2026, 15/12/2025-14/12.
    assert periods(plan) == [("6 tháng", D("2025-12-15"), D("2026-06-14"), D("2026-06-18")),
                             ("Năm", D("2025-12-15"), D("2026-12-14"), D("2026-12-18"))]


def test_yearly_only_before_30_november():
    plan = plan_2026("Định kỳ trước ngày 30 tháng 11 hằng năm, các cơ quan báo cáo kết quả "
                     "thực hiện về Sở Khoa học và Công nghệ.\n")
    rc = plan.report_cycle
    assert rc.frequencies == ["year"] and rc.stated
    assert rc.report_to == "Sở Khoa học và Công nghệ"
    # 30/11/2026 is a Monday: the last working day before it is Friday 27/11/2026.
    assert periods(plan) == [("Năm", None, None, D("2026-11-27"))]
    # Periodic tasks keep the contract's day: nothing in the plan moves it.
    assert rc.day == 18 and not rc.before


def test_yearly_before_20_11_and_in_january_of_the_next_year():
    assert periods(plan_2026("Báo cáo kết quả thực hiện Kế hoạch về Sở Nội vụ trước ngày "
                             "20/11.\n")) == [("Năm", None, None, D("2026-11-19"))]
    # 30/01/2027 is a Saturday: Friday 29/01/2027.
    assert periods(plan_2026("Báo cáo kết quả thực hiện năm gửi Bộ Nội vụ trước ngày 30 tháng "
                             "01 của năm tiếp theo.\n")) == [("Năm", None, None, D("2027-01-29"))]


def test_quarterly_with_no_day_is_flagged_not_defaulted_to_18():
    plan = plan_2026("Các đơn vị định kỳ hằng quý báo cáo tình hình thực hiện về Sở Nội vụ.\n")
    rc = plan.report_cycle
    assert rc.frequencies == ["quarter"] and rc.periods == [] and not rc.stated
    flagged = [w for w in plan.warnings if "không nêu hạn gửi" in w]
    assert flagged == ["Kế hoạch yêu cầu báo cáo định kỳ (Quý I, Quý II, Quý III, Quý IV) nhưng "
                       "không nêu hạn gửi: chưa lập các kỳ báo cáo này; cần người đặt hạn "
                       "(report_cycle trong tệp rà soát)."]
    assert not any("không nêu chế độ báo cáo" in w for w in plan.warnings)


def test_monthly_before_the_25th():
    plan = plan_2026("Hằng tháng, trước ngày 25, các đơn vị gửi báo cáo về Văn phòng UBND "
                     "tỉnh.\n")
    got = periods(plan)
    assert [g[0] for g in got] == [f"Tháng {m:02d}" for m in range(1, 13)]
    assert [g[3] for g in got][:5] == [D("2026-01-23"), D("2026-02-24"), D("2026-03-24"),
                                      D("2026-04-24"), D("2026-05-22")]
    assert got[10][3] == D("2026-11-23")  # 24/11/2026 is Ngày Văn hóa Việt Nam


def test_a_deadline_for_each_period_as_the_plan_writes_it():
    plan = plan_2026("Báo cáo định kỳ 6 tháng và năm: báo cáo 6 tháng gửi trước ngày 15/6; "
                     "báo cáo năm gửi trước ngày 15/12.\n")
    # 15/06/2026 Monday -> Friday 12/06; 15/12/2026 Tuesday -> Monday 14/12.
    assert periods(plan) == [("6 tháng", None, None, D("2026-06-12")),
                             ("Năm", None, None, D("2026-12-14"))]


def test_windows_in_words_are_the_plans_own():
    plan = plan_2026("Báo cáo định kỳ quý chậm nhất ngày 20 của tháng cuối quý; thời gian lấy "
                     "số liệu tính từ ngày 15 tháng trước kỳ báo cáo đến ngày 14 của tháng cuối "
                     "kỳ báo cáo.\n")
    rc = plan.report_cycle
    assert rc.windows == "plan"
    assert periods(plan)[0] == ("Quý I", D("2025-12-15"), D("2026-03-14"), D("2026-03-20"))
    assert periods(plan)[2] == ("Quý III", D("2026-06-15"), D("2026-09-14"), D("2026-09-21"))


def test_no_report_deadline_before_the_plans_date():
    # Issue #19: a plan dated 24/11/2025 got report deadlines before its own date.
    plan = build(HEAD.format(date="24 tháng 11 năm 2025", title="Thực hiện nhiệm vụ năm 2025")
                 + "Báo cáo định kỳ hằng quý chậm nhất vào ngày 18 của tháng cuối quý.\n")
    assert periods(plan) == [("Quý IV", None, None, D("2025-12-18"))]
    assert ("Bỏ 3 kỳ báo cáo có hạn trước ngày ban hành kế hoạch (24/11/2025): Quý I, Quý II, "
            "Quý III.") in plan.warnings


def test_a_plan_of_several_years_reports_in_every_year_of_its_span():
    plan = build(HEAD.format(date="15 tháng 01 năm 2026",
                             title="Phát triển hạ tầng số giai đoạn 2026 - 2030")
                 + "Định kỳ trước ngày 20/11 hằng năm, các sở báo cáo về Sở Tài chính.\n")
    assert (plan.plan.year, plan.plan.horizon_to) == (2026, 2030)
    # 20/11: 2026 Fri -> Thu 19/11; 2027 Sat -> Fri 19/11; 2028 Mon -> Fri 17/11;
    # 2029 Tue -> Mon 19/11; 2030 Wed -> Tue 19/11.
    assert periods(plan) == [("Năm/2026", None, None, D("2026-11-19")),
                             ("Năm/2027", None, None, D("2027-11-19")),
                             ("Năm/2028", None, None, D("2028-11-17")),
                             ("Năm/2029", None, None, D("2029-11-19")),
                             ("Năm/2030", None, None, D("2030-11-19"))]


def test_reporting_words_that_state_no_cycle_get_none():
    plan = plan_2026("Báo cáo tiến độ, kết quả thực hiện về Sở Nội vụ theo định kỳ và đột "
                     "xuất.\n")
    assert plan.report_cycle.periods == [] and plan.report_cycle.frequencies == []
    assert sum("không nêu chế độ báo cáo định kỳ" in w for w in plan.warnings) == 1


def test_periods_of_frequencies_and_the_decrees_windows():
    names = [p.name for p in periods_of(["quarter", "half", "year"])]
    assert names == ["Quý I", "6 tháng", "Quý III", "Năm"]
    assert [p.name for p in periods_of(["quarter", "year"])] == ["Quý I", "Quý II", "Quý III",
                                                                  "Năm"]
    assert [p.name for p in periods_of(["half", "year"])] == ["6 tháng", "Năm"]
    # Điều 12 NĐ 09/2019: quarter from the 15th of the month before; half 15/12-14/6; year
    # 15/12-14/12.
    assert decree_window(7, 9, 2026) == (D("2026-06-15"), D("2026-09-14"))
    assert decree_window(1, 6, 2026) == (D("2025-12-15"), D("2026-06-14"))
    assert decree_window(1, 12, 2026) == (D("2025-12-15"), D("2026-12-14"))


def test_reader_is_pure_text_in_text_out():
    cycle = read_report_cycle("Định kỳ hằng năm, trước ngày 15/12, báo cáo UBND tỉnh.\n")
    assert cycle.frequencies == ["year"] and cycle.deadlines["year"].describe() == (
        "trước ngày 15/12 hằng năm")
    assert read_report_cycle("").stated is False
