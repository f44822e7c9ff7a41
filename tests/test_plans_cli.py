"""Several plans in one database, through the real CLI (issue #17, "Several plans, years, and
closing"): commands scope to the plan named by --plan, and say which plan they used when none
is named (the latest)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import select

from engine.planning.planner import plan_plan
from engine.storage.models import Completion, Deadline, Duty, PlannedItem, Task
from engine.tracking.plan_store import store_plan
from tests.plan_factory import QUARTER_1, D, plan, runtime, task


def _two_plans(url: str) -> None:
    """196/KH-UBND: two tasks of the Sở Tư pháp; 50/KH-UBND, imported after it, one (its
    1.1 has the same group and number as the first plan's)."""
    rt = runtime(url)
    with rt.session() as s:
        for parsed in (
            plan([task("Cải cách TTHC", "1.1", lead=["so-tu-phap"], dues=["2025-01-24"]),
                  task("Cải cách TTHC", "2", lead=["so-tu-phap"], dues=["2025-03-31"]),
                  task("Cải cách TTHC", "7", lead=["so-tu-phap"], kind="reference",
                       timing="Theo CV")],
                 periods=[QUARTER_1]),
            plan([task("Cải cách TTHC", "1.1", lead=["so-tu-phap"], dues=["2025-02-28"]),
                  task("Cải cách TTHC", "7", lead=["so-tu-phap"], kind="reference",
                       timing="Theo CV")],
                 number="50/KH-UBND", periods=[QUARTER_1]),
        ):
            summary = store_plan(s, parsed, rt.directory, calendar=rt.calendar)
            plan_plan(s, summary.plan_id, rt.planner, D("2025-01-01"))
        s.commit()
    rt.engine.dispose()


def _nv(env, *args):
    out = subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True,
                         text=True, env=env, timeout=120)
    assert "Traceback" not in out.stderr, out.stderr
    return out


