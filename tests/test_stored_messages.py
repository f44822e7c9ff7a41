"""The stored form of a composed message (its notification's payload): what a retry sends is
exactly what was claimed, items stored by column, and messages stored by an earlier version
(one dict per item) still read back."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from core.messages import Item, OutgoingMessage, Recipient, new_item
from core.payload import from_payload, to_payload

D = dt.date.fromisoformat
AT = dt.datetime(2025, 6, 30, 8, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def _message(items: tuple[Item, ...], ongoing: tuple[Item, ...] = ()) -> OutgoingMessage:
    return OutgoingMessage(
        key="steering_digest/bcd/email/2025-06-30", kind="steering_digest", channel="email",
        recipient=Recipient("bcd", "Ban Chỉ đạo CCHC", ("bcd@example.org",), (42,)), at=AT,
        items=items, ongoing=ongoing, plan_number="15/KH-UBND",
        stats={"Sở Tư pháp": {"overdue": 2, "not_due": 7}})


LATE = Item(reason="late", group="Cải cách TTHC", code="1.2", title="Rà soát <thủ tục> & phí",
            due=D("2025-03-31"), label="Báo cáo", agency_id="so-tu-phap",
            agency_name="Sở Tư pháp", status="overdue", days_late=61, deadline_id=7)
REPORT = Item(reason="report_reminder", period="Quý II", due=D("2025-06-18"),
              cutoff_from=D("2024-12-15"), cutoff_to=D("2025-06-14"),
              data_entry_url="https://cchc.example.org", title="Báo cáo Quý II",
              obligation_id=3, days_left=0, status="due_soon")
EXPLAIN = Item(reason="explanation", group="Cải cách tổ chức", code="2", due=D("2025-05-30"),
               reply_by=D("2025-07-07"), deadline_id=9, days_late=20, status="overdue")
ONGOING = Item(reason="ongoing", group="Chỉ đạo, điều hành", code="1", title="Thường xuyên")


def test_a_message_reads_back_exactly_as_it_was_stored():
    m = _message((LATE, REPORT, EXPLAIN), (ONGOING,))
    stored = json.loads(json.dumps(to_payload(m)))  # as a JSON column holds it
    back = from_payload(stored)
    assert back == m
    assert back.items[1].cutoff_from == D("2024-12-15")  # a date again, not a string
    assert back.items[0].deadline_id == 7 and back.items[1].obligation_id == 3


def test_items_are_stored_by_column_with_each_field_name_and_repeated_value_once():
    items = tuple(new_item(reason="late", code=str(n), due=D("2025-03-31") if n % 2 else
                           D("2025-04-30"), agency_name="Sở Tư pháp", days_late=n)
                  for n in range(1, 1001))
    stored = to_payload(_message(items))
    columns = stored["items_columns"]
    # Only the fields some item uses.
    assert set(columns) == {"reason", "code", "due", "agency_name", "days_late"}
    # Values that differ item by item: a plain list, as long as the list of items.
    assert columns["code"][:3] == ["1", "2", "3"] and len(columns["code"]) == 1000
    assert columns["days_late"][-1] == 1000
    # Values that repeat: each once, and per item its position among them.
    assert columns["due"]["values"] == ["2025-03-31", "2025-04-30"]
    assert columns["due"]["at"][:4] == [0, 1, 0, 1] and len(columns["due"]["at"]) == 1000
    assert columns["agency_name"] == {"values": ["Sở Tư pháp"], "at": [0] * 1000}
    text = json.dumps(stored, ensure_ascii=False)
    listed = json.dumps(columns, ensure_ascii=False)
    assert listed.count("agency_name") == 1 and listed.count("Sở Tư pháp") == 1
    assert from_payload(json.loads(text)).items == items


def test_a_short_list_is_stored_as_a_dict_per_item():
    stored = to_payload(_message((REPORT, EXPLAIN)))
    assert "items_columns" not in stored
    assert stored["items"] == [
        {"reason": "report_reminder", "period": "Quý II", "due": "2025-06-18",
         "cutoff_from": "2024-12-15", "cutoff_to": "2025-06-14",
         "data_entry_url": "https://cchc.example.org", "title": "Báo cáo Quý II",
         "obligation_id": 3, "days_left": 0, "status": "due_soon"},
        {"reason": "explanation", "group": "Cải cách tổ chức", "code": "2",
         "due": "2025-05-30", "reply_by": "2025-07-07", "deadline_id": 9, "days_late": 20,
         "status": "overdue"}]
    assert from_payload(json.loads(json.dumps(stored))).items == (REPORT, EXPLAIN)


def test_json_columns_hold_vietnamese_as_text(tmp_path):
    """Stored in SQLite as UTF-8 letters, not \\u escapes (six bytes each)."""
    from sqlalchemy import select, text

    from engine.storage.db import get_engine, session
    from engine.storage.models import Agency, Notification

    engine = get_engine(f"sqlite:///{tmp_path / 'n.sqlite'}")
    m = _message((LATE,))
    with session(engine) as s:
        s.add(Agency(id="bcd", name="Ban Chỉ đạo CCHC", kind="steering", role="steering"))
        s.flush()
        s.add(Notification(key=m.key, kind=m.kind, channel=m.channel, recipient_id="bcd",
                           slot_on=D("2025-06-30"), at=AT, payload=to_payload(m),
                           state="claimed"))
        s.commit()
        raw = s.execute(text("SELECT payload FROM notification")).scalar_one()
        assert "Rà soát <thủ tục> & phí" in raw and "\\u" not in raw
        stored = s.scalars(select(Notification.payload)).one()
    assert from_payload(stored) == m


def test_a_message_stored_by_an_earlier_version_still_reads_back():
    # One dict per item, dates as ISO strings: the form written before items were stored by
    # column (a message claimed and not yet sent when the service was upgraded is retried
    # from it).
    old = {"key": "agency_digest/so-tu-phap/email/2025-04-02", "kind": "agency_digest",
           "channel": "email", "at": "2025-04-02T08:00:00+07:00",
           "recipient": {"id": "so-tu-phap", "name": "Sở Tư pháp",
                         "emails": ["stp@example.org"], "chat_ids": []},
           "items": [{"reason": "report_reminder", "period": "Quý I", "due": "2025-03-18",
                      "cutoff_from": "2024-12-15", "obligation_id": 3},
                     {"reason": "late", "code": "1.2", "due": "2025-03-31",
                      "removed_field": "a later version's"}],
           "ongoing": [{"reason": "ongoing", "code": "1", "title": "Thường xuyên"}],
           "plan_number": "15/KH-UBND", "plan_title": None, "stats": {}}
    m = from_payload(old)
    assert m.items == (Item(reason="report_reminder", period="Quý I", due=D("2025-03-18"),
                            cutoff_from=D("2024-12-15"), obligation_id=3),
                       Item(reason="late", code="1.2", due=D("2025-03-31")))
    assert m.ongoing == (Item(reason="ongoing", code="1", title="Thường xuyên"),)
    assert m.recipient.emails == ("stp@example.org",)


def test_new_item_is_the_item_the_constructor_makes():
    values = {"reason": "late", "group": "Cải cách TTHC", "code": "1.2",
              "due": D("2025-03-31"), "agency_id": "so-tu-phap", "days_late": 3}
    made = new_item(**values)
    assert made == Item(**values)
    assert made.title is None and made.reply_by is None  # the defaults
    assert hash(made) == hash(Item(**values))
    with pytest.raises(AttributeError):  # still frozen
        made.code = "9"  # type: ignore[misc]
    with pytest.raises(TypeError, match="dayz_late"):
        new_item(reason="late", dayz_late=3)
