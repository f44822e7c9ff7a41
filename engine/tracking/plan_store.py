"""Store a parsed plan: plan, task tree, agencies, assignments, deadlines, duties, report periods
and obligations — then plan its notifications.

Re-importing a plan (same number and year) updates it in place: tasks are matched by (group,
code), deadlines by (task, due date), so a deadline whose date did not change keeps its
completions; a deadline the plan no longer has is deactivated (kept with its history); a task the
plan no longer has is marked removed. Everything happens in the caller's transaction: on any
error nothing is stored.

Bulk rows go through SQLAlchemy Core (one executemany per table), which keeps a national-scale
import (280,000 tasks) within seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, select, update
from sqlmodel import Session

from core.errors import InputError
from engine.directory.agencies import Directory
from engine.intake.model import ParsedPlan
from engine.planning.plan_table import delete_items_of
from engine.planning.planner import plan_plan
from engine.planning.reminder_rules import Planner
from engine.storage.bulk import bulk_insert, sync_rows
from engine.storage.gc_pause import gc_paused
from engine.storage.models import (
    Agency,
    Assignment,
    Completion,
    Deadline,
    Plan,
    ReportObligation,
    ReportPeriod,
    Task,
)
from engine.tracking.duties import sync_duties
from rules import WorkingCalendar

CHUNK = 5_000
DATED_KINDS = ("fixed", "periodic")


@dataclass
class ImportSummary:
    plan_id: int
    number: str
    year: int
    created: bool
    tasks: int = 0
    leaves: int = 0
    tasks_new: int = 0
    tasks_removed: int = 0
    deadlines: int = 0
    deadlines_new: int = 0
    deadlines_retired: int = 0
    duties: int = 0
    periods: int = 0
    obligations: int = 0
    planned: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def import_plan(s: Session, parsed: ParsedPlan, planner: Planner, today: dt.date
                ) -> ImportSummary:
    """Store a parsed plan and plan every notification it asks for, in the caller's transaction:
    what `nhacviec plan import` and the web desk's import do."""
    summary = store_plan(s, parsed, planner.directory, calendar=planner.calendar)
    summary.planned = plan_plan(s, summary.plan_id, planner, today, fresh=summary.created)
    return summary


def sync_agencies(s: Session, directory: Directory) -> None:
    """Copy the directory into the agency table (insert new entries, refresh changed ones)."""
    existing = {a.id: a for a in s.scalars(select(Agency))}
    new_rows = []
    for a in directory:
        row = {
            "id": a.id, "name": a.name, "kind": a.kind, "reports": a.reports, "role": a.role,
            "emails": list(a.emails), "telegram_chat_ids": list(a.telegram_chat_ids),
            "successor_id": a.successor, "successor_from": a.successor_from,
            "valid_from": a.valid_from, "parent_id": a.parent,
        }
        old = existing.get(a.id)
        if old is None:
            new_rows.append(row)
            continue
        for key, value in row.items():
            if getattr(old, key) != value:
                setattr(old, key, value)
    bulk_insert(s, Agency.__table__, new_rows)
    s.flush()


def require_identity(parsed: ParsedPlan) -> None:
    """A plan is stored only with its number, date and issuer: every message names the plan by
    them (never by a file name). What the document lacks, a person supplies."""
    info = parsed.plan
    missing = [what for what, value in (
        ("số kế hoạch (--number)", (info.number or "").strip()),
        ("ngày ban hành (--date)", info.date),
        ("cơ quan ban hành (--issuer)", (info.issuer or "").strip())) if not value]
    if missing:
        raise InputError(f"kế hoạch chưa có {', '.join(missing)}: văn bản không ghi; hãy ghi khi "
                         "nhập (nhacviec plan import TỆP --number ... --date YYYY-MM-DD --issuer "
                         "...) hoặc điền mục «plan» trong tệp duyệt, rồi nhập lại")


