"""The stored form of a message (`Notification.payload`): what a retry, a resumed long message,
the delivery log and the web desk read back. JSON-safe dicts; dates as ISO strings."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable, Sequence
from typing import Any

from core.messages import (
    ITEM_DATES,
    ITEM_DEFAULTS,
    ITEM_FIELDS,
    Item,
    OutgoingMessage,
    Recipient,
    new_item,
)

# --- stored form of a message -------------------------------------------------------------------
# A message's items are stored by column, one per field any item uses: {"reason": ..., "due":
# ..., ...}; a short list, as a dict per item. A column whose values repeat (agency names,
# groups, "late", due days) is stored as its distinct values and, per item, the position of its
# value: {"values": [...], "at": [...]}.
# A steering digest holds up to hundreds of thousands of items: a dict per item repeated every
# field name and every value (43 MB for 164,000 items) and cost a Python dict per item to
# build; columns are built by C loops (zip, map, dict.fromkeys). Dates are ISO strings.
_get_fields = operator.attrgetter(*ITEM_FIELDS)
_SHARED_FROM = 8  # shorter columns are stored as they are


def _iso_text(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def _stored_column(name: str, column: tuple[Any, ...]) -> list[Any] | dict[str, list[Any]]:
    values = list(dict.fromkeys(column))
    text = list(map(_iso_text, values)) if name in ITEM_DATES else values
    if len(column) >= _SHARED_FROM and 2 * len(values) <= len(column):
        at = dict(zip(values, range(len(values)), strict=True))
        return {"values": text, "at": list(map(at.__getitem__, column))}
    if text is values:
        return list(column)
    return list(map(dict(zip(values, text, strict=True)).__getitem__, column))


def _item_columns(items: Sequence[Item]) -> dict[str, Any]:
    if not items:
        return {}
    columns = zip(*map(_get_fields, items), strict=True)  # per field, every item's value
    return {name: _stored_column(name, column)
            for name, column in zip(ITEM_FIELDS, columns, strict=True)
            if column.count(None) != len(column)}  # a field no item uses is left out


def _read_column(name: str, stored: list[Any] | dict[str, list[Any]]) -> Iterable[Any]:
    dates = name in ITEM_DATES
    if isinstance(stored, dict):
        values = stored["values"]
        if dates:
            values = [dt.date.fromisoformat(v) if v else None for v in values]
        return map(values.__getitem__, stored["at"])
    if dates:
        return map({v: dt.date.fromisoformat(v) for v in set(stored) if v}.get, stored)
    return stored


def _items_from_columns(columns: dict[str, Any]) -> tuple[Item, ...]:
    # A field this version does not know (written by a later one) is left out.
    names = [n for n in columns if n in ITEM_DEFAULTS]
    lists = [_read_column(n, columns[n]) for n in names]
    return tuple(new_item(**dict(zip(names, row, strict=True)))
                 for row in zip(*lists, strict=True))


def _item_dict(i: Item) -> dict[str, Any]:
    # A flat copy of the fields set (dataclasses.asdict deep-copies, 10x slower).
    out = {k: v for k, v in i.__dict__.items() if v is not None}
    for k in ITEM_DATES:
        if k in out:
            out[k] = out[k].isoformat()
    return out


def _item_from(d: dict[str, Any]) -> Item:
    """An item stored as a dict (a short list, or any list before items were stored by
    column)."""
    d = dict(d)
    for k in ITEM_DATES:
        if d.get(k):
            d[k] = dt.date.fromisoformat(d[k])
    return new_item(**{k: v for k, v in d.items() if k in ITEM_DEFAULTS})


def _stored_items(p: dict[str, Any], name: str) -> tuple[Item, ...]:
    columns = p.get(f"{name}_columns")
    if columns is not None:
        return _items_from_columns(columns)
    return tuple(_item_from(i) for i in p.get(name, ()))


def _stored(name: str, items: Sequence[Item]) -> dict[str, Any]:
    # A short list (most agency digests hold one to three items) as a dict per item: columns
    # cost a few microseconds per field used, a dict per item less below _SHARED_FROM items.
    if len(items) < _SHARED_FROM:
        return {name: [_item_dict(i) for i in items]}
    return {f"{name}_columns": _item_columns(items)}


def to_payload(m: OutgoingMessage) -> dict[str, Any]:
    return {
        "key": m.key, "kind": m.kind, "channel": m.channel, "at": m.at.isoformat(),
        "recipient": {"id": m.recipient.id, "name": m.recipient.name,  # asdict deep-copies
                      "emails": list(m.recipient.emails), "chat_ids": list(m.recipient.chat_ids),
                      **({"zalo_chat_ids": list(m.recipient.zalo_chat_ids)}
                         if m.recipient.zalo_chat_ids else {})},
        **_stored("items", m.items), **_stored("ongoing", m.ongoing),
        "plan_number": m.plan_number, "plan_title": m.plan_title, "stats": m.stats,
        "period_report": m.period_report,
        **({"link": m.link} if m.link else {}),
    }


def from_payload(p: dict[str, Any]) -> OutgoingMessage:
    r = p["recipient"]
    return OutgoingMessage(
        key=p["key"], kind=p["kind"], channel=p["channel"],
        at=dt.datetime.fromisoformat(p["at"]),
        recipient=Recipient(r["id"], r["name"], tuple(r.get("emails") or ()),
                            tuple(r.get("chat_ids") or ()),
                            tuple(r.get("zalo_chat_ids") or ())),
        items=_stored_items(p, "items"),
        ongoing=_stored_items(p, "ongoing"),
        plan_number=p.get("plan_number"), plan_title=p.get("plan_title"),
        stats=p.get("stats") or {}, period_report=p.get("period_report"),
        link=p.get("link"),
    )
