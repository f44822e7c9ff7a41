"""Period reports of the seed plan (196/KH-UBND, 2025) walked through Q1 2025
(`tests/reports_seed.py`), on a SQLite file and on PostgreSQL: counts, rates, ranks and PAR Index
points worked out BY HAND from the plan's appendix and the 2025 calendar.

The plan's lead duties due in Q1 (appendix; Sở Thông tin và Truyền thông merged into Sở Khoa học
và Công nghệ on 01/03/2025, so its March duties are already Sở KH&CN's):

    due 24/01  Cải cách TTHC 1.1, 2.1                    Văn phòng UBND tỉnh (vp-ubnd)
    due 28/02  Công tác chỉ đạo điều hành 2 ("Kế hoạch")  Sở Nội vụ
    due 18/03  Cải cách TTHC 1.2                         vp-ubnd
               Cải cách TTHC 6                           vp-ubnd, Sở KH&CN
               Chính quyền số 1                          Sở KH&CN
    due 31/03  Cải cách thủ tục 1.1                      Sở Tư pháp
               Chính quyền số 2.1.1                      25 agencies (13 provincial bodies
                                                         incl. vp-ubnd, Sở KH&CN, Sở Nội vụ,
                                                         Sở Tư pháp, Sở Y tế, Sở NN&MT; 11
                                                         district-level; vp-ubnd)
               Chính quyền số 3.4                        Sở NN&MT
               Công tác chỉ đạo điều hành 3.7            Sở KH&CN
    = 2 + 1 + 1 + 2 + 1 + 1 + 25 + 1 + 1 = 35 rows

Recorded: 1.1 done 20/01 (on time), 2.1 done 05/02 (late), Chính quyền số 1 done 10/03 (early),
1.2 done 17/03, Cải cách thủ tục 1.1 done 31/03 (its due day), 2.1.1 done 28/03 by Sở Y tế.
Quý I reports (due 18/03): Sở Tư pháp 14/03, vp-ubnd 17/03 (on time), Sở Nội vụ 20/03 (late).

AT THE CUT-OFF, 14/03 (reports judged on 25/03). Rows: due 1/1..14/3 -> 1.1, 2.1, CTCĐĐH 2; and
completed by 14/3 though due later -> Chính quyền số 1 (done 10/03, due 18/03). 1.2 was done on
17/03, after the cut-off, and is due after it: not the period's yet.
    vp-ubnd   on time 1, late 1              due 2, rated 2: completion 2/2 = 1.0, on time 0.5
    Sở KH&CN  on time 1                      due 1: 1.0, 1.0
    Sở Nội vụ late open 1                    due 1: 0.0, 0.0
    Ranks (completion, then on-time, descending): KH&CN 1, vp-ubnd 2, Sở Nội vụ 3; every other
    agency had nothing due: no rank.
    Plan: on time 2, late 1, late open 1 -> 3/4 = 75 %: "at least 70 %" -> 1 point (not more
    than 90 %); reports: 29 of 32 Quý I reports unsent by 25/03 -> 0. Total 1 / 3.
    To 2 points: more than 90 % of 4 means 4 done: complete 1 late task (+1).
    vp-ubnd 100 % -> 2, report on time -> +1 = 3/3. Sở KH&CN 2 + report unsent, late = 2/3.
    Sở Nội vụ 0 % -> 0, report late -> 0 = 0/3; completing its 1 late task gives 100 %:
    steps +1 (70 %) and +2 (more than 90 %), each with 1 completion.

AT 31/03 (reports judged on 02/04): all 35 rows.
    vp-ubnd   1.1, 1.2 on time; 2.1 late; 6 late open; 2.1.1 open (due that day)
              -> 2/1/1/1, due 5, rated 4: completion 3/4 = 0.75, on time 2/4 = 0.5
    Sở KH&CN  CQS 1 on time; 6 late open; 3.7, 2.1.1 open -> 1/0/1/2, rated 2: 0.5, 0.5
    Sở Nội vụ CTCĐĐH 2 late open; 2.1.1 open -> 0/0/1/1, rated 1: 0.0, 0.0
    Sở Tư pháp CCTT 1.1 on time (done on its due day); 2.1.1 open -> 1/0/0/1: 1.0, 1.0
    Sở Y tế   2.1.1 on time -> 1/0/0/0: 1.0, 1.0
    Sở NN&MT  3.4, 2.1.1 open -> rated 0: no rank; the 18 others of 2.1.1: open, no rank.
    Ranks: Sở Tư pháp and Sở Y tế tie at (1.0, 1.0): both 1; vp-ubnd 3; Sở KH&CN 4;
    Sở Nội vụ 5 (standard competition ranking: 1, 1, 3, 4, 5).
    Totals: on time 5, late 1, late open 3, open 26 (24 of 2.1.1, 3.4, 3.7); 35.
    Plan: 6/9 = 66.7 % -> 0 points; reports 0; total 0 / 3. Up: 70 % of 9 = 6.3 -> 7 done:
    1 more (+1); more than 90 % of 9 = 8.1 -> 9 done: 3 more, all 3 late tasks (+2).
"""

