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

from rules.approximate import ApproximateRule
from rules.base import ImpossibleDate, Rule, unknown
from rules.calendar import CalendarRangeError
from rules.dash_ranges import DashRangeRule
from rules.dates import BeforeDateRule, ByDateRule, EndsOnRule, ParentheticalBeforeRule
from rules.events import EventRule
from rules.normalize import normalize
from rules.periods import PeriodRule, RangeRule
from rules.recurring import FrequencyRule, MonthlyDayRule, QuarterDayRule
from rules.references import ON_REQUEST, OngoingRule, ReferenceRule
from rules.tet import BeforeTetRule
from rules.types import Context, Kind, Timing
from rules.weeks import WeekOfMonthRule
from rules.years import BareYearRule, YearOnwardsRule, YearRangeRule

RULES: tuple[Rule, ...] = (
    ReferenceRule(),
    OngoingRule(),
    EventRule(),
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
    return unknown(phrase, "không quy tắc nào hiểu được cụm từ này")


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
    from dataclasses import replace

    return replace(t, explain=lambda: t.explanation + note)
