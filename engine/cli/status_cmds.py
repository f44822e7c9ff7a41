"""`nhacviec status`: the table the Steering Committee reads, per agency. Its own module: the
quickest of the database commands loads only what the table needs (issue 17)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from core.formatting import vn_date
from core.vocabulary import Status
from engine.cli.console import fitting, make_console, natural_width
from engine.cli.engine_common import PlanOpt, parse_date, pct, runtime, said_plan, today
from engine.cli.main import app, help_of
from engine.tracking.lookup import find_agency, find_plan
from engine.tracking.status import STATUSES, table


# --- status -----------------------------------------------------------------------------------
@app.command("status", help=help_of("status"))
def status_cmd(
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="NGÀY", help="Tính đến ngày "
                                              "(mặc định: hôm nay).")] = None,
    agency: Annotated[str | None, typer.Option("--agency", "-a", metavar="CƠ_QUAN",
                                               help="Chỉ một cơ quan.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON.")] = False,
    plan: PlanOpt = None,
) -> None:
    rt = runtime(quick=True)
    day = parse_date(as_of, "--as-of") or today(rt)
    agency_id = find_agency(rt.directory, agency) if agency else None
    with rt.session() as s:
        p = find_plan(s, plan)  # none named: the latest plan, as the option's help says
        result = table(s, day, rt.calendar, rt.directory, soon=rt.policy.soon_working_days,
                       plan_id=p.id, agency_id=agency_id)
    if as_json:
        typer.echo(json.dumps({"as_of": day.isoformat(),
                               "plan": {"number": p.number, "year": p.year},
                               "agencies": [a.to_json(i) for i, a in enumerate(result, 1)]},
                              ensure_ascii=False, indent=2))
        return
    said_plan(p, plan)
    print_status(result, day, make_console(), plan=p)


# The status table's short headers when the full ones do not fit (a legend says them in full).
SHORT_STATUS = {Status.OVERDUE: "QH", Status.DUE_SOON: "SĐH", Status.NOT_DUE: "CĐH",
                Status.WAITING_EVENT: "CSK", Status.NEEDS_DUE: "CXĐ", Status.DONE_LATE: "HTQH",
                Status.DONE_ON_TIME: "HTĐH"}
RATES = (("Tỷ lệ hoàn thành", "%HT"), ("Tỷ lệ đúng hạn", "%ĐH"))


def print_status(result: list, day, console: Console, plan=None) -> None:  # noqa: ANN001
    """The status table, whole at any width: full headers when they fit; else short headers
    and a legend, agency names wrapped; else (a very narrow terminal) one line per agency.
    No column is ever dropped or cut off."""
    of = f" kế hoạch {plan.number} (năm {plan.year})" if plan is not None else ""
    title = f"Tình hình thực hiện{of} tính đến {vn_date(day, '-')}"
    rows = [(str(i), a.name, *(str(a.counts[st] or "") for st in STATUSES),
             pct(a.completion_rate), pct(a.on_time_rate)) for i, a in enumerate(result, 1)]
    full = Table(title=title)
    full.add_column("Hạng", justify="right")
    full.add_column("Cơ quan", min_width=28)  # wide enough for most names on one line
    for st in STATUSES:
        full.add_column(st.vi, justify="right")
    for name, _ in RATES:
        full.add_column(name, justify="right")
    for row in rows:
        full.add_row(*row)
    headers = ["Hạng", "Cơ quan", *(st.vi for st in STATUSES), *(n for n, _ in RATES)]
    if natural_width(headers, rows) <= console.width:  # fits unwrapped: no trial render
        console.print(full)
        return
    short = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    short.add_column("#", justify="right")
    short.add_column("Cơ quan", min_width=12, overflow="fold")
    for st in STATUSES:
        short.add_column(SHORT_STATUS.get(st, st.vi), justify="right")
    for _, abbr in RATES:
        short.add_column(abbr, justify="right")
    for row in rows:
        short.add_row(*row)
    legend = "; ".join([*(f"{SHORT_STATUS.get(st, st.vi)}: {st.vi}" for st in STATUSES),
                        *(f"{abbr}: {name.lower()}" for name, abbr in RATES)])
    short_headers = ["#", "Cơ quan", *(SHORT_STATUS.get(st, st.vi) for st in STATUSES),
                     *(abbr for _, abbr in RATES)]
    done = short if natural_width(short_headers, rows) <= console.width else \
        fitting(short, console)
    if done is not None:
        console.print(done)
        console.print(Text(legend, style="dim"))
        return
    # Too narrow for any table: one agency a line, every count named.
    console.print(Text(title, style="bold"))
    for i, a in enumerate(result, 1):
        counts = ", ".join(f"{a.counts[st]} {st.vi}" for st in STATUSES if a.counts[st])
        console.print(f"{i}. {a.name}: {counts or 'không có thời hạn'}; hoàn thành "
                      f"{pct(a.completion_rate)}, đúng hạn {pct(a.on_time_rate)}")

