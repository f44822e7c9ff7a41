"""`nhacviec agency list [--json]`: the agency directory; `agency init PLAN`: a draft directory
from a plan's mentions; `agency check [FILE]`: what a directory still lacks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from core.errors import InputError
from engine.cli.console import fits, make_console
from engine.cli.main import app, help_of
from engine.directory.agencies import KIND_VI, Directory
from engine.settings import Settings, bundled

agency_app = typer.Typer(help=help_of("agency"), no_args_is_help=True)
app.add_typer(agency_app, name="agency")


@agency_app.command("list", help="Liệt kê danh bạ cơ quan (tệp NHACVIEC_AGENCIES hoặc danh bạ "
                    "kèm theo).")
def list_agencies(
    as_json: Annotated[bool, typer.Option("--json", help="In JSON: một danh sách.")] = False,
) -> None:
    directory = Directory.load(Settings().agencies_path())
    if as_json:
        typer.echo(json.dumps(directory.to_json(), ensure_ascii=False, indent=2))
        return
    title = f"Danh bạ cơ quan ({len(directory)} mục)"
    rows = []
    for a in directory:
        if a.successor:
            successor = f"{a.successor} (từ {a.successor_from:%d/%m/%Y})"
        elif not a.is_single and a.kind != "unspecific":
            successor = f"{len(directory.members(a.id))} thành viên"
        else:
            successor = ""
        role = {"monitor": " · theo dõi", "steering": " · chỉ đạo"}.get(a.role or "", "")
        rows.append((a.id, a.name, KIND_VI[a.kind] + role, "có" if a.reports else "",
                     a.emails, successor))
    # Ids and addresses are never cut nor broken: a table when they fit on their lines, else
    # one block per agency.
    table = Table(title=title, show_lines=False)
    # (heading, the least width a column may be squeezed to: rich would squeeze one to nothing)
    for header, least in (("Mã", 0), ("Tên", 16), ("Loại", 10), ("Báo cáo", 7), ("Email", 0),
                          ("Kế nhiệm / thành viên", 12)):
        table.add_column(header, no_wrap=not least, overflow="fold", min_width=least or None)
    for agency_id, name, kind, reports, emails, successor in rows:
        table.add_row(agency_id, name, kind, reports, "\n".join(emails), successor)
    console = make_console()
    if fits(table, console):
        console.print(table)
        return
    console.print(Text(title, style="bold"))
    for agency_id, name, kind, reports, emails, successor in rows:
        facts = ", ".join(x for x in (kind, "báo cáo" if reports else "") if x)
        console.print(Text(f"{name} ({facts})", style="bold"))
        console.print(f"  mã: {agency_id}", soft_wrap=True)
        for e in emails:
            console.print(f"  email: {e}", soft_wrap=True)
        if successor:
            console.print(f"  kế nhiệm / thành viên: {successor}", soft_wrap=True)



@agency_app.command("init", help="Lập bản nháp danh bạ cơ quan từ các cơ quan nêu trong một kế "
                    "hoạch (mỗi cơ quan một mục, loại cơ quan phỏng đoán, địa chỉ để trống), "
                    "theo mẫu bộ máy cấp tỉnh từ 01/7/2025. In ra màn hình: "
                    "nhacviec agency init KẾ-HOẠCH > danh-ba.yaml")
def init_directory(
    plan: Annotated[Path, typer.Argument(metavar="KẾ-HOẠCH", help="Tệp kế hoạch (.txt, .docx, "
                                         ".xlsx, .csv).")],
    province: Annotated[str | None, typer.Option("--province", metavar="TÊN", help="Tên tỉnh, "
                                                 "thành phố (mặc định: theo cơ quan ban hành kế "
                                                 "hoạch).")] = None,
    year: Annotated[int | None, typer.Option("--year", metavar="NĂM", help="Năm của kế hoạch, "
                                             "khi văn bản không ghi.")] = None,
) -> None:
    # lazy: the plan readers only for this command (a fast `agency list`)
    from engine.intake.directory_draft import draft
    from engine.intake.reader import read_plan
    from engine.settings import working_calendar

    if province is not None and not province.strip():
        raise InputError("--province không được để trống")
    template = Directory.load(bundled("agencies_template_2025.yaml"))
    parsed = read_plan(plan, directory=template, calendar=working_calendar(Settings()),
                       year=year)
    typer.echo(draft(parsed, template, province=province.strip() if province else None),
               nl=False)


@agency_app.command("check", help="Kiểm tra danh bạ cơ quan còn thiếu gì (địa chỉ, danh sách "
                    "thành viên). Mã thoát 0: đủ; 1: còn thiếu; 3: tệp hỏng.")
def check_directory(
    file: Annotated[Path | None, typer.Argument(
        metavar="TỆP", help="Tệp danh bạ (mặc định: NHACVIEC_AGENCIES hoặc danh bạ kèm theo).")
    ] = None,
) -> None:
    # lazy: see init_directory
    from engine.intake.directory_draft import gaps

    directory = Directory.load(file or Settings().agencies_path())
    found = gaps(directory)
    blocking = [g for g in found if g.blocking]
    console = make_console()
    singles = sum(1 for a in directory if a.is_single)
    console.print(f"Danh bạ {directory.source}: {len(directory)} mục ({singles} cơ quan).",
                  markup=False)
    for g in found:
        mark = "-" if g.blocking else "·"
        console.print(f"{mark} {g.what}", markup=False)
    if blocking:
        console.print(f"Còn thiếu {len(blocking)} mục cần bổ sung trước khi gửi nhắc việc.",
                      markup=False)
        raise typer.Exit(1)
    console.print("Đủ thông tin để gửi nhắc việc.", markup=False)
