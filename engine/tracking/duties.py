"""Duties: each agency's share of each deadline, kept in line with the task's assignments."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlmodel import Session

from engine.directory.agencies import SINGLE_KINDS, Directory
from engine.planning.plan_table import delete_items_of
from engine.storage.bulk import in_ids, sync_rows
from engine.storage.models import Assignment, Deadline, Duty, Task


def sync_duties(s: Session, directory: Directory, *, plan_id: int | None = None,
                deadline_ids: list[int] | None = None) -> int:
    """Make the duty rows of a plan's (or of some) active deadlines match the task's assignments.

    A lead or support agency that a reorganisation merged before the due day is replaced by its
    successor (the agency holding the task on the due day); groups are already expanded, and
    collectives (UBND cấp xã) or unspecific mentions get no duty: nobody can be reminded there.
    An agency both lead and support is lead only. Returns the number of duties."""
    query = (select(Deadline.id, Deadline.task_id, Deadline.due)
             .join(Task, Task.id == Deadline.task_id)
             .where(Deadline.active, Task.removed.is_(False), Task.leaf))
    if plan_id is not None:
        query = query.where(Task.plan_id == plan_id)
    if deadline_ids is not None:
        query = query.where(Deadline.id.in_(deadline_ids))
    deadlines = s.execute(query).all()
    task_ids = list({d.task_id for d in deadlines})
    roles: dict[int, dict[str, list[str]]] = {}
    assignments = select(Assignment.task_id, Assignment.agency_id, Assignment.role)
    if plan_id is not None:  # the whole plan: one query, no list of ids
        batches = [assignments.join(Task, Task.id == Assignment.task_id)
                   .where(Task.plan_id == plan_id)]
    else:
        batches = [assignments.where(in_ids(Assignment.task_id, task_ids))]
    for batch in batches:
        for tid, agency, role in s.execute(batch):
            roles.setdefault(tid, {"lead": [], "support": []})[role].append(agency)
    single = {a.id for a in directory if a.kind in SINGLE_KINDS}
    stable = {a.id for a in directory if a.successor is None}

    def holders(agency_id: str, due: dt.date) -> list[str]:
        return [agency_id] if agency_id in stable else directory.holders(agency_id, due)

    wanted: set[tuple[int, str, str]] = set()
    for d in deadlines:
        r = roles.get(d.task_id, {"lead": [], "support": []})
        leads = {h for a in r["lead"] if a in single for h in holders(a, d.due)}
        supports = {h for a in r["support"] if a in single for h in holders(a, d.due)} - leads
        wanted.update((d.id, a, "lead") for a in leads)
        wanted.update((d.id, a, "support") for a in supports)
    dids = [d.id for d in deadlines]
    have: dict[tuple[int, str, str], int] = {}
    duties = select(Duty.id, Duty.deadline_id, Duty.agency_id, Duty.role)
    if plan_id is not None:
        wanted_ids = set(dids)
        batches = [duties.join(Deadline, Deadline.id == Duty.deadline_id)
                   .join(Task, Task.id == Deadline.task_id).where(Task.plan_id == plan_id)]
    else:
        wanted_ids = None
        batches = [duties.where(in_ids(Duty.deadline_id, dids))]
    for batch in batches:
        for duty_id, did, agency, role in s.execute(batch):
            if wanted_ids is None or did in wanted_ids:
                have[(did, agency, role)] = duty_id
    delete_items_of(s, duties=[i for key, i in have.items() if key not in wanted])
    sync_rows(s, Duty, have, wanted, ("deadline_id", "agency_id", "role"))
    return len(wanted)
