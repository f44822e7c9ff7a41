"""Forged numbers from a chat (issue 18, point 8): a button payload carrying a 20-digit deadline
id logged an integer-overflow traceback (PostgreSQL `integer`, SQLite's 64 bits) and answered
"something went wrong". Now every such payload is refused as a stale button, before the
database is asked; on both databases (the `settings` fixture is parametrized over them)."""

from __future__ import annotations

import logging

from tests.test_telegram_bot import (  # noqa: F401 - fixtures
    TP_CHAT,
    ask,
    backend,
    bot,
    completions,
    fake,
    settings,
)

STALE = "Nút này không còn dùng được."
FORGED = ["dn:99999999999999999999", "ok:2147483648", "sz:9223372036854775808", "ok:²",
          "dn:-1", "no:0", "ok:١٢", "dn:"]


async def test_forged_button_ids_are_refused_without_a_traceback(bot, fake, backend,  # noqa: F811
                                                                 caplog) -> None:
    caplog.set_level(logging.INFO)
    await ask(fake, TP_CHAT, "/help")
    msg = fake.sent(TP_CHAT)[-1]
    for data in FORGED:
        fake.push_callback(TP_CHAT, msg.message_id, data)
    await fake.wait_for(lambda: len(fake.calls_of("answerCallbackQuery")) == len(FORGED))
    answers = [c.params.get("text") for c in fake.calls_of("answerCallbackQuery")]
    assert answers == [STALE] * len(FORGED)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert "Traceback" not in caplog.text and "out of range" not in caplog.text
    assert completions(backend) == []
    # A real id is still read as one: the button is answered as before.
    deadline = backend.ids[("1.1", "2025-01-24", "so-tu-phap")]
    fake.push_callback(TP_CHAT, msg.message_id, f"dn:{deadline}")
    await fake.wait_for(lambda: len(fake.calls_of("answerCallbackQuery")) == len(FORGED) + 1)


async def test_a_day_count_in_other_digits_is_refused_in_words(bot, fake) -> None:  # noqa: F811
    for text in ("/upcoming ²", "/upcoming 99999999999999999999"):
        (reply,) = await ask(fake, TP_CHAT, text)
        assert reply == "Số ngày phải từ 1 đến 366."