@gc_paused()
def store_plan(s: Session, parsed: ParsedPlan, directory: Directory, *,
               calendar: WorkingCalendar) -> ImportSummary:
    """Store `parsed` (without planning notifications: see `engine.planning.planner.plan_plan`)."""
    if not parsed.tasks:
        raise InputError("kế hoạch không có nhiệm vụ nào: không có gì để lưu")
    require_identity(parsed)
    sync_agencies(s, directory)
    number = parsed.plan.number.strip()[:64]
    plan = s.scalars(select(Plan).where(Plan.number == number,
                                        Plan.year == parsed.plan.year)).first()
    created = plan is None
    if plan is None:
        plan = Plan(number=number, year=parsed.plan.year)
    plan.issued_on = parsed.plan.date
    plan.issuer = parsed.plan.issuer
    plan.title = parsed.plan.title
    plan.source = parsed.source
    plan.report_day = parsed.report_cycle.day
    plan.data_entry_url = parsed.report_cycle.data_entry_url
    plan.updated_at = dt.datetime.now(dt.UTC)
    s.add(plan)
    s.flush()
    summary = ImportSummary(plan.id, number, plan.year, created, warnings=list(parsed.warnings))
    task_ids = _store_tasks(s, plan.id, parsed, summary)
    _store_assignments(s, plan.id, parsed, task_ids, directory)
    _store_deadlines(s, plan.id, parsed, task_ids, summary)
    summary.duties = sync_duties(s, directory, plan_id=plan.id)
    _store_reports(s, plan.id, parsed, directory, summary)
    for t in parsed.tasks:
        summary.by_kind[t.kind] = summary.by_kind.get(t.kind, 0) + (1 if t.leaf else 0)
        summary.warnings.extend(f"{t.group} {t.code}: {w}" for w in t.warnings)
    return summary


def _store_tasks(s: Session, plan_id: int, parsed: ParsedPlan,
                 summary: ImportSummary) -> dict[tuple[str, str], int]:
    # Plain rows, not ORM objects: a re-imported national plan has 280,000 tasks (objects took
    # a gigabyte); only the rows that changed are written back.
    columns = [Task.id, Task.parent_id, *(Task.__table__.c[k] for k in _TASK_VALUES)]
    existing = {(r.group_name, r.code): r for r in s.connection().execute(
        select(*columns).where(Task.plan_id == plan_id))}
    changed: list[dict] = []
    seen: set[tuple[str, str]] = set()
    new_rows = []
    for pos, t in enumerate(parsed.tasks):
        key = (t.group, t.code)
        if key in seen:
            raise InputError(f"nhiệm vụ {t.group} {t.code} xuất hiện hai lần trong kế hoạch")
        seen.add(key)
        values = {
            "group_name": t.group, "code": t.code, "parent_code": t.parent, "leaf": t.leaf,
            "position": pos, "title": t.title, "product": t.product, "lead": list(t.lead),
            "support": list(t.support), "timing": t.timing, "kind": t.kind,
            "event_offset": t.event_offset, "event_unit": t.event_unit,
            "warnings": list(t.warnings), "removed": False,
        }
        old = existing.get(key)
        if old is None:
            new_rows.append({"plan_id": plan_id, **values})
        elif any(getattr(old, k) != v for k, v in values.items()):
            changed.append({"tid": old.id, **values})
    for key, old in existing.items():
        if key not in seen and not old.removed:
            changed.append({"tid": old.id, **{k: getattr(old, k) for k in _TASK_VALUES},
                            "removed": True})
            summary.tasks_removed += 1
    _update_rows(s, Task, changed)
    bulk_insert(s, Task.__table__, new_rows)
    summary.tasks_new = len(new_rows)
    summary.tasks = len(parsed.tasks)
    summary.leaves = sum(1 for t in parsed.tasks if t.leaf)
    ids = {(g, c): i for i, g, c in s.execute(
        select(Task.id, Task.group_name, Task.code).where(Task.plan_id == plan_id))}
    current = {k: old.parent_id for k, old in existing.items()}
    parents = []
    for t in parsed.tasks:
        parent_id = ids.get((t.group, t.parent)) if t.parent else None
        if parent_id != current.get((t.group, t.code)):
            parents.append({"tid": ids[(t.group, t.code)], "parent_id": parent_id})
    _update_rows(s, Task, parents)
    return ids


_TASK_VALUES = ("group_name", "code", "parent_code", "leaf", "position", "title", "product",
                "lead", "support", "timing", "kind", "event_offset", "event_unit", "warnings",
                "removed")


def _update_rows(s: Session, model, rows: list[dict]) -> None:  # noqa: ANN001
    """UPDATE rows given as dicts of their id ("tid") and the columns to set (the same in all)."""
    if not rows:
        return
    table = model.__table__
    keys = [k for k in rows[0] if k != "tid"]
    # Bound names differ from the columns' (SQLAlchemy reserves those for the SET clause).
    stmt = update(table).where(table.c.id == bindparam("tid")).values(
        {k: bindparam(f"v_{k}", type_=table.c[k].type) for k in keys})
    params = [{"tid": r["tid"], **{f"v_{k}": r[k] for k in keys}} for r in rows]
    for i in range(0, len(params), CHUNK):
        s.connection().execute(stmt, params[i:i + CHUNK])


