"""The late items of an oversight message (the Sở Nội vụ's list, the Steering Committee's
digest) as a reader sees them in a body of bounded size. Pure; email and Telegram share it.

At most ``cap`` item lines are shown: the oldest ones (earliest due date first), grouped by
agency. Every agency with late items is still named with its count: an agency with lines shown
gets "… và N nhiệm vụ quá hạn khác" under them, one without any is listed with its total among
"the other agencies". At or below the cap every item is shown and the view says nothing more.
The message's items themselves are never cut (contract section 5); only their rendering is.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from core.messages import Item
from core.numbering import code_key

FAR_FUTURE = dt.date.max


def agency_of(i: Item) -> str:
    return i.agency_name or i.agency_id or ""


def oldest_first(i: Item) -> tuple[dt.date, str, str, tuple]:
    """Oldest due date first; then agency, group and number (in reading order: 1.9 before
    1.10), so the order is total."""
    return (i.due or FAR_FUTURE, agency_of(i).casefold(), i.group or "", code_key(i.code))


@dataclass(frozen=True)
class AgencyLate:
    agency: str
    total: int  # every late item of the agency in the message
    shown: tuple[Item, ...] = ()  # the lines shown, oldest first

    @property
    def rest(self) -> int:
        return self.total - len(self.shown)


@dataclass(frozen=True)
class LateView:
    total: int
    cap: int
    groups: tuple[AgencyLate, ...]  # agencies with lines shown, by name
    others: tuple[AgencyLate, ...]  # agencies with none shown, most late first

    @property
    def cut(self) -> bool:
        return self.total > self.cap

    @property
    def shown(self) -> int:
        return sum(len(g.shown) for g in self.groups)

    @property
    def agencies(self) -> int:
        return len(self.groups) + len(self.others)


def late_view(items: Iterable[Item], cap: int) -> LateView:
    late = sorted(items, key=oldest_first)
    totals = Counter(agency_of(i) for i in late)
    shown: dict[str, list[Item]] = {}
    for i in late[:cap]:
        shown.setdefault(agency_of(i), []).append(i)
    groups = tuple(AgencyLate(a, totals[a], tuple(shown[a]))
                   for a in sorted(shown, key=str.casefold))
    others = tuple(AgencyLate(a, n) for a, n in
                   sorted(((a, n) for a, n in totals.items() if a not in shown),
                          key=lambda an: (-an[1], an[0].casefold())))
    return LateView(len(late), cap, groups, others)
