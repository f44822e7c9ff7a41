"""What re-importing a stored plan would change, before it is changed.

Re-importing a plan (same number, same year) updates it in place: a task no longer in the file
is removed, a deadline whose date changed is retired with the completions recorded for it. When
the stored plan came from a reviewed file (dates set by hand, agencies corrected) and the plan's
original file is imported again, that silently undid the review. `differences` imports the file
in the caller's transaction, compares the stored plan before and after, and the caller rolls
back: `plan import` shows them and asks for `--replace` before changing anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from core.formatting import vn_date
from core.numbering import code_key
from engine.intake.model import ParsedPlan
from engine.planning.reminder_rules import Planner
from engine.storage.models import Assignment, Completion, Deadline, Plan, Task
from engine.tracking.plan_store import import_plan

SHOWN = 30  # differences listed one by one; beyond, counted


@dataclass
class Snapshot:
    tasks: dict[tuple[str, str], tuple] = field(default_factory=dict)  # title, leads, dues
    done: set[tuple[str, str, dt.date, str]] = field(default_factory=set)


def snapshot(s: Session, plan_id: int) -> Snapshot:
    out = Snapshot()
    rows = s.execute(select(Task.id, Task.group_name, Task.code, Task.title).where(
        Task.plan_id == plan_id, Task.leaf, Task.removed.is_(False))).all()
    keys = {tid: (g, c) for tid, g, c, _ in rows}
    leads: dict[int, list[str]] = {}
    for tid, agency in s.execute(select(Assignment.task_id, Assignment.agency_id)
                                 .join(Task, Task.id == Assignment.task_id)
                                 .where(Task.plan_id == plan_id, Assignment.role == "lead")):
        leads.setdefault(tid, []).append(agency)
    dues: dict[int, list[dt.date]] = {}
    for tid, due in s.execute(select(Deadline.task_id, Deadline.due)
                              .join(Task, Task.id == Deadline.task_id)
                              .where(Task.plan_id == plan_id, Deadline.active)):
        dues.setdefault(tid, []).append(due)
    for tid, group, code, title in rows:
        out.tasks[(group, code)] = (title, tuple(sorted(leads.get(tid, ()))),
                                    tuple(sorted(dues.get(tid, ()))))
    for tid, due, agency in s.execute(
            select(Deadline.task_id, Deadline.due, Completion.agency_id)
            .join(Deadline, Deadline.id == Completion.deadline_id)
            .join(Task, Task.id == Deadline.task_id)
            .where(Task.plan_id == plan_id, Deadline.active, Task.removed.is_(False),
                   Completion.undone_at.is_(None))):
        if tid in keys:
            out.done.add((*keys[tid], due, agency))
    return out


def _dates(dues: tuple) -> str:
    return ", ".join(vn_date(d) for d in dues) or "không có"


def _who(ids: tuple, names: dict[str, str]) -> str:
    return ", ".join(names.get(i, i) for i in ids) or "không có"


def compare(before: Snapshot, after: Snapshot, names: dict[str, str]) -> list[str]:
    """The differences, one Vietnamese line each, by task order."""
    lines: list[str] = []

    def ref(key: tuple[str, str]) -> str:
        return f"{key[0]} / {key[1]}"

    for key in sorted(before.tasks.keys() | after.tasks.keys(),
                      key=lambda k: (k[0], code_key(k[1]))):
        old, new = before.tasks.get(key), after.tasks.get(key)
        if new is None:
            lines.append(f"bỏ nhiệm vụ {ref(key)}: {old[0][:80]}")
        elif old is None:
            lines.append(f"thêm nhiệm vụ {ref(key)}: {new[0][:80]}")
        else:
            if old[2] != new[2]:
                lines.append(f"{ref(key)}: thời hạn {_dates(old[2])} → {_dates(new[2])}")
            if old[1] != new[1]:
                lines.append(f"{ref(key)}: cơ quan chủ trì {_who(old[1], names)} → "
                             f"{_who(new[1], names)}")
            if old[0] != new[0]:
                lines.append(f"{ref(key)}: đổi tên nhiệm vụ")
    for group, code, due, agency in sorted(before.done - after.done,
                                           key=lambda d: (d[0], code_key(d[1]), d[2], d[3])):
        lines.append(f"mất ghi nhận hoàn thành: {group} / {code} (hạn {vn_date(due)}) của "
                     f"{names.get(agency, agency)}")
    return lines


def differences(s: Session, parsed: ParsedPlan, planner: Planner, today: dt.date
                ) -> list[str] | None:
    """What importing `parsed` would change in the stored plan of its number and year (None:
    no such plan yet). Writes in the caller's transaction: the caller rolls back."""
    number = (parsed.plan.number or "").strip()[:64]
    plan_id = s.scalar(select(Plan.id).where(Plan.number == number,
                                             Plan.year == parsed.plan.year))
    if plan_id is None:
        return None
    before = snapshot(s, plan_id)
    import_plan(s, parsed, planner, today)
    s.flush()
    after = snapshot(s, plan_id)
    names = {a.id: a.name for a in planner.directory}
    return compare(before, after, names)
