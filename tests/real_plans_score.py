"""Score nhacviec's reading of the real plans of tests/data/real_plans/ against their hand-written
truth (the README there says how). Used by tests/test_real_plans.py; runnable on its own:

    .venv/bin/python -m tests.real_plans_score        # prints the table and every difference
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from engine.directory.agencies import Directory
from engine.intake.model import ParsedPlan, TaskOut
from engine.intake.reader import read_plan
from rules import WorkingCalendar

ROOT = Path(__file__).parent / "data" / "real_plans"
_DUP = re.compile(r"^(?P<code>.+?) \((?P<n>\d+)\)$")


@dataclass
class Score:
    plan: str
    expected: int = 0
    found: int = 0
    invented: int = 0
    wrong_agencies: int = 0
    missed_agencies: int = 0
    wrong_dates: int = 0
    unknown_dates: int = 0
    invented_periods: int = 0
    metadata_wrong: int = 0
    details: list[str] = field(default_factory=list)

    def row(self) -> list[str]:
        return [self.plan, f"{self.found}/{self.expected}", str(self.invented),
                str(self.wrong_agencies), str(self.missed_agencies), str(self.wrong_dates),
                str(self.unknown_dates), str(self.invented_periods), str(self.metadata_wrong)]


HEADER = ["plan", "tasks found/expected", "invented tasks", "wrong agencies",
          "missed agencies", "wrong dates", "clear dates left unknown",
          "invented report periods", "wrong metadata"]


def fold(text: str | None) -> str:
    text = unicodedata.normalize("NFD", (text or "").lower()).replace("đ", "d")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def plans() -> list[Path]:
    return sorted(p for p in ROOT.iterdir() if (p / "truth.yaml").exists())


def parse(folder: Path, calendar: WorkingCalendar) -> tuple[ParsedPlan, Directory, dict]:
    truth = yaml.safe_load((folder / "truth.yaml").read_text(encoding="utf-8"))
    directory = Directory.load(folder / "directory.yaml")
    parsed = read_plan(folder / truth["file"], directory=directory, calendar=calendar)
    return parsed, directory, truth


def _date(x) -> dt.date:  # noqa: ANN001
    return x if isinstance(x, dt.date) else dt.date.fromisoformat(str(x))


def _key(task: TaskOut) -> tuple[str, int]:
    m = _DUP.match(task.code)
    return (m.group("code"), int(m.group("n"))) if m else (task.code, 1)


def _flagged(task: TaskOut) -> bool:
    return bool(task.warnings)


def score(folder: Path, calendar: WorkingCalendar) -> Score:
    parsed, directory, truth = parse(folder, calendar)
    s = Score(folder.name)
    _metadata(s, parsed, truth)
    leaves = parsed.leaves()
    s.expected = len(truth["tasks"])
    used: set[int] = set()
    for t in truth["tasks"]:
        got = _match(t, leaves, used, truth)
        if got is None:
            s.details.append(f"not found: {t.get('group')} / {t['code']} «{t['title'][:50]}»")
            continue
        used.add(id(got))
        s.found += 1
        _agencies(s, t, got)
        _dates(s, t, got)
    for task in leaves:
        if id(task) not in used:
            s.invented += 1
            s.details.append(f"invented: {task.group} / {task.code} «{task.title[:50]}»")
    _periods(s, parsed, truth)
    return s


def _match(t: dict, leaves: list[TaskOut], used: set[int], truth: dict) -> TaskOut | None:
    free = [x for x in leaves if id(x) not in used]
    if t.get("code_written") is False or t.get("group_hidden"):
        prefix = fold(t["title"])[:40]
        for x in free:
            if fold(x.title).startswith(prefix):
                return x
        return None
    item = t.get("item", 1)
    group = fold(t.get("group")) if t.get("group") else None
    single = len({x.group for x in leaves}) == 1
    for x in free:
        code, n = _key(x)
        if code != str(t["code"]) or n != item:
            continue
        if group is None and not (single or x.group.startswith("Nhóm không hiện")):
            continue
        if group is not None and fold(x.group) != group:
            continue
        return x
    return None


def _metadata(s: Score, parsed: ParsedPlan, truth: dict) -> None:
    p, want = parsed.plan, truth["plan"]
    checks = [("number", p.number, str(want["number"])), ("date", p.date, _date(want["date"])),
              ("year", p.year, want["year"])]
    for what, got, expected in checks:
        if got != expected:
            s.metadata_wrong += 1
            s.details.append(f"plan {what}: {got!r} != {expected!r}")
    issuer = fold(p.issuer)
    expected_issuer = fold(want["issuer"]).replace("uy ban nhan dan", "ubnd")
    if issuer.replace("uy ban nhan dan", "ubnd") != expected_issuer:
        s.metadata_wrong += 1
        s.details.append(f"plan issuer: {p.issuer!r} != {want['issuer']!r}")


def _agencies(s: Score, t: dict, got: TaskOut) -> None:
    for role in ("lead", "support"):
        want_texts = t.get(role) or []
        want_ids = t.get(f"{role}_ids") or []
        texts = getattr(got, role)
        refs = getattr(got, f"{role}_refs")
        by_text = {fold(x): r for x, r in zip(texts, refs, strict=False)}
        for mention, want in zip(want_texts, want_ids, strict=True):
            ref = by_text.get(fold(mention), "<absent>")
            if ref == "<absent>":
                # The mention was not split out as written: any id the task got for it
                # that the truth does not name is wrong.
                s.missed_agencies += 1
                s.details.append(f"{got.group}/{got.code} {role}: «{mention}» not split out "
                                 f"(got {texts})")
                continue
            if want == "unresolved":
                if ref is not None:
                    s.wrong_agencies += 1
                    s.details.append(f"{got.group}/{got.code} {role}: «{mention}» -> {ref}, "
                                     "must stay unresolved")
            elif ref is None:
                s.missed_agencies += 1
                s.details.append(f"{got.group}/{got.code} {role}: «{mention}» unresolved "
                                 f"(truth {want})")
            elif ref != want:
                s.wrong_agencies += 1
                s.details.append(f"{got.group}/{got.code} {role}: «{mention}» -> {ref} "
                                 f"(truth {want})")
        expected_refs = {w for w in want_ids if w != "unresolved"}
        for x, r in zip(texts, refs, strict=False):
            if r is not None and r not in expected_refs and fold(x) not in {
                    fold(m) for m in want_texts}:
                s.wrong_agencies += 1
                s.details.append(f"{got.group}/{got.code} {role}: extra «{x}» -> {r}")


def _dates(s: Score, t: dict, got: TaskOut) -> None:
    kind = t["kind"]
    due = {_date(d) for d in t.get("due") or []}
    optional = {_date(d) for d in t.get("optional_due") or []}
    through = None
    got_due = set(got.due)
    if kind not in ("fixed", "periodic"):
        if got_due and not (t.get("approximate") and _flagged(got)):
            s.wrong_dates += 1
            s.details.append(f"{got.group}/{got.code}: {kind} «{t['timing']}» got dates "
                             f"{sorted(got_due)}")
        return
    if not got_due:
        if not t.get("approximate"):
            s.unknown_dates += 1
            s.details.append(f"{got.group}/{got.code}: «{t['timing']}» left without a date "
                             f"(truth {sorted(due)})")
        return
    del through
    extra = got_due - due - (optional if t.get("approximate") else optional)
    if extra and not (t.get("approximate") and _flagged(got)):
        s.wrong_dates += 1
        s.details.append(f"{got.group}/{got.code}: «{t['timing']}» -> {sorted(got_due)} "
                         f"(truth {sorted(due)})")


def _periods(s: Score, parsed: ParsedPlan, truth: dict) -> None:
    cycle = truth.get("report_cycle")
    periods = parsed.report_cycle.periods
    date = _date(truth["plan"]["date"])
    if cycle == "none" or not isinstance(cycle, dict) or cycle.get("day_stated") is False:
        allowed: set[dt.date] = set()
    else:
        allowed = {_date(d) for d in cycle.get("deadlines") or []} | {
            _date(d) for d in cycle.get("optional_deadlines") or []}
    for p in periods:
        bad = p.deadline not in allowed or p.deadline < date or p.from_ or p.to
        if bad:
            s.invented_periods += 1
            s.details.append(f"report period {p.name} {p.deadline} (window {p.from_}-{p.to}) "
                             "not in the truth")


def table(scores: list[Score]) -> str:
    rows = [HEADER, *(x.row() for x in scores)]
    total = Score("total")
    for x in scores:
        for f in ("expected", "found", "invented", "wrong_agencies", "missed_agencies",
                  "wrong_dates", "unknown_dates", "invented_periods", "metadata_wrong"):
            setattr(total, f, getattr(total, f) + getattr(x, f))
    rows.append(total.row())
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> None:
    calendar = WorkingCalendar.default()
    scores = [score(p, calendar) for p in plans()]
    for x in scores:
        for d in x.details:
            print(f"[{x.plan}] {d}")
    print(table(scores))


if __name__ == "__main__":
    main()
