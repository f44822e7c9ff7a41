"""`nhacviec zalo ...`: link Zalo chats to agencies, list the links, check the bot.

    link-code AGENCY            a one-time code (48 h); the chat sends /link CODE to the bot
    link AGENCY --chat-id ID    bind a chat directly (admin); Zalo chat ids are strings
    unlink --chat-id ID         remove a chat's link
    links [--json]              every linked Zalo chat
    check                       the bot answers getMe with the configured token and base URL
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Annotated

import typer
from rich.table import Table

from core.errors import ConfigError, InputError, NotFoundError
from engine.cli.console import make_console
from engine.cli.main import app, help_of
from engine.cli.telegram_cmds import AgencyArg, _agency_id
from engine.settings import Settings

zalo_app = typer.Typer(help=help_of("zalo"),
                       no_args_is_help=True)
app.add_typer(zalo_app, name="zalo")

ChatOpt = Annotated[str, typer.Option("--chat-id", metavar="MÃ_CHAT", help="Mã cuộc trò chuyện "
                                      "Zalo (chat.id trong tin bot nhận được).",
                                      show_default=False)]


def _backend(settings: Settings):  # noqa: ANN202 - SqlBotBackend, imported lazily (fast --help)
    from engine.tracking.bot_store import SqlBotBackend

    return SqlBotBackend.from_settings(settings, channel="zalo")


def _chat(text: str) -> str:
    chat = text.strip()
    if not chat or len(chat) > 64 or any(ch.isspace() for ch in chat):
        raise InputError(f"mã cuộc trò chuyện Zalo «{text}» không hợp lệ (1-64 ký tự, không có "
                         "khoảng trắng)")
    return chat


def _now(settings: Settings) -> dt.datetime:
    return dt.datetime.now(settings.tz)  # the CLI is the clock boundary


@zalo_app.command("link-code", help="Cấp mã liên kết dùng một lần (hiệu lực 48 giờ) cho một cơ "
                  "quan; trong cuộc trò chuyện với bot Zalo, gửi /link MÃ.")
def link_code(agency: AgencyArg) -> None:
    settings = Settings()
    backend = _backend(settings)
    agency_id = _agency_id(backend, agency)
    code, expires = backend.create_link_code(agency_id, _now(settings))
    name = backend.agency_name(agency_id)
    local = expires.astimezone(settings.tz)
    typer.echo(code)
    typer.echo(f"Mã liên kết Zalo của {name}, dùng một lần, hiệu lực đến "
               f"{local:%H:%M ngày %d/%m/%Y}. Trong cuộc trò chuyện với bot Zalo của cơ quan, "
               f"gửi: /link {code}", err=True)


@zalo_app.command("link", help="Liên kết trực tiếp một cuộc trò chuyện Zalo với một cơ quan "
                  "(quản trị).")
def link(agency: AgencyArg, chat_id: ChatOpt) -> None:
    settings = Settings()
    chat = _chat(chat_id)
    backend = _backend(settings)
    agency_id = _agency_id(backend, agency)
    previous = backend.agency_of_chat(chat)
    backend.link_chat(agency_id, chat, _now(settings))
    name = backend.agency_name(agency_id)
    moved = f" (trước đó: {backend.agency_name(previous)})" if previous and previous != agency_id \
        else ""
    typer.echo(f"Đã liên kết cuộc trò chuyện Zalo {chat} với {name}{moved}.")


@zalo_app.command("unlink", help="Bỏ liên kết của một cuộc trò chuyện Zalo.")
def unlink(chat_id: ChatOpt) -> None:
    chat = _chat(chat_id)
    if not _backend(Settings()).unlink_chat(chat):
        raise NotFoundError(f"cuộc trò chuyện Zalo {chat} chưa liên kết với cơ quan nào")
    typer.echo(f"Đã bỏ liên kết cuộc trò chuyện Zalo {chat}.")


@zalo_app.command("links", help="Liệt kê các cuộc trò chuyện Zalo đã liên kết.")
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
    table = Table(title=f"Cuộc trò chuyện Zalo đã liên kết ({len(rows)})")
    for header in ("Chat", "Cơ quan", "Liên kết lúc"):
        table.add_column(header)
    for r in rows:
        table.add_row(str(r.chat_id), r.agency_name,
                      f"{r.linked_at.astimezone(settings.tz):%H:%M %d/%m/%Y}")
    make_console().print(table)


@zalo_app.command("check", help="Kiểm tra mã bot Zalo và địa chỉ máy chủ Bot API (getMe), và "
                  "cách bot nhận tin (webhook hay long polling).")
def check() -> None:
    from notifiers.zalo.client import ZaloClient, ZaloError, ZaloUnauthorized, ZaloUnavailable

    settings = Settings()

    async def probe() -> tuple[dict, dict]:
        try:
            client = ZaloClient.from_settings(settings, max_attempts=1, timeout=15)
        except ZaloUnauthorized as exc:
            raise ConfigError(str(exc)) from None
        try:
            return (await client.get_me() or {}), (await client.get_webhook_info() or {})
        except ZaloUnauthorized:
            raise ConfigError("mã bot Zalo (NHACVIEC_ZALO_TOKEN) không hợp lệ hoặc đã bị thu "
                              "hồi: máy chủ Zalo từ chối đăng nhập") from None
        except ZaloUnavailable as exc:
            raise ConfigError("không kết nối được máy chủ Zalo tại NHACVIEC_ZALO_BASE_URL "
                              f"({exc})") from None
        except ZaloError as exc:
            raise ConfigError(f"máy chủ Zalo trả lời lỗi ({exc})") from None
        finally:
            await client.aclose()

    me, hook = asyncio.run(probe())
    typer.echo(f"Bot Zalo {me.get('account_name') or me.get('id') or ''} sẵn sàng.")
    if hook.get("url"):
        typer.echo(f"Nhận tin qua webhook: {hook['url']}")
    else:
        typer.echo("Nhận tin bằng long polling (chưa đặt webhook).")
