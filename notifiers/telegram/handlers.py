"""What the bot answers: one handler per command (the completion flow and the buttons are in
`notifiers.telegram.completion`).

Handlers ask the `BotBackend` (in a worker thread: the database must not stall the service's
event loop) and render `templates/telegram/*.j2`. Every answer is Vietnamese; a chat that may not
ask gets `REFUSAL` and nothing else.

What a chat costs (`notifiers.bot_guard`): `admit` counts each update against the chat's command
limit when it arrives, before any work (beyond it: dropped, told once); a chat found unlinked is
refused from memory for a minute, without reading the database; wrong link codes are counted in
the database (`BotBackend.link_failed`), so a restart gives no new tries.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from core.errors import NhacviecError
from core.formatting import vn_date
from core.ids import small_number
from notifiers.bot_backend import LINK_TRIES, BotBackend, LinkCodeError, TaskLine
from notifiers.bot_guard import TOO_MANY, ChatRate, RefusalCache
from notifiers.telegram.completion import CompletionMixin
from notifiers.telegram.replies import (
    DEFAULT_UPCOMING_DAYS,
    FAILURE,
    LINK_ERRORS,
    LINK_LOCKED,
    MAX_LINES,
    ONLY_ALL,
    REFUSAL,
    Context,
    Viewer,
    clean_code,
    line_ctx,
)
from notifiers.telegram.text import html, render, split_message

log = logging.getLogger(__name__)


class Handlers(CompletionMixin):
    def __init__(self, settings: Any, backend: BotBackend, clock: Callable[[], dt.datetime],
                 calendar: Any = None, *, rate: ChatRate | None = None,
                 refused: RefusalCache | None = None) -> None:
        self.backend = backend
        self.clock = clock
        self.calendar = calendar
        self.rate = rate or ChatRate()
        self.refused = refused or RefusalCache()
        self.app: Application[Any, Any, Any, Any, Any, Any] | None = None
        self.all_chats = {c for c in (settings.telegram_monitor_chat,
                                      settings.telegram_steering_chat) if c is not None}

    def admit(self, update: object) -> bool:
        """Called as each update arrives, before any work: False drops it (the chat sent more
        than its limit; the first dropped one of a window is answered TOO_MANY, off the
        update's slot)."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            return True
        allowed, _ = self.rate.check(chat.id)
        if allowed:
            return True
        if self.rate.tell(chat.id) and self.app is not None:
            log.info("Chat Telegram %s gửi quá nhiều lệnh; bỏ qua bớt", chat.id)
            self.app.create_task(self._too_many(chat.id), name="telegram-too-many")
        return False

    async def _too_many(self, chat_id: int) -> None:
        assert self.app is not None
        try:
            await self.app.bot.send_message(chat_id, TOO_MANY)
        except Exception as exc:  # the chat may be the cause (blocked, gone): the log says it
            log.warning("Không gửi được thông báo quá nhiều yêu cầu tới chat %s: %s", chat_id,
                        exc)

    def install(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.app = app
        for names, fn in ((("start",), self.start), (("link",), self.link),
                          (("mytasks",), self.mytasks), (("overdue",), self.overdue),
                          (("upcoming",), self.upcoming), (("task",), self.task),
                          (("done",), self.done), (("report",), self.report),
                          (("help",), self.help)):
            app.add_handler(CommandHandler(list(names), fn))
        app.add_handler(CallbackQueryHandler(self.button))
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.migrated))
        app.add_handler(MessageHandler(filters.COMMAND, self.unknown))
        app.add_error_handler(self.on_error)

    # --- helpers -----------------------------------------------------------------------------
    async def db(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)

    def today(self) -> dt.date:
        return self.clock().date()

    async def viewer(self, chat_id: int) -> Viewer:
        sees_all = chat_id in self.all_chats
        if not sees_all and self.refused.refused(chat_id):
            return Viewer(chat_id, None, False)  # refused a moment ago: no database read
        agency = await self.db(self.backend.agency_of_chat, chat_id)
        if agency is None and not sees_all:
            self.refused.remember(chat_id)
        return Viewer(chat_id, agency, sees_all)

    async def send(self, context: Context, chat_id: int, text: str,
                   markup: InlineKeyboardMarkup | None = None) -> None:
        parts = split_message(text)
        for i, part in enumerate(parts):
            await context.bot.send_message(
                chat_id, part, parse_mode=ParseMode.HTML, disable_web_page_preview=True,
                reply_markup=markup if i == len(parts) - 1 else None)

    async def allowed_viewer(self, update: Update, context: Context) -> Viewer | None:
        chat = update.effective_chat
        if chat is None:
            return None
        v = await self.viewer(chat.id)
        if not v.allowed:
            await self.send(context, chat.id, html(REFUSAL))
            return None
        return v

    async def target(self, v: Viewer, context: Context, words: list[str]) -> str | None | bool:
        """The agency an answer is about: a named one (Sở Nội vụ / Steering chats only), else
        the chat's own; None means every agency; False means an answer was already sent."""
        if words:
            name = " ".join(words)
            if not v.sees_all:
                await self.send(context, v.chat_id, html(ONLY_ALL))
                return False
            found = await self.db(self.backend.find_agency, name)
            if found is None:
                await self.send(context, v.chat_id,
                                html(f"Không tìm thấy cơ quan «{name}» trong danh bạ."))
                return False
            return str(found)
        return v.agency_id

    # --- linking -----------------------------------------------------------------------------
    async def start(self, update: Update, context: Context) -> None:
        if context.args:
            await self.link(update, context)
        else:
            await self.help(update, context)

    async def link(self, update: Update, context: Context) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        if not context.args:
            await self.send(context, chat.id, html("Cú pháp: /link MÃ_LIÊN_KẾT (mã do Sở Nội vụ "
                                                   "cấp, có hiệu lực 48 giờ)."))
            return
        title = chat.title or chat.full_name
        now = self.clock()
        until = await self.db(self.backend.link_locked_until, chat.id, now)
        if until is not None:  # not even looked up: guessing codes is slowed to a crawl
            minutes = max(1, math.ceil((until - now).total_seconds() / 60))
            await self.send(context, chat.id, html(LINK_LOCKED.format(tries=LINK_TRIES,
                                                                      minutes=minutes)))
            return
        try:
            agency = await self.db(self.backend.redeem_link_code, context.args[0], chat.id,
                                   title, now)
        except LinkCodeError as exc:
            await self.db(self.backend.link_failed, chat.id, now)
            await self.send(context, chat.id, html(LINK_ERRORS.get(exc.reason, str(exc))))
            return
        await self.db(self.backend.link_forget, chat.id)
        self.refused.forget(chat.id)
        name = await self.db(self.backend.agency_name, agency)
        await self.send(context, chat.id,
                        f"Đã liên kết nhóm này với <b>{html(name)}</b>. Từ nay nhóm nhận nhắc "
                        "việc của cơ quan. Gửi /help để xem các lệnh.")

    async def migrated(self, update: Update, context: Context) -> None:
        """A group upgraded to a supergroup changes its id; Telegram says so in both chats."""
        msg = update.effective_message
        if msg is None:
            return
        if msg.migrate_to_chat_id:
            old, new = msg.chat_id, msg.migrate_to_chat_id
        elif msg.migrate_from_chat_id:
            old, new = msg.migrate_from_chat_id, msg.chat_id
        else:
            return
        self.refused.forget(old)
        self.refused.forget(new)
        if await self.db(self.backend.move_chat, old, new):
            log.info("Nhóm Telegram %s đổi mã thành %s: đã chuyển liên kết", old, new)

    # --- lists -------------------------------------------------------------------------------
    async def mytasks(self, update: Update, context: Context) -> None:
        await self._list(update, context, "open", list(context.args or []))

    async def overdue(self, update: Update, context: Context) -> None:
        await self._list(update, context, "overdue", list(context.args or []))

    async def upcoming(self, update: Update, context: Context) -> None:
        words = list(context.args or [])
        days = DEFAULT_UPCOMING_DAYS
        if words and words[0].isdigit():  # "²" too: refused below, not a ValueError
            days = small_number(words.pop(0), 999) or 0
            if words and words[0].lower() in ("ngày", "ngay"):
                words.pop(0)
            if not 1 <= days <= 366:
                chat = update.effective_chat
                if chat is not None and (await self.viewer(chat.id)).allowed:
                    await self.send(context, chat.id, html("Số ngày phải từ 1 đến 366."))
                return
        await self._list(update, context, "upcoming", words, days)

    async def _list(self, update: Update, context: Context, which: str, words: list[str],
                    days: int = 0) -> None:
        v = await self.allowed_viewer(update, context)
        if v is None:
            return
        agency = await self.target(v, context, words)
        if agency is False:
            return
        today = self.today()
        if agency is None and which == "open":  # Sở Nội vụ / Steering chat: a summary
            rows = await self.db(self.backend.agency_counts, today)
            await self.send(context, v.chat_id, render(
                "telegram/agency_counts.j2", rows=rows[:MAX_LINES],
                more=max(0, len(rows) - MAX_LINES)))
            return
        lines: list[TaskLine] = await self.db(self.backend.open_deadlines, agency, today)
        whose = (await self.db(self.backend.agency_name, agency)) if agency else "các cơ quan"
        if which == "overdue":
            lines = [t for t in lines if t.due is not None and t.due < today]
            heading, empty = f"Nhiệm vụ quá hạn của {whose}", "Không có nhiệm vụ nào quá hạn."
        elif which == "upcoming":
            end = today + dt.timedelta(days=days)
            lines = [t for t in lines if t.due is not None and today <= t.due <= end]
            heading = f"Nhiệm vụ của {whose} đến hạn trong {days} ngày tới"
            empty = "Không có nhiệm vụ nào đến hạn trong khoảng này."
        else:
            heading, empty = f"Nhiệm vụ đang mở của {whose}", "Không có nhiệm vụ nào đang mở."
        heading += f" ({len(lines)})"
        await self.send(context, v.chat_id, render(
            "telegram/tasks.j2", heading=heading, empty=empty, show_agency=agency is None,
            items=[line_ctx(t) for t in lines[:MAX_LINES]],
            more=max(0, len(lines) - MAX_LINES)))

    async def report(self, update: Update, context: Context) -> None:
        v = await self.allowed_viewer(update, context)
        if v is None:
            return
        agency = await self.target(v, context, list(context.args or []))
        if agency is False:
            return
        today = self.today()
        reports = await self.db(self.backend.next_reports, agency, today)
        rows = []
        for r in reports:
            left = (self.calendar.count_working_days(today + dt.timedelta(days=1), r.due)
                    if self.calendar is not None and r.due > today else 0)
            rows.append({"period": r.period, "due": vn_date(r.due), "days_left": left,
                         "cutoff_from": vn_date(r.cutoff_from) if r.cutoff_from else "",
                         "cutoff_to": vn_date(r.cutoff_to) if r.cutoff_to else "",
                         "data_entry_url": r.data_entry_url or "",
                         "plan_number": r.plan_number or "",
                         "submitted_on": vn_date(r.submitted_on) if r.submitted_on else ""})
        await self.send(context, v.chat_id, render("telegram/reports.j2", reports=rows))

    async def help(self, update: Update, context: Context) -> None:
        v = await self.allowed_viewer(update, context)
        if v is None:
            return
        name = (await self.db(self.backend.agency_name, v.agency_id)) if v.agency_id else ""
        await self.send(context, v.chat_id,
                        render("telegram/help.j2", agency_name=name, sees_all=v.sees_all))

    async def unknown(self, update: Update, context: Context) -> None:
        v = await self.allowed_viewer(update, context)
        if v is not None:
            await self.send(context, v.chat_id, html("Lệnh không có. Gửi /help để xem các lệnh."))

    # --- one task ----------------------------------------------------------------------------
    async def task(self, update: Update, context: Context) -> None:
        v = await self.allowed_viewer(update, context)
        if v is None:
            return
        if not context.args:
            await self.send(context, v.chat_id, html("Cú pháp: /task MÃ, ví dụ /task 1.1"))
            return
        code = clean_code(context.args[0])
        scope = None if v.sees_all else v.agency_id
        lines = await self.db(self.backend.task_deadlines, code, scope, self.today())
        if not lines:
            await self.send(context, v.chat_id, html(f"Không tìm thấy nhiệm vụ mã «{code}»."))
            return
        blocks: dict[tuple[str, str, str], dict[str, Any]] = {}
        for t in lines:
            c = line_ctx(t)
            block = blocks.setdefault((t.group, t.code, t.agency_id), {
                **c, "show_agency": scope is None, "deadlines": []})
            block["deadlines"].append(c)
        await self.send(context, v.chat_id,
                        render("telegram/task_detail.j2", tasks=list(blocks.values())))

    async def on_error(self, update: object, context: Context) -> None:
        error = context.error
        if isinstance(error, NhacviecError):  # a user-level refusal (a race, a vanished task)
            text = f"Không thực hiện được: {error}."
            log.info("Telegram: %s", error)
        else:
            text = FAILURE
            log.error("Lỗi khi xử lý tin Telegram: %r", error, exc_info=error)
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await context.bot.send_message(update.effective_chat.id, text)
            except Exception:  # the chat may be the cause (blocked, gone): the log says it
                log.warning("Không gửi được thông báo lỗi tới chat %s",
                            update.effective_chat.id)

