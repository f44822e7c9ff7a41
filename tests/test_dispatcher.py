"""The dispatcher on real databases, with channels that keep the Notifier protocol: one digest
per agency, channel and day; nothing twice; completions stop messages; catch-up after a stop;
retries; the Sở Nội vụ told of what could not go."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.messages import DeliveryResult, Item, OutgoingMessage, Recipient
from core.payload import from_payload
from engine.dispatch.claims import Claim, claim, heartbeat, machine, owner, owner_dead, started
from engine.dispatch.dispatcher import Dispatcher
from engine.planning.planner import plan_plan
from engine.storage.models import (
    ChatLink,
    DeliveryAttempt,
    Notification,
    NotificationItem,
    PlannedItem,
)
from engine.tracking.lookup import find_task
from engine.tracking.plan_store import store_plan
from engine.tracking.records import complete_task
from notifiers.recording import RecordingNotifier
from tests.plan_factory import D, january_plan, plan, runtime, store_seed, task

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: str, hour: int = 8, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(D(day), dt.time(hour, minute), tzinfo=TZ)


def setup(url, parsed=None, today="2025-01-01", notifiers=None, **kw):
    rt = runtime(url)
    with rt.session() as s:
        summary = store_plan(s, parsed or january_plan(), rt.directory, calendar=rt.calendar)
        plan_plan(s, summary.plan_id, rt.planner, D(today))
        s.commit()
    notifiers = notifiers if notifiers is not None else [RecordingNotifier(channel="email")]
    return rt, Dispatcher(rt.engine, rt.directory, rt.calendar, rt.policy, notifiers, **kw)


async def wake(d: Dispatcher, day: str, hour: int = 8):
    return (await d.wake(at(day, hour))).messages


def by(messages, recipient, kind="agency_digest"):
    return [m for m in messages if m.recipient.id == recipient and m.kind == kind]


@dataclass
class FlakyNotifier:
    """Fails the first `fail` sends of every key, transiently or permanently."""

    channel: str = "email"
    fail: int = 1
    permanent: bool = False
    tries: Counter = field(default_factory=Counter)
    delivered: list[OutgoingMessage] = field(default_factory=list)

    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]:
        out = []
        for m in messages:
            self.tries[m.key] += 1
            if self.tries[m.key] <= self.fail:
                out.append(DeliveryResult(m.key, False, permanent=self.permanent,
                                          detail="550 hộp thư không tồn tại" if self.permanent
                                          else "451 thử lại sau"))
            else:
                self.delivered.append(m)
                out.append(DeliveryResult(m.key, True, provider_id=f"<{m.key}>"))
        return out

    async def aclose(self) -> None:
        return None


async def test_one_digest_per_agency_and_day(db_url):
    _, d = setup(db_url)
    msgs = await wake(d, "2025-01-17")
    vp = by(msgs, "vp-ubnd")
    assert len(vp) == 1
    assert vp[0].to_json() == {
        "at": "2025-01-17T08:00:00+07:00", "channel": "email", "recipient": "vp-ubnd",
        "recipient_name": "Văn phòng UBND tỉnh", "kind": "agency_digest",
        "items": [{"reason": "reminder", "group": "Cải cách TTHC", "code": "1.1",
                   "due": "2025-01-24", "role": "lead", "label": "Tháng 01/2025"}]}
    assert vp[0].key == "agency_digest/vp-ubnd/email/2025-01-17"
    stp = by(msgs, "so-tu-phap")
    assert [(i.code, i.role) for i in stp[0].items] == [("1.1", "support")]
    assert len({(m.recipient.id, m.channel, m.kind) for m in msgs}) == len(msgs)


async def test_a_duty_deleted_on_reimport_takes_its_links_and_leaves_the_messages(db_url):
    """The message records have no foreign keys (revision 0008): when a re-import drops an
    agency from a task, its duty's items are deleted with their links to the messages they
    rode in, as the cascade did; the messages themselves stay, as sent. No link is left
    pointing at a deleted item (on SQLite a new item could take that id and look sent)."""
    rt, d = setup(db_url)
    msgs = await wake(d, "2025-01-17")
    assert [(i.code, i.role) for i in by(msgs, "so-tu-phap")[0].items] == [("1.1", "support")]
    with rt.session() as s:
        riding = dict(s.execute(select(PlannedItem.recipient_id, func.count())
                                .join(NotificationItem, NotificationItem.item_id == PlannedItem.id)
                                .group_by(PlannedItem.recipient_id)).all())
        sent = s.scalars(select(Notification.key).order_by(Notification.key)).all()
    assert riding == {"vp-ubnd": 1, "so-tu-phap": 1}
    changed = january_plan()
    changed.tasks[1].support, changed.tasks[1].support_agencies = [], []
    with rt.session() as s:
        store_plan(s, changed, rt.directory, calendar=rt.calendar)
        s.commit()
    with rt.session() as s:
        assert s.scalars(select(PlannedItem.key).where(
            PlannedItem.recipient_id == "so-tu-phap", PlannedItem.reason == "reminder")).all() \
            == []
        orphans = s.scalar(select(func.count()).select_from(NotificationItem).where(
            NotificationItem.item_id.not_in(select(PlannedItem.id))))
        assert orphans == 0
        assert s.scalars(select(PlannedItem.recipient_id).join(
            NotificationItem, NotificationItem.item_id == PlannedItem.id)).all() == ["vp-ubnd"]
        assert s.scalars(select(Notification.key).order_by(Notification.key)).all() == sent


async def test_report_reminder_carries_window_address_and_ongoing_tasks(db_url):
    _, d = setup(db_url)
    msgs = await wake(d, "2025-03-11")
    vp = by(msgs, "vp-ubnd")
    assert len(vp) == 1
    # The first wake-up since January: its late notice of 24/01 catches up in the same digest.
    assert [(i.reason, i.due) for i in vp[0].items if i.reason == "late"] == [
        ("late", D("2025-01-24"))]
    [item] = [i for i in vp[0].items if i.reason == "report_reminder"]
    assert (item.reason, item.period, item.due) == ("report_reminder", "Quý I", D("2025-03-18"))
    assert (item.cutoff_from, item.cutoff_to) == (D("2024-12-15"), D("2025-03-14"))
    assert item.data_entry_url == "https://ktxh.socstrang.gov.vn"
    assert item.days_left == 5
    # What the report must cover: the agency's ongoing (Thường xuyên) tasks.
    assert [(o.group, o.code) for o in vp[0].ongoing] == [("Cải cách TTHC", "4.2.1")]
    # Every reporting agency gets one.
    assert len(by(msgs, "ubnd-h-tran-de")) == 1 and not by(msgs, "ubnd-tinh")


async def test_each_outcome_is_recorded_with_the_senders_clock(db_url):
    """After sending, every message is recorded sent at the dispatcher's wall-clock instant,
    with one delivery attempt at that instant (PostgreSQL receives the instant as text)."""
    wall = dt.datetime(2025, 1, 17, 1, 0, 5, tzinfo=dt.UTC)
    rt, d = setup(db_url, wall_clock=lambda: wall)
    msgs = await wake(d, "2025-01-17")
    assert len(msgs) >= 2
    with rt.session() as s:
        rows = s.execute(select(Notification.key, Notification.state, Notification.sent_at,
                                Notification.attempts)).all()
        attempts = s.execute(select(DeliveryAttempt.attempted_at, DeliveryAttempt.ok)).all()
    def utc(t: dt.datetime) -> dt.datetime:  # SQLite gives the UTC instant back naive
        return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)

    assert sorted(k for k, *_ in rows) == sorted(m.key for m in msgs)
    assert {(st, utc(sent_at), n) for _, st, sent_at, n in rows} == {("sent", wall, 1)}
    assert len(attempts) == len(msgs) and {(utc(t), ok) for t, ok in attempts} == {(wall, True)}


async def test_a_monday_with_nothing_late_sends_no_digest_that_week(db_url):
    """The steering digest is Monday's: a Monday with nothing late sends none, and its marker
    is settled then, not composed again on the next days (it used to go out on the Thursday the
    first deadline was missed, three days late and not on a Monday)."""
    rt, d = setup(db_url, plan([task("Cải cách TTHC", "1.1", lead=["vp-ubnd"],
                                     dues=["2025-01-08"])]))
    sent = []
    for day in ("2025-01-06", "2025-01-07", "2025-01-08", "2025-01-09", "2025-01-10",
                "2025-01-13"):
        sent += await wake(d, day)
    steering = [m for m in sent if m.kind == "steering_digest"]
    # 1.1 is late from Thursday 09/01; the first Monday after is 13/01.
    assert [(m.at.date(), [i.code for i in m.items]) for m in steering] == [
        (D("2025-01-13"), ["1.1"])]
    # The agency's own: 1 working day before, on the day, late the next day (the 5-day
    # reminder fell on 31/12/2024, before the plan was planned).
    assert [m.at.date() for m in by(sent, "vp-ubnd")] == [D("2025-01-07"), D("2025-01-08"),
                                                           D("2025-01-09")]
    with rt.session() as s:
        states = dict(s.execute(select(PlannedItem.send_on, PlannedItem.state).where(
            PlannedItem.kind == "steering_digest", PlannedItem.send_on <= D("2025-01-13"))
        ).all())
    assert states == {D("2025-01-06"): "cancelled", D("2025-01-13"): "done"}


async def test_twice_at_the_same_instant_sends_nothing_new(db_url):
    rt, d = setup(db_url)
    first = await wake(d, "2025-01-17")
    again = await wake(d, "2025-01-17", hour=15)
    assert first and again == []
    with rt.session() as s:
        keys = list(s.scalars(select(Notification.key)))
    assert len(keys) == len(set(keys)) == len(first)


async def test_nothing_before_the_send_time_and_nothing_on_days_off(sqlite_url):
    _, d = setup(sqlite_url)
    assert d.slot_for(at("2025-01-17", 7, 59)) == D("2025-01-16")
    assert d.slot_for(at("2025-01-17", 8, 0)) == D("2025-01-17")
    assert d.slot_for(at("2025-01-19", 10)) == D("2025-01-17")  # Sunday -> Friday
    assert d.slot_for(at("2025-04-26", 9)) == D("2025-04-26")  # a worked Saturday
    assert d.slot_for(at("2025-05-03", 9)) == D("2025-04-29")  # 30/04-02/05 off
    assert await wake(d, "2025-01-17", hour=7) == []  # 16/01 had nothing


async def test_completion_stops_every_later_message(db_url):
    rt, d = setup(db_url)
    await wake(d, "2025-01-17")
    with rt.session() as s:
        complete_task(s, find_task(s, "TTHC/1.1"), "vp-ubnd", rt.planner, on=D("2025-01-20"),
                      today=D("2025-01-20"), document_no="15/KH-UBND")
        s.commit()
    sent = []
    for day in ("2025-01-23", "2025-01-24", "2025-02-03", "2025-02-05", "2025-02-17"):
        sent += [m for m in await wake(d, day) if any(i.code == "1.1" for i in m.items)]
    assert sent == []


async def test_restart_after_two_days_sends_once_within_grace(db_url):
    rt, d = setup(db_url)
    await wake(d, "2025-01-17")
    # Stopped on 21, 22 and 23/01; started again on Friday 24/01 at 09:30.
    msgs = await wake(d, "2025-01-24", hour=9)
    vp = by(msgs, "vp-ubnd")
    assert len(vp) == 1  # one digest that day, the 23/01 reminder included once
    assert [(i.code, i.due, i.days_left) for i in vp[0].items] == [
        ("1.1", D("2025-01-24"), 0)]
    with rt.session() as s:
        states = {k: st for k, st in s.execute(select(PlannedItem.key, PlannedItem.state))}
    assert states[next(k for k in states if k.startswith("reminder1/"))] == "done"
    assert states[next(k for k in states if k.startswith("reminder0/"))] == "done"
    assert await wake(d, "2025-01-24", hour=11) == []


async def test_older_than_grace_is_missed_and_told_to_the_monitor(db_url):
    rt, d = setup(db_url)
    # Nothing ran from 17/01 until Monday 10/02. Grace: 3 working days (05, 06, 07/02).
    msgs = await wake(d, "2025-02-10")
    # The late notice of 03/02 is older than the grace: it catches up in today's digest (what
    # is late now); the reminders of days gone are missed, not replayed.
    [vp] = by(msgs, "vp-ubnd")
    assert [(i.reason, i.due) for i in vp.items] == [("late", D("2025-01-24"))]
    monitor = by(msgs, "so-noi-vu", "monitor_list")
    assert len(monitor) == 1
    reasons = Counter(i.reason for i in monitor[0].items)
    # The 05/02 list is within the grace and goes; the missed messages are listed.
    assert reasons["late"] == 1 and reasons["missed"] >= 3
    assert any(i.agency_id == "vp-ubnd" and i.reason == "missed" for i in monitor[0].items)
    with rt.session() as s:
        missed = s.scalars(select(PlannedItem.key).where(PlannedItem.state == "missed")).all()
    assert any(k.startswith("reminder") for k in missed)
    assert not any(k.startswith("late/") for k in missed)
    assert await wake(d, "2025-02-10", hour=12) == []


async def test_transient_failure_is_retried_with_the_same_key(db_url):
    flaky = FlakyNotifier(fail=1)
    rt, d = setup(db_url, notifiers=[flaky])
    await wake(d, "2025-01-17")
    assert flaky.delivered == []
    await wake(d, "2025-01-20")  # the next wake-up sends the same messages again
    keys = [m.key for m in flaky.delivered]
    assert "agency_digest/vp-ubnd/email/2025-01-17" in keys
    assert len(keys) == len(set(keys))
    with rt.session() as s:
        n = s.scalars(select(Notification).where(
            Notification.key == "agency_digest/vp-ubnd/email/2025-01-17")).one()
        attempts = s.scalars(select(DeliveryAttempt).where(
            DeliveryAttempt.notification_id == n.id)).all()
    assert n.state == "sent" and [a.ok for a in attempts] == [False, True]


async def test_permanent_failure_goes_to_the_monitor_list(sqlite_url):
    flaky = FlakyNotifier(fail=1, permanent=True)
    rt, d = setup(sqlite_url, notifiers=[flaky])
    await wake(d, "2025-01-17")
    # Both digests failed for good; the Sở Nội vụ's list of that same day says so (it failed
    # too, on this channel that refuses every first try, but what it said is stored).
    with rt.session() as s:
        n = s.scalars(select(Notification).where(Notification.kind == "monitor_list")).one()
        failed = s.scalars(select(Notification).where(Notification.state == "failed")).all()
    items = from_payload(n.payload).items
    assert {i.reason for i in items} == {"delivery_failed"}
    assert {i.agency_id for i in items} == {"vp-ubnd", "so-tu-phap"}
    assert all("550" in i.label for i in items)
    assert len(failed) == 3


async def test_agency_without_address_is_told_to_the_monitor(sqlite_url):
    _, d = setup(sqlite_url, plan([
        task("Cải cách tài chính công", "3", lead=["ubnd-tinh"], dues=["2025-02-20"]),
        task("Công tác chỉ đạo điều hành", "3.4", lead=["doan-kiem-tra-cong-vu"],
             dues=["2025-02-20"])]))
    msgs = await wake(d, "2025-02-13")  # 5 working days before 20/02
    assert by(msgs, "ubnd-tinh") == []  # no address in the directory, no parent body
    monitor = by(msgs, "so-noi-vu", "monitor_list")
    assert [(i.reason, i.agency_id) for i in monitor[0].items] == [
        ("delivery_failed", "ubnd-tinh")]
    # A body without contacts of its own is reached through its host (the Sở Nội vụ).
    team = by(msgs, "doan-kiem-tra-cong-vu")
    assert len(team) == 1 and team[0].recipient.emails == ("vanthu@so-noi-vu.example.org",)


async def test_tidy_after_a_wake_up_keeps_every_row_as_it_was(db_url):
    """tidy() is housekeeping after the messages have gone (SQLite: the log checkpointed;
    PostgreSQL: the settled range read once more): nothing it touches changes."""
    from sqlalchemy import text

    rt, d = setup(db_url)
    assert d.tidy() is None  # before any wake-up: nothing to do, no error
    assert await wake(d, "2025-01-17")

    def snapshot():
        with rt.session() as s:
            return (sorted(s.execute(select(PlannedItem.id, PlannedItem.state)).all()),
                    sorted(s.execute(select(Notification.key, Notification.state)).all()))

    before = snapshot()
    d.tidy()
    assert snapshot() == before
    assert await wake(d, "2025-01-17") == []  # and the same instant sends nothing again
    if rt.engine.dialect.name == "sqlite":
        with rt.engine.connect() as c:
            busy, log, copied = c.execute(text("PRAGMA wal_checkpoint(PASSIVE)")).one()
        assert (busy, log - copied) == (0, 0)


async def test_each_channel_once_only_where_the_agency_is_reachable(db_url):
    email, tg = RecordingNotifier(channel="email"), RecordingNotifier(channel="telegram")
    rt, d = setup(db_url, notifiers=[email, tg])
    with rt.session() as s:
        s.add(ChatLink(chat_id=-1001, agency_id="vp-ubnd", linked_at=at("2025-01-02")))
        s.commit()
    await wake(d, "2025-01-17")
    assert {(m.recipient.id, m.channel) for m in email.sent if m.kind == "agency_digest"} == {
        ("vp-ubnd", "email"), ("so-tu-phap", "email")}
    assert [(m.recipient.id, m.recipient.chat_ids) for m in tg.sent] == [("vp-ubnd", (-1001,))]
    with rt.session() as s:
        pending = s.scalars(select(PlannedItem).where(PlannedItem.send_on == D("2025-01-17"),
                                                      PlannedItem.state == "pending")).all()
    assert pending == []


async def test_a_silent_senders_claim_is_taken_over_after_the_lease(db_url):
    """A claim whose holder cannot be asked (another machine: here a bare id) holds while it is
    renewed; once not renewed for the lease (seconds), the next wake-up takes it over."""
    rt, _ = setup(db_url)
    wall = [dt.datetime(2025, 1, 17, 1, 0, tzinfo=dt.UTC)]
    rec = RecordingNotifier(channel="email")
    d = Dispatcher(rt.engine, rt.directory, rt.calendar, rt.policy, [rec],
                   wall_clock=lambda: wall[0])
    msg = OutgoingMessage(key="agency_digest/vp-ubnd/email/2025-01-16", kind="agency_digest",
                          channel="email", recipient=Recipient("vp-ubnd", "VP", ("a@x",)),
                          at=at("2025-01-16"))
    assert claim(rt.engine, [Claim(msg, (), D("2025-01-16"))], "elsewhere", wall[0])
    lease = dt.timedelta(seconds=rt.policy.claim_lease_seconds)
    assert lease == dt.timedelta(seconds=60)  # the bundled policy
    wall[0] += lease - dt.timedelta(seconds=5)
    await d.wake(at("2025-01-17"))
    assert msg.key not in [m.key for m in rec.sent]  # within the lease: maybe still sending
    assert heartbeat(rt.engine, "elsewhere", wall[0]) == 1  # its holder renews it
    wall[0] += lease - dt.timedelta(seconds=5)
    await d.wake(at("2025-01-17", 9))
    assert msg.key not in [m.key for m in rec.sent]
    wall[0] += dt.timedelta(seconds=10)  # not renewed for the lease
    await d.wake(at("2025-01-17", 10))
    await d.wake(at("2025-01-17", 11))
    assert [m.key for m in rec.sent].count(msg.key) == 1


async def test_a_dead_processs_claim_is_taken_over_at_once_a_live_ones_is_not(db_url):
    """Claims name their process (machine, pid, start): one held by a process of this machine
    that has exited is taken over by the next wake-up at once, whatever the lease; one held by
    a running process (this one) is left to it."""
    rt, _ = setup(db_url)
    wall = dt.datetime(2025, 1, 17, 1, 0, tzinfo=dt.UTC)
    rec = RecordingNotifier(channel="email")
    d = Dispatcher(rt.engine, rt.directory, rt.calendar, rt.policy, [rec], wall_clock=lambda: wall)
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    dead = f"cron@{machine()}:{int(child.stdout)}:{started(os.getpid())}"
    alive = owner("run:live")
    assert owner_dead(dead) and not owner_dead(alive) and not owner_dead("elsewhere")
    msgs = {who: OutgoingMessage(
        key=f"agency_digest/{agency}/email/2025-01-16", kind="agency_digest", channel="email",
        recipient=Recipient(agency, "VP", ("a@x",)), at=at("2025-01-16"))
        for who, agency in ((dead, "vp-ubnd"), (alive, "so-tu-phap"))}
    for who, m in msgs.items():
        assert claim(rt.engine, [Claim(m, (), D("2025-01-16"))], who, wall)
    result = await d.wake(at("2025-01-17"))  # the same instant: no lease has run out
    sent = [m.key for m in rec.sent]
    assert result.retried == 1 and sent.count(msgs[dead].key) == 1
    assert msgs[alive].key not in sent
    with rt.session() as s:
        states = dict(s.execute(select(Notification.key, Notification.state)).all())
    assert states[msgs[dead].key] == "sent" and states[msgs[alive].key] == "claimed"


def test_claimed_messages_are_stored_as_given(db_url):
    """A wake-up's messages (one slot) are claimed in one statement; others one row each. Both
    store the same fields, which read back as they were; a key already claimed is not won."""
    rt, _ = setup(db_url)
    wall = dt.datetime(2025, 1, 17, 1, 2, 3, 456789, tzinfo=dt.UTC)
    item = Item(reason="late", group="Cải cách TTHC", code="1.1", due=D("2025-01-24"))

    def message(agency: str, day: str) -> Claim:
        return Claim(OutgoingMessage(
            key=f"agency_digest/{agency}/email/{day}", kind="agency_digest", channel="email",
            recipient=Recipient(agency, "Sở", ("a@x",)), at=at(day), items=(item,)), (), D(day))

    one_slot = [message("vp-ubnd", "2025-01-17"), message("so-tu-phap", "2025-01-17")]
    two_slots = [message("vp-ubnd", "2025-01-20"), message("so-tu-phap", "2025-01-21")]
    for batch in (one_slot, two_slots):
        won = claim(rt.engine, batch, "worker-1", wall)
        assert [c.message.key for c in won] == [c.message.key for c in batch]
    assert claim(rt.engine, [message("vp-ubnd", "2025-01-17")], "worker-2", wall) == []
    with rt.session() as s:
        stored = {n.key: n for n in s.scalars(select(Notification))}
        for c in one_slot + two_slots:
            n = stored[c.message.key]
            assert (n.kind, n.channel, n.recipient_id, n.slot_on, n.state, n.claimed_by,
                    n.attempts) == ("agency_digest", "email", c.message.recipient.id, c.slot,
                                    "claimed", "worker-1", 0)
            assert n.id == c.notification_id
            assert (n.at.replace(tzinfo=None), n.claimed_at.replace(tzinfo=None)) in (
                (c.message.at.replace(tzinfo=None), wall.replace(tzinfo=None)),  # SQLite
                (c.message.at.astimezone(dt.UTC).replace(tzinfo=None),
                 wall.replace(tzinfo=None)))  # PostgreSQL, read in UTC
            assert from_payload(n.payload) == c.message


def test_a_batch_wins_the_keys_still_free_each_with_its_own_row(db_url):
    """One wake-up's batch in which another dispatcher already holds the middle key: the two
    others are won, each with the id of the row that holds its key (SQLite reads the rows its
    insert made back by id: the taken key's older row must not be mistaken for one of them)."""
    rt, _ = setup(db_url)
    wall = dt.datetime(2025, 1, 17, 1, 0, tzinfo=dt.UTC)
    item = Item(reason="late", group="Cải cách TTHC", code="1.1", due=D("2025-01-24"))

    def message(agency: str) -> Claim:
        return Claim(OutgoingMessage(
            key=f"agency_digest/{agency}/email/2025-01-17", kind="agency_digest",
            channel="email", recipient=Recipient(agency, "Sở", ("a@x",)), at=at("2025-01-17"),
            items=(item,)), (), D("2025-01-17"))

    assert len(claim(rt.engine, [message("so-tu-phap")], "other", wall)) == 1
    batch = [message("vp-ubnd"), message("so-tu-phap"), message("so-tai-chinh")]
    won = claim(rt.engine, batch, "worker-1", wall)
    assert [c.message.key for c in won] == [batch[0].message.key, batch[2].message.key]
    with rt.session() as s:
        stored = {n.key: n for n in s.scalars(select(Notification))}
    assert len(stored) == 3
    for c in won:
        assert stored[c.message.key].id == c.notification_id
        assert stored[c.message.key].claimed_by == "worker-1"
    assert stored[batch[1].message.key].claimed_by == "other"
    assert batch[1].notification_id is None


def test_a_claim_and_what_its_caller_settles_commit_together(db_url):
    """`claim(..., then=...)` runs `then` in the claiming transaction: if settling fails,
    nothing is claimed (no message row, no item linked) and the items can go later; if it
    succeeds, the message and its items are claimed together."""
    rt, _ = setup(db_url)
    with rt.session() as s:
        ids = tuple(s.scalars(select(PlannedItem.id).where(
            PlannedItem.recipient_id == "vp-ubnd").order_by(PlannedItem.id).limit(2)))
    assert len(ids) == 2
    wall = dt.datetime(2025, 1, 17, 1, 0, tzinfo=dt.UTC)

    def message(day: str) -> Claim:
        return Claim(OutgoingMessage(
            key=f"agency_digest/vp-ubnd/email/{day}", kind="agency_digest", channel="email",
            recipient=Recipient("vp-ubnd", "VP", ("a@x",)), at=at(day)), ids, D(day))

    def failing(s, won):
        assert [c.message.key for c in won] == ["agency_digest/vp-ubnd/email/2025-01-17"]
        raise RuntimeError("settling failed")

    with pytest.raises(RuntimeError):
        claim(rt.engine, [message("2025-01-17")], "w", wall, then=failing)
    with rt.session() as s:
        assert s.scalars(select(Notification.key)).all() == []
        assert s.scalars(select(NotificationItem.item_id)).all() == []
    seen = []
    won = claim(rt.engine, [message("2025-01-17")], "w", wall,
                then=lambda s, won: seen.append(len(won)))
    assert seen == [1] and [c.message.key for c in won] == [
        "agency_digest/vp-ubnd/email/2025-01-17"]
    with rt.session() as s:
        assert sorted(s.execute(select(NotificationItem.item_id, NotificationItem.channel))
                      .all()) == [(ids[0], "email"), (ids[1], "email")]
        assert s.scalar(select(NotificationItem.notification_id).limit(1)) == \
            won[0].notification_id
    # The same items in another message of that channel: refused, and `then` still runs
    # (after the per-message fallback), told that nothing was won.
    seen.clear()
    assert claim(rt.engine, [message("2025-01-20")], "w", wall,
                 then=lambda s, won: seen.append(len(won))) == []
    assert seen == [0]


def test_cli_dispatch_twice(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    rt, _ = setup(url)
    rt.engine.dispose()
    env = {**os.environ, "NHACVIEC_DATABASE_URL": url,
           "NHACVIEC_OUTBOX_DIR": str(tmp_path / "outbox"), "NHACVIEC_TELEGRAM_TOKEN": "",
           "NHACVIEC_SMTP_HOST": ""}
    env.pop("NHACVIEC_TELEGRAM_TOKEN")

    def run():
        return subprocess.run([sys.executable, "-m", "engine.cli", "dispatch", "--now",
                               "2025-03-11T08:00:00+07:00", "--json"], capture_output=True,
                              text=True, env=env, timeout=120)

    first = run()
    assert first.returncode == 0, first.stderr
    lines = first.stdout.strip().splitlines()
    assert lines and all('"at": "2025-03-11T08:00:00+07:00"' in x for x in lines)
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == len(lines)
    second = run()
    assert second.returncode == 0 and second.stdout.strip() == ""
    bad = subprocess.run([sys.executable, "-m", "engine.cli", "dispatch", "--now", "hôm qua"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


async def test_explanation_request_is_recorded_and_answered(db_url):
    import pytest

    from core.errors import NotFoundError
    from engine.storage.models import ExplanationAnswer, ExplanationRequest
    from engine.tracking.records import answer_explanation

    rt, d = setup(db_url)
    msgs = await wake(d, "2025-02-17")
    [req_msg] = by(msgs, "vp-ubnd", "explanation_request")
    [item] = req_msg.items
    assert (item.code, item.due, item.days_late) == ("1.1", D("2025-01-24"), 11)
    assert item.reply_by == D("2025-02-24")  # 5 working days: 18, 19, 20, 21, 24/02
    with rt.session() as s:
        [req] = s.scalars(select(ExplanationRequest)).all()
        assert (req.agency_id, req.requested_on) == ("vp-ubnd", D("2025-02-17"))
        answer_explanation(s, find_task(s, "TTHC/1.1"), "vp-ubnd", on=D("2025-02-20"),
                           text="Chậm do chờ ý kiến các sở", document_no="45/BC-VP")
        with pytest.raises(NotFoundError):
            answer_explanation(s, find_task(s, "TTHC/4.2.1"), "vp-ubnd", on=D("2025-02-20"),
                               text="...")
        s.commit()
        [ans] = s.scalars(select(ExplanationAnswer)).all()
        assert (ans.request_id, ans.document_no) == (req.id, "45/BC-VP")
    assert await wake(d, "2025-02-17", hour=16) == []  # and it is not sent twice


async def test_a_year_long_stop_is_one_missed_line_per_agency(db_url, monkeypatch):
    import engine.dispatch.dispatcher
    import engine.storage.bulk

    rt = runtime(db_url)
    with rt.session() as s:
        store_seed(s, rt)
        s.commit()
    # Small chunks, so that the seed's backlog crosses many "IN (...)" batches, as a national
    # one does with the default size (PostgreSQL accepts at most 65,535 bound parameters).
    monkeypatch.setattr(engine.storage.bulk.chunked, "__defaults__", (50,))
    rec = RecordingNotifier(channel="email")
    d = Dispatcher(rt.engine, rt.directory, rt.calendar, rt.policy, [rec])
    # Nothing ran in 2025: on 10/12/2026 every message of 2025 is older than the grace.
    with rt.session() as s:
        pending = len(s.scalars(select(PlannedItem.id).where(PlannedItem.state == "pending",
                                                             PlannedItem.send_on < D("2026-01-01"))
                                ).all())
    assert pending > engine.dispatch.dispatcher.MISSED_LINES
    result = await d.wake(at("2026-12-10"))
    # The late notices catch up: one digest per agency of what is late now; the rest (the
    # 2025 markers of oversight lists included) is missed.
    digests = [m for m in result.messages if m.kind == "agency_digest"]
    assert len({m.recipient.id for m in digests}) == len(digests) > 10
    assert {i.reason for m in digests for i in m.items} == {"late"}
    caught = sum(len(m.items) for m in digests)
    assert result.missed + caught >= pending - 60
    [monitor] = [m for m in result.messages if m.kind == "monitor_list"]
    missed = [i for i in monitor.items if i.reason == "missed"]
    agencies = [i.agency_id for i in missed]
    assert len(agencies) == len(set(agencies))  # one line per agency
    assert "vp-ubnd" in agencies
    line = next(i for i in missed if i.agency_id == "vp-ubnd")
    assert "thông báo" in line.title and "không gửi được" in line.label and "2025" in line.label
    with rt.session() as s:
        assert not s.scalars(select(PlannedItem.id).where(
            PlannedItem.state == "pending", PlannedItem.send_on < D("2026-12-04"))).first()
