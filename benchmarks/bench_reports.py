"""Period reports at national scale (3,500 agencies x 80 tasks, `benchmarks/national.py`): the
report of a period built as .json, .xlsx and .docx, each in a fresh process (wall time and peak
resident memory), against openpyxl's own write-only dump of the same rows in the same run; and
the complete late list attached to a cut oversight email (164,500 items) against the same
openpyxl dump of its rows.

    .venv/bin/python benchmarks/bench_reports.py [--pg URL] [--period "Năm"] [--keep DIR]

The national plan is stored (no notifications planned: a report reads none), then about half of
the deadlines due by mid-year are completed (two in three on time, with a document number) and
most agencies send their Quý I and 6 tháng reports, so every sheet has rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import national  # noqa: E402

AS_TODAY = dt.date(2025, 12, 31)  # the day reports are judged on
STAMP = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)


def setup(url: str) -> None:
    from sqlalchemy import select

    from engine.storage.bulk import bulk_insert
    from engine.storage.db import get_engine, session
    from engine.storage.models import (
        Completion,
        Deadline,
        Duty,
        ReportObligation,
        ReportPeriod,
        Task,
    )
    from engine.tracking.plan_store import store_plan
    from rules import WorkingCalendar

    cal = WorkingCalendar.default()
    directory, parsed = national.build(calendar=cal)
    engine = get_engine(url)
    rng = random.Random(16)
    with session(engine) as s:
        summary = store_plan(s, parsed, directory, calendar=cal)
        duties = s.execute(select(Duty.deadline_id, Duty.agency_id, Deadline.due)
                           .join(Deadline, Deadline.id == Duty.deadline_id)
                           .join(Task, Task.id == Deadline.task_id)
                           .where(Task.plan_id == summary.plan_id, Duty.role == "lead",
                                  Deadline.due <= dt.date(2025, 6, 30))).all()
        rows = []
        for did, agency, due in duties:
            if rng.random() < 0.5:
                late = rng.random() < 1 / 3
                done = cal.add_working_days(due, rng.randrange(1, 15)) if late else \
                    cal.add_working_days(due, -rng.randrange(0, 5))
                rows.append({"deadline_id": did, "obligation_id": None, "agency_id": agency,
                             "completed_on": done, "document_no": f"{rng.randrange(1, 999)}/"
                             f"BC-{agency.upper()}", "recorded_by": "bench", "recorded_at": STAMP})
        obligations = s.execute(select(ReportObligation.id, ReportObligation.agency_id,
                                       ReportPeriod.deadline)
                                .join(ReportPeriod, ReportPeriod.id == ReportObligation.period_id)
                                .where(ReportPeriod.plan_id == summary.plan_id,
                                       ReportPeriod.name.in_(("Quý I", "6 tháng")))).all()
        for oid, agency, due in obligations:
            if rng.random() < 0.9:
                rows.append({"deadline_id": None, "obligation_id": oid, "agency_id": agency,
                             "completed_on": cal.add_working_days(due, rng.randrange(-3, 3)),
                             "document_no": f"{rng.randrange(1, 999)}/BC-{agency.upper()}",
                             "recorded_by": "bench", "recorded_at": STAMP})
        bulk_insert(s, Completion.__table__, rows)
        s.commit()
    print(f"  stored: {summary.deadlines:,} deadlines, {summary.duties:,} duties, "
          f"{len(rows):,} completions", flush=True)


# --- one measurement per process ----------------------------------------------------------------
def _report(url: str, period: str):  # noqa: ANN202
    from engine.reports.period import build_report
    from engine.storage.db import get_engine, session
    from rules import WorkingCalendar

    with session(get_engine(url)) as s:
        return build_report(s, period=period, directory=national.build_directory(),
                            calendar=WorkingCalendar.default(), today=AS_TODAY)


def _rows(report) -> dict[str, list[tuple]]:  # noqa: ANN001
    """The same rows the workbook holds, sheet by sheet, for openpyxl's own dump."""
    from engine.reports.counting import FOUR

    sheets: dict[str, list[tuple]] = {s: [] for s in FOUR}
    for t in report.tasks:
        sheets[t.status].append((t.agency, t.group, t.code, t.title, t.label, t.due, t.done,
                                 t.doc_number, None))
    sheets["summary"] = [(a.rank, a.name, a.id, a.due, *a.counts.values(), a.completion_rate,
                          a.on_time_rate) for a in report.agencies]
    sheets["evidence"] = [(t.agency, t.title, t.group, t.code, t.due, t.done, t.status,
                           t.doc_number) for t in report.tasks if t.done]
    sheets["ongoing"] = [(t.agency, t.group, t.code, t.title) for t in report.ongoing]
    sheets["reports"] = [(r.agency, r.period, r.due, r.submitted, r.status, r.doc_number)
                         for r in report.reports]
    return sheets


