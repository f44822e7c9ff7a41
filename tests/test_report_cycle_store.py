"""What the engine stores of a plan's report cycle (engine/persist.py), on SQLite and PostgreSQL:
a plan that states no cycle owes no report; a yearly-only plan owes one report a year."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.intake.build import build_plan
from engine.intake.rows import RawDocument, RawRow
from engine.storage.models import ReportObligation, ReportPeriod
from engine.tracking.plan_store import store_plan
from tests.plan_factory import D, calendar, directory, runtime

HEAD = ("ỦY BAN NHÂN DÂN TỈNH HẬU GIANG\nSố: 12/KH-UBND\nVị Thanh, ngày 05 tháng 01 năm 2026\n"
        "KẾ HOẠCH\nCải cách hành chính năm 2026\n")


def parse(body: str):
    rows = [RawRow(cells={"title": "1. Rà soát", "group": "A", "lead": "Sở Tư pháp",
                          "timing": "Quý I/2026"})]
    return build_plan(RawDocument(body=body, rows=rows, source="kh.csv"),
                      directory=directory(), calendar=calendar())


def store(db_url: str, parsed):
    rt = runtime(db_url)
    with rt.session() as s:
        summary = store_plan(s, parsed, rt.directory, calendar=rt.calendar)
        s.commit()
        periods = [(p.name, p.cutoff_from, p.cutoff_to, p.deadline)
                   for p in s.scalars(select(ReportPeriod).order_by(ReportPeriod.position))]
        obligations = s.scalar(select(func.count()).select_from(ReportObligation))
    return summary, periods, obligations


def test_a_plan_stating_no_cycle_stores_no_report_obligations(db_url):
    # Issue #19: a one-row plan got 4 report periods and 128 obligations it never asked for.
    summary, periods, obligations = store(db_url, parse(HEAD))
    assert (summary.periods, summary.obligations, periods, obligations) == (0, 0, [], 0)


def test_a_yearly_only_plan_stores_one_report(db_url):
    parsed = parse(HEAD + "Căn cứ Nghị định số 09/2019/NĐ-CP của Chính phủ quy định về chế độ "
                   "báo cáo;\nĐịnh kỳ trước ngày 30 tháng 11 hằng năm, các cơ quan báo cáo kết "
                   "quả thực hiện về Sở Nội vụ.\n")
    summary, periods, obligations = store(db_url, parsed)
    # 30/11/2026 is a Monday: Friday 27/11/2026; the decree's year window 15/12/2025-14/12/2026.
    assert periods == [("Năm", D("2025-12-15"), D("2026-12-14"), D("2026-11-27"))]
    expected = len(directory().report_senders(D("2026-11-27")))
    assert expected > 0 and (summary.periods, obligations) == (1, expected)


def test_a_yearly_only_plan_without_windows_stores_its_report(db_url):
    # Issue #19: a yearly report with no window and no decree cited could not be stored
    # (IntegrityError on reportperiod.cutoff_from); its window stays null, never invented.
    parsed = parse(HEAD + "Định kỳ trước ngày 30 tháng 11 hằng năm, các cơ quan báo cáo kết quả "
                   "thực hiện về Sở Nội vụ.\n")
    assert [(p.name, p.from_, p.to) for p in parsed.report_cycle.periods] == [("Năm", None, None)]
    summary, periods, obligations = store(db_url, parsed)
    assert periods == [("Năm", None, None, D("2026-11-27"))]
    assert summary.periods == 1 and obligations == len(directory().report_senders(D("2026-11-27")))


def test_a_period_without_a_window_is_reported_at_its_deadline(db_url):
    # Issue #19 with the period reports (#16): a yearly report the plan dates itself and gives
    # no data cut-off window is counted at its deadline, and the files say no window.
    import datetime as dt
    import io

    import docx
    import openpyxl

    from engine.reports import docx as report_docx
    from engine.reports import xlsx as report_xlsx
    from engine.reports.period import build_report
    from tests.plan_factory import runtime

    parsed = parse(HEAD + "Định kỳ trước ngày 30 tháng 11 hằng năm, các cơ quan báo cáo kết quả "
                   "thực hiện về Sở Nội vụ.\n")
    store(db_url, parsed)
    rt = runtime(db_url)
    with rt.session() as s:
        report = build_report(s, period="Năm", directory=rt.directory, calendar=rt.calendar,
                              today=D("2026-12-01"))
    data = report.to_json()
    assert data["as_of"] == "2026-11-27" and data["cutoff"] == {"from": None, "to": None}
    assert data["report_deadline"] == "2026-11-27"
    out = io.BytesIO()
    report_xlsx.write(report, out, created=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    assert any("số liệu đến 27/11/2026" in str(c.value) for row in sheet.iter_rows()
               for c in row if c.value)
    out = io.BytesIO()
    report_docx.write(report, out)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(out.getvalue())).paragraphs)
    assert "số liệu đến ngày 27/11/2026" in text
