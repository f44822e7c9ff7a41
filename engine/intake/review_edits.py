"""What import does with a person's edits to the review file (rules in `engine.intake.review`).

Each task's ``_check`` holds four short fingerprints of what the parser produced: the inputs of
its timing (phrase, product, plan year, report day), its outputs (kind, due dates, deadlines,
event offset), its agency mentions and its agency ids. Comparing them with the file tells which
of these a person changed, so that a changed phrase is recomputed while a hand-written date is
never overwritten. The recomputation is the builder's (`engine.intake.build`): the rules engine,
then dashed product and timing lists paired into labelled deadlines.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from core.errors import InputError
from engine.intake.build import agency_ids, check_mentions, paired_deadlines
from engine.intake.metadata import rules_cycle_of
from engine.intake.model import DeadlineOut, ParsedPlan, ReportCycleOut, ReportPeriodOut, TaskOut
from rules import Context, Kind, WorkingCalendar, evaluate
from rules.report_periods import stated_periods
from rules.report_reader import read_report_cycle

CHECK_KEY = "_check"
KINDS = tuple(str(k) for k in Kind)
_WITH_DUE = ("fixed", "periodic")
# Warnings the builder and the rules derive from a task's timing / agencies; replaced when those
# are recomputed (kept in step with engine.intake.build and rules.base / rules.references).
_TIMING_WARNING = re.compile(
    r"^(Không hiểu thời hạn «|Thời hạn «|Không có thời gian thực hiện|Có \d+ sản phẩm nhưng \d+ "
    r"mốc thời gian)"
)
_AGENCY_WARNING = re.compile(
    r"^(Không nhận ra cơ quan (chủ trì|phối hợp) «|Cơ quan (chủ trì|phối hợp) «|Kế hoạch không "
    r"ghi cơ quan chủ trì|Chưa có cơ quan chủ trì)"
)


def _h(*values: Any) -> str:
    raw = json.dumps(values, ensure_ascii=False, default=str, sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()[:8]


def _parts(task: TaskOut, year: int, day: int) -> list[str]:
    return [
        _h(task.timing, task.product, year, day),
        _h(task.kind, task.due, [(d.due, d.label) for d in task.deadlines], task.event_offset,
           task.event_unit),
        _h(task.lead, task.support),
        _h(task.lead_agencies, task.support_agencies),
    ]


def _cycle_parts(cycle: ReportCycleOut, year: int) -> list[str]:
    return [_h(year, cycle.day, cycle.before), _h([p.model_dump() for p in cycle.periods])]


def fingerprint(item: TaskOut | ReportCycleOut, plan: ParsedPlan) -> str:
    if isinstance(item, ReportCycleOut):
        return "-".join(_cycle_parts(item, plan.plan.year))
    return "-".join(_parts(item, plan.plan.year, plan.report_cycle.day))


def apply_edits(data: dict, *, calendar: WorkingCalendar, directory: Any, name: str,
                validate: Callable[[dict], ParsedPlan]) -> ParsedPlan:
    raw_tasks = [t if isinstance(t, dict) else {} for t in data["tasks"]]
    checks = [_split(t.pop(CHECK_KEY, None)) for t in raw_tasks]
    cycle_raw = data.get("report_cycle")
    cycle_check = _split(cycle_raw.pop(CHECK_KEY, None)) if isinstance(cycle_raw, dict) else None
    plan = validate(data)
    year, day = plan.plan.year, plan.report_cycle.day
    ctx = Context(year=year, calendar=calendar, cycle=rules_cycle_of(plan.report_cycle),
                  horizon_to=plan.plan.horizon_to, not_before=plan.plan.date)
    _structure(plan, name)
    for task, raw, check in zip(plan.tasks, raw_tasks, checks, strict=True):
        label = f"{name}: nhiệm vụ {task.code} nhóm «{task.group}»"
        now = _parts(task, year, day)
        if check is None:  # a task added by hand
            due_edited = "due" in raw or "deadlines" in raw
            ids_edited = "lead_agencies" in raw or "support_agencies" in raw
            timing_edited = mentions_edited = True
        else:
            timing_edited, due_edited, mentions_edited, ids_edited = (
                a != b for a, b in zip(now, check, strict=True))
        if task.kind not in KINDS:
            raise InputError(f"{label}: kind «{task.kind}» không hợp lệ (dùng một trong: "
                             f"{', '.join(KINDS)})")
        if due_edited:
            _hand_set_due(task, label)
        elif timing_edited:
            recompute_timing(task, ctx)
        if directory is not None:
            if ids_edited:
                _hand_set_ids(task, directory, label)
            elif mentions_edited:
                resolve_mentions(task, directory)
    if cycle_check is not None:
        _cycle_edits(plan, cycle_check, calendar)
    return plan


def _split(check: Any) -> list[str] | None:
    return str(check).split("-") if check else None


def _structure(plan: ParsedPlan, name: str) -> None:
    """Tasks are identified by (group, code); a parent must exist; ``leaf`` follows."""
    seen: set[tuple[str, str]] = set()
    parents: set[tuple[str, str]] = set()
    for task in plan.tasks:
        key = (task.group, task.code)
        if key in seen:
            raise InputError(f"{name}: nhiệm vụ {task.code} nhóm «{task.group}» có hai lần; mỗi "
                             "nhiệm vụ phải có mã riêng trong nhóm")
        seen.add(key)
        if task.parent is not None:
            parents.add((task.group, task.parent))
    for task in plan.tasks:
        if task.parent is not None and (task.group, task.parent) not in seen:
            raise InputError(f"{name}: nhiệm vụ {task.code} nhóm «{task.group}» ghi nhiệm vụ cha "
                             f"«{task.parent}» nhưng nhóm không có nhiệm vụ đó")
        task.leaf = (task.group, task.code) not in parents


def _hand_set_due(task: TaskOut, label: str) -> None:
    task.due = sorted(set(task.due))
    dates = {d.due for d in task.deadlines}
    if not task.deadlines:
        task.deadlines = [DeadlineOut(due=d) for d in task.due]
    elif dates != set(task.due):
        if not task.due:
            task.due = sorted(dates)
        else:
            raise InputError(f"{label}: «due» và «deadlines» ghi các ngày khác nhau; sửa cho "
                             "khớp hoặc xóa «deadlines» để dùng «due»")
    task.deadlines.sort(key=lambda d: d.due)
    if task.due and task.kind not in (*_WITH_DUE, "event"):
        raise InputError(f"{label}: có ngày trong «due» nhưng kind là «{task.kind}»; đổi kind "
                         "thành fixed")
    if not task.due and task.kind in _WITH_DUE:
        raise InputError(f"{label}: kind «{task.kind}» cần ít nhất một ngày trong «due»")


def recompute_timing(task: TaskOut, ctx: Context) -> None:
    """Kind, due dates and deadlines from the task's phrase, as `engine.intake.build` does."""
    warnings = [w for w in task.warnings if not _TIMING_WARNING.match(w)]
    phrase = (task.timing or "").strip()
    task.timing = phrase or None
    timing = evaluate(phrase, ctx)
    deadlines = paired_deadlines(task.product, phrase, timing, ctx, warnings)
    if phrase and (task.leaf or timing.kind is Kind.UNKNOWN):
        warnings.extend(timing.warnings)
    elif task.leaf and not phrase:
        warnings.append("Không có thời gian thực hiện (ô trống, nhiệm vụ cha cũng không ghi): "
                        "cần người bổ sung.")
    task.kind = str(timing.kind) if phrase else str(Kind.UNKNOWN)
    task.due = sorted({x.date for x in deadlines})
    task.deadlines = [DeadlineOut(due=x.date, label=x.label) for x in deadlines]
    task.event_offset, task.event_unit = timing.event_offset, timing.event_unit
    task.explanation = str(timing.explanation) or None
    task.warnings = list(dict.fromkeys(warnings))


