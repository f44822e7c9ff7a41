"""The one reading order of task numbers, shared by the messages and the Telegram bot."""

from __future__ import annotations

import random

from core.messages import Item
from core.numbering import sort_key
from engine.dispatch.compose import code_key
from engine.dispatch.items import sort_items

# Written by hand, in the order an officer reads a plan's table.
READING_ORDER = ["", "1", "1.2", "1.9", "1.10", "1.10.1", "1.a", "2", "2a", "2b", "3", "10",
                 "I", "II"]


def test_task_numbers_sort_in_reading_order():
    shuffled = READING_ORDER[:]
    random.Random(4).shuffle(shuffled)
    assert sorted(shuffled, key=sort_key) == READING_ORDER
    assert sort_key(None) == ()
    assert [code_key(c) for c in READING_ORDER] == [sort_key(c) for c in READING_ORDER]


def test_a_digest_lists_a_group_in_that_order():
    items = [Item(reason="reminder", group="Cải cách TTHC", code=c, due=None)
             for c in ("2a", "10", "1.a", "2", "1.10")]
    assert [i.code for i in sort_items(items, "agency_digest")] == [
        "1.10", "1.a", "2", "2a", "10"]
