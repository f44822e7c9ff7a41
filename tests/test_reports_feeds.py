"""A merged agency's history in one row, an empty period, the plan year's edges, and the
agencies' calendar feeds (parsed back with `icalendar`, checked against RFC 5545's line rules).

The hand-built plan (dates by hand on the 2025 calendar): Sở Thông tin và Truyền thông (so-tttt)
merged into Sở Khoa học và Công nghệ (so-khcn) on 01/03/2025 (config/agencies.yaml).

    1  lead so-tttt  due 24/01  done 20/01 by so-tttt ("05/BC-STTTT")  -> done on time
    2  lead so-tttt  due 31/03  (held by so-khcn: the merger came first) -> open on 31/03
    3  lead so-khcn  due 28/02  never done                              -> late
    4  lead so-tttt  due 14/02  never done (so-tttt's own, before the merger) -> late

At 31/03 so-khcn's one row: on time 1, late 2 (3 and 4), open 1 (2); due 4, rated 3: completion
1/3 = 0.3333, on time 0.3333; no row for so-tttt.
"""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import docx
import openpyxl
from icalendar import Calendar
from sqlalchemy import select

from engine.planning.planner import plan_plan
from engine.reports import docx as report_docx
from engine.reports import ical
from engine.reports import xlsx as report_xlsx
from engine.reports.period import build_report
from engine.storage.models import Deadline, ReportObligation
from engine.tracking.lookup import find_task
from engine.tracking.plan_store import store_plan
from engine.tracking.records import complete_task
from tests.plan_factory import QUARTER_1, D, plan, runtime, task
from tests.test_plan_cli import nhacviec

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def merged(url: str):  # noqa: ANN201
    rt = runtime(url)
    parsed = plan([
        task("Cải cách TTHC", "1", lead=["so-tttt"], dues=["2025-01-24"],
             title="Ban hành Kế hoạch số hóa"),
        task("Cải cách TTHC", "2", lead=["so-tttt"], dues=[("2025-03-31", "Báo cáo")],
             title="Hoàn thiện cấu hình hệ thống thông tin giải quyết thủ tục hành chính "
                   "của tỉnh theo danh mục số hóa đã được phê duyệt từ năm 2024 trở về trước"),
        task("Cải cách TTHC", "3", lead=["so-khcn"], dues=["2025-02-28"]),
        task("Cải cách TTHC", "4", lead=["so-tttt"], dues=["2025-02-14"]),
    ], periods=[QUARTER_1])
    with rt.session() as s:
        summary = store_plan(s, parsed, rt.directory, calendar=rt.calendar)
        plan_plan(s, summary.plan_id, rt.planner, D("2025-01-01"))
        complete_task(s, find_task(s, "TTHC/1"), "so-tttt", rt.planner, on=D("2025-01-20"),
                      today=D("2025-01-20"), document_no="05/BC-STTTT")
        s.commit()
    return rt


def report(rt, **kw):  # noqa: ANN001, ANN201
    with rt.session() as s:
        return build_report(s, period="Quý I", directory=rt.directory, calendar=rt.calendar,
                            **kw)


def test_a_successor_shows_its_predecessors_history_in_one_row(db_url):
    j = report(merged(db_url), today=D("2025-04-01"), as_of=D("2025-03-31")).to_json()
    ids = [a["id"] for a in j["agencies"]]
    assert "so-tttt" not in ids and ids.count("so-khcn") == 1
    khcn = next(a for a in j["agencies"] if a["id"] == "so-khcn")
    assert (khcn["done_on_time"], khcn["done_late"], khcn["late_open"], khcn["open_in_time"],
            khcn["due"]) == (1, 0, 2, 1, 4)
    assert (khcn["completion_rate"], khcn["on_time_rate"], khcn["rank"]) == (0.3333, 0.3333, 1)
    assert khcn["predecessors"] == ["so-tttt"]
    rows = {t["code"]: t for t in j["tasks"]}
    assert (rows["1"]["agency"], rows["1"]["predecessor"], rows["1"]["doc_number"]) == (
        "so-khcn", "so-tttt", "05/BC-STTTT")
    assert (rows["4"]["agency"], rows["4"]["predecessor"], rows["4"]["status"]) == (
        "so-khcn", "so-tttt", "late_open")
    assert "predecessor" not in rows["2"] and "predecessor" not in rows["3"]
    # Before the merger so-tttt still stands on its own.
    early = report(runtime(db_url), today=D("2025-02-20"), as_of=D("2025-02-20"))
    assert "so-tttt" in {a.id for a in early.agencies}
    assert not early.agencies[0].predecessors


