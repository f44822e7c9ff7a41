"""`nhacviec demo`: the quick start's main job, on the embedded default.

The bundled seed plan is imported into a SQLite file kept for the demo (``demo.sqlite`` in the
user data directory, started afresh each run, so running it twice gives the same year), and the
real dispatcher runs over 2025 on a virtual clock through the email channel: every message
becomes a real ``.eml`` file in the ``demo`` folder of the outbox (emptied first). Whatever
the environment says, the demo never sends to a real SMTP server or Telegram (the directory's
addresses are placeholders). It ends with a short Vietnamese summary and the year-end status
table, the web desk's address and a first admin login on the demo database (its password
generated and printed once); with `--web` it then serves the desk on that database until
Ctrl-C. Every email to an agency carries the agency's personal link on the desk.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.text import Text

from core.formatting import vn_date
from engine.cli.console import make_console
from engine.cli.engine_common import KIND_VI
from engine.cli.status_cmds import print_status
from engine.directory.agencies import Directory
from engine.dispatch.dispatcher import Dispatcher
from engine.service.channels import build_notifiers, close_all
from engine.service.runtime import Runtime
from engine.service.simulate import import_and_plan, run_days
from engine.settings import Settings, bundled, data_dir, working_calendar
from engine.storage.db import make_engine, upgrade
from engine.tracking.status import table


def _fresh_sqlite() -> str:
    path = data_dir() / "demo.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return f"sqlite:///{path}"


def run_demo(start: dt.date, end: dt.date, *, complete_on_time: bool = False,
             console: Console | None = None, web: bool = False) -> dict:
    # lazy: only this command pays for it (fast --help)
    from engine.intake.reader import read_plan

    console = console or make_console()
    base = Settings()
    outbox = base.resolved_outbox() / "demo"
    outbox.mkdir(parents=True, exist_ok=True)
    for old in outbox.glob("*.eml"):  # the previous demo's year: this run writes it afresh
        old.unlink()
    settings = base.model_copy(update={"database_url": _fresh_sqlite(), "smtp_host": None,
                                       "telegram_token": None, "zalo_token": None,
                                       "outbox_dir": outbox})
    engine = make_engine(settings.database_url)
    upgrade(engine)
    rt = Runtime(settings, engine, Directory.load(settings.agencies_path()),
                 working_calendar(settings), settings.load_policy())
    parsed = read_plan(bundled("demo_plan_2025.txt"), directory=rt.directory,
                       calendar=rt.calendar)
    summary = import_and_plan(rt.engine, parsed, rt.directory, rt.calendar, rt.policy, start)
    console.print(f"Đã nhập kế hoạch mẫu {summary.number}: {summary.leaves} nhiệm vụ, "
                  f"{summary.deadlines} thời hạn, {summary.planned} thông báo được lập lịch.")
    from engine.reports.latest import links_under
    from engine.tracking.agency_links import LinkMaker

    notifiers = build_notifiers(settings)
    dispatcher = Dispatcher(rt.engine, rt.directory, rt.calendar, rt.policy, notifiers,
                            worker="demo", link_for=LinkMaker.from_settings(settings),
                            report_link=links_under(settings.web_base_url))
    days = rt.calendar.count_working_days(start, end)
    with Progress(TextColumn("Gửi nhắc việc theo ngày làm việc"), BarColumn(),
                  MofNCompleteColumn(), TextColumn("{task.description}"),
                  console=console, transient=True) as progress:
        bar = progress.add_task("", total=days)

        def step(result) -> None:  # noqa: ANN001
            progress.update(bar, advance=1, description=vn_date(result.slot, '-'))

        async def go():  # noqa: ANN202
            try:
                return await run_days(dispatcher, start, end, complete_on_time=complete_on_time,
                                      on_day=step)
            finally:
                await close_all(notifiers)

        results = asyncio.run(go())
    kinds = Counter(m.kind for r in results for m in r.messages)
    delivered = sum(1 for r in results for x in r.results if x.ok)
    failed = sum(1 for r in results for x in r.results if not x.ok)
    channel = type(notifiers[0]).__name__
    console.print(Text.assemble((f"\nNăm mô phỏng {vn_date(start)} - {vn_date(end)}", "bold"),
                                f": {sum(kinds.values())} tin nhắn ({delivered} đã ghi, "
                                f"{failed} lỗi)."))
    for kind, n in sorted(kinds.items(), key=lambda kv: -kv[1]):
        console.print(f"  - {KIND_VI.get(kind, kind)}: {n}")
    if channel == "EmailNotifier":
        console.print(f"Hộp thư đi (các tệp .eml): {settings.resolved_outbox()}")
    else:
        console.print(Text("Kênh email chưa được cài đặt: tin nhắn chỉ được ghi lại trong bộ "
                           "nhớ.", style="yellow"))
    console.print(f"Cơ sở dữ liệu của bản chạy thử: {settings.database_url}")
    with rt.session() as s:
        status = table(s, end, rt.calendar, rt.directory, soon=rt.policy.soon_working_days)
    print_status(status, end, console)
    login = _first_admin(rt)
    port = settings.web_port or 8080
    console.print(f"\n[bold]Trang điều hành (web)[/bold]: http://{settings.web_host}:{port}/ — "
                  f"đăng nhập [bold]{login[0]}[/bold], mật khẩu [bold]{login[1]}[/bold] (chỉ in "
                  "một lần; mỗi lần chạy thử tạo mật khẩu mới).", markup=True, highlight=False)
    if not web:
        console.print(f"Mở trang: NHACVIEC_DATABASE_URL={settings.database_url} nhacviec web "
                      "(hoặc chạy lại: nhacviec demo --web)", markup=False)
        rt.engine.dispose()
    result = {"kinds": dict(kinds), "delivered": delivered, "failed": failed,
              "outbox": str(settings.resolved_outbox()), "status": status, "login": login}
    if web:
        import asyncio as aio

        from engine.web.server import serve_forever

        console.print("Đang chạy trang điều hành; dừng bằng Ctrl-C.")
        aio.run(serve_forever(rt, settings.web_host, port))
        rt.engine.dispose()
    return result


def _first_admin(rt: Runtime) -> tuple[str, str]:
    """An admin login on the demo database, with a generated password."""
    import secrets

    from engine.web.users import add_user

    password = secrets.token_urlsafe(12)
    with rt.session() as s:
        add_user(s, "admin", password, "admin")
        s.commit()
    return "admin", password
