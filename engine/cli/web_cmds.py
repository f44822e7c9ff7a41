"""The web desk's commands: `web` (serve it), `user add|list|remove` (officers' accounts),
`agency link AGENCY [--rotate]` (an agency's personal address, contract section 7)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from core.errors import InputError, NotFoundError
from core.redact import secrets_of
from engine.cli import log_lines
from engine.cli.agency_cmds import agency_app
from engine.cli.console import make_console
from engine.cli.engine_common import runtime
from engine.cli.main import app, help_of
from engine.settings import Settings

user_app = typer.Typer(help=help_of("user"), no_args_is_help=True)
app.add_typer(user_app, name="user")


@app.command("web", help=help_of("web"))
def web_cmd(
    host: Annotated[str | None, typer.Option("--host", metavar="ĐỊA_CHỈ", help="Địa chỉ lắng "
                                             "nghe (mặc định 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", metavar="CỔNG", help="Cổng (mặc định "
                                             "8080).")] = None,
) -> None:
    import asyncio
    import os

    from engine.web.server import serve_forever

    log_lines.configure(Settings().tz, secrets_of(os.environ))
    rt = runtime()
    h = host or rt.settings.web_host
    p = port or rt.settings.web_port or 8080
    if not 1 <= p <= 65535:
        raise InputError(f"cổng {p} không hợp lệ")
    typer.echo(f"Trang điều hành: http://{h}:{p}/ (địa chỉ công khai trong thư: "
               f"{rt.settings.web_base_url})")
    try:
        asyncio.run(serve_forever(rt, h, p))
    except OSError as exc:
        raise InputError(f"không mở được {h}:{p}: {exc.strerror or exc}") from None
    typer.echo("Đã dừng trang điều hành.")


@user_app.command("add", help="Thêm tài khoản; mật khẩu đọc từ đầu vào chuẩn (một dòng).")
def user_add(login: Annotated[str, typer.Argument(metavar="TÊN_ĐĂNG_NHẬP")],
             role: Annotated[str, typer.Option("--role", metavar="VAI_TRÒ",
                                               help="admin hoặc viewer.")]) -> None:
    from engine.web.users import add_user

    password = sys.stdin.readline().rstrip("\r\n")
    rt = runtime()
    with rt.session() as s:
        user = add_user(s, login, password, role)
        s.commit()
    typer.echo(f"Đã thêm tài khoản «{user.login}» (vai trò {user.role}).")


@user_app.command("list", help="Liệt kê các tài khoản.")
def user_list() -> None:
    from engine.web.users import ROLE_VI, list_users

    rt = runtime()
    with rt.session() as s:
        users = list_users(s)
    table = Table(title=f"Tài khoản trang điều hành ({len(users)})")
    for col in ("Tên đăng nhập", "Vai trò", "Tạo lúc"):
        table.add_column(col)
    for u in users:
        table.add_row(u.login, ROLE_VI.get(u.role, u.role), f"{u.created_at:%d/%m/%Y %H:%M}")
    make_console().print(table)


@user_app.command("remove", help="Xóa một tài khoản (phiên đăng nhập của nó hết hiệu lực).")
def user_remove(login: Annotated[str, typer.Argument(metavar="TÊN_ĐĂNG_NHẬP")]) -> None:
    from engine.web.users import remove_user

    rt = runtime()
    with rt.session() as s:
        remove_user(s, login)
        s.commit()
    typer.echo(f"Đã xóa tài khoản «{login}».")


@agency_app.command("link", help="In đường liên kết riêng của cơ quan (mở trang báo hoàn "
                    "thành, giải trình); --rotate tạo đường mới, đường cũ hết hiệu lực ngay.")
def agency_link(agency: Annotated[str, typer.Argument(metavar="CƠ_QUAN",
                                                      help="Mã hoặc tên cơ quan.")],
                rotate: Annotated[bool, typer.Option("--rotate", help="Tạo đường liên kết "
                                                     "mới.")] = False) -> None:
    from engine.tracking import agency_links as links
    from engine.tracking.lookup import find_agency
    from engine.tracking.plan_store import sync_agencies

    rt = runtime()
    agency_id = find_agency(rt.directory, agency)
    with rt.session() as s:
        sync_agencies(s, rt.directory)  # an agency of the directory before any plan import
        if rotate:
            links.rotate(s, agency_id)
        maker = links.LinkMaker.from_settings(rt.settings)
        url = maker(s, [agency_id]).get(agency_id)
        s.commit()
    if url is None:
        raise NotFoundError(f"cơ quan «{agency_id}» chưa có trong cơ sở dữ liệu")
    typer.echo(url)
