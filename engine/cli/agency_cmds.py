"""`nhacviec agency list [--json]`: the agency directory."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from engine.cli.console import make_console
from engine.cli.main import app
from engine.directory.agencies import KIND_VI, Directory
from engine.settings import Settings

agency_app = typer.Typer(help="Danh bạ cơ quan: sở, ban, ngành, cơ quan TW tại tỉnh, UBND cấp "
                         "huyện và các nhóm cơ quan.", no_args_is_help=True)
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
    table = Table(title=f"Danh bạ cơ quan ({len(directory)} mục)", show_lines=False)
    for header in ("Mã", "Tên", "Loại", "Báo cáo", "Email", "Kế nhiệm / thành viên"):
        table.add_column(header)
    for a in directory:
        if a.successor:
            successor = f"{a.successor} (từ {a.successor_from:%d/%m/%Y})"
        elif not a.is_single and a.kind != "unspecific":
            successor = f"{len(directory.members(a.id))} thành viên"
        else:
            successor = ""
        role = {"monitor": " · theo dõi", "steering": " · chỉ đạo"}.get(a.role or "", "")
        table.add_row(a.id, a.name, KIND_VI[a.kind] + role, "có" if a.reports else "",
                      ", ".join(a.emails), successor)
    make_console().print(table)