def test_an_empty_period(sqlite_url):
    """Nothing due by the cut-off (14/03): the one deadline is 30/09; one more is due 31/12/2024,
    before the plan's year, and is not the period's either. Every agency owing the report is
    listed, none ranked; the completion criterion does not apply (max 1 point: the report)."""
    rt = runtime(sqlite_url)
    with rt.session() as s:
        store_plan(s, plan([task("Cải cách TTHC", "1", lead=["vp-ubnd"], dues=["2025-09-30"]),
                            task("Cải cách TTHC", "0", lead=["vp-ubnd"], dues=["2024-12-31"])],
                           periods=[QUARTER_1]), rt.directory, calendar=rt.calendar)
        s.commit()
    r = report(rt, today=D("2025-03-14"))
    j = r.to_json()
    assert j["tasks"] == [] and j["totals"] == dict.fromkeys(
        ("done_on_time", "done_late", "late_open", "open_in_time"), 0)
    assert len(j["agencies"]) == 32 and {a["rank"] for a in j["agencies"]} == {None}
    assert {a["report_status"] for a in j["agencies"]} == {"open_in_time"}  # due 18/03
    par = j["par_index"]
    assert (par["points"], par["max_points"]) == (0.0, 1.0)
    assert [r["applicable"] for r in par["rules"]] == [False, True]
    assert par["steps"][0]["reports"][:1] == [{"period": "Quý I", "due": "2025-03-18"}]
    out = io.BytesIO()
    report_xlsx.write(r, out)
    wb = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert [c.value for c in wb["Quá hạn chưa hoàn thành"]["A"]] == ["Cơ quan", "Không có."]
    assert wb["Tổng hợp"].max_row == 4 + 32
    out = io.BytesIO()
    report_docx.write(r, out)
    text = [p.text for p in docx.Document(io.BytesIO(out.getvalue())).paragraphs]
    assert "Trong kỳ không có nhiệm vụ nào đến hạn theo Kế hoạch." in text


# --- calendar feeds ---------------------------------------------------------------------------
def feed(rt, agency: str, now: dt.datetime, page: str | None = None) -> bytes:  # noqa: ANN001
    with rt.session() as s:
        return ical.agency_feed(s, agency, directory=rt.directory, calendar=rt.calendar,
                                policy=rt.policy, now=now, page_url=page)


def events(data: bytes) -> dict[str, object]:
    return {str(e["UID"]): e for e in Calendar.from_ical(data).walk("VEVENT")}


