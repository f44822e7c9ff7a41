"""`nhacviec telegram ...`: link Telegram chats to agencies, list the links, check the bot.

    link-code AGENCY            a one-time code (48 h); the chat sends /link CODE to the bot
    link AGENCY --chat-id N     bind a chat directly (admin)
    unlink --chat-id N          remove a chat's link
    links [--json]              every linked chat
    check                       the bot answers getMe with the configured token and base URL
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Annotated

import typer
from rich.table import Table

from core.errors import ConfigError, NotFoundError
from core.ids import MAX_CHAT_ID, MIN_CHAT_ID
from engine.cli.console import make_console
from engine.cli.main import app, help_of
from engine.settings import Settings

telegram_app = typer.Typer(help=help_of("telegram"),
                           no_args_is_help=True)
app.add_typer(telegram_app, name="telegram")

AgencyArg = Annotated[str, typer.Argument(metavar="CƠ_QUAN", help="Mã cơ quan trong danh bạ "
                                               "(so-tu-phap) hoặc tên (\"Sở Tư pháp\").",
                                               show_default=False)]
def _chat_id(value: int | None) -> int | None:
    # Checked here rather than with Typer's min/max, which would print the whole 64-bit range
    # in the help ("[-9223372036854775808<=x<=...]").
    if value is not None and not MIN_CHAT_ID <= value <= MAX_CHAT_ID:
        raise typer.BadParameter("mã chat Telegram là số nguyên có dấu 64 bit; số này quá lớn")
    return value


ChatOpt = Annotated[int, typer.Option("--chat-id", metavar="MÃ_CHAT",
                                      help="Mã nhóm/chat Telegram (nhóm là số âm).",
                                      show_default=False, callback=_chat_id)]


def _backend(settings: Settings):  # noqa: ANN202 - SqlBotBackend, imported lazily (fast --help)
    # lazy: only this command pays for it (fast --help)
    from engine.tracking.bot_store import SqlBotBackend

    return SqlBotBackend.from_settings(settings)


def _agency_id(backend, text: str) -> str:  # noqa: ANN001
    text = text.strip()
    if text in backend.directory:
        entry = backend.directory.get(text)
    else:
        mentions = [m for m in backend.directory.split_and_resolve(text)
                    if m.kind != "unresolved" and m.ref]
        if len(mentions) != 1:
            raise NotFoundError(f"không có cơ quan «{text}» trong danh bạ")
        entry = backend.directory.get(mentions[0].ref)
    if not entry.is_single:
        raise NotFoundError(f"«{entry.name}» là một nhóm cơ quan; hãy chọn một cơ quan cụ thể")
    return entry.id


def _now(settings: Settings) -> dt.datetime:
    return dt.datetime.now(settings.tz)  # the CLI is the clock boundary


@telegram_app.command("link-code", help="Cấp mã liên kết dùng một lần (hiệu lực 48 giờ) cho một "
                      "cơ quan; trong nhóm Telegram gửi /link MÃ cho bot.")
def link_code(agency: AgencyArg) -> None:
    settings = Settings()
    backend = _backend(settings)
    agency_id = _agency_id(backend, agency)
    code, expires = backend.create_link_code(agency_id, _now(settings))
    name = backend.agency_name(agency_id)
    local = expires.astimezone(settings.tz)
    typer.echo(code)
    typer.echo(f"Mã liên kết của {name}, dùng một lần, hiệu lực đến {local:%H:%M ngày %d/%m/%Y}."
               f" Trong nhóm Telegram của cơ quan, gửi cho bot: /link {code}", err=True)


@telegram_app.command("link", help="Liên kết trực tiếp một nhóm/chat với một cơ quan (quản trị).")
def link(agency: AgencyArg, chat_id: ChatOpt) -> None:
    settings = Settings()
    backend = _backend(settings)
    agency_id = _agency_id(backend, agency)
    previous = backend.agency_of_chat(chat_id)
    backend.link_chat(agency_id, chat_id, _now(settings))
    name = backend.agency_name(agency_id)
    moved = f" (trước đó: {backend.agency_name(previous)})" if previous and previous != agency_id \
        else ""
    typer.echo(f"Đã liên kết chat {chat_id} với {name}{moved}.")


@telegram_app.command("unlink", help="Bỏ liên kết của một nhóm/chat.")
def unlink(chat_id: ChatOpt) -> None:
    backend = _backend(Settings())
    if not backend.unlink_chat(chat_id):
        raise NotFoundError(f"chat {chat_id} chưa liên kết với cơ quan nào")
    typer.echo(f"Đã bỏ liên kết chat {chat_id}.")


@telegram_app.command("links", help="Liệt kê các nhóm/chat đã liên kết.")
def links(
    as_json: Annotated[bool, typer.Option("--json", help="In JSON: một danh sách.")] = False,
) -> None:
    settings = Settings()
    rows = _backend(settings).links()
    if as_json:
        typer.echo(json.dumps([{"chat_id": r.chat_id, "agency": r.agency_id,
                                "agency_name": r.agency_name, "title": r.title,
                                "linked_at": r.linked_at.isoformat()} for r in rows],
                              ensure_ascii=False, indent=2))
        return
    table = Table(title=f"Nhóm Telegram đã liên kết ({len(rows)})")
    for header in ("Chat", "Cơ quan", "Tên nhóm", "Liên kết lúc"):
        table.add_column(header)
    for r in rows:
        table.add_row(str(r.chat_id), r.agency_name, r.title or "",
                      f"{r.linked_at.astimezone(settings.tz):%H:%M %d/%m/%Y}")
    make_console().print(table)


@telegram_app.command("check", help="Kiểm tra mã bot và địa chỉ máy chủ Bot API (getMe).")
def check() -> None:
    from telegram.error import InvalidToken, NetworkError

    # lazy: only this command pays for it (fast --help)
    from notifiers.telegram.bot import make_bot

    settings = Settings()

    async def get_me() -> str:
        bot = make_bot(settings)
        try:
            async with bot:
                return bot.username
        except InvalidToken as exc:
            raise ConfigError("mã bot Telegram (NHACVIEC_TELEGRAM_TOKEN) không hợp lệ hoặc đã "
                              "bị thu hồi: máy chủ Telegram từ chối đăng nhập") from exc
        except NetworkError as exc:
            raise ConfigError("không kết nối được máy chủ Telegram tại "
                              f"NHACVIEC_TELEGRAM_BASE_URL ({exc})") from exc

    typer.echo(f"Bot @{asyncio.run(get_me())} sẵn sàng.")
