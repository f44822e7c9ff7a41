"""What the dispatcher would send, from the real database, without claiming or changing anything:
the preview behind the desk's Lịch gửi (and `nhacviec preview`, `dispatch --dry-run`).

For each working day asked for, the pending items a wake-up on that day would read, minus those
settled meanwhile (a live completion, a closed plan: `engine.dispatch.items.settled_meanwhile`),
composed into messages by the dispatcher's own `Dispatcher.build` (same grouping, same keys,
same items). The first day is the next wake-up: it also takes the pending items of earlier days
still within the grace (a service that was stopped catches up); each later day only its own.
Items older than the grace would be recorded as missed, not sent: they are counted apart, and
the Sở Nội vụ's list carries the lines telling of them, as the wake-up's would (the dispatcher's
own code runs in the preview's transaction, which is always rolled back).

What cannot be known ahead is not made up: lines the Sở Nội vụ's list gets from that day's own
delivery failures, and messages to channels this process has not configured.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from core.messages import OutgoingMessage
from core.vocabulary import MessageKind
from engine.directory.agencies import Directory
from engine.dispatch.dispatcher import Dispatcher, _is_monitor_marker
from engine.dispatch.items import settled_meanwhile
from engine.planning.policy import Policy
from engine.storage.bulk import plain_rows
from engine.storage.db import session
from engine.storage.models import PlannedItem
from notifiers.recording import RecordingNotifier
from rules import WorkingCalendar


@dataclass
class PreviewDay:
    day: dt.date
    messages: list[OutgoingMessage] = field(default_factory=list)
    pending: int = 0  # items read for the day
    settled: int = 0  # of them, completed or of a closed plan meanwhile: they will not go
    unreachable: list[str] = field(default_factory=list)  # recipients with no address
    missed: int = 0  # first day only: items older than the grace (recorded missed, not sent)
    # Without `oversight`: the Sở Nội vụ's lists and the Steering Committee's digest left
    # uncomposed (they are composed when they go, from what is late then): kind -> markers.
    deferred: dict[str, int] = field(default_factory=dict)

    def by_kind(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for m in self.messages:
            out[m.kind] = out.get(m.kind, 0) + 1
        return out


def next_slot(now: dt.datetime, calendar: WorkingCalendar, policy: Policy) -> dt.date:
    """The working day of the next wake-up at or after `now`: today before the send time (on a
    working day), else the next working day."""
    local = now.astimezone(policy.tz)
    day = local.date()
    if local.time() >= policy.send_time or not calendar.is_working_day(day):
        day = calendar.next_working_day(day + dt.timedelta(days=1))
    return day


def working_days(first: dt.date, count: int, calendar: WorkingCalendar) -> list[dt.date]:
    days, day = [], calendar.next_working_day(first)
    while len(days) < count:
        days.append(day)
        day = calendar.add_working_days(day, 1)
    return days


class Preview:
    """Previews on one database; `channels`: the channels the service sends on (email always;
    telegram when a bot token is set)."""

    def __init__(self, engine: Engine, directory: Directory, calendar: WorkingCalendar,
                 policy: Policy, channels: Sequence[str] = ("email",), *,
                 extra_chats: dict[str, Sequence[int]] | None = None) -> None:
        # The dispatcher itself composes; its channels are stand-ins that are never called.
        self.dispatcher = Dispatcher(engine, directory, calendar, policy,
                                     [RecordingNotifier(channel=c) for c in channels],
                                     extra_chats=extra_chats, worker="preview")
        self.engine, self.cal = engine, calendar

    def day(self, day: dt.date, *, first: bool = True, oversight: bool = True) -> PreviewDay:
        """What a wake-up on `day` would send; `first`: it is the next wake-up (it also takes
        the earlier days' pending items within the grace). Without `oversight`, the lists the
        wake-up composes from everything late that day (the Sở Nội vụ's lists of late
        deadlines, the Steering Committee's digest: 160,000 lines nationally, seconds to
        compose) are counted in `deferred`, not composed; the Sở Nội vụ's other lines are."""
        d = self.dispatcher
        day = self.cal.next_working_day(day)  # a day off sends nothing: its next working day
        out = PreviewDay(day)
        if first:
            where = d._pending_up_to(day)
        else:
            where = (PlannedItem.state == "pending", PlannedItem.send_on == day)
        with session(self.engine) as s:
            if self.engine.dialect.name == "postgresql":
                # As the wake-up reads (`Dispatcher._compose`): a day's items without parallel
                # workers, whose start costs more than the read.
                s.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
            if first:
                # Pending items older than the grace: the wake-up records them as missed and
                # tells the Sở Nội vụ, whose list then carries those lines. Done here by the
                # dispatcher's own code, in this transaction, which is rolled back below.
                out.missed = d._settle_missed(s, day)
                s.flush()  # its notices, for the read below (Core does not autoflush)
            planned = plain_rows(s.connection().execute(
                select(PlannedItem.__table__).where(*where)
                .order_by(PlannedItem.send_on, PlannedItem.id)))
            out.pending = len(planned)
            gone = settled_meanwhile(s, planned)
            out.settled = len(gone)
            planned = [p for p in planned if p.id not in gone]
            if not oversight:
                later = [p for p in planned
                         if p.kind == MessageKind.STEERING_DIGEST or _is_monitor_marker(p)]
                for p in later:
                    out.deferred[p.kind] = out.deferred.get(p.kind, 0) + 1
                held = {p.id for p in later}
                planned = [p for p in planned if p.id not in held]
            if planned:
                built = d.build(s, day, planned)
                out.messages = [c.message for c in built.claims]
                out.unreachable = sorted({p.recipient_id for p in planned
                                          if not built.reach.get(p.id)})
            s.rollback()  # nothing read here is kept, nothing written
        out.messages.sort(key=lambda m: (_ORDER.get(m.kind, 9), m.recipient.name, m.channel))
        return out

    def days(self, first: dt.date, count: int, *, oversight: bool = True) -> list[PreviewDay]:
        """The next `count` working days from `first` (the next wake-up's day)."""
        return [self.day(day, first=i == 0, oversight=oversight)
                for i, day in enumerate(working_days(first, count, self.cal))]


_ORDER = {"agency_digest": 0, "explanation_request": 1, "monitor_list": 2, "steering_digest": 3}
