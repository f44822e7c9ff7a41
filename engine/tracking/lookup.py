"""Finding what a person names on the command line: a task, an agency, a report period.

A task is named
  - by group and code: ``TTHC/1.1``, ``"Cải cách TTHC/1.1"`` (the group matched without accents or
    case, by any part of its name: ``tthc``, ``cong vu``), or with ``--group``;
  - by its code alone when only one task has it (``2.1.2``);
  - by its database id: ``#57``.
When the name fits several tasks the error lists them, so the person can pick one.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlmodel import Session

from core.errors import InputError, NotFoundError
from core.ids import row_id
from engine.directory.agencies import Directory
from engine.directory.names import name_keys
from engine.storage.models import Plan, ReportPeriod, Task

_SPACES = re.compile(r"\s+")
_ROMAN = {"1": "i", "2": "ii", "3": "iii", "4": "iv"}


def fold(text: str) -> str:
    """Lower case, no accents (đ -> d), single spaces: how names are compared."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text).strip().lower()


def task_ref(task: Task) -> str:
    return f"{task.group_name}/{task.code}"


def find_task(s: Session, name: str, *, group: str | None = None,
              plan_id: int | None = None) -> Task:
    name = (name or "").strip()
    if not name:
        raise InputError("chưa nêu nhiệm vụ (ví dụ: TTHC/1.1 hoặc #12)")
    if name.startswith("#") and name[1:].isdigit():
        number = row_id(name[1:])  # "#99999999999999999999": no such row, not an overflow
        task = s.get(Task, number) if number is not None else None
        if task is None or (plan_id is not None and task.plan_id != plan_id):
            raise NotFoundError(f"không có nhiệm vụ mã số {name}")
        return task
    code = name
    if group is None and "/" in name:
        group, code = name.rsplit("/", 1)
    code = code.strip().rstrip(".")
    query = select(Task).where(Task.code == code, Task.removed.is_(False))
    if plan_id is not None:
        query = query.where(Task.plan_id == plan_id)
    tasks = list(s.scalars(query.order_by(Task.plan_id, Task.position)))
    if group:
        wanted = fold(group)
        tasks = [t for t in tasks if wanted in fold(t.group_name)]
    if len(tasks) == 1:
        return tasks[0]
    if not tasks:
        where = f" trong nhóm «{group}»" if group else ""
        raise NotFoundError(f"không có nhiệm vụ số {code}{where}")
    plans = {p.id: p.number for p in s.scalars(select(Plan))}
    listed = "; ".join(
        f"{task_ref(t)}" + (f" (KH {plans.get(t.plan_id)})" if len(plans) > 1 else "")
        + f" #{t.id}" for t in tasks[:8])
    raise InputError(f"«{name}» ứng với {len(tasks)} nhiệm vụ: {listed}. "
                     "Hãy ghi rõ nhóm, ví dụ TTHC/1.1, hoặc mã số #N")


def find_agency(directory: Directory, name: str) -> str:
    """The id of the single agency `name` means (its id, its name or an alias, accents and case
    ignored); an error naming candidates otherwise."""
    text = (name or "").strip()
    if not text:
        raise InputError("chưa nêu cơ quan (--agency)")
    if text in directory:
        agency_id = text
    else:

        matcher = directory.matcher
        key = name_keys(text)
        agency_id = matcher.index.get(tuple(key)) or matcher.fuzzy(text)
        if agency_id is None:
            folded = fold(text)
            hits = [a for a in directory if a.is_single and folded in fold(a.name)]
            if len(hits) == 1:
                agency_id = hits[0].id
            elif hits:
                listed = "; ".join(f"{a.id} ({a.name})" for a in hits[:8])
                raise InputError(f"«{name}» ứng với nhiều cơ quan: {listed}")
            else:
                raise NotFoundError(f"không có cơ quan «{name}» trong danh bạ "
                                    "(xem: nhacviec agency list)")
    agency = directory.get(agency_id)
    if not agency.is_single:
        raise InputError(f"«{agency.name}» là một nhóm cơ quan; hãy nêu một cơ quan cụ thể")
    return agency_id


def period_key(name: str) -> str:
    """"Quý I", "quý 1", "QUY I" -> "quy i"; "6 tháng" -> "6 thang"."""
    text = fold(name)
    text = re.sub(r"^bao cao\s+", "", text)
    return re.sub(r"\bquy\s+([1-4])\b", lambda m: f"quy {_ROMAN[m.group(1)]}", text)


def find_period(s: Session, plan_id: int, name: str) -> ReportPeriod:
    periods = list(s.scalars(select(ReportPeriod).where(ReportPeriod.plan_id == plan_id)
                             .order_by(ReportPeriod.position)))
    wanted = period_key(name)
    for p in periods:
        if period_key(p.name) == wanted:
            return p
    listed = ", ".join(p.name for p in periods) or "không có kỳ nào"
    raise NotFoundError(f"kế hoạch không có kỳ báo cáo «{name}» (các kỳ: {listed})")


def find_plan(s: Session, number: str | None) -> Plan:
    """The plan named by number ("196/KH-UBND", optionally "196/KH-UBND:2025"), or the only /
    latest one when none is named."""
    plans = list(s.scalars(select(Plan).order_by(Plan.year, Plan.id)))
    if not plans:
        raise NotFoundError("chưa có kế hoạch nào: hãy chạy nhacviec plan import TỆP")
    if not number:
        return plans[-1]
    num, _, year = number.partition(":")
    hits = [p for p in plans if fold(p.number) == fold(num) and (not year or str(p.year) == year)]
    if not hits:
        listed = ", ".join(f"{p.number}:{p.year}" for p in plans)
        raise NotFoundError(f"không có kế hoạch «{number}» (đã nhập: {listed})")
    return hits[-1]
