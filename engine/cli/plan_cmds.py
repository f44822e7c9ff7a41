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
from sqlalchemy import func, select

from core.errors import ConflictError, InputError
from core.formatting import vn_date
from engine.cli.console import make_console
from engine.cli.engine_common import runtime, today
from engine.cli.main import app, help_of
from engine.cli.plan_options import DateOpt, IssuerOpt, NumberOpt, identity
from engine.cli.preview_cmds import next_dispatch_lines
from engine.directory.agencies import Directory
from engine.intake.metadata import Identity
from engine.intake.model import ParsedPlan
from engine.intake.reader import read_plan
from engine.intake.review import to_yaml
from engine.intake.sniff import MB
from engine.settings import Settings, working_calendar
from engine.storage.models import Deadline, Plan, PlannedItem, ReportPeriod, Task
from engine.tracking.closing import close_plan, reopen_plan
from engine.tracking.lookup import find_plan
from engine.tracking.plan_store import import_plan, require_identity
from engine.tracking.reimport import SHOWN, differences
from engine.tracking.status import dated_queries
from rules.calendar import MAX_YEAR, MIN_YEAR

plan_app = typer.Typer(help=help_of("plan"), no_args_is_help=True)
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
                  "nhận hoàn thành của thời hạn không đổi; nếu việc nhập lại bỏ nhiệm vụ, đổi "
                  "thời hạn hay cơ quan chủ trì, hoặc làm mất ghi nhận hoàn thành, lệnh in các "
                  "khác biệt và chỉ thay khi có --replace.")
def import_plan_cmd(file: FileArg, year: YearOpt = None, max_mb: MaxMbOpt = 20,
                    number: NumberOpt = None, date: DateOpt = None,
                    issuer: IssuerOpt = None,
                    replace: Annotated[bool, typer.Option(
                        "--replace", help="Thay kế hoạch đã lưu dù việc nhập lại bỏ nhiệm vụ, "
                        "đổi thời hạn, đổi cơ quan chủ trì hoặc làm mất ghi nhận hoàn thành "
                        "(ví dụ nhập lại tệp gốc sau khi đã nhập tệp duyệt đã sửa).")] = False,
                    ) -> None:
    plan = load_plan(file, year=year, max_mb=max_mb, given=identity(number, date, issuer))
    require_identity(plan)  # before anything is printed as if it would be stored
    console = make_console()
    print_summary(plan, console)
    store(plan, console, replace=replace)


def _check_replace(rt, parsed: ParsedPlan, console: Console) -> None:  # noqa: ANN001
    """A re-import that would undo something (a review's edits, completions) is shown, and
    refused without --replace; nothing is changed."""
    with rt.session() as s:
        try:
            lines = differences(s, parsed, rt.planner, today(rt))
        finally:
            s.rollback()
    undoing = [x for x in lines or () if not x.startswith("thêm nhiệm vụ")]
    if not undoing:
        return
    console.print(Text(f"\nNhập lại sẽ thay kế hoạch {parsed.plan.number} (năm "
                       f"{parsed.plan.year}) đã lưu; {len(lines)} khác biệt:",
                       style="bold yellow"))
    for line in lines[:SHOWN]:
        console.print(f"- {line}", markup=False)
    if len(lines) > SHOWN:
        console.print(f"- … và {len(lines) - SHOWN} khác biệt khác.")
    raise InputError(f"nhập lại kế hoạch {parsed.plan.number} sẽ bỏ hoặc đổi {len(undoing)} mục "
                     "đã lưu (xem danh sách khác biệt); chưa thay đổi gì. Nếu đúng là muốn thay, "
                     "chạy lại với --replace")


def store(parsed: ParsedPlan, console: Console, *, replace: bool = False) -> None:
    """Store the plan and plan its notifications (the engine's `import_plan`), then say what
    was stored."""
    rt = runtime()
    if not replace:
        _check_replace(rt, parsed, console)
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


# --- the stored plans: list, show, close ------------------------------------------------------
PlanArg = Annotated[str, typer.Argument(metavar="KẾ_HOẠCH", help="Mã kế hoạch (cột «Mã» của "
                                        "«plan list») hoặc số kế hoạch, ví dụ 196/KH-UBND "
                                        "(196/KH-UBND:2025 khi trùng số).")]


def _stored(s, ref: str):  # noqa: ANN001, ANN202 - a session; a Plan
    if ref.strip().isdigit():
        p = s.get(Plan, int(ref))
        if p is None:
            raise InputError(f"không có kế hoạch mã {ref} (xem: nhacviec plan list)")
        return p
    return find_plan(s, ref)