def resolve_mentions(task: TaskOut, directory: Any) -> None:
    warnings = [w for w in task.warnings if not _AGENCY_WARNING.match(w)]
    notes: list[str] = []
    resolved = {}
    for role, items in (("chủ trì", task.lead), ("phối hợp", task.support)):
        mentions = [m for item in items if item.strip()
                    for m in directory.split_and_resolve(item.strip())]
        check_mentions(mentions, role, directory, warnings, notes)
        resolved[role] = mentions
    task.lead = [m.text for m in resolved["chủ trì"]]
    task.support = [m.text for m in resolved["phối hợp"]]
    task.lead_agencies = agency_ids(resolved["chủ trì"])
    task.support_agencies = agency_ids(resolved["phối hợp"])
    task.lead_refs = [m.ref for m in resolved["chủ trì"]]
    task.support_refs = [m.ref for m in resolved["phối hợp"]]
    if not task.lead and task.leaf:
        warnings.append("Chưa có cơ quan chủ trì: cần người bổ sung.")
    task.agency_notes = notes
    task.warnings = list(dict.fromkeys(warnings))


def _hand_set_ids(task: TaskOut, directory: Any, label: str) -> None:
    task.lead_refs, task.support_refs = [], []  # the ids a person wrote speak for themselves
    for field in ("lead_agencies", "support_agencies"):
        out: list[str] = []
        for agency_id in getattr(task, field):
            if agency_id not in directory:
                raise InputError(f"{label}: «{field}» có mã cơ quan «{agency_id}» không có trong "
                                 "danh bạ (xem: nhacviec agency list)")
            out.extend(directory.members(agency_id))
        setattr(task, field, list(dict.fromkeys(out)))


def _cycle_edits(plan: ParsedPlan, check: list[str], calendar: WorkingCalendar) -> None:
    """A changed report day, `before` or plan year moves the report deadlines, unless the
    periods were edited by hand. The deadlines are those the plan's reporting sentences state
    (`report_cycle.text`), each period's on the new day of its last month; a report the plan
    dates within the year keeps its date; a plan stating none has no periods to move (the day
    then only serves its periodic tasks)."""
    cycle = plan.report_cycle
    now = _cycle_parts(cycle, plan.plan.year)
    if len(check) != 2 or now[0] == check[0] or now[1] != check[1]:
        return
    if not 1 <= cycle.day <= 31:
        raise InputError(f"report_cycle.day: ngày báo cáo {cycle.day} không hợp lệ (1-31)")
    stated = read_report_cycle("\n".join(cycle.text))
    if not stated.deadlines:
        return
    # `day` and `before` are the day of each period's last month; a report the plan dates
    # within the year ("trước ngày 30 tháng 11") keeps its date (edit its period instead).
    stated.deadlines = {k: replace(d, day=cycle.day, before=cycle.before) if d.month is None
                        else d for k, d in stated.deadlines.items()}
    info = plan.plan
    years = list(range(info.year, (info.horizon_to or info.year) + 1))
    periods, warnings = stated_periods(stated, years, calendar, not_before=info.date)
    cycle.periods = [ReportPeriodOut(name=p.name, from_=p.cutoff_from, to=p.cutoff_to,
                                     deadline=p.due) for p in periods]
    plan.warnings.extend(w for w in warnings if w not in plan.warnings)
