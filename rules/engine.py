"""evaluate(phrase, ctx): normalise once, try the rules in order, first match wins.

Order matters where families overlap: references and ongoing work first (they contain dates and
periods that must not be read as deadlines), events before dates, recurring before periods ("định
kỳ hàng quý" vs "quý 1"), a dash between two periods (a range) before the periods (where a
leading dash makes a list), rough parts of periods ("cuối năm 2025") before the periods, and the
catch-all clauses (a deadline inside a sentence) last.
"X hoặc theo yêu cầu ..." is evaluated as X. What no rule matches is `unknown`, with a warning
that quotes the phrase: never a guess.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rules.approximate import ApproximateRule
from rules.base import ImpossibleDate, Rule, fixed, unknown
from rules.calendar import CalendarRangeError
from rules.dash_ranges import DashRangeRule
from rules.dates import (
    BeforeDateRule,
    ByDateRule,
    ClauseBeforeRule,
    EndsOnRule,
    ParentheticalBeforeRule,
)
from rules.events import EventRule
from rules.normalize import normalize
from rules.periods import PeriodRule, RangeRule
from rules.recurring import (
    FrequencyRule,
    MonthEveryYearRule,
    MonthlyDayRule,
    OngoingYearlyRule,
    QuarterDayRule,
)
from rules.references import ON_REQUEST, OngoingRule, ReferenceRule
from rules.tet import BeforeTetRule
from rules.types import Context, Due, Kind, Timing
from rules.weeks import WeekOfMonthRule
from rules.years import BareYearRule, YearOnwardsRule, YearRangeRule

RULES: tuple[Rule, ...] = (
    ReferenceRule(),
    OngoingRule(),
    OngoingYearlyRule(),
    EventRule(),
    MonthEveryYearRule(),
    FrequencyRule(),
    MonthlyDayRule(),
    QuarterDayRule(),
    BeforeDateRule(),
    ByDateRule(),
    BeforeTetRule(),
    YearOnwardsRule(),
    YearRangeRule(),
    BareYearRule(),
    DashRangeRule(),
    ApproximateRule(),
    WeekOfMonthRule(),
    RangeRule(),
    PeriodRule(),
    ParentheticalBeforeRule(),
    EndsOnRule(),
    ClauseBeforeRule(),
)

# The hot loop of `_match`: `Rule.match` unrolled into bound methods (filter or None, the
# pattern's fullmatch, the rule); a national-scale import evaluates phrases by the 100,000.
_DISPATCH = tuple((r.needs, r.pattern.fullmatch, r) for r in RULES)

MAX_PHRASE = 500  # a timing cell longer than this is a paragraph, not a phrase


def evaluate(phrase: str, ctx: Context) -> Timing:
    """The kind and due dates of a timing phrase (contract section 1). Never raises on text."""
    if not isinstance(phrase, str) or not phrase.strip():
        return unknown(phrase or "", "ô thời gian trống, không có gì để kế thừa", "empty")
    if len(phrase) > MAX_PHRASE:
        return unknown(phrase[:80] + "…", "cụm từ thời gian quá dài", "too_long")
    text = normalize(phrase)
    result = _match(text, ctx, phrase)
    if result is not None:
        return result
    # "Năm 2025 hoặc theo yêu cầu của Văn phòng Chính phủ": as X.
    head, sep, tail = text.partition(" hoặc ")
    if sep and ON_REQUEST.fullmatch(tail):
        result = _match(head, ctx, phrase)
        if result is not None and result.kind is not Kind.UNKNOWN:
            return _with_note(result, " (hoặc theo yêu cầu)")
    result = _conditioned(text, ctx, phrase) or _item_list(text, ctx, phrase)
    if result is not None:
        return result
    return unknown(phrase, "không quy tắc nào hiểu được cụm từ này")


_CONDITION = re.compile(r"^(?P<head>.+?)\s*\((?P<cond>[^()]{3,})\)[.;,]?$")
_ITEMS = re.compile(r"(?:^|\s)[+]\s+")


def _conditioned(text: str, ctx: Context, phrase: str) -> Timing | None:
    """"Tháng 11/2025 (sau khi Ban Thường trực ... ban hành Hướng dẫn)": the period, with the
    condition for a person to check; "ngày tháng 11/2025" (a day left blank): the month,
    approximate."""
    m = _CONDITION.match(text)
    head, cond = (m.group("head"), m.group("cond")) if m else (text, None)
    blank_day = head.startswith("ngày tháng ")
    if blank_day:
        head = head.removeprefix("ngày ")
    if cond is None and not blank_day:
        return None
    result = _match(head, ctx, phrase)
    if result is None or result.kind is Kind.UNKNOWN or not result.deadlines:
        return None
    notes = []
    if cond:
        notes.append(f"Thời hạn «{phrase.strip()}» kèm điều kiện «{cond}»: hạn theo «{head}», "
                     "cần người kiểm tra khi điều kiện xảy ra.")
    if blank_day:
        notes.append(f"Thời hạn «{phrase.strip()}» để trống ngày: hiểu là cả tháng, cần người "
                     "xác nhận.")
    return replace(result, warnings=(*result.warnings, *notes),
                   approximate=result.approximate or blank_day or head.startswith("dự kiến"))


def _item_list(text: str, ctx: Context, phrase: str) -> Timing | None:
    """"+ Các bộ ... trước ngày 15/12/2025. + Bộ Công an ... trước ngày 31/12/2025": one
    deadline per item (each labelled with its item), when every item has one."""
    items = [x.strip(" .;") for x in _ITEMS.split(text) if x.strip(" .;")]
    if len(items) < 2:
        return None
    dues: list[Due] = []
    for item in items:
        result = _match(item, ctx, item)
        if result is None or result.kind is not Kind.FIXED or not result.deadlines:
            return None
        label = item if len(item) <= 80 else item[:77] + "…"
        dues.extend(Due(d.date, label) for d in result.deadlines)
    return fixed(phrase, "item_list", dues, lambda: "Mỗi mục một hạn: " + "; ".join(
        f"{d.label} → {d.date:%d/%m/%Y}" for d in dues))


def _match(text: str, ctx: Context, phrase: str) -> Timing | None:
    for needs, fullmatch, rule in _DISPATCH:
        if needs is not None and needs(text) is None:
            continue
        m = fullmatch(text)
        if m is None:
            continue
        try:
            return rule.resolve(m, ctx, phrase)
        except (ImpossibleDate, CalendarRangeError) as exc:
            return unknown(phrase, str(exc), rule.name)
    return None


def _with_note(t: Timing, note: str) -> Timing:
    return replace(t, explain=lambda: t.explanation + note)
