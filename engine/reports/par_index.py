"""The PAR Index projection (Chỉ số CCHC): the scoring table of `config/par_index.toml`, the
points a tally of deadlines and reports earns, and what it would take to earn more.

Pure: a `Tally` in, points out. Shares are compared as exact fractions (0.90 is 9/10, not the
binary float), so 9 of 10 done is exactly 90 % and "more than 90 %" is not met.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from math import floor
from pathlib import Path

from config import bundled
from core.errors import ConfigError
from engine.reports.counting import ReportLine

MEASURES = ("completion_rate", "on_time_rate", "reports_on_time")
MEASURE_VI = {"completion_rate": "tỷ lệ hoàn thành", "on_time_rate": "tỷ lệ đúng hạn",
              "reports_on_time": "báo cáo định kỳ đúng hạn"}


@dataclass(frozen=True)
class Tier:
    points: float
    share: Fraction
    strict: bool  # True: more than `share`; False: at least `share`

    def met(self, done: int, of: int) -> bool:
        got = Fraction(done, of)
        return got > self.share if self.strict else got >= self.share

    def needed(self, done: int, of: int) -> int:
        """How many more done (of `of`) reach this tier (0: reached already)."""
        bound = self.share * of
        least = floor(bound) + 1 if self.strict else -(-bound.numerator // bound.denominator)
        return max(0, least - done)

    def to_json(self) -> dict:
        return {"points": self.points, "more_than" if self.strict else "at_least":
                float(self.share)}

    def text(self) -> str:
        pct = f"{float(self.share) * 100:g}%"
        return f"{'trên' if self.strict else 'từ'} {pct}: {self.points:g} điểm"


@dataclass(frozen=True)
class Criterion:
    id: str
    name: str
    measure: str
    tiers: tuple[Tier, ...] = ()  # rate measures, most points first
    points: float = 0.0  # reports_on_time

    @property
    def max_points(self) -> float:
        return self.tiers[0].points if self.tiers else self.points

    def to_json(self) -> dict:
        out = {"id": self.id, "name": self.name, "measure": self.measure,
               "max_points": self.max_points}
        if self.tiers:
            out["tiers"] = [t.to_json() for t in self.tiers]
        return out


@dataclass(frozen=True)
class Scoring:
    source: str
    criteria: tuple[Criterion, ...]

    @classmethod
    def load(cls, path: Path | str) -> Scoring:
        path = Path(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"không có tệp bảng điểm Chỉ số CCHC {path}") from exc
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"tệp bảng điểm Chỉ số CCHC {path} không hợp lệ: {exc}") from exc
        return _from_dict(raw, str(path))

    @classmethod
    def bundled(cls) -> Scoring:
        return cls.load(bundled("par_index.toml"))

    @property
    def max_points(self) -> float:
        return sum(c.max_points for c in self.criteria)


def _from_dict(raw: dict, where: str) -> Scoring:
    def bad(why: str) -> ConfigError:
        return ConfigError(f"{where}: {why}")

    source = raw.get("source", {})
    if not isinstance(source, dict) or not isinstance(source.get("title", ""), str):
        raise bad("[source] title phải là một chuỗi")
    items = raw.get("criterion")
    if not isinstance(items, list) or not items:
        raise bad("cần ít nhất một mục [[criterion]]")
    criteria, seen = [], set()
    for n, c in enumerate(items, 1):
        label = f"[[criterion]] thứ {n}"
        if not isinstance(c, dict) or not isinstance(c.get("id"), str) or not c["id"]:
            raise bad(f"{label}: thiếu 'id'")
        if c["id"] in seen:
            raise bad(f"{label}: 'id' «{c['id']}» bị trùng")
        seen.add(c["id"])
        unknown = set(c) - {"id", "name", "measure", "tiers", "points"}
        if unknown:
            raise bad(f"{label}: khóa không biết {', '.join(sorted(unknown))}")
        measure = c.get("measure")
        if measure not in MEASURES:
            raise bad(f"{label}: 'measure' phải là một trong {', '.join(MEASURES)}")
        name = c.get("name", c["id"])
        if measure == "reports_on_time":
            points = c.get("points")
            if not _number(points) or points <= 0 or "tiers" in c:
                raise bad(f"{label}: cần 'points' (số dương) và không có 'tiers'")
            criteria.append(Criterion(c["id"], name, measure, points=float(points)))
            continue
        tiers = c.get("tiers")
        if not isinstance(tiers, list) or not tiers or "points" in c:
            raise bad(f"{label}: cần danh sách 'tiers' (và không có 'points')")
        criteria.append(Criterion(c["id"], name, measure,
                                  tuple(_tier(t, f"{label}, bậc {k}", bad)
                                        for k, t in enumerate(tiers, 1))))
        got = criteria[-1].tiers
        if any(a.points <= b.points for a, b in zip(got, got[1:], strict=False)):
            raise bad(f"{label}: các bậc phải xếp theo điểm giảm dần")
    return Scoring(source.get("title", ""), tuple(criteria))


def _number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _tier(t: object, label: str, bad) -> Tier:  # noqa: ANN001
    if not isinstance(t, dict) or not _number(t.get("points")) or t["points"] <= 0:
        raise bad(f"{label}: cần 'points' (số dương)")
    keys = {"more_than", "at_least"} & set(t)
    if len(keys) != 1 or set(t) - {"points", "more_than", "at_least"}:
        raise bad(f"{label}: cần đúng một trong 'more_than', 'at_least' bên cạnh 'points'")
    key = keys.pop()
    share = t[key]
    if not _number(share) or not 0 <= share <= 1:
        raise bad(f"{label}: '{key}' phải là tỷ lệ từ 0 đến 1")
    return Tier(float(t["points"]), Fraction(str(share)), key == "more_than")


# --- scoring ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tally:
    """What one agency (or the whole plan) did in the period."""

    done_on_time: int = 0
    done_late: int = 0
    late_open: int = 0
    open_in_time: int = 0
    reports: tuple[ReportLine, ...] = ()

    @property
    def rated(self) -> int:
        """The deadlines that had to be done by the as-of day (the rates' denominator)."""
        return self.done_on_time + self.done_late + self.late_open


@dataclass(frozen=True)
class Score:
    criterion: Criterion
    points: float
    applicable: bool
    value: float | None  # the measure (a share), None when not applicable
    note: str


@dataclass(frozen=True)
class Step:
    """One way up: complete `completions` of the late tasks, or send the listed reports on time."""

    criterion: str
    gain: float
    completions: int = 0
    reports: tuple[ReportLine, ...] = ()

    def to_json(self) -> dict:
        out: dict = {"criterion": self.criterion, "gain": self.gain}
        if self.reports:
            out["reports"] = [{"period": r.period, "due": r.due.isoformat()}
                              for r in self.reports]
        else:
            out["complete_late_tasks"] = self.completions
        return out


@dataclass(frozen=True)
class Projection:
    scores: tuple[Score, ...]
    steps: tuple[Step, ...] = field(default=())

    @property
    def points(self) -> float:
        return sum(s.points for s in self.scores)

    @property
    def max_points(self) -> float:
        return sum(s.criterion.max_points for s in self.scores if s.applicable)

    def rules_json(self) -> list[dict]:
        return [{**s.criterion.to_json(), "applicable": s.applicable, "value": s.value,
                 "points": s.points, "note": s.note} for s in self.scores]


def project(scoring: Scoring, tally: Tally) -> Projection:
    scores, steps = [], []
    for c in scoring.criteria:
        if c.measure == "reports_on_time":
            score, step = _reports(c, tally.reports)
        else:
            score, more = _rate(c, tally)
            step = None
            steps.extend(more)
        scores.append(score)
        if step is not None:
            steps.append(step)
    return Projection(tuple(scores), tuple(steps))


def _rate(c: Criterion, t: Tally) -> tuple[Score, list[Step]]:
    of = t.rated
    if of == 0:
        return Score(c, 0.0, False, None, "không có nhiệm vụ đến hạn trong kỳ"), []
    done = t.done_on_time + (t.done_late if c.measure == "completion_rate" else 0)
    value = round(done / of, 4)
    got = next((tier for tier in c.tiers if tier.met(done, of)), None)
    points = got.points if got else 0.0
    steps = []
    if c.measure == "completion_rate":  # a late task completed now counts as done (late)
        for tier in reversed(c.tiers):
            k = tier.needed(done, of)
            if tier.points > points and 0 < k <= t.late_open:
                steps.append(Step(c.id, tier.points - points, completions=k))
    note = f"{MEASURE_VI[c.measure]} {value * 100:.1f}% ({done}/{of})".replace(".", ",")
    return Score(c, points, True, value, note), steps


def _reports(c: Criterion, reports: tuple[ReportLine, ...]) -> tuple[Score, Step | None]:
    if not reports:
        return Score(c, 0.0, False, None, "không có báo cáo định kỳ phải gửi"), None
    on_time = sum(r.status == "done_on_time" for r in reports)
    value = round(on_time / len(reports), 4)
    note = f"{on_time}/{len(reports)} báo cáo gửi đúng hạn"
    if on_time == len(reports):
        return Score(c, c.points, True, value, note), None
    lost = any(r.status in ("done_late", "late_open") for r in reports)
    pending = tuple(r for r in reports if r.status == "open_in_time")
    step = None if lost else Step(c.id, c.points, reports=pending)
    return Score(c, 0.0, True, value, note), step
