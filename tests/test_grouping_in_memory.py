"""The dispatcher's grouping decisions (`engine.dispatch.items`) on planned items held in memory:
no database, no session — the rows a wake-up reads, built as plain model objects. What the
database-backed tests show end to end (tests/test_dispatcher.py, test_floods.py), shown here
decision by decision: which items make one message, which line a catch-up keeps, which channels
a recipient's message goes on."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from core.messages import Recipient
from core.vocabulary import MessageKind, Reason
from engine.dispatch.items import by_message, channels_for, latest
from engine.storage.models import PlannedItem

DAY = dt.date(2025, 4, 2)
_ids = iter(range(1, 10_000))


def item(kind: str, recipient: str, *, duty: int | None = None, obligation: int | None = None,
         reason: str = Reason.LATE, send_on: dt.date = DAY) -> PlannedItem:
    n = next(_ids)
    return PlannedItem(id=n, key=f"k{n}", kind=kind, reason=reason, recipient_id=recipient,
                       send_on=send_on, duty_id=duty, obligation_id=obligation)


def test_explanation_requests_of_an_agency_on_a_day_are_one_message():
    planned = [item(MessageKind.EXPLANATION_REQUEST, "so-tu-phap", duty=7),
               item(MessageKind.EXPLANATION_REQUEST, "so-tu-phap", obligation=3),
               item(MessageKind.EXPLANATION_REQUEST, "vp-ubnd", duty=9),
               item(MessageKind.AGENCY_DIGEST, "so-tu-phap", duty=7),
               item(MessageKind.AGENCY_DIGEST, "so-tu-phap", duty=8, reason=Reason.REMINDER)]
    groups = by_message(planned)
    assert {k: [p.id for p in v] for k, v in groups.items()} == {
        (MessageKind.EXPLANATION_REQUEST, "so-tu-phap", ""): [planned[0].id, planned[1].id],
        (MessageKind.EXPLANATION_REQUEST, "vp-ubnd", ""): [planned[2].id],
        (MessageKind.AGENCY_DIGEST, "so-tu-phap", ""): [planned[3].id, planned[4].id]}


def test_per_deadline_policy_splits_only_the_explanation_requests():
    planned = [item(MessageKind.EXPLANATION_REQUEST, "so-tu-phap", duty=7),
               item(MessageKind.EXPLANATION_REQUEST, "so-tu-phap", obligation=3),
               item(MessageKind.AGENCY_DIGEST, "so-tu-phap", duty=7),
               item(MessageKind.AGENCY_DIGEST, "so-tu-phap", duty=8, reason=Reason.REMINDER)]
    groups = by_message(planned, per_deadline=True)
    assert sorted(groups) == sorted([
        (MessageKind.EXPLANATION_REQUEST, "so-tu-phap", "d7"),
        (MessageKind.EXPLANATION_REQUEST, "so-tu-phap", "r3"),
        (MessageKind.AGENCY_DIGEST, "so-tu-phap", "")])
    assert len(groups[(MessageKind.AGENCY_DIGEST, "so-tu-phap", "")]) == 2


def test_a_catch_up_keeps_one_line_per_deadline_the_latest():
    # Yesterday's "1 day left" and today's "due today" of duty 5; a report's two reminders;
    # and an unrelated deadline: one line each, the latest said.
    yesterday = DAY - dt.timedelta(days=1)
    one_left = item(MessageKind.AGENCY_DIGEST, "a", duty=5, reason=Reason.REMINDER,
                    send_on=yesterday)
    other = item(MessageKind.AGENCY_DIGEST, "a", duty=6, reason=Reason.REMINDER,
                 send_on=yesterday)
    report_early = item(MessageKind.AGENCY_DIGEST, "a", obligation=2,
                        reason=Reason.REPORT_REMINDER, send_on=yesterday)
    due_today = item(MessageKind.AGENCY_DIGEST, "a", duty=5, reason=Reason.REMINDER)
    report_today = item(MessageKind.AGENCY_DIGEST, "a", obligation=2,
                        reason=Reason.REPORT_REMINDER)
    kept = latest([one_left, other, report_early, due_today, report_today])
    assert [p.id for p in kept] == [other.id, due_today.id, report_today.id]


def test_channels_follow_what_reaches_the_recipient_and_its_preference():
    both = Recipient("so-noi-vu", "Sở Nội vụ", emails=("snv@example.vn",),
                     zalo_chat_ids=("z1",))
    mail_only = Recipient("vp-ubnd", "Văn phòng UBND tỉnh", emails=("vp@example.vn",))
    available = ["email", "telegram", "zalo"]
    no_preference = SimpleNamespace(channels=())
    zalo_first = SimpleNamespace(channels=("zalo",))
    assert channels_for(no_preference, both, available) == ["email", "zalo"]
    assert channels_for(zalo_first, both, available) == ["zalo"]
    # Preferring a chat it cannot be reached on: email, every agency's official channel.
    assert channels_for(zalo_first, mail_only, available) == ["email"]
    assert channels_for(no_preference, mail_only, ["telegram"]) == []
