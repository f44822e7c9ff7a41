"""The bot's completion flow: /done, the confirm and cancel buttons, and the reminder buttons.

`/done CODE [số văn bản]` and the reminder button "Đã hoàn thành" only *ask*; the completion is
recorded when someone in the agency's chat presses "Xác nhận". The buttons carry the deadline id
(and the document number), so a confirmation still works after the bot restarts. Only the lead
agency's own chat may complete or snooze a deadline.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from core.errors import ConflictError
from core.formatting import vn_date
from notifiers.bot_backend import TaskLine
from notifiers.telegram.replies import (
    MAX_DOCUMENT,
    NEED_LINK,
    NOT_YOURS,
    REFUSAL,
    Context,
    Viewer,
    clean_code,
    due_key,
    line_ctx,
)
from notifiers.telegram.text import (
    CANCEL,
    CONFIRM,
    DONE_ASK,
    SNOOZE,
    ButtonData,
    fits_callback,
    html,
    render,
)


class CompletionMixin:
    """Mixed into `Handlers`, whose helpers (db, send, viewer, clock ...) it uses."""

    backend: Any
    db: Any
    send: Any
    viewer: Any
    today: Any
    clock: Any
    allowed_viewer: Any

    async def done(self, update: Update, context: Context) -> None:
        v = await self.allowed_viewer(update, context)
        if v is None:
            return
        if v.agency_id is None:
            await self.send(context, v.chat_id, html(NEED_LINK))
            return
        if not context.args:
            await self.send(context, v.chat_id,
                            html("Cú pháp: /done MÃ [số văn bản], ví dụ /done 1.1 123/BC-STP"))
            return
        code = clean_code(context.args[0])
        document = " ".join(context.args[1:]).strip() or None
        if document and (len(document) > MAX_DOCUMENT or not fits_callback(
                ButtonData(CONFIRM, 10**12, document).encode())):
            await self.send(context, v.chat_id,
                            html(f"Số văn bản quá dài (tối đa {MAX_DOCUMENT} ký tự)."))
            return
        lines = await self.db(self.backend.task_deadlines, code, v.agency_id, self.today())
        if not lines:
            await self.send(context, v.chat_id,
                            html(f"Không tìm thấy nhiệm vụ mã «{code}» của cơ quan."))
            return
        leads = [t for t in lines if t.role == "lead"]
        if not leads:
            await self.send(context, v.chat_id, html(
                "Cơ quan chỉ phối hợp thực hiện nhiệm vụ này; cơ quan chủ trì báo hoàn thành."))
            return
        first_open: dict[tuple[str, str], TaskLine] = {}
        for t in sorted((t for t in leads if t.is_open), key=due_key):
            first_open.setdefault((t.group, t.code), t)
        if not first_open:
            await self.send(context, v.chat_id,
                            html(f"Nhiệm vụ {code} đã được ghi nhận hoàn thành."))
            return
        await self.ask_confirm(context, v.chat_id, list(first_open.values()), document)

    async def ask_confirm(self, context: Context, chat_id: int, candidates: list[TaskLine],
                          document: str | None) -> None:
        rows = []
        for t in candidates:
            label = "✅ Xác nhận hoàn thành"
            if len(candidates) > 1:
                label = f"✅ {t.code} · hạn {vn_date(t.due)} · {t.group}"[:60]
            data = ButtonData(CONFIRM, t.deadline_id, document).encode()
            rows.append([InlineKeyboardButton(label, callback_data=data)])
        rows.append([InlineKeyboardButton(
            "✖️ Hủy", callback_data=ButtonData(CANCEL, candidates[0].deadline_id).encode())])
        text = render("telegram/confirm_done.j2", candidates=[line_ctx(t) for t in candidates],
                      document_no=document or "")
        await self.send(context, chat_id, text, InlineKeyboardMarkup(rows))

    async def button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        chat = update.effective_chat
        if query is None or chat is None:
            return
        v = await self.viewer(chat.id)
        if not v.allowed:
            await query.answer(REFUSAL, show_alert=True)
            return
        data = ButtonData.decode(query.data)
        if data is None:
            await query.answer("Nút này không còn dùng được.")
            return
        if v.agency_id is None:
            await query.answer(NEED_LINK, show_alert=True)
            return
        today = self.today()
        t = await self.db(self.backend.deadline, data.deadline_id, v.agency_id, today)
        if t is None or t.role != "lead":
            await query.answer(NOT_YOURS, show_alert=True)
            return
        if data.action == CANCEL:
            await query.answer("Đã hủy.")
            await query.edit_message_text(html("Đã hủy, chưa ghi nhận gì."))
        elif data.action == DONE_ASK:
            await query.answer()
            if t.is_open:
                await self.ask_confirm(context, chat.id, [t], None)
            else:
                await self.send(context, chat.id, html(
                    f"Nhiệm vụ {t.code} (hạn {vn_date(t.due)}) đã được ghi nhận hoàn thành."))
        elif data.action == SNOOZE:
            day = await self.db(self.backend.snooze, t.deadline_id, v.agency_id, self.clock())
            await query.answer(f"Sẽ nhắc lại ngày {vn_date(day)}.")
            await self.send(context, chat.id,
                            f"🔁 Sẽ nhắc lại nhiệm vụ <b>{html(t.code)}</b> (hạn "
                            f"{vn_date(t.due)}) vào ngày {vn_date(day)}.")
        elif data.action == CONFIRM:
            await self.confirm(query, v, t, data.document_no)

    async def confirm(self, query: Any, v: Viewer, t: TaskLine, document: str | None) -> None:
        user = query.from_user
        by = f"telegram:{v.chat_id}" + (f":{user.id} {user.full_name}" if user else "")
        try:
            done = await self.db(self.backend.record_completion, t.deadline_id, v.agency_id,
                                 document, self.clock(), by)
        except ConflictError:
            await query.answer("Đã được ghi nhận trước đó.")
            await query.edit_message_text(html(
                f"Nhiệm vụ {t.code} (hạn {vn_date(t.due)}) đã được ghi nhận hoàn thành "
                "trước đó."))
            return
        await query.answer("Đã ghi nhận.")
        text = (f"✅ Đã ghi nhận hoàn thành nhiệm vụ <b>{html(done.code)}</b> "
                f"(hạn {vn_date(done.due)}) ngày {vn_date(done.completed_on)}")
        if done.document_no:
            text += f", văn bản số {html(done.document_no)}"
        if user:
            text += f". Người xác nhận: {html(user.full_name)}"
        await query.edit_message_text(text + ".", parse_mode=ParseMode.HTML)