from __future__ import annotations

import json

import pytest

from engine.reports.period import build_report, competition_ranks
from tests.plan_factory import D
from tests.reports_seed import walk

CUTOFF_KEYS = {"plan", "period", "as_of", "agencies", "tasks", "par_index"}
AGENCY_KEYS = {"id", "name", "due", "done_on_time", "done_late", "late_open", "open_in_time",
               "completion_rate", "on_time_rate", "report_submitted", "rank"}
TASK_KEYS = {"group", "code", "agency", "role", "due", "status", "done", "doc_number"}


def report_json(rt, *, as_of=None, today="2025-03-25", period="Quý I"):  # noqa: ANN001
    with rt.session() as s:
        return build_report(s, period=period, directory=rt.directory, calendar=rt.calendar,
                            today=D(today), as_of=D(as_of) if as_of else None).to_json()


def by_id(j: dict) -> dict:
    return {a["id"]: a for a in j["agencies"]}


def counts(a: dict) -> tuple:
    return (a["done_on_time"], a["done_late"], a["late_open"], a["open_in_time"], a["due"])


def test_competition_ranks_by_hand():
    assert competition_ranks([(1.0, 1.0), (1.0, 1.0), (0.75, 0.5), (0.5, 0.5)]) == [1, 1, 3, 4]
    assert competition_ranks([(1, 1), (0.5, 0), (0.5, 0), (0.5, 0), (0, 0)]) == [1, 2, 2, 2, 5]
    assert competition_ranks([]) == []


def test_seed_at_the_cutoff(db_url):
    j = report_json(walk(db_url))
    assert j.keys() >= CUTOFF_KEYS
    assert (j["plan"], j["period"], j["as_of"]) == ("196/KH-UBND", "Quý I", "2025-03-14")
    a = by_id(j)
    assert all(x.keys() >= AGENCY_KEYS for x in j["agencies"])
    assert counts(a["vp-ubnd"]) == (1, 1, 0, 0, 2)
    assert (a["vp-ubnd"]["completion_rate"], a["vp-ubnd"]["on_time_rate"]) == (1.0, 0.5)
    assert counts(a["so-khcn"]) == (1, 0, 0, 0, 1)
    assert counts(a["so-noi-vu"]) == (0, 0, 1, 0, 1)
    assert (a["so-noi-vu"]["completion_rate"], a["so-noi-vu"]["on_time_rate"]) == (0.0, 0.0)
    assert [(x["id"], x["rank"]) for x in j["agencies"][:3]] == [
        ("so-khcn", 1), ("vp-ubnd", 2), ("so-noi-vu", 3)]
    assert {x["rank"] for x in j["agencies"][3:]} == {None}
    assert len(j["agencies"]) == 32  # the 32 agencies owing the Quý I report
    assert a["so-tu-phap"]["due"] == 0 and a["so-tu-phap"]["completion_rate"] is None
    # The reports, judged on 25/03.
    assert (a["vp-ubnd"]["report_submitted"], a["vp-ubnd"]["report_status"]) == (
        "2025-03-17", "done_on_time")
    assert (a["so-noi-vu"]["report_submitted"], a["so-noi-vu"]["report_status"]) == (
        "2025-03-20", "done_late")
    assert (a["so-khcn"]["report_submitted"], a["so-khcn"]["report_status"]) == (
        None, "late_open")
    assert a["so-tu-phap"]["report_doc_number"] == "30/BC-STP"
    # The rows, with their evidence.
    rows = {(t["group"], t["code"], t["agency"]): t for t in j["tasks"]}
    assert all(t.keys() >= TASK_KEYS for t in j["tasks"])
    assert len(rows) == 4
    assert rows["Cải cách TTHC", "1.1", "vp-ubnd"] == {
        "group": "Cải cách TTHC", "code": "1.1", "agency": "vp-ubnd", "role": "lead",
        "due": "2025-01-24", "status": "done_on_time", "done": "2025-01-20",
        "doc_number": "12/BC-VP"}
    assert (rows["Cải cách TTHC", "2.1", "vp-ubnd"]["status"],
            rows["Cải cách TTHC", "2.1", "vp-ubnd"]["doc_number"]) == ("done_late", "15/KH-VP")
    early = rows["Xây dựng và phát triển chính quyền số", "1", "so-khcn"]
    assert (early["due"], early["status"], early["done"]) == (
        "2025-03-18", "done_on_time", "2025-03-10")
    missing = rows["Công tác chỉ đạo điều hành", "2", "so-noi-vu"]
    assert (missing["status"], missing["done"], missing["doc_number"]) == (
        "late_open", None, None)
    # PAR Index: 1 of 3 points, one late task from 2.
    par = j["par_index"]
    assert (par["points"], par["max_points"]) == (1.0, 3.0)
    rules = {r["id"]: r for r in par["rules"]}
    assert (rules["plan_done"]["value"], rules["plan_done"]["points"]) == (0.75, 1.0)
    assert rules["reports_on_time"]["points"] == 0.0
    assert par["steps"] == [{"criterion": "plan_done", "gain": 1.0, "complete_late_tasks": 1}]
    assert (a["vp-ubnd"]["par_points"], a["so-khcn"]["par_points"],
            a["so-noi-vu"]["par_points"]) == (3.0, 2.0, 0.0)
    take = {x["id"]: x for x in par["what_it_would_take"]}
    assert list(take) == ["so-noi-vu"]
    assert take["so-noi-vu"]["late_tasks"] == [
        {"group": "Công tác chỉ đạo điều hành", "code": "2", "due": "2025-02-28"}]
    assert [(s["gain"], s["complete_late_tasks"]) for s in take["so-noi-vu"]["steps"]] == [
        (1.0, 1), (2.0, 1)]