def measure(what: str, url: str, period: str, out_dir: Path) -> dict:
    start = time.perf_counter()
    if what in ("json", "xlsx", "docx", "peer"):
        report = _report(url, period)
        counted = time.perf_counter()
        if what == "json":  # as `report build --json` writes it
            path = out_dir / "report.json"
            with path.open("w", encoding="utf-8") as f:
                for chunk in report.json_chunks():
                    f.write(chunk)
            size = path.stat().st_size
        elif what == "xlsx":
            from engine.reports import xlsx

            path = out_dir / "report.xlsx"
            xlsx.write(report, path)
            size = path.stat().st_size
        elif what == "docx":
            from engine.reports import docx

            path = out_dir / "report.docx"
            docx.write(report, path)
            size = path.stat().st_size
        else:
            size = _openpyxl_dump(_rows(report), out_dir / "peer.xlsx")
        extra = {"count_s": counted - start, "rows": len(report.tasks),
                 "agencies": len(report.agencies)}
    else:  # the late list: ours or openpyxl's
        items = _late_items()
        counted = time.perf_counter()
        if what == "late":
            from notifiers.email import late_sheet

            size = len(late_sheet.workbook_bytes(items))
        else:
            from notifiers.email.late_sheet import _row, by_agency

            size = _openpyxl_dump({"late": [_row(i) for i in sorted(items, key=by_agency)]},
                                  out_dir / "late-peer.xlsx")
        extra = {"count_s": counted - start, "rows": len(items)}
    wall = time.perf_counter() - start
    cpu = time.process_time()
    return {"what": what, "seconds": wall, "cpu_s": cpu, "peak_mb": _peak_mb(), "bytes": size,
            **extra}


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: ru_maxrss would carry the parent's)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _openpyxl_dump(sheets: dict[str, list[tuple]], path: Path) -> int:
    """openpyxl's own write-only mode, every row appended as it is (the library's fast path)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title[:31])
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path.stat().st_size


def _late_items() -> list:
    """The synthetic national Monday digest's late list: 3,500 agencies x 47 late items."""
    from core.messages import Item

    rng = random.Random(1)
    return [Item(reason="late", group=f"Nhiệm vụ của cq-{a:04d}",
                 code=f"{k // 10 + 1}.{k % 10 + 1}",
                 title=f"Triển khai nhiệm vụ cải cách hành chính số {k + 1}",
                 due=dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(300)),
                 agency_id=f"cq-{a:04d}", agency_name=f"Cơ quan số {a}",
                 days_late=rng.randrange(200))
            for a in range(3500) for k in range(47)]


def _child(what: str, url: str, period: str, out_dir: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--one", what, "--url", url, "--period",
                          period, "--keep", str(out_dir)], capture_output=True, text=True,
                         check=False, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"{what} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", help="also on this PostgreSQL URL (a fresh schema is made)")
    ap.add_argument("--period", default="Năm")
    ap.add_argument("--keep", help="folder for the database and the files")
    ap.add_argument("--reuse", action="store_true",
                    help="use the SQLite database an earlier run left in --keep")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    ap.add_argument("--setup", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.setup:
        setup(args.setup)
        return
    if args.one:
        print(json.dumps(measure(args.one, args.url, args.period, Path(args.keep))))
        return
    out_dir = Path(args.keep or tempfile.mkdtemp(prefix="bench-reports-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    urls = {"sqlite": f"sqlite:///{out_dir / 'national.sqlite'}"}
    if args.pg:
        urls["postgresql"] = args.pg
    print(f"Period report of the national plan ({national.AGENCIES:,} agencies x "
          f"{national.TASKS_PER_AGENCY} tasks), period {args.period!r}; files in {out_dir}")
    for name, url in urls.items():
        if name == "sqlite" and args.reuse and (out_dir / "national.sqlite").exists():
            print("  [sqlite] the database of an earlier run")
        else:
            if name == "sqlite":
                Path(out_dir / "national.sqlite").unlink(missing_ok=True)
            t = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--setup", url], check=True, cwd=ROOT)
            print(f"  [{name}] setup {time.perf_counter() - t:.1f} s", flush=True)
        got = {w: _child(w, url, args.period, out_dir) for w in ("json", "xlsx", "docx",
                                                                  "peer")}
        rows, agencies = got["json"]["rows"], got["json"]["agencies"]
        print(f"  [{name}] {rows:,} deadline rows, {agencies:,} agencies "
              f"(counting {got['json']['count_s']:.2f} s)")
        peer = got["peer"]
        for w in ("json", "xlsx", "docx", "peer"):
            g = got[w]
            label = "openpyxl write-only dump (peer)" if w == "peer" else f"report .{w}"
            ratio = g["seconds"] / peer["seconds"]
            print(f"  [{name}] {label:34} {g['seconds']:6.2f} s (cpu {g['cpu_s']:5.2f} s)  peak "
                  f"{g['peak_mb']:5.0f} MB  file {g['bytes'] / 1e6:5.1f} MB  ratio to peer "
                  f"{ratio:.2f}")
    ours = _child("late", "", args.period, out_dir)
    peer = _child("late-peer", "", args.period, out_dir)
    print(f"Late list attached to a cut email ({ours['rows']:,} items):")
    for label, g in (("notifiers.email.late_sheet", ours), ("openpyxl write-only (peer)", peer)):
        print(f"  {label:34} {g['seconds']:6.2f} s (cpu {g['cpu_s']:5.2f} s)  peak "
              f"{g['peak_mb']:5.0f} MB  file {g['bytes'] / 1e6:5.1f} MB")
    print(f"  ratio late_sheet / openpyxl: {ours['seconds'] / peer['seconds']:.2f}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
