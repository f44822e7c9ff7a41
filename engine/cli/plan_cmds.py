"""`nhacviec plan parse FILE [--json|--yaml]` (contract section 2) and `nhacviec plan import FILE`.

Parsing writes nothing anywhere: JSON, the review YAML or a summary go to standard output, and a
file that is not a usable plan ends in one line on standard error with exit status 2.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from core.errors import InputError
from engine.cli.console import make_console
from engine.cli.engine_common import runtime, today
from engine.cli.main import app
from engine.cli.preview_cmds import next_dispatch_lines
from engine.cli.plan_options import DateOpt, IssuerOpt, NumberOpt, identity
from engine.directory.agencies import Directory
from engine.intake.metadata import Identity
from engine.intake.model import ParsedPlan
from engine.intake.reader import read_plan
from engine.intake.review import to_yaml
from engine.intake.sniff import MB
from engine.settings import Settings, working_calendar
from engine.tracking.plan_store import import_plan, require_identity
from rules.calendar import MAX_YEAR, MIN_YEAR

plan_app = typer.Typer(help="Kế hoạch CCHC: đọc, kiểm tra và nhập kế hoạch (.txt, .docx, .xlsx, "
                       ".csv hoặc tệp duyệt .yaml).", no_args_is_help=True)
app.add_typer(plan_app, name="plan")

KIND_VI = {
    "fixed": "có hạn", "periodic": "định kỳ", "ongoing": "thường xuyên",
    "event": "theo sự kiện", "reference": "theo văn bản khác", "unknown": "chưa hiểu",
}
FileArg = Annotated[Path, typer.Argument(metavar="TỆP", help="Tệp kế hoạch: .txt (văn bản chép "
                                         "từ PDF/Word), .docx, .xlsx, .csv hoặc tệp duyệt .yaml.")]
YearOpt = Annotated[int | None, typer.Option("--year", metavar="NĂM", help="Năm của kế hoạch "
                                             "(mặc định: năm ghi trong kế hoạch).")]
MaxMbOpt = Annotated[float, typer.Option("--max-mb", envvar="NHACVIEC_MAX_PLAN_MB",
                                         help="Kích thước tệp tối đa (MB).")]
def load_plan(file: Path, *, year: int | None = None, max_mb: float = 20,
              given: Identity | None = None) -> ParsedPlan:
    """Read and check a plan file with the configured directory and calendar."""
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(f"năm {year} nằm ngoài khoảng {MIN_YEAR}-{MAX_YEAR}")
    if max_mb <= 0:
        raise InputError("--max-mb phải lớn hơn 0")
    settings = Settings()
    directory = Directory.load(settings.agencies_path())
    return read_plan(file, directory=directory, calendar=working_calendar(settings), year=year,
                     max_bytes=int(max_mb * MB), given=given)


@plan_app.command("parse", help="Đọc kế hoạch và in kết quả; không ghi gì ra đĩa. Mặc định in "
                  "bản tóm tắt và các cảnh báo cần người kiểm tra.")
def parse(
    file: FileArg,
    year: YearOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="In một đối tượng JSON (hợp đồng "
                                          "mục 2).")] = False,
    as_yaml: Annotated[bool, typer.Option("--yaml", help="In tệp duyệt YAML để sửa rồi "
                                          "nhập bằng «plan import».")] = False,
    max_mb: MaxMbOpt = 20,
    number: NumberOpt = None,
    date: DateOpt = None,
    issuer: IssuerOpt = None,
) -> None:
    if as_json and as_yaml:
        raise InputError("chỉ chọn một trong hai: --json hoặc --yaml")
    plan = load_plan(file, year=year, max_mb=max_mb, given=identity(number, date, issuer))
    if as_json:
        typer.echo(json.dumps(plan.to_json_dict(), ensure_ascii=False, indent=2))
    elif as_yaml:
        typer.echo(to_yaml(plan), nl=False)
    else:
        print_summary(plan, make_console())


@plan_app.command("import", help="Kiểm tra rồi lưu kế hoạch vào cơ sở dữ liệu và lập lịch nhắc "
                  "việc. Nhập lại cùng kế hoạch (cùng số, cùng năm) thì cập nhật, giữ các ghi "
                  "nhận hoàn thành của thời hạn không đổi.")
def import_plan_cmd(file: FileArg, year: YearOpt = None, max_mb: MaxMbOpt = 20,
                    number: NumberOpt = None, date: DateOpt = None,
                    issuer: IssuerOpt = None) -> None:
    plan = load_plan(file, year=year, max_mb=max_mb, given=identity(number, date, issuer))
    require_identity(plan)  # before anything is printed as if it would be stored
    console = make_console()
    print_summary(plan, console)
    store(plan, console)


def store(parsed: ParsedPlan, console: Console) -> None:
    """Store the plan and plan its notifications (the engine's `import_plan`), then say what
    was stored."""
    rt = runtime()
    with rt.session() as s:
        summary = import_plan(s, parsed, rt.planner, today(rt))
        s.commit()
    what = "Đã lưu kế hoạch mới" if summary.created else "Đã cập nhật kế hoạch"
    console.print(Text.assemble(
        (f"{what} {summary.number} (năm {summary.year}):", "green"), f" {summary.tasks} nhiệm vụ "
        f"({summary.tasks_new} mới, {summary.tasks_removed} bị bỏ), {summary.deadlines} thời "
        f"hạn ({summary.deadlines_new} mới, {summary.deadlines_retired} thôi áp dụng), "
        f"{summary.duties} phân công theo thời hạn, {summary.periods} kỳ báo cáo, "
        f"{summary.obligations} nghĩa vụ báo cáo, {summary.planned} thông báo đang chờ gửi."))
    for line in next_dispatch_lines(rt, summary.plan_id, summary.number):
        console.print(line)


def print_summary(plan: ParsedPlan, console: Console) -> None:
    info = plan.plan
    number = info.number or "(không rõ số)"
    date = f" ngày {info.date:%d/%m/%Y}" if info.date else ""
    console.print(Text.assemble((f"Kế hoạch {number}{date}", "bold"),
                                f" - {info.issuer or '(không rõ cơ quan)'}, năm {info.year}"))
    if info.title:
        console.print(info.title)
    console.print(report_line(plan), markup=False)
    console.print(_counts(plan))
    warned = [(t, w) for t in plan.tasks for w in t.warnings]
    total = len(plan.warnings) + len(warned)
    if not total:
        console.print(Text("Không có cảnh báo.", style="green"))
        return
    console.print(Text(f"\n{total} cảnh báo cần người kiểm tra:", style="bold yellow"))
    for w in plan.warnings:
        console.print(f"- {w}", markup=False)
    for t, w in warned:
        console.print(f"- [{t.group} / {t.code}] {w}", markup=False)


WINDOWS_VI = {"plan": "theo kế hoạch", "decree": "theo Nghị định 09/2019/NĐ-CP"}


def report_line(plan: ParsedPlan) -> str:
    """The report cycle as the plan states it, in one line: its deadlines, or that it states
    none (never a default day presented as the plan's)."""
    cycle = plan.report_cycle
    if cycle.periods:
        periods = ", ".join(f"{p.name} {p.deadline:%d/%m/%Y}" for p in cycle.periods)
        windows = WINDOWS_VI.get(cycle.windows or "", "kế hoạch không nêu")
        return f"Báo cáo định kỳ (theo kế hoạch): {periods}; thời gian chốt số liệu: {windows}."
    if cycle.stated or cycle.frequencies or cycle.text:
        return ("Báo cáo định kỳ: kế hoạch có nêu nhưng chưa lập được kỳ báo cáo nào (xem cảnh "
                "báo).")
    return "Báo cáo định kỳ: kế hoạch không nêu; không lập kỳ báo cáo nào."


def _counts(plan: ParsedPlan) -> Table:
    leaves = plan.leaves()
    kinds = [k for k in KIND_VI if any(t.kind == k for t in leaves)]
    table = Table(title=f"{len(leaves)} nhiệm vụ lá ({len(plan.tasks)} nhiệm vụ, kể cả nhiệm vụ "
                  "cha) theo nhóm và loại thời hạn")
    table.add_column("Nhóm nhiệm vụ")
    for k in kinds:
        table.add_column(KIND_VI[k], justify="right")
    table.add_column("Cộng", justify="right")
    by_group: dict[str, Counter[str]] = {}
    for t in leaves:
        by_group.setdefault(t.group, Counter())[t.kind] += 1
    for group, counts in by_group.items():
        table.add_row(group, *(str(counts[k] or "") for k in kinds), str(sum(counts.values())))
    totals = Counter(t.kind for t in leaves)
    table.add_row(Text("Cộng", style="bold"), *(str(totals[k]) for k in kinds),
                  str(len(leaves)))
    return table