def test_seed_at_the_end_of_the_quarter(db_url):
    j = report_json(walk(db_url), as_of="2025-03-31", today="2025-04-02")
    a = by_id(j)
    assert counts(a["vp-ubnd"]) == (2, 1, 1, 1, 5)
    assert (a["vp-ubnd"]["completion_rate"], a["vp-ubnd"]["on_time_rate"]) == (0.75, 0.5)
    assert counts(a["so-khcn"]) == (1, 0, 1, 2, 4)
    assert (a["so-khcn"]["completion_rate"], a["so-khcn"]["on_time_rate"]) == (0.5, 0.5)
    assert counts(a["so-noi-vu"]) == (0, 0, 1, 1, 2)
    assert counts(a["so-tu-phap"]) == (1, 0, 0, 1, 2)
    assert counts(a["so-y-te"]) == (1, 0, 0, 0, 1)
    assert counts(a["so-nnmt"]) == (0, 0, 0, 2, 2) and a["so-nnmt"]["rank"] is None
    ranked = [(x["id"], x["rank"]) for x in j["agencies"] if x["rank"] is not None]
    assert ranked == [("so-tu-phap", 1), ("so-y-te", 1), ("vp-ubnd", 3), ("so-khcn", 4),
                      ("so-noi-vu", 5)]
    assert j["totals"] == {"done_on_time": 5, "done_late": 1, "late_open": 3,
                           "open_in_time": 26}
    assert len(j["tasks"]) == 35
    on_the_day = next(t for t in j["tasks"] if t["agency"] == "so-tu-phap"
                      and t["code"] == "1.1")
    assert (on_the_day["due"], on_the_day["done"], on_the_day["status"]) == (
        "2025-03-31", "2025-03-31", "done_on_time")
    par = j["par_index"]
    assert (par["points"], par["max_points"]) == (0.0, 3.0)
    assert [(s["gain"], s["complete_late_tasks"]) for s in par["steps"]] == [(1.0, 1),
                                                                             (2.0, 3)]
    assert (a["so-tu-phap"]["par_points"], a["so-y-te"]["par_points"],
            a["vp-ubnd"]["par_points"], a["so-khcn"]["par_points"]) == (3.0, 2.0, 2.0, 0.0)
    ongoing = {(o["group"], o["code"]) for o in j["ongoing"]}
    assert ("Cải cách TTHC", "4.2.1") in ongoing  # "Thường xuyên", Văn phòng UBND tỉnh
    assert {u["reason"] for u in j["undated"]} == {"waiting_event", "needs_due"}
    json.dumps(j)  # plain JSON all the way down


@pytest.mark.parametrize(("as_of", "in_period", "status"), [
    ("2025-02-27", False, None),           # the day before 28/02: not due yet
    ("2025-02-28", True, "open_in_time"),  # its due day: still in time
    ("2025-03-03", True, "late_open"),     # the next working day
])
def test_boundary_days_of_a_deadline(sqlite_url, as_of, in_period, status):
    """Công tác chỉ đạo điều hành 2 (Sở Nội vụ) is due 28/02/2025 and never completed."""
    j = report_json(walk(sqlite_url), as_of=as_of)
    row = [t for t in j["tasks"] if t["code"] == "2" and t["agency"] == "so-noi-vu"]
    assert bool(row) == in_period
    if row:
        assert row[0]["status"] == status


def test_a_completion_counts_from_its_day(sqlite_url):
    """1.2 (vp-ubnd) is due 18/03, done 17/03: at 16/03 it is neither due nor done (not the
    period's); at 17/03 it is done early (on time)."""
    rt = walk(sqlite_url)
    before = report_json(rt, as_of="2025-03-16")
    assert not [t for t in before["tasks"] if t["code"] == "1.2"]
    on = report_json(rt, as_of="2025-03-17")
    assert [(t["status"], t["done"]) for t in on["tasks"] if t["code"] == "1.2"] == [
        ("done_on_time", "2025-03-17")]
