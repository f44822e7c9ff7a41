"""The Zalo bot: answers what a chat writes, through the same `BotBackend` as the Telegram bot.

Who sees what, exactly as on Telegram: a chat linked to an agency sees that agency only; the Sở
Nội vụ's and the Steering Committee's chats (settings) see every agency; any other chat gets a
polite refusal and nothing else. Order of work for each message, so that a chat that may not ask
costs nothing (`notifiers.bot_guard`): `admit` counts it against the chat's command limit as it
arrives (memory; beyond it, dropped and told once), then `answer` reads the chat's link once; a
chat found unlinked is then refused from memory for a minute, with no database read. `/link CODE`
reads the chat's recent wrong codes (in the database, `BotBackend.link_locked_until`) before
looking the code up, and counts a wrong one, so a restart gives no new tries.

`/done CODE [số văn bản]` only asks; Zalo has no buttons, so the chat confirms by answering
"CÓ" (or "CÓ 2" to pick among several deadlines) within CONFIRM_TTL; the pending question is
kept in memory, per chat (a restart forgets it: the chat asks again).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.errors import ConflictError, NhacviecError
from core.formatting import role_name, status_name, vn_date
from notifiers.bot_backend import LINK_TRIES, BotBackend, LinkCodeError, TaskLine
from notifiers.bot_guard import TOO_MANY, ChatRate, RefusalCache
from notifiers.render import render
from notifiers.zalo.client import ZaloClient, ZaloError, mask
from notifiers.zalo.commands import Command, parse
from notifiers.zalo.text import split_text

log = logging.getLogger(__name__)

REFUSAL = ("Xin lỗi, cuộc trò chuyện này chưa được liên kết với cơ quan nào nên bot không thể "
           "trả lời. Vui lòng liên hệ Sở Nội vụ để nhận mã liên kết, rồi gửi /link MÃ_LIÊN_KẾT.")
LINK_ERRORS = {
    "unknown": "Mã liên kết không đúng. Vui lòng kiểm tra lại mã do Sở Nội vụ cấp.",
    "used": "Mã liên kết này đã được sử dụng. Mỗi mã chỉ dùng được một lần; "
            "vui lòng xin Sở Nội vụ cấp mã mới.",
    "expired": "Mã liên kết đã hết hạn (mã chỉ có hiệu lực 48 giờ). "
               "Vui lòng xin Sở Nội vụ cấp mã mới.",
}
LINK_LOCKED = ("Cuộc trò chuyện này đã nhập sai mã liên kết {tries} lần. Vui lòng thử lại sau "
               "{minutes} phút hoặc liên hệ Sở Nội vụ.")
LINKED = ("Đã liên kết cuộc trò chuyện này với {name}. Từ nay bot gửi nhắc việc của cơ quan tại "
          "đây. Gửi /help (hoặc: trợ giúp) để xem các lệnh.")
NOT_YOURS = "Nhiệm vụ này không thuộc cơ quan của cuộc trò chuyện."
NEED_LINK = "Cuộc trò chuyện này chưa liên kết với cơ quan nào nên không thể báo hoàn thành."
ONLY_ALL = ("Chỉ Sở Nội vụ và Ban Chỉ đạo CCHC mới xem được nhiệm vụ của cơ quan khác.")
FAILURE = "Xin lỗi, bot gặp lỗi khi xử lý yêu cầu. Vui lòng thử lại sau."
UNKNOWN = "Bot chưa hiểu yêu cầu. Gửi /help (hoặc: trợ giúp) để xem các lệnh."
NOTHING_PENDING = "Không có yêu cầu nào đang chờ xác nhận. Gửi /done MÃ để báo hoàn thành."
CONFIRM_EXPIRED = "Yêu cầu xác nhận đã hết hạn. Vui lòng gửi lại /done MÃ."
CANCELLED = "Đã hủy, chưa ghi nhận gì."
MAX_LINES = 100
MAX_DOCUMENT = 60
DEFAULT_UPCOMING_DAYS = 7
CONFIRM_TTL = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Viewer:
    chat_id: str
    agency_id: str | None
    sees_all: bool

    @property
    def allowed(self) -> bool:
        return self.sees_all or self.agency_id is not None


@dataclass(frozen=True)
class Job:
    """An admitted update: what to answer (`text` None: only tell the chat it sends too much)."""

    chat: str
    text: str | None
    sender: dict


@dataclass(frozen=True)
class Pending:
    candidates: tuple[TaskLine, ...]
    document_no: str | None
    expires: dt.datetime


def line_ctx(t: TaskLine) -> dict[str, Any]:
    days = t.days or 0
    return {
        "code": t.code, "group": t.group, "title": t.title, "label": t.label or "",
        "agency_name": t.agency_name, "due": vn_date(t.due), "status": status_name(t.status),
        "days_left": days if days > 0 else 0, "days_late": -days if days < 0 else 0,
        "role": role_name(t.role), "plan_number": t.plan_number or "",
        "completed_on": vn_date(t.completed_on) if t.completed_on else "",
        "document_no": t.document_no or "",
    }


def _clean_code(text: str) -> str:
    return text.strip().rstrip(".")


class ZaloBot:
    def __init__(self, settings: Any, backend: BotBackend, client: ZaloClient, *,
                 clock: Callable[[], dt.datetime] | None = None, calendar: Any = None,
                 link_for: Callable[[str], str | None] | None = None,
                 rate: ChatRate | None = None, refused: RefusalCache | None = None) -> None:
        self.backend = backend
        self.client = client
        self.clock = clock or (lambda: dt.datetime.now(settings.tz))
        self.calendar = calendar
        self.link_for = link_for
        self.rate = rate or ChatRate()
        self.refused = refused or RefusalCache()
        self.all_chats = {c for c in (settings.zalo_monitor_chat, settings.zalo_steering_chat)
                          if c}
        self.pending: dict[str, Pending] = {}
        self._seen: OrderedDict[str, None] = OrderedDict()  # message ids handled (replays)

    # --- one update -------------------------------------------------------------------------
    async def handle_update(self, update: dict[str, Any]) -> None:
        """Answer one update; never raises (a failure is logged and the chat told)."""
        job = self.admit(update)
        if job is not None:
            await self.answer(job)

    def admit(self, update: dict[str, Any]) -> Job | None:
        """As the update arrives, before any work: None to ignore it (not a text message, a
        replay, or a command beyond the chat's limit), else what to do."""
        message = update.get("message") if isinstance(update, dict) else None
        if not isinstance(message, dict):
            return None
        chat = str((message.get("chat") or {}).get("id") or "")
        if not chat:
            return None
        mid = str(message.get("message_id") or "")
        if mid:
            if mid in self._seen:  # the same update delivered twice (webhook retries)
                return None
            self._seen[mid] = None
            if len(self._seen) > 4096:
                self._seen.popitem(last=False)
        if update.get("event_name") != "message.text.received" or not message.get("text"):
            return None
        allowed, _ = self.rate.check(chat)
        if not allowed:
            if self.rate.tell(chat):
                log.info("Chat Zalo %s gửi quá nhiều lệnh; bỏ qua bớt", chat)
                return Job(chat, None, {})
            return None
        return Job(chat, str(message["text"]), message.get("from") or {})

    async def answer(self, job: Job) -> None:
        """Answer an admitted update; never raises."""
        chat = job.chat
        if job.text is None:
            await self._tell(chat, TOO_MANY)
            return
        command = parse(job.text)
        sender = job.sender
        try:
            await self.dispatch(chat, command, sender)
        except NhacviecError as exc:  # a user-level refusal (a race, a vanished task)
            log.info("Zalo: %s", exc)
            await self._tell(chat, f"Không thực hiện được: {exc}.")
        except Exception as exc:
            log.error("Lỗi khi xử lý tin Zalo: %s", mask(repr(exc)),
                      exc_info=not isinstance(exc, ZaloError))
            await self._tell(chat, FAILURE)

    async def _tell(self, chat: str, text: str) -> None:
        try:
            await self.reply(chat, text)
        except ZaloError as exc:  # the chat may be the cause (blocked, gone): the log says it
            log.warning("Không gửi được thông báo tới chat Zalo %s: %s", chat, exc)

    async def reply(self, chat: str, text: str) -> None:
        for part in split_text(text):
            await self.client.send_message(chat, part)

    async def db(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)

    def today(self) -> dt.date:
        return self.clock().date()

    async def dispatch(self, chat: str, command: Command | None, sender: dict) -> None:
        if command is not None and command.name in ("link", "start") and command.args:
            await self.link(chat, command.args[0])
            return
        sees_all = chat in self.all_chats
        if not sees_all and self.refused.refused(chat):
            await self.reply(chat, REFUSAL)  # refused a moment ago: no database read
            return
        agency = await self.db(self.backend.agency_of_chat, chat)
        v = Viewer(chat, agency, sees_all)
        if not v.allowed:
            self.refused.remember(chat)
            await self.reply(chat, REFUSAL)  # and nothing else
            return
        if command is None:
            await self.reply(chat, UNKNOWN)
            return
        handler = getattr(self, f"cmd_{command.name}", None)
        if handler is None:
            await self.reply(chat, UNKNOWN)
            return
        await handler(v, list(command.args), sender)

    # --- linking ----------------------------------------------------------------------------
    async def link(self, chat: str, code: str) -> None:
        now = self.clock()
        until = await self.db(self.backend.link_locked_until, chat, now)
        if until is not None:  # not even looked up: guessing codes is slowed to a crawl
            minutes = max(1, math.ceil((until - now).total_seconds() / 60))
            await self.reply(chat, LINK_LOCKED.format(tries=LINK_TRIES, minutes=minutes))
            return
        try:
            agency = await self.db(self.backend.redeem_link_code, code, chat, None, now)
        except LinkCodeError as exc:
            await self.db(self.backend.link_failed, chat, now)
            await self.reply(chat, LINK_ERRORS.get(exc.reason, str(exc)))
            return
        await self.db(self.backend.link_forget, chat)
        self.refused.forget(chat)
        name = await self.db(self.backend.agency_name, agency)
        await self.reply(chat, LINKED.format(name=name))

    async def cmd_link(self, v: Viewer, args: list[str], sender: dict) -> None:
        await self.reply(v.chat_id, "Cú pháp: /link MÃ_LIÊN_KẾT (mã do Sở Nội vụ cấp, có hiệu "
                                    "lực 48 giờ).")

    cmd_start = cmd_link

    # --- lists ------------------------------------------------------------------------------
    async def target(self, v: Viewer, words: list[str]) -> str | None | bool:
        """A named agency (Sở Nội vụ / Steering chats only), else the chat's own; None: every
        agency; False: an answer was already sent."""
        if words:
            name = " ".join(words)
            if not v.sees_all:
                await self.reply(v.chat_id, ONLY_ALL)
                return False
            found = await self.db(self.backend.find_agency, name)
            if found is None:
                await self.reply(v.chat_id, f"Không tìm thấy cơ quan «{name}» trong danh bạ.")
                return False
            return str(found)
        return v.agency_id

    async def cmd_mytasks(self, v: Viewer, args: list[str], sender: dict) -> None:
        await self._list(v, "open", args)

    async def cmd_overdue(self, v: Viewer, args: list[str], sender: dict) -> None:
        await self._list(v, "overdue", args)

    async def cmd_upcoming(self, v: Viewer, args: list[str], sender: dict) -> None:
        days = DEFAULT_UPCOMING_DAYS
        if args and args[0].isdigit():
            days = int(args.pop(0))
            if args and args[0].lower() in ("ngày", "ngay"):
                args.pop(0)
            if not 1 <= days <= 366:
                await self.reply(v.chat_id, "Số ngày phải từ 1 đến 366.")
                return
        await self._list(v, "upcoming", args, days)

    async def _list(self, v: Viewer, which: str, words: list[str], days: int = 0) -> None:
        agency = await self.target(v, words)
        if agency is False:
            return
        today = self.today()
        if agency is None and which == "open":
            rows = await self.db(self.backend.agency_counts, today)
            await self.reply(v.chat_id, render("zalo/agency_counts.txt.j2",
                                               rows=rows[:MAX_LINES],
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
        web = self.link_for(agency) if (self.link_for and agency) else None
        await self.reply(v.chat_id, render(
            "zalo/tasks.txt.j2", heading=f"{heading} ({len(lines)})", empty=empty,
            show_agency=agency is None, items=[line_ctx(t) for t in lines[:MAX_LINES]],
            more=max(0, len(lines) - MAX_LINES), web_link=web or ""))

    async def cmd_report(self, v: Viewer, args: list[str], sender: dict) -> None:
        agency = await self.target(v, args)
        if agency is False:
            return
        today = self.today()
        rows = []
        for r in await self.db(self.backend.next_reports, agency, today):
            left = (self.calendar.count_working_days(today + dt.timedelta(days=1), r.due)
                    if self.calendar is not None and r.due > today else 0)
            rows.append({"period": r.period, "due": vn_date(r.due), "days_left": left,
                         "cutoff_from": vn_date(r.cutoff_from) if r.cutoff_from else "",
                         "cutoff_to": vn_date(r.cutoff_to) if r.cutoff_to else "",
                         "data_entry_url": r.data_entry_url or "",
                         "plan_number": r.plan_number or "",
                         "submitted_on": vn_date(r.submitted_on) if r.submitted_on else ""})
        await self.reply(v.chat_id, render("zalo/reports.txt.j2", reports=rows))

    async def cmd_help(self, v: Viewer, args: list[str], sender: dict) -> None:
        name = (await self.db(self.backend.agency_name, v.agency_id)) if v.agency_id else ""
        await self.reply(v.chat_id, render("zalo/help.txt.j2", agency_name=name,
                                           sees_all=v.sees_all))

    async def cmd_task(self, v: Viewer, args: list[str], sender: dict) -> None:
        if not args:
            await self.reply(v.chat_id, "Cú pháp: /task MÃ, ví dụ /task 1.1")
            return
        code = _clean_code(args[0])
        scope = None if v.sees_all else v.agency_id
        lines = await self.db(self.backend.task_deadlines, code, scope, self.today())
        if not lines:
            await self.reply(v.chat_id, f"Không tìm thấy nhiệm vụ mã «{code}».")
            return
        blocks: dict[tuple[str, str, str], dict[str, Any]] = {}
        for t in lines:
            c = line_ctx(t)
            blocks.setdefault((t.group, t.code, t.agency_id),
                              {**c, "show_agency": scope is None, "deadlines": []}
                              )["deadlines"].append(c)
        await self.reply(v.chat_id, render("zalo/task_detail.txt.j2",
                                           tasks=list(blocks.values())))

    # --- completion: ask, then CÓ -----------------------------------------------------------
    async def cmd_done(self, v: Viewer, args: list[str], sender: dict) -> None:
        if v.agency_id is None:
            await self.reply(v.chat_id, NEED_LINK)
            return
        if not args:
            await self.reply(v.chat_id, "Cú pháp: /done MÃ [số văn bản], ví dụ "
                                        "/done 1.1 123/BC-STP")
            return
        code = _clean_code(args[0])
        document = " ".join(args[1:]).strip() or None
        if document and len(document) > MAX_DOCUMENT:
            await self.reply(v.chat_id, f"Số văn bản quá dài (tối đa {MAX_DOCUMENT} ký tự).")
            return
        lines = await self.db(self.backend.task_deadlines, code, v.agency_id, self.today())
        if not lines:
            await self.reply(v.chat_id, f"Không tìm thấy nhiệm vụ mã «{code}» của cơ quan.")
            return
        leads = [t for t in lines if t.role == "lead"]
        if not leads:
            await self.reply(v.chat_id, "Cơ quan chỉ phối hợp thực hiện nhiệm vụ này; cơ quan "
                                        "chủ trì báo hoàn thành.")
            return
        first_open: dict[tuple[str, str], TaskLine] = {}
        for t in sorted((t for t in leads if t.is_open),
                        key=lambda t: (t.due is None, t.due or dt.date.max)):
            first_open.setdefault((t.group, t.code), t)
        if not first_open:
            await self.reply(v.chat_id, f"Nhiệm vụ {code} đã được ghi nhận hoàn thành.")
            return
        candidates = tuple(first_open.values())
        self.pending[v.chat_id] = Pending(candidates, document, self.clock() + CONFIRM_TTL)
        await self.reply(v.chat_id, render(
            "zalo/confirm_done.txt.j2", candidates=[line_ctx(t) for t in candidates],
            document_no=document or "", minutes=int(CONFIRM_TTL.total_seconds() // 60)))

    async def cmd_no(self, v: Viewer, args: list[str], sender: dict) -> None:
        if self.pending.pop(v.chat_id, None) is None:
            await self.reply(v.chat_id, NOTHING_PENDING)
            return
        await self.reply(v.chat_id, CANCELLED)

    async def cmd_yes(self, v: Viewer, args: list[str], sender: dict) -> None:
        pending = self.pending.pop(v.chat_id, None)
        if pending is None:
            await self.reply(v.chat_id, NOTHING_PENDING)
            return
        if self.clock() > pending.expires:
            await self.reply(v.chat_id, CONFIRM_EXPIRED)
            return
        index = 1
        if len(pending.candidates) > 1:
            if not args or not args[0].isdigit() or not \
                    1 <= int(args[0]) <= len(pending.candidates):
                self.pending[v.chat_id] = pending  # still waiting for a number
                await self.reply(v.chat_id, "Vui lòng trả lời CÓ kèm số thứ tự từ 1 đến "
                                            f"{len(pending.candidates)}, hoặc KHÔNG để hủy.")
                return
            index = int(args[0])
        t = pending.candidates[index - 1]
        if v.agency_id is None or t.agency_id != v.agency_id:
            await self.reply(v.chat_id, NOT_YOURS)
            return
        who = str(sender.get("display_name") or sender.get("name") or "").strip()
        by = f"zalo:{v.chat_id}" + (f":{sender.get('id')} {who}".rstrip() if sender.get("id")
                                    else "")
        try:
            done = await self.db(self.backend.record_completion, t.deadline_id, v.agency_id,
                                 pending.document_no, self.clock(), by)
        except ConflictError:
            await self.reply(v.chat_id, f"Nhiệm vụ {t.code} (hạn {vn_date(t.due)}) đã được ghi "
                                        "nhận hoàn thành trước đó.")
            return
        text = (f"✅ Đã ghi nhận hoàn thành nhiệm vụ {done.code} (hạn {vn_date(done.due)}) "
                f"ngày {vn_date(done.completed_on)}")
        if done.document_no:
            text += f", văn bản số {done.document_no}"
        if who:
            text += f". Người xác nhận: {who}"
        await self.reply(v.chat_id, text + ".")
