"""Every rule's own examples, and a corpus of real phrases with hand-worked expectations."""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from pathlib import Path

import pytest

from rules import RULES, Context, Kind, ReportCycle, WorkingCalendar, evaluate
from rules.normalize import normalize

CAL = WorkingCalendar.default()
CORPUS = Path(__file__).parent / "data" / "timing_corpus.tsv"


def _corpus() -> list[dict[str, str]]:
    with CORPUS.open(encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def _check(phrase: str, year: int, kind: str, due: list[str]) -> None:
    t = evaluate(phrase, Context(year, CAL))
    assert (str(t.kind), [d.isoformat() for d in t.due]) == (kind, due), t.explanation
    assert t.explanation
    for d in t.due:  # no result ever lands on a day off
        assert CAL.is_working_day(d), d
    if t.kind is Kind.UNKNOWN:
        assert t.warnings and phrase.strip() in t.warnings[0]


EXAMPLES = [(rule, ex) for rule in RULES for ex in rule.examples]


def test_every_rule_has_examples() -> None:
    assert all(rule.examples for rule in RULES)
    assert len({rule.name for rule in RULES}) == len(RULES)


@pytest.mark.parametrize(("rule", "example"), EXAMPLES,
                         ids=[f"{r.name}:{e.phrase[:40]}" for r, e in EXAMPLES])
def test_rule_examples(rule, example) -> None:
    _check(example.phrase, example.year, example.kind, list(example.due))
    # The example is matched by the rule that carries it, not by an earlier one.
    assert evaluate(example.phrase, Context(example.year, CAL)).rule == rule.name


ROWS = _corpus()


def test_corpus_size_and_sources() -> None:
    assert len({r["phrase"] for r in ROWS}) >= 80
    assert all(r["source"] for r in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[r["phrase"][:50] for r in ROWS])
def test_corpus(row: dict[str, str]) -> None:
    _check(row["phrase"], int(row["year"]), row["kind"], row["due"].split())


@pytest.mark.parametrize("variant", [
    "Quý I/2025", "quý i/2025", "QUÝ I/2025", "Quý 1/2025", "quý 1 năm 2025", "  Quý  I / 2025 ",
    "Trong quý I năm 2025", unicodedata.normalize("NFD", "Quý I/2025"), "Quý I/2025.",
    "Quý\u00a0I/2025",
])
def test_spelling_variants(variant: str) -> None:
    t = evaluate(variant, Context(2025, CAL))
    assert t.due == (dt.date(2025, 3, 31),)


@pytest.mark.parametrize("variant", [
    "Chậm nhất ngày 15/3/2026", "chậm nhất ngày 15-3-2026", "Chậm nhất ngày 15 tháng 3 năm 2026",
    "Chậm nhất ngày 15.3.2026", "chậm nhất ngày 15/03/2026", "Chậm nhất ngày 15 / 3 / 2026",
])
def test_date_formats(variant: str) -> None:
    # 15/03/2026 is a Sunday: the deadline moves to Monday 16/03/2026.
    assert evaluate(variant, Context(2026, CAL)).due == (dt.date(2026, 3, 16),)


def test_hang_and_hang_are_one_word() -> None:
    ctx = Context(2025, CAL)
    assert evaluate("Hằng quý", ctx).due == evaluate("Hàng quý", ctx).due
    assert normalize("Hằng năm") == "hàng năm"


def test_report_day_is_an_input() -> None:
    ctx = Context(2025, CAL, ReportCycle(day=20))
    assert [d.isoformat() for d in evaluate("Hàng quý", ctx).due] == [
        "2025-03-20", "2025-06-20", "2025-09-22", "2025-12-22"]
    ctx15 = Context(2025, CAL, ReportCycle(day=15))
    # 15/03/2025 is a Saturday, 15/06 a Sunday, 15/12 a Monday.
    assert [d.isoformat() for d in evaluate("Định kỳ 6 tháng", ctx15).due] == [
        "2025-06-16", "2025-12-15"]


def test_dashed_list_keeps_period_labels() -> None:
    t = evaluate("- Tháng 02/2025 - Tháng 12/2025", Context(2025, CAL))
    assert [d.label for d in t.deadlines] == ["Tháng 02/2025", "Tháng 12/2025"]


def test_explanation_names_the_days_off() -> None:
    t = evaluate("Tháng 01/2025", Context(2025, CAL))
    assert t.explanation == "Ngày làm việc cuối cùng của tháng 01/2025 (27–31/01 nghỉ Tết)"


def test_event_carries_offset_and_unit() -> None:
    from rules.events import due_after_event

    ctx = Context(2025, CAL)
    t = evaluate("Tối đa 05 ngày làm việc (kể từ khi UBND tỉnh công bố Quyết định ban hành "
                 "danh mục thành phần hồ sơ số hóa)", ctx)
    assert (t.kind, t.event_offset, t.event_unit) == (Kind.EVENT, 5, "working")
    assert t.event_description == ("UBND tỉnh công bố Quyết định ban hành danh mục thành phần "
                                   "hồ sơ số hóa")
    # Event on Friday 24/01/2025: 27-31/01 are Tết, so the 5th working day after is 07/02.
    assert due_after_event(t, dt.date(2025, 1, 24), ctx) == dt.date(2025, 2, 7)
    cal_days = evaluate("Trong vòng 30 ngày kể từ ngày Quyết định có hiệu lực", ctx)
    assert (cal_days.event_offset, cal_days.event_unit) == (30, "calendar")
    # 30 calendar days after 01/03/2025 is 31/03/2025, a Monday.
    assert due_after_event(cal_days, dt.date(2025, 3, 1), ctx) == dt.date(2025, 3, 31)
    # ... after 02/04/2025 is 02/05/2025, a day off: it moves to Monday 05/05/2025.
    assert due_after_event(cal_days, dt.date(2025, 4, 2), ctx) == dt.date(2025, 5, 5)


@pytest.mark.parametrize("phrase", [
    "chậm nhất ngày 0 hàng tháng", "trước ngày 0 của tháng cuối quý",
    "chậm nhất ngày 32 của tháng cuối kỳ báo cáo", "chậm nhất ngày 99 hàng tháng",
])
def test_impossible_day_of_a_recurring_deadline_is_unknown(phrase: str) -> None:
    t = evaluate(phrase, Context(2025, CAL))
    assert t.kind is Kind.UNKNOWN and not t.due and phrase in t.warnings[0]


def test_a_day_past_the_month_end_is_its_last_day() -> None:
    # "ngày 31" of the months 3, 6, 9, 12 of the report cycle: 31/03, 30/06 (a day past June's
    # end is its last day), 30/09, 31/12/2025 (all working days).
    t = evaluate("chậm nhất ngày 31 của tháng cuối kỳ báo cáo", Context(2025, CAL))
    assert [d.isoformat() for d in t.due] == ["2025-03-31", "2025-06-30", "2025-09-30",
                                              "2025-12-31"]
