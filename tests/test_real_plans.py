"""Issue #19's measurement: the eight real plans of tests/data/real_plans/, each read with its
own directory.yaml and scored against its hand-written truth.yaml (tests/real_plans_score.py,
as the README there says). The three "wrong" columns must be zero: wrong agencies, wrong dates,
invented report periods; every task must be found and no task invented; the plan's number, date,
year and issuer must be right."""

from __future__ import annotations

import pytest

from rules import WorkingCalendar
from tests.real_plans_score import plans, score, table


@pytest.fixture(scope="module")
def scores():
    calendar = WorkingCalendar.default()
    return [score(p, calendar) for p in plans()]


def test_every_real_plan_is_read_without_a_wrong_agency_date_or_report(scores, capsys):
    with capsys.disabled():
        print("\n" + table(scores))
    assert len(scores) == 8
    for s in scores:
        details = "\n".join(s.details)
        assert (s.wrong_agencies, s.wrong_dates, s.invented_periods) == (0, 0, 0), (
            f"{s.plan}:\n{details}")
        assert s.found == s.expected and s.invented == 0, f"{s.plan}:\n{details}"
        assert s.metadata_wrong == 0, f"{s.plan}:\n{details}"


def test_the_table_counts_what_the_truth_holds(scores):
    # 118 tasks in all (README of tests/data/real_plans); a clear date is never left unknown.
    assert sum(s.expected for s in scores) == 118
    assert sum(s.unknown_dates for s in scores) == 0