def _plan_counts(s, plan_ids: list[int], day) -> dict[int, dict[str, int]]:  # noqa: ANN001
    """Per plan: leaf tasks, active deadlines, late lead deadlines, pending notifications."""
    out: dict[int, dict[str, int]] = {i: {"tasks": 0, "deadlines": 0, "late": 0, "pending": 0}
                                      for i in plan_ids}
    for pid, n in s.execute(select(Task.plan_id, func.count()).where(
            Task.leaf, Task.removed.is_(False)).group_by(Task.plan_id)):
        if pid in out:
            out[pid]["tasks"] = n
    for pid, n in s.execute(select(Task.plan_id, func.count()).join(
            Deadline, Deadline.task_id == Task.id).where(Deadline.active, Task.removed.is_(False))
            .group_by(Task.plan_id)):
        if pid in out:
            out[pid]["deadlines"] = n
    duties, _ = dated_queries(None, None, (Task.plan_id,), (), open_only=False)
    for _agency, due, done_on, pid in s.execute(duties):
        if pid in out and due < day and (done_on is None or done_on > day):
            out[pid]["late"] += 1
    for pid, n in s.execute(select(PlannedItem.plan_id, func.count()).where(
            PlannedItem.state == "pending").group_by(PlannedItem.plan_id)):
        if pid in out:
            out[pid]["pending"] = n
    return out


@plan_app.command("list", help="Liệt kê các kế hoạch đã nhập: mã, số, năm, số nhiệm vụ, thời "
                  "hạn, việc quá hạn, trạng thái (đang theo dõi hoặc đã đóng).")
def list_cmd() -> None:
    rt = runtime()
    day = today(rt)
    with rt.session() as s:
        plans = list(s.scalars(select(Plan).order_by(Plan.year, Plan.id)))
        counts = _plan_counts(s, [p.id for p in plans], day)
    if not plans:
        typer.echo("Chưa có kế hoạch nào: hãy chạy nhacviec plan import TỆP.")
        return
    out = Table(title=f"{len(plans)} kế hoạch đã nhập (tính đến {vn_date(day)})")
    for col in ("Mã", "Số", "Năm", "Ngày ban hành", "Nhiệm vụ", "Thời hạn", "Quá hạn",
                "Chờ gửi", "Trạng thái"):
        out.add_column(col, overflow="fold")
    for p in plans:
        c = counts[p.id]
        state = (f"đã đóng {vn_date(p.closed_at.astimezone(rt.policy.tz).date())}"
                 if p.closed_at else "đang theo dõi")
        out.add_row(str(p.id), p.number, str(p.year), vn_date(p.issued_on, "-"),
                    str(c["tasks"]), str(c["deadlines"]), str(c["late"]), str(c["pending"]),
                    state)
    make_console().print(out)


@plan_app.command("show", help="Thông tin một kế hoạch đã nhập: số, ngày, cơ quan ban hành, "
                  "kỳ báo cáo, số nhiệm vụ, thời hạn, việc quá hạn, trạng thái.")
def show_cmd(plan: PlanArg) -> None:
    rt = runtime()
    day = today(rt)
    with rt.session() as s:
        p = _stored(s, plan)
        c = _plan_counts(s, [p.id], day)[p.id]
        periods = list(s.scalars(select(ReportPeriod).where(ReportPeriod.plan_id == p.id)
                                 .order_by(ReportPeriod.deadline)))
    lines = [f"Kế hoạch {p.number} (mã {p.id}), năm {p.year}",
             f"Ngày ban hành: {vn_date(p.issued_on, '-')}; cơ quan ban hành: "
             f"{p.issuer or '(không rõ)'}"]
    if p.title:
        lines.append(f"Tên: {p.title}")
    lines.append(f"{c['tasks']} nhiệm vụ, {c['deadlines']} thời hạn; {c['late']} việc quá hạn "
                 f"tính đến {vn_date(day)}; {c['pending']} thông báo đang chờ gửi.")
    lines.append("Kỳ báo cáo: " + ("; ".join(f"{r.name} hạn {vn_date(r.deadline)}"
                                              for r in periods) or "không có") + ".")
    if p.closed_at:
        lines.append(f"Trạng thái: đã đóng ngày "
                     f"{vn_date(p.closed_at.astimezone(rt.policy.tz).date())} — không nhắc, "
                     "không đôn đốc nữa; vẫn có trong báo cáo và bảng theo dõi (--plan).")
    else:
        lines.append("Trạng thái: đang theo dõi.")
    for line in lines:
        typer.echo(line)


@plan_app.command("close", help="Đóng một kế hoạch đã qua: dừng mọi nhắc việc và đôn đốc của "
                  "kế hoạch; các việc quá hạn của nó không còn trong bản tổng hợp gửi Ban Chỉ "
                  "đạo (vẫn có trong báo cáo). --reopen để mở lại.")
def close_cmd(plan: PlanArg, reopen: Annotated[bool, typer.Option(
        "--reopen", help="Mở lại kế hoạch đã đóng và lập lại lịch nhắc việc.")] = False) -> None:
    rt = runtime()
    with rt.session() as s:
        p = _stored(s, plan)
        try:
            n = (reopen_plan(s, p.id, rt.planner, today(rt)) if reopen
                 else close_plan(s, p.id))
        except ConflictError as exc:
            raise InputError(str(exc)) from None
        s.commit()
        number, year = p.number, p.year
    if reopen:
        typer.echo(f"Đã mở lại kế hoạch {number} (năm {year}): {n} thông báo đang chờ gửi.")
    else:
        typer.echo(f"Đã đóng kế hoạch {number} (năm {year}): dừng {n} thông báo đang chờ gửi; "
                   "các việc quá hạn của kế hoạch không còn được đôn đốc, vẫn có trong báo cáo "
                   f"và trong «nhacviec status --plan {number}».")