def _store_assignments(s: Session, plan_id: int, parsed: ParsedPlan, task_ids: dict,
                       directory: Directory) -> None:
    wanted: set[tuple[int, str, str]] = set()
    for t in parsed.tasks:
        tid = task_ids[(t.group, t.code)]
        for role, agencies in (("lead", t.lead_agencies), ("support", t.support_agencies)):
            for agency_id in agencies:
                if agency_id not in directory:
                    raise InputError(f"nhiệm vụ {t.group} {t.code}: cơ quan «{agency_id}» "
                                     "không có trong danh bạ")
                wanted.add((tid, agency_id, role))
    have: dict[tuple[int, str, str], int] = {}
    for aid, tid, agency, role in s.execute(
            select(Assignment.id, Assignment.task_id, Assignment.agency_id, Assignment.role)
            .join(Task, Task.id == Assignment.task_id).where(Task.plan_id == plan_id)):
        have[(tid, agency, role)] = aid
    sync_rows(s, Assignment, have, wanted, ("task_id", "agency_id", "role"))


def _store_deadlines(s: Session, plan_id: int, parsed: ParsedPlan, task_ids: dict,
                     summary: ImportSummary) -> None:
    wanted: dict[tuple[int, dt.date], str | None] = {}
    for t in parsed.tasks:
        if not t.leaf or t.kind not in DATED_KINDS:
            continue
        tid = task_ids[(t.group, t.code)]
        pairs = [(d.due, d.label) for d in t.deadlines] or [(d, None) for d in t.due]
        for due, label in pairs:
            key = (tid, due)
            if key in wanted and wanted[key] and label and label not in wanted[key]:
                label = f"{wanted[key]}; {label}"  # two products due the same day
            wanted[key] = label or wanted.get(key)
    have = {(d.task_id, d.due): d for d in s.connection().execute(
        select(Deadline.id, Deadline.task_id, Deadline.due, Deadline.label, Deadline.source,
               Deadline.active)
        .join(Task, Task.id == Deadline.task_id).where(Task.plan_id == plan_id))}
    new_rows, changed = [], []
    for key, label in wanted.items():
        old = have.get(key)
        if old is None:
            new_rows.append({"task_id": key[0], "due": key[1], "label": label,
                             "source": "plan", "active": True})
            continue
        new_label = label if old.source == "plan" else old.label
        if new_label != old.label or not old.active:
            changed.append({"tid": old.id, "label": new_label, "active": True})
    for key, old in have.items():
        if key not in wanted and old.source == "plan" and old.active:
            changed.append({"tid": old.id, "label": old.label, "active": False})
            summary.deadlines_retired += 1
    _update_rows(s, Deadline, changed)
    bulk_insert(s, Deadline.__table__, new_rows)
    summary.deadlines_new = len(new_rows)
    summary.deadlines = len(wanted)


def _store_reports(s: Session, plan_id: int, parsed: ParsedPlan, directory: Directory,
                   summary: ImportSummary) -> None:
    have = {p.name: p for p in s.scalars(select(ReportPeriod).where(
        ReportPeriod.plan_id == plan_id))}
    names = set()
    for pos, p in enumerate(parsed.report_cycle.periods):
        names.add(p.name)
        row = have.get(p.name)
        if row is None:
            row = ReportPeriod(plan_id=plan_id, name=p.name, cutoff_from=p.from_,
                               cutoff_to=p.to, deadline=p.deadline, position=pos)
        else:
            row.cutoff_from, row.cutoff_to, row.deadline, row.position = (
                p.from_, p.to, p.deadline, pos)
        s.add(row)
        have[p.name] = row
    s.flush()
    for name, row in list(have.items()):
        if name not in names:
            if _has_report_history(s, row.id):
                raise InputError(f"kỳ báo cáo «{name}» đã có báo cáo được ghi nhận nhưng không "
                                 "còn trong kế hoạch mới: hãy hủy ghi nhận trước khi nhập lại")
            delete_items_of(s, obligations=select(ReportObligation.id).where(
                ReportObligation.period_id == row.id))
            s.delete(row)
            del have[name]
    s.flush()
    for row in have.values():
        wanted = directory.report_senders(row.deadline)
        existing = {a: oid for oid, a in s.execute(
            select(ReportObligation.id, ReportObligation.agency_id)
            .where(ReportObligation.period_id == row.id))}
        gone = [oid for a, oid in existing.items() if a not in wanted]
        if gone:
            delete_items_of(s, obligations=gone)
            s.execute(delete(ReportObligation).where(ReportObligation.id.in_(gone)))
        new = [{"period_id": row.id, "agency_id": a} for a in sorted(wanted)
               if a not in existing]
        bulk_insert(s, ReportObligation.__table__, new)
        summary.obligations += len(wanted)
    summary.periods = len(have)


def _has_report_history(s: Session, period_id: int) -> bool:
    return s.scalars(select(Completion.id).join(
        ReportObligation, ReportObligation.id == Completion.obligation_id)
        .where(ReportObligation.period_id == period_id)).first() is not None
