"""A plan's year and span: from its title's "năm YYYY" or its date; "đến năm 2030" and "giai
đoạn 2026 - 2030" are horizons, over which periodic tasks recur (issue #19, point 4)."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.directory.agencies import Directory
from engine.intake.build import build_plan
from engine.intake.rows import RawDocument, RawRow
from rules import WorkingCalendar

CAL = WorkingCalendar.default()
DIR = Directory.bundled()
D = dt.date.fromisoformat


def build(title: str, *timings: str, date: str | None = "24 tháng 11 năm 2025", **kw):
    head = f"Hà Nội, ngày {date}\n" if date else ""
    body = f"ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI\nSố: 301/KH-UBND\n{head}KẾ HOẠCH\n{title}\n"
    rows = [RawRow(cells={"title": f"{i}. Việc {i}", "group": "A", "lead": "Sở Nội vụ",
                          "timing": t}) for i, t in enumerate(timings, 1)]
    return build_plan(RawDocument(body=body, rows=rows, source="t"), directory=DIR,
                      calendar=CAL, **kw)


def test_a_horizon_in_the_title_is_not_the_plans_year():
    # Before: "đến năm 2030" made 2030 the plan's year, and "Hàng năm" gave only 2030-12-18.
    plan = build("Phát triển hạ tầng giao thông Thành phố đến năm 2030", "Hàng năm",
                 "Quý I/2027", "Hằng quý")
    assert (plan.plan.year, plan.plan.horizon_to) == (2025, 2030)
    assert any("lấy năm 2025 theo ngày ban hành 24/11/2025" in w for w in plan.warnings)
    yearly, fixed, quarterly = plan.tasks
    # 18/12 of every year 2025-2030; 2027's is a Saturday (-> Monday 20/12).
    assert yearly.due == [D("2025-12-18"), D("2026-12-18"), D("2027-12-20"), D("2028-12-18"),
                          D("2029-12-18"), D("2030-12-18")]
    assert fixed.due == [D("2027-03-31")]  # a fixed date stands as written
    # Quarterly from the plan's date on: Q1-Q3 2025 were due before 24/11/2025.
    assert quarterly.due[:3] == [D("2025-12-18"), D("2026-03-18"), D("2026-06-18")]
    assert len(quarterly.due) == 21 and quarterly.due[-1] == D("2030-12-18")
    assert plan.to_json_dict()["plan"]["horizon_to"] == 2030


def test_a_span_in_the_title_gives_the_year_and_the_horizon():
    plan = build("Cải cách hành chính nhà nước giai đoạn 2026 - 2030", "Hằng năm",
                 date="15 tháng 01 năm 2026")
    assert (plan.plan.year, plan.plan.horizon_to) == (2026, 2030)
    assert plan.tasks[0].due[0] == D("2026-12-18") and len(plan.tasks[0].due) == 5
    both = build("Cải cách hành chính năm 2026 và giai đoạn 2026-2030", "Hằng năm",
                 date="15 tháng 01 năm 2026")
    assert (both.plan.year, both.plan.horizon_to) == (2026, 2030)


def test_a_plan_of_one_year_implementing_a_programme_of_several():
    for title in ("Thực hiện Chương trình tổng thể cải cách hành chính giai đoạn 2021 - 2030 "
                  "năm 2025", "Năm 2025 thực hiện Chiến lược chuyển đổi số đến năm 2030"):
        plan = build(title, "Hằng năm", date="23 tháng 12 năm 2024")
        assert (plan.plan.year, plan.plan.horizon_to) == (2025, None), title
        assert plan.tasks[0].due == [D("2025-12-18")]


def test_an_orientation_is_not_a_horizon():
    plan = build("Chuyển đổi số đến năm 2025, định hướng đến năm 2030", "Hằng năm",
                 date="10 tháng 03 năm 2022")
    assert (plan.plan.year, plan.plan.horizon_to) == (2022, 2025)
    assert plan.tasks[0].due == [D("2022-12-19"), D("2023-12-18"), D("2024-12-18"),
                                 D("2025-12-18")]


def test_a_title_without_a_year_takes_the_plans_date():
    # Before: refused ("hãy chỉ rõ bằng --year").
    plan = build("Triển khai nhiệm vụ trọng tâm cuối năm", "Quý IV", date="05 tháng 01 năm 2026")
    assert (plan.plan.year, plan.plan.horizon_to) == (2026, None)
    assert plan.tasks[0].due == [D("2026-12-31")]


def test_the_year_option_keeps_the_horizon():
    plan = build("Phát triển hạ tầng giao thông Thành phố đến năm 2030", "Hằng năm", year=2027)
    assert (plan.plan.year, plan.plan.horizon_to) == (2027, 2030)
    assert plan.tasks[0].due[0] == D("2027-12-20")
    one_year = build("Cải cách hành chính năm 2025", "Hằng năm", year=2026)
    assert (one_year.plan.year, one_year.plan.horizon_to) == (2026, None)
    assert one_year.tasks[0].due == [D("2026-12-18")]


@pytest.mark.parametrize(("title", "date", "span"), [
    # KH 138/KH-UBND ngày 01/08/2022, Bà Rịa - Vũng Tàu (thuvienphapluat.vn)
    ("THỰC HIỆN CHIẾN LƯỢC QUỐC GIA VỀ NGHIÊN CỨU, PHÁT TRIỂN VÀ ỨNG DỤNG TRÍ TUỆ NHÂN TẠO ĐẾN "
     "NĂM 2030 TRÊN ĐỊA BÀN TỈNH BÀ RỊA - VŨNG TÀU", "01 tháng 08 năm 2022", (2022, 2030)),
    # KH 186/KH-UBND ngày 29/12/2025, Bắc Ninh (nhansu.vn)
    ("PHÁT TRIỂN CHÍNH QUYỀN SỐ TỈNH BẮC NINH GIAI ĐOẠN 2026-2030", "29 tháng 12 năm 2025",
     (2026, 2030)),
    # KH 0155/KH-UBND ngày 24/12/2025, Đắk Lắk (nhansu.vn)
    ("CHUYỂN ĐỔI SỐ TỈNH ĐẮK LẮK NĂM 2026", "24 tháng 12 năm 2025", (2026, None)),
    # KH 154/KH-UBND ngày 12/8/2022, Tuyên Quang (thuviennhadat.vn)
    ("PHÁT ĐỘNG PHONG TRÀO THI ĐUA “CHUYỂN ĐỔI SỐ TỈNH TUYÊN QUANG ĐẾN NĂM 2025, ĐỊNH HƯỚNG "
     "ĐẾN NĂM 2030”", "12 tháng 8 năm 2022", (2022, 2025)),
])
def test_real_titles(title, date, span):
    plan = build(title, "Hằng năm", date=date)
    assert (plan.plan.year, plan.plan.horizon_to) == span
