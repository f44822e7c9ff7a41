"""The Steering Committee's Monday digest names the latest period report and links to it."""

from __future__ import annotations

from core.payload import from_payload, to_payload
from engine.reports.latest import period_slug, report_path
from notifiers.email.build import render_parts
from tests.plan_factory import QUARTER_1, D, plan, task
from tests.test_dispatcher import setup, wake

BASE = "https://nhacviec.example.org"


def late_plan():  # noqa: ANN201 - a task late from 06/03/2025, Quý I cut off on 14/03
    return plan([task("Cải cách TTHC", "1.1", lead=["vp-ubnd"], dues=["2025-03-05"])],
                periods=[QUARTER_1])


def digest(messages):  # noqa: ANN001, ANN201
    (m,) = [m for m in messages if m.kind == "steering_digest"]
    return m


def test_period_slugs_and_paths():
    assert [period_slug(p) for p in ("Quý I", "6 tháng", "Quý III", "Năm")] == [
        "quy-i", "6-thang", "quy-iii", "nam"]
    assert report_path(3, "6 tháng") == "/bao-cao/3/6-thang.xlsx"


async def test_the_monday_after_the_cutoff_links_the_period_report(db_url):
    _, d = setup(db_url, late_plan(), today="2025-03-01",
                 report_link=lambda plan_id, period: BASE + report_path(plan_id, period))
    before = digest(await wake(d, "2025-03-10"))  # Monday; the cut-off is Friday 14/03
    assert before.period_report is None
    after = digest(await wake(d, "2025-03-17"))
    assert after.period_report == {
        "plan": "196/KH-UBND", "period": "Quý I", "cutoff_from": "2024-12-15",
        "cutoff_to": "2025-03-14", "deadline": "2025-03-18",
        "url": f"{BASE}/bao-cao/1/quy-i.xlsx"}
    assert from_payload(to_payload(after)).period_report == after.period_report
    parts = render_parts(after)
    assert ("Báo cáo kỳ gần nhất: Quý I (Kế hoạch số 196/KH-UBND, số liệu từ 15/12/2024 đến "
            f"14/03/2025, hạn báo cáo 18/03/2025): {BASE}/bao-cao/1/quy-i.xlsx.") in parts.text
    assert f'<a href="{BASE}/bao-cao/1/quy-i.xlsx">tải báo cáo (Excel)</a>' in parts.html
    assert "Báo cáo kỳ gần nhất" not in render_parts(before).text


async def test_without_a_web_desk_the_digest_names_the_period(sqlite_url):
    _, d = setup(sqlite_url, late_plan(), today="2025-03-01")
    m = digest(await wake(d, "2025-03-17"))
    assert m.period_report["url"] is None
    text = render_parts(m).text
    assert ("Báo cáo kỳ gần nhất: Quý I (Kế hoạch số 196/KH-UBND, số liệu từ 15/12/2024 đến "
            "14/03/2025, hạn báo cáo 18/03/2025), do Sở Nội vụ lập và gửi.") in text
    assert "<a " not in render_parts(m).html.split("Báo cáo kỳ gần nhất")[1].split("</p>")[0]
    assert D("2025-03-17").weekday() == 0