def test_feed_events_alarms_and_page(sqlite_url):
    rt = merged(sqlite_url)
    page = "https://nhacviec.example.org/co-quan/so-khcn.abc"
    data = feed(rt, "so-khcn", dt.datetime(2025, 3, 20, 9, 0, tzinfo=HCM), page)
    got = events(data)
    with rt.session() as s:
        ids = {t.code: t.id for t in (find_task(s, f"TTHC/{c}") for c in "234")}
        dl = dict(s.execute(select(Deadline.task_id, Deadline.id)).all())
        oblig = s.scalar(select(ReportObligation.id).where(
            ReportObligation.agency_id == "so-khcn"))
    # Open: 2 (so-khcn, 31/03), 3 (so-khcn, 28/02), 4 (so-tttt's, 14/02, followed to so-khcn),
    # and the Quý I report (18/03). Task 1 is done: no event.
    assert set(got) == {f"nhacviec-deadline-{dl[ids['2']]}-so-khcn@nhacviec",
                        f"nhacviec-deadline-{dl[ids['3']]}-so-khcn@nhacviec",
                        f"nhacviec-deadline-{dl[ids['4']]}-so-tttt@nhacviec",
                        f"nhacviec-report-{oblig}@nhacviec"}
    two = got[f"nhacviec-deadline-{dl[ids['2']]}-so-khcn@nhacviec"]
    assert two["DTSTART"].dt == dt.date(2025, 3, 31) and two["DTEND"].dt == dt.date(2025, 4, 1)
    assert str(two["SUMMARY"]).startswith("Hoàn thiện cấu hình hệ thống thông tin")
    assert str(two["SUMMARY"]).endswith("… (Cải cách TTHC 2)")
    description = str(two["DESCRIPTION"])
    assert "danh mục số hóa đã được phê duyệt từ năm 2024 trở về trước" in description
    assert "Sản phẩm: Báo cáo" in description and f"Trang của cơ quan: {page}" in description
    assert str(two["URL"]) == page
    # The first reminder: 5 working days before 31/03 is 24/03, at 08:00 in Hồ Chí Minh City.
    (alarm,) = two.walk("VALARM")
    assert alarm["TRIGGER"].dt == dt.datetime(2025, 3, 24, 1, 0, tzinfo=dt.UTC)
    assert str(alarm["ACTION"]) == "DISPLAY"
    rep = got[f"nhacviec-report-{oblig}@nhacviec"]
    assert rep["DTSTART"].dt == dt.date(2025, 3, 18)
    assert str(rep["SUMMARY"]) == "Hạn gửi báo cáo CCHC Quý I"
    (alarm,) = rep.walk("VALARM")
    assert alarm["TRIGGER"].dt == dt.datetime(2025, 3, 11, 1, 0, tzinfo=dt.UTC)
    assert "đã quá hạn" in str(got[f"nhacviec-deadline-{dl[ids['3']]}-so-khcn@nhacviec"][
        "DESCRIPTION"])


def test_feed_uids_stable_and_rfc5545_lines(sqlite_url):
    rt = merged(sqlite_url)
    first = feed(rt, "so-khcn", dt.datetime(2025, 3, 20, 9, 0, tzinfo=HCM))
    again = feed(rt, "so-khcn", dt.datetime(2025, 3, 27, 15, 30, tzinfo=HCM))
    assert list(events(first)) == list(events(again))
    strip = [line for line in first.split(b"\r\n") if not line.startswith(b"DTSTAMP")]
    assert strip == [line for line in again.split(b"\r\n") if not line.startswith(b"DTSTAMP")]
    # RFC 5545, 3.1: lines end with CRLF, at most 75 octets each, a fold starts with a space;
    # folding never splits a UTF-8 character.
    assert first.endswith(b"\r\n") and b"\n" not in first.replace(b"\r\n", b"")
    lines = first.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the long summary was folded
    for line in lines:
        line.decode("utf-8")
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-1] == b"END:VCALENDAR"
    assert b"VERSION:2.0" in lines and any(x.startswith(b"PRODID:") for x in lines)


def test_cli_agency_ical(sqlite_url, tmp_path):
    merged(sqlite_url)
    got = nhacviec("agency", "ical", "Sở Khoa học và Công nghệ", cwd=tmp_path,
                   NHACVIEC_DATABASE_URL=sqlite_url)
    assert got.returncode == 0, got.stderr
    cal = Calendar.from_ical(got.stdout)
    assert len(cal.walk("VEVENT")) == 4
    assert str(cal["X-WR-CALNAME"]) == "Nhắc việc CCHC - Sở Khoa học và Công nghệ"
    bad = nhacviec("agency", "ical", "Sở Không Có", cwd=tmp_path,
                   NHACVIEC_DATABASE_URL=sqlite_url)
    assert bad.returncode == 2 and bad.stderr.startswith("Lỗi: không có cơ quan")
    assert bad.stdout == ""