def test_commands_scope_to_one_plan_and_say_which(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    _two_plans(url)
    env = {**os.environ, "NHACVIEC_DATABASE_URL": url, "COLUMNS": "200",
           "NHACVIEC_CLOCK": "2025-04-01T09:00:00"}
    latest = "Kế hoạch 50/KH-UBND (năm 2025) — kế hoạch nhập gần nhất"

    # status: the latest plan when none is named, never the sum of all plans.
    out = _nv(env, "status", "--agency", "so-tu-phap", "--json")
    data = json.loads(out.stdout)
    assert data["plan"] == {"number": "50/KH-UBND", "year": 2025}
    assert [a["due"] for a in data["agencies"]] == [2]  # its task and its Quý I report
    named = json.loads(_nv(env, "status", "--agency", "so-tu-phap", "--json", "--plan",
                           "196/KH-UBND").stdout)
    assert named["plan"]["number"] == "196/KH-UBND"
    assert [a["due"] for a in named["agencies"]] == [3]  # not 5, the sum of both plans
    text = _nv(env, "status")
    assert latest in text.stdout and "Tình hình thực hiện kế hoạch 50/KH-UBND" in text.stdout
    assert "nhập gần nhất" not in _nv(env, "status", "--plan", "196/KH-UBND").stdout

    # tasks: the table says its plan; the JSON list stays a list, the plan said on stderr.
    listed = _nv(env, "tasks", "--json")
    assert [r["code"] for r in json.loads(listed.stdout)] == ["1.1", "7"]
    assert latest in listed.stderr
    assert [r["code"] for r in json.loads(_nv(env, "tasks", "--json", "--plan",
                                              "196/KH-UBND").stdout)] == ["1.1", "2", "7"]
    assert latest in _nv(env, "tasks").stdout

    # done: the latest plan's 1.1 unless --plan names the other; each says its plan.
    done = _nv(env, "done", "TTHC/1.1", "--agency", "so-tu-phap", "--date", "2025-02-20")
    assert done.returncode == 0 and "kế hoạch 50/KH-UBND năm 2025" in done.stdout
    done196 = _nv(env, "done", "TTHC/1.1", "--agency", "so-tu-phap", "--date", "2025-01-20",
                  "--plan", "196/KH-UBND")
    assert done196.returncode == 0 and "nhập gần nhất" not in done196.stdout
    # task set-due: the same.
    due = _nv(env, "task", "set-due", "TTHC/7", "--date", "2025-06-30", "--plan", "196/KH-UBND")
    assert due.returncode == 0 and "nhập gần nhất" not in due.stdout
    due50 = _nv(env, "task", "set-due", "TTHC/7", "--date", "2025-07-31")
    assert due50.returncode == 0 and "kế hoạch 50/KH-UBND năm 2025" in due50.stdout

    rt = runtime(url)
    with rt.session() as s:
        got = sorted((str(c.completed_on), str(due)) for c, due in s.execute(
            select(Completion, Deadline.due)
            .join(Deadline, Deadline.id == Completion.deadline_id)))
        manual = {(t.plan_id, str(d.due)) for d, t in s.execute(
            select(Deadline, Task).join(Task, Task.id == Deadline.task_id)
            .where(Deadline.source == "manual"))}
    rt.engine.dispose()
    assert got == [("2025-01-20", "2025-01-24"), ("2025-02-20", "2025-02-28")]
    assert manual == {(1, "2025-06-30"), (2, "2025-07-31")}


def test_plan_list_show_and_close(tmp_path):
    """A closed plan stops escalating: the catch-up digests and the Steering Committee's digest
    of its late items do not go; the status table still shows it when asked for that plan."""
    from engine.settings import bundled

    env = {**os.environ, "NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
           "NHACVIEC_OUTBOX_DIR": str(tmp_path / "outbox"), "COLUMNS": "200",
           "NHACVIEC_CLOCK": "2026-12-02T15:00:00"}
    assert _nv(env, "plan", "import", str(bundled("demo_plan_2025.txt"))).returncode == 0
    listed = _nv(env, "plan", "list")
    assert listed.returncode == 0
    [row] = [line for line in listed.stdout.splitlines() if "196/KH-UBND" in line]
    assert "2025" in row and "71" in row and "đang theo dõi" in row
    shown = _nv(env, "plan", "show", "1")
    assert "Kế hoạch 196/KH-UBND (mã 1), năm 2025" in shown.stdout
    assert "Quý I hạn 18/03/2025" in shown.stdout and "đang theo dõi" in shown.stdout
    assert _nv(env, "plan", "show", "9").returncode == 2

    monday = "2026-12-07T08:00:00+07:00"
    before = [json.loads(x) for x in _nv(env, "dispatch", "--dry-run", "--json", "--now",
                                         monday).stdout.splitlines()]
    [steering] = [m for m in before if m["kind"] == "steering_digest"]
    assert len(steering["items"]) > 100
    closed = _nv(env, "plan", "close", "196/KH-UBND")
    assert closed.returncode == 0 and "Đã đóng kế hoạch 196/KH-UBND (năm 2025)" in closed.stdout
    assert _nv(env, "plan", "close", "1").returncode == 2  # already closed: one line
    assert "đã đóng" in _nv(env, "plan", "list").stdout
    assert "đã đóng ngày 02/12/2026" in _nv(env, "plan", "show", "1").stdout
    sent = _nv(env, "dispatch", "--json", "--now", monday)
    assert sent.returncode == 0 and sent.stdout.strip() == ""  # nothing at all goes
    status = json.loads(_nv(env, "status", "--json", "--plan", "196/KH-UBND").stdout)
    assert sum(a["counts"]["overdue"] for a in status["agencies"]) > 100
    reopened = _nv(env, "plan", "close", "1", "--reopen")
    assert reopened.returncode == 0 and "Đã mở lại kế hoạch 196/KH-UBND" in reopened.stdout


def test_two_plans_of_a_year_remind_a_report_once(tmp_path):
    """Both plans of 2025 list the Sở Tư pháp's Quý I report (18/03/2025): one line in its
    digest, and one `report submit` answers both plans."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    _two_plans(url)
    env = {**os.environ, "NHACVIEC_DATABASE_URL": url, "COLUMNS": "200",
           "NHACVIEC_OUTBOX_DIR": str(tmp_path / "outbox"),
           "NHACVIEC_CLOCK": "2025-03-10T09:00:00"}
    sent = [json.loads(x) for x in _nv(env, "dispatch", "--json", "--now",
                                       "2025-03-11T08:00:00+07:00").stdout.splitlines()]
    [stp] = [m for m in sent if m["recipient"] == "so-tu-phap"]
    assert [(i["reason"], i["period"], i["due"]) for i in stp["items"]
            if i["reason"] == "report_reminder"] == [("report_reminder", "Quý I", "2025-03-18")]
    env["NHACVIEC_CLOCK"] = "2025-03-12T09:00:00"
    done = _nv(env, "report", "submit", "--agency", "so-tu-phap", "--period", "Quý I")
    assert done.returncode == 0, done.stderr
    later = [json.loads(x) for x in _nv(env, "preview", "--days", "5", "--agency", "so-tu-phap",
                                        "--json").stdout.splitlines()]
    assert not [i for m in later for i in m["items"] if i.get("period") == "Quý I"]
    for number in ("196/KH-UBND", "50/KH-UBND"):
        st = json.loads(_nv(env, "status", "--json", "--agency", "so-tu-phap", "--plan",
                            number).stdout)
        assert st["agencies"][0]["counts"]["done_on_time"] >= 1, (number, st)


def test_reimporting_the_original_over_a_review_asks_for_replace(tmp_path):
    """A reviewed import (a timing corrected in the review file) with a completion recorded:
    importing the plan's original file again shows what it would undo and changes nothing
    without --replace."""
    import yaml

    from engine.settings import bundled

    env = {**os.environ, "NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
           "COLUMNS": "200", "NHACVIEC_CLOCK": "2025-04-10T09:00:00"}
    seed = str(bundled("demo_plan_2025.txt"))
    review = _nv(env, "plan", "parse", seed, "--yaml").stdout
    doc = yaml.safe_load(review)
    [t] = [t for t in doc["tasks"] if (t["group"], t["code"]) == ("Cải cách thủ tục", "1.1")]
    assert t["timing"] == "Quý I/2025" and t["lead_agencies"] == ["so-tu-phap"]
    # The officer corrects its timing in the review file (the text, as a person edits it).
    at = review.index("timing: Quý I/2025", review.index("code: '1.1'",
                                                          review.index("Cải cách thủ tục")))
    edited = review[:at] + "timing: Quý II/2025" + review[at + len("timing: Quý I/2025"):]
    path = tmp_path / "ke-hoach.yaml"
    path.write_text(edited, encoding="utf-8")
    assert _nv(env, "plan", "import", str(path)).returncode == 0
    done = _nv(env, "done", "Cải cách thủ tục/1.1", "--agency", "so-tu-phap", "--date",
               "2025-04-08")
    assert done.returncode == 0 and "hạn 30/06/2025" in done.stdout

    again = _nv(env, "plan", "import", seed)
    assert again.returncode == 2
    out = " ".join(again.stdout.split())
    assert "Cải cách thủ tục / 1.1: thời hạn 30/06/2025 → 31/03/2025" in out
    assert ("mất ghi nhận hoàn thành: Cải cách thủ tục / 1.1 (hạn 30/06/2025) của Sở Tư pháp"
            in out)
    assert "--replace" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    # Nothing changed: the reviewed date and the completion stand.
    listed = json.loads(_nv(env, "tasks", "--agency", "so-tu-phap", "--json").stdout)
    [row] = [r for r in listed if (r["group"], r["code"]) == ("Cải cách thủ tục", "1.1")]
    assert row["due"] == ["2025-06-30"] and row["statuses"] == {"done_on_time": 1}
    # The review file itself imports again without a question; --replace takes the original.
    assert _nv(env, "plan", "import", str(path)).returncode == 0
    replaced = _nv(env, "plan", "import", seed, "--replace")
    assert replaced.returncode == 0 and "Đã cập nhật kế hoạch" in " ".join(
        replaced.stdout.split())
    listed = json.loads(_nv(env, "tasks", "--agency", "so-tu-phap", "--json").stdout)
    [row] = [r for r in listed if (r["group"], r["code"]) == ("Cải cách thủ tục", "1.1")]
    assert row["due"] == ["2025-03-31"]


def test_explain_records_an_explanation_sent_unasked(tmp_path):
    """The Văn phòng UBND tỉnh explains its late TTHC 1.1 (due 24/01/2025) before any request:
    recorded, marked as its own initiative, and no request for it is sent afterwards."""
    from engine.settings import bundled
    from engine.storage.models import ExplanationAnswer, ExplanationRequest

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    env = {**os.environ, "NHACVIEC_DATABASE_URL": url, "COLUMNS": "200",
           "NHACVIEC_CLOCK": "2025-02-04T09:00:00"}
    assert _nv(env, "plan", "import", str(bundled("demo_plan_2025.txt"))).returncode == 0

    def asked() -> list[tuple[str, str]]:
        out = _nv(env, "preview", "--days", "15", "--agency", "vp-ubnd", "--json").stdout
        return sorted((i["group"], i["code"]) for m in map(json.loads, out.splitlines())
                      if m["kind"] == "explanation_request" for i in m["items"])

    assert asked() == [("Cải cách TTHC", "1.1"), ("Cải cách TTHC", "2.1")]
    ok = _nv(env, "explain", "TTHC/1.1", "--agency", "vp-ubnd", "--text",
             "Chậm do chờ ý kiến các sở", "--doc", "15/VP-KSTT")
    assert ok.returncode == 0, ok.stderr
    assert "cơ quan tự giải trình, chưa có yêu cầu" in " ".join(ok.stdout.split())
    assert asked() == [("Cải cách TTHC", "2.1")]
    # An agency with nothing of that task to answer for is refused, in one line.
    bad = _nv(env, "explain", "TTHC/1.1", "--agency", "so-tu-phap", "--text", "x")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    rt = runtime(url)
    with rt.session() as s:
        [(req, ans)] = s.execute(select(ExplanationRequest, ExplanationAnswer).join(
            ExplanationAnswer, ExplanationAnswer.request_id == ExplanationRequest.id)).all()
        assert (req.agency_id, req.unsolicited, str(req.requested_on)) == (
            "vp-ubnd", True, "2025-02-04")
        assert (ans.text, ans.document_no) == ("Chậm do chờ ý kiến các sở", "15/VP-KSTT")
    rt.engine.dispose()


def test_twin_reports_and_unasked_explanations_on_either_database(db_url):
    """The engine calls behind `report submit` and `explain` (unasked), on SQLite and
    PostgreSQL."""
    from engine.storage.models import ExplanationRequest, ReportObligation, ReportPeriod
    from engine.tracking.explain_requests import ask_explanations
    from engine.tracking.lookup import find_task
    from engine.tracking.records import answer_explanation, submit_report

    _two_plans(db_url)
    rt = runtime(db_url)
    with rt.session() as s:
        r, _ = submit_report(s, 2, "so-tu-phap", "Quý I", on=D("2025-03-12"))
        s.commit()
        reported = sorted(pid for pid, in s.execute(
            select(ReportPeriod.plan_id)
            .join(ReportObligation, ReportObligation.period_id == ReportPeriod.id)
            .join(Completion, Completion.obligation_id == ReportObligation.id)
            .where(ReportObligation.agency_id == "so-tu-phap")))
        assert reported == [1, 2] and r.on_time
        t = find_task(s, "TTHC/2", plan_id=1)
        answer_explanation(s, t, "so-tu-phap", text="Chờ số liệu", on=D("2025-04-10"))
        s.commit()
        [req] = s.scalars(select(ExplanationRequest)).all()
        assert req.unsolicited and req.deadline_id is not None
        # The officer's later request does not ask again what was explained unasked.
        asked = ask_explanations(s, 1, rt.planner, D("2025-04-20"), dry=True,
                                 agency_id="so-tu-phap")
        # Nothing new: 1.1's request (due 24/01) is still pending from the import, 2 was
        # explained unasked (its pending request cancelled), the Quý I report was sent.
        assert (asked.by_agency, asked.already) == ({}, 2)
        states = dict(s.execute(select(PlannedItem.key, PlannedItem.state).where(
            PlannedItem.kind == "explanation_request", PlannedItem.plan_id == 1,
            PlannedItem.recipient_id == "so-tu-phap")).all())
        # 1.1's pending; task 2's cancelled (explained); the Quý I report's cancelled (sent).
        duty = s.scalar(select(Duty.id).join(Deadline, Deadline.id == Duty.deadline_id)
                        .where(Deadline.task_id == t.id, Duty.agency_id == "so-tu-phap"))
        assert sorted(states.values()) == ["cancelled", "cancelled", "pending"]
        assert states[f"explain/{duty}/so-tu-phap"] == "cancelled"
        s.rollback()
    rt.engine.dispose()
