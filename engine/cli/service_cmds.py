"""Service commands: `simulate`, `dispatch`, `run`, `demo`, `db upgrade`."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable
from pathlib import Path
from typing import Annotated

import typer

from core.errors import InputError
from core.formatting import vn_date
from core.redact import secrets_of
from engine.cli import log_lines
from engine.cli.console import make_console
from engine.cli.engine_common import (
    KIND_VI,
    now,
    parse_date,
    parse_instant,
    runtime,
)
from engine.cli.main import app, help_of
from engine.cli.plan_options import DateOpt, IssuerOpt, NumberOpt, identity
from engine.settings import Settings, bundled

db_app = typer.Typer(help=help_of("db"), no_args_is_help=True)
app.add_typer(db_app, name="db")


@app.command("simulate", help=help_of("simulate"))
def simulate_cmd(
    plan: Annotated[Path | None, typer.Argument(metavar="TỆP", help="Tệp kế hoạch (mặc định: "
                                                "kế hoạch mẫu kèm theo).")] = None,
    start: Annotated[str, typer.Option("--from", metavar="NGÀY", help="Ngày bắt đầu.")
                     ] = "2025-01-01",
    end: Annotated[str, typer.Option("--to", metavar="NGÀY", help="Ngày kết thúc.")
                   ] = "2025-12-31",
    as_json: Annotated[bool, typer.Option("--json", help="Mỗi tin nhắn một dòng JSON (hợp đồng "
                                          "mục 5).")] = False,
    complete_on_time: Annotated[bool, typer.Option(
        "--complete-on-time", help="Giả định mọi thời hạn được hoàn thành đúng ngày hạn.")
    ] = False,
    year: Annotated[int | None, typer.Option("--year", metavar="NĂM", help="Năm của kế hoạch.")
                    ] = None,
    number: NumberOpt = None,
    date: DateOpt = None,
    issuer: IssuerOpt = None,
) -> None:
    # lazy: only this command pays for it (fast --help)
    from engine.directory.agencies import Directory
    from engine.intake.reader import read_plan
    from engine.service.simulate import simulate
    from engine.settings import working_calendar

    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    if last < first:
        raise InputError(f"--to {vn_date(last, '-')} trước --from {vn_date(first, '-')}")
    settings = Settings()

    directory = Directory.load(settings.agencies_path())
    calendar = working_calendar(settings)
    parsed = read_plan(plan or bundled("demo_plan_2025.txt"), directory=directory,
                       calendar=calendar, year=year, given=identity(number, date, issuer))
    result = asyncio.run(simulate(parsed, start=first, end=last, directory=directory,
                                  calendar=calendar, policy=settings.load_policy(),
                                  complete_on_time=complete_on_time))
    if as_json:
        for m in result.messages:
            typer.echo(json.dumps(m.to_json(), ensure_ascii=False))
        return
    console = make_console()
    console.print(f"Mô phỏng {vn_date(first)} - {vn_date(last)}: {len(result.messages)} tin nhắn.")
    for m in result.messages:
        console.print(f"{m.at:%d/%m/%Y %H:%M} {m.channel:8} {KIND_VI.get(m.kind, m.kind)} → "
                      f"{m.recipient.name}: {len(m.items)} mục", markup=False)


@app.command("dispatch", help=help_of("dispatch"))
def dispatch_cmd(
    at: Annotated[str | None, typer.Option("--now", metavar="THỜI_ĐIỂM", help="Thời điểm, ví dụ "
                                           "2025-03-11T08:00:00+07:00 (mặc định: bây giờ).")
                  ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In các tin đã gửi, mỗi tin một dòng "
                                          "JSON.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ in những gì sẽ gửi (tính từ cơ "
                                          "sở dữ liệu thật), không gửi, không ghi gì.")] = False,
) -> None:
    # lazy: only this command pays for it (fast --help)
    from engine.dispatch.dispatcher import Dispatcher
    from engine.service.channels import build_notifiers, close_all, extra_chats, extra_zalo_chats

    rt = runtime()
    instant = parse_instant(at, rt.policy.tz) if at else now(rt.policy.tz)
    if dry_run:
        from engine.cli.preview_cmds import make_preview, show

        preview = make_preview(rt)
        slot = preview.dispatcher.slot_for(instant)
        show([preview.day(slot)], now(rt.policy.tz).date(), None, as_json=as_json)
        return
    from engine.reports.latest import links_under
    from engine.tracking.agency_links import LinkMaker

    notifiers = build_notifiers(rt.settings)
    dispatcher = Dispatcher(rt.engine, rt.directory, rt.calendar, rt.policy, notifiers,
                            extra_chats=extra_chats(rt.settings, rt.directory),
                            extra_zalo_chats=extra_zalo_chats(rt.settings, rt.directory),
                            link_for=LinkMaker.from_settings(rt.settings),
                            report_link=links_under(rt.settings.web_base_url))

    async def go():  # noqa: ANN202
        try:
            result = await dispatcher.wake(instant)
            dispatcher.tidy()
            return result
        finally:
            await close_all(notifiers)

    result = asyncio.run(go())
    if as_json:
        for m in result.messages:
            typer.echo(json.dumps(m.to_json(), ensure_ascii=False))
        return
    ok = sum(1 for r in result.results if r.ok)
    typer.echo(f"Ngày gửi {vn_date(result.slot)}: {len(result.messages)} tin mới, {ok} gửi được, "
               f"{len(result.results) - ok} lỗi, {result.retried} gửi lại, {result.missed} bỏ lỡ "
               f"(quá hạn gửi).")


@app.command("run", help=help_of("run"))
def run_cmd() -> None:
    import os

    from engine.reports.latest import links_under

    # lazy: only this command pays for it (fast --help)
    from engine.service.channels import build_notifiers, extra_chats, extra_zalo_chats
    from engine.service.scheduler import serve
    from engine.tracking.agency_links import LinkMaker

    # One Vietnamese line each, in the province's time; no secret in any line, tracebacks
    # included. Before `runtime()`: its schema upgrade logs too.
    log_lines.configure(Settings().tz, secrets_of(os.environ))
    rt = runtime()
    notifiers = build_notifiers(rt.settings)
    desk = None
    if rt.settings.web_port is not None:  # the web desk in the same process
        from engine.web.server import serve_web

        host, port = rt.settings.web_host, rt.settings.web_port

        def desk(stop: asyncio.Event) -> Awaitable[None]:
            logging.getLogger("nhacviec.web").info("Trang điều hành: http://%s:%d", host, port)
            return serve_web(rt, host, port, stop)

    asyncio.run(serve(rt, notifiers, extra_chats=extra_chats(rt.settings, rt.directory),
                      extra_zalo_chats=extra_zalo_chats(rt.settings, rt.directory),
                      link_for=LinkMaker.from_settings(rt.settings),
                      report_link=links_under(rt.settings.web_base_url), desk=desk))
    typer.echo("Đã dừng dịch vụ.")


@db_app.command("upgrade", help="Nâng cấp cấu trúc cơ sở dữ liệu lên phiên bản mới nhất (không "
                "mất dữ liệu).")
def db_upgrade_cmd() -> None:
    # lazy: only this command pays for it (fast --help)
    from engine.storage.db import current_revision, make_engine, upgrade

    settings = Settings()
    engine = make_engine(settings.resolved_database_url())
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    typer.echo(f"Cơ sở dữ liệu: phiên bản {before or '(trống)'} → {after}.")


@app.command("demo", help=help_of("demo"))
def demo_cmd(
    start: Annotated[str, typer.Option("--from", metavar="NGÀY")] = "2025-01-01",
    end: Annotated[str, typer.Option("--to", metavar="NGÀY")] = "2025-12-31",
    complete_on_time: Annotated[bool, typer.Option("--complete-on-time",
                                                   help="Giả định mọi việc xong đúng hạn.")
                                ] = False,
    web: Annotated[bool, typer.Option("--web", help="Sau đó chạy trang điều hành (web) trên "
                                      "cơ sở dữ liệu chạy thử, đến khi Ctrl-C.")] = False,
) -> None:
    # lazy: only this command pays for it (fast --help)
    from engine.cli.demo import run_demo

    run_demo(parse_date(start, "--from"), parse_date(end, "--to"),
             complete_on_time=complete_on_time, console=make_console(), web=web)

