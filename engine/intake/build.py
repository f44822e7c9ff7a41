"""Turn a reader's rows into the parsed plan: groups, numbering, hierarchy, inheritance,
agencies, timing, targets. Contract section 2 is the output.

Groups follow the numbering, not where a label happens to be printed: a restart at "1" starts a
new group, and a label printed beside a task that does not restart the numbering belongs to the
next group that has none (the seed prints "Cải cách tài chính công" beside task 6 of "Cải cách
công vụ"). A child task inherits an empty lead, support, product or timing from its nearest
ancestor that has one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.numbering import group_code, parent_code, parse_code, split_number
from engine.directory.agencies import Directory
from engine.directory.match import Mention
from engine.intake.metadata import Identity, read_metadata
from engine.intake.model import DeadlineOut, ParsedPlan, Target, TaskOut
from engine.intake.rows import RawDocument, RawRow
from rules import Context, Due, Kind, Timing, WorkingCalendar, evaluate

INHERITED = ("product", "lead", "support", "timing")
_BULLET = re.compile(r"(?:^|\s)[-–•+]\s+")
_TARGET = re.compile(
    r"(?<!\w)(?P<scope>[^\W\d][^:;\-–•\n]{0,40}?)\s*:\s*(?:đạt\s+)?"
    r"(?:tối thiểu\s+|ít nhất\s+|trên\s+|từ\s+)?(?P<value>\d+(?:[.,]\d+)?)\s*(?P<unit>%)"
)


@dataclass
class _Group:
    label: str | None
    line: int | None
    tasks: list[_Draft] = field(default_factory=list)
    gap: str | None = None  # opened by a "…" row: the source does not show its heading


@dataclass
class _Draft:
    group: _Group
    code: str
    title: str
    row: RawRow
    cells: dict[str, str]
    parent: _Draft | None = None
    children: list[_Draft] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    subgroup: str | None = None


def build_plan(doc: RawDocument, *, directory: Directory, calendar: WorkingCalendar,
               year: int | None = None, default_report_day: int = 18,
               given: Identity | None = None) -> ParsedPlan:
    meta = read_metadata(doc.body, calendar=calendar, year=year,
                         default_report_day=default_report_day, given=given,
                         table_text=" ".join(v for r in doc.rows for v in r.cells.values()))
    ctx = Context(year=meta.info.year, calendar=calendar, cycle=meta.rules_cycle,
                  horizon_to=meta.info.horizon_to, not_before=meta.info.date)
    warnings = [*doc.warnings, *meta.warnings]
    groups = _groups(doc.rows, warnings)
    drafts = [d for g in groups for d in g.tasks]
    for g in groups:
        _link(g)
    for d in drafts:  # document order: a parent's cells are final before its children's
        for col in INHERITED:
            if not d.cells.get(col) and d.parent is not None:
                d.cells[col] = d.parent.cells.get(col, "")
    tasks = [_task(d, directory, ctx) for d in drafts]
    return ParsedPlan(plan=meta.info, report_cycle=meta.cycle, tasks=tasks, warnings=warnings,
                      source=doc.source)


# --- groups and hierarchy ------------------------------------------------------------------
NO_GROUPS = "Nhiệm vụ"  # the one group of a plan whose table has no group rows


def _groups(rows: list[RawRow], warnings: list[str]) -> list[_Group]:
    groups: list[_Group] = []
    waiting: list[tuple[str, RawRow, str, str | None]] = []  # misplaced labels
    current: _Group | None = None
    subgroup: str | None = None  # the sub-group heading ("III.1.1 Nhóm ...") tasks sit under
    heading_first = False  # a sub-group heading just read: a restart at "1" stays in the group
    previous: _Draft | None = None
    for row in rows:
        label = row.get("group").strip()
        if row.gap is not None:
            current = _Group(None, row.line, gap=row.gap)
            groups.append(current)
            subgroup, previous = None, None
            continue
        number = row.get("number")
        heading = group_code(number)
        if row.is_group_row or (heading is not None and heading[0][:1] in "IVXLC"
                                and not row.get("lead") and parse_code(number) is None):
            text = label or row.get("title").strip() or None
            if heading is not None and heading[1] > 1 and current is not None:
                subgroup = f"{heading[0]}. {text}" if text else heading[0]
                heading_first = True
                continue
            current = _Group(text, row.line)
            groups.append(current)
            subgroup, heading_first, previous = None, False, None
            continue
        if previous is not None and "number" in row.merged_from_above:
            # The number cell is merged with the row above: the same task, over two rows.
            _same_task(previous, row)
            continue
        code = parse_code(number)
        title = row.get("title").strip()
        if code is None:
            code, title = split_number(title)
        if code is None:
            _orphan(row, current, warnings)
            continue
        if heading_first and subgroup is not None and code == "1" and current is not None \
                and current.tasks:
            # Numbers restart under a sub-group heading: the sub-group is a group of its own.
            current = _Group(subgroup, row.line)
            groups.append(current)
        elif current is None or (code == "1" and current.tasks):
            current = _Group(None, row.line)
            groups.append(current)
            subgroup = None
            if label:
                current.label, label = label, ""
            elif waiting:
                text, at, beside, old = waiting.pop(0)
                current.label = text
                warnings.append(
                    f"Nhãn nhóm «{text}» in ở dòng {at.line}, cạnh nhiệm vụ {beside} của nhóm "
                    f"«{old}»; đánh số bắt đầu lại từ 1 ở dòng {row.line} nên nhãn được gán "
                    "cho nhóm bắt đầu từ đó: cần kiểm tra."
                )
        heading_first = False
        if label:
            if current.label is None:
                current.label = label
                warnings.append(f"Nhãn nhóm «{label}» in ở dòng {row.line}, không ở nhiệm vụ "
                                "đầu tiên của nhóm: cần kiểm tra.")
            elif label != current.label:
                waiting.append((label, row, code, current.label))
        draft = _Draft(current, code, title, row, {c: row.get(c).strip() for c in INHERITED},
                       warnings=list(row.warnings), subgroup=subgroup)
        if not title:
            draft.warnings.append(f"Nhiệm vụ {code} không có nội dung.")
        current.tasks.append(draft)
        previous = draft
    for text, at, beside, old in waiting:
        warnings.append(f"Nhãn nhóm «{text}» ở dòng {at.line} (cạnh nhiệm vụ {beside} của nhóm "
                        f"«{old}») không thuộc nhóm nào: cần kiểm tra.")
    groups = [g for g in groups if g.tasks]
    if len(groups) == 1 and groups[0].label is None and groups[0].gap is None:
        groups[0].label = NO_GROUPS  # a table without groups: nothing to name
    seen: set[str] = set()
    for i, g in enumerate(groups, 1):
        if g.label is None and g.gap is not None:
            g.label = f"Nhóm không hiện trong văn bản (sau dòng {g.line})"
            warnings.append(f"Dòng {g.line}: «{g.gap}» - văn bản lược bớt các dòng ở đây; các "
                            f"nhiệm vụ sau đó không rõ thuộc nhóm nào, tạm gọi «{g.label}»: cần "
                            "đối chiếu với bản gốc.")
        elif g.label is None:
            g.label = f"Nhóm {i}"
            warnings.append(f"Nhóm nhiệm vụ bắt đầu ở dòng {g.line} không có tên; tạm gọi "
                            f"«{g.label}».")
        if g.label in seen:
            # A task is identified by (group, code): two groups must not share a name.
            old, g.label = g.label, f"{g.label} ({i})"
            warnings.append(f"Hai nhóm cùng tên «{old}»; nhóm bắt đầu ở dòng {g.line} được gọi "
                            f"«{g.label}»: cần kiểm tra.")
        seen.add(g.label)
    return groups


def _same_task(d: _Draft, row: RawRow) -> None:
    """A row whose number cell continues the row above (a task written over two rows): its
    own cells join the task's. Different products and timings become paired dashed lists
    ("- Kế hoạch - Báo cáo"), different agencies are listed together."""
    merged = row.merged_from_above
    for col in INHERITED:
        value = row.get(col).strip()
        if not value or col in merged or value == d.cells.get(col):
            continue
        old = d.cells.get(col, "")
        if not old:
            d.cells[col] = value
        elif col in ("product", "timing"):
            first = old if old[:1] in "-–•+" else f"- {old}"
            d.cells[col] = f"{first} - {value}"
        else:
            d.cells[col] = f"{old}; {value}"
    title = row.get("title").strip()
    if title and "title" not in merged and title != d.title:
        d.title = f"{d.title} {title}".strip()
    d.warnings.append(f"Nhiệm vụ {d.code} viết trên nhiều dòng (ô số thứ tự gộp, đến dòng "
                      f"{row.line}); đã ghép các dòng: cần kiểm tra.")


def _orphan(row: RawRow, current: _Group | None, warnings: list[str]) -> None:
    """A row without a number the reader did not join: its cells go to the task above."""
    text = " | ".join(v for v in row.cells.values() if v)
    if current is None or not current.tasks:
        warnings.append(f"Dòng {row.line}: nội dung không thuộc nhiệm vụ nào: «{text}».")
        return
    prev = current.tasks[-1]
    for col, value in row.cells.items():
        if value and col in (*INHERITED, "title"):
            if col == "title":
                prev.title = f"{prev.title} {value}".strip()
            else:
                prev.cells[col] = f"{prev.cells.get(col, '')} {value}".strip()
    prev.warnings.append(f"Dòng {row.line} không có số thứ tự; đã nối vào nhiệm vụ {prev.code}:"
                         " cần kiểm tra.")


def _link(group: _Group) -> None:
    by_code: dict[str, _Draft] = {}
    for d in group.tasks:
        if d.code in by_code:
            # A task is identified by (group, code): the repeat gets a code of its own.
            n = 2
            while f"{d.code} ({n})" in by_code:
                n += 1
            old, d.code = d.code, f"{d.code} ({n})"
            d.warnings.append(f"Mã nhiệm vụ {old} lặp lại trong nhóm «{group.label}»; nhiệm vụ "
                              f"này được gọi «{d.code}»: cần kiểm tra.")
            by_code[d.code] = d
        else:
            by_code[d.code] = d
        up = parent_code(d.code)
        while up is not None and up not in by_code:
            up = parent_code(up)
        if up is not None:
            d.parent = by_code[up]
            d.parent.children.append(d)
            if up != parent_code(d.code):
                d.warnings.append(f"Không có nhiệm vụ {parent_code(d.code)}; xếp nhiệm vụ "
                                  f"{d.code} dưới nhiệm vụ {up}.")
        elif "." in d.code:
            d.warnings.append(f"Không có nhiệm vụ cha của nhiệm vụ {d.code}.")


def _leaves(d: _Draft) -> list[_Draft]:
    return [d] if not d.children else [x for c in d.children for x in _leaves(c)]


# --- one task --------------------------------------------------------------------------------
def _task(d: _Draft, directory: Directory, ctx: Context) -> TaskOut:
    leaf = not d.children
    warnings = list(d.warnings)
    notes: list[str] = []
    lead = _mentions(d.cells["lead"], "chủ trì", directory, warnings, notes)
    support = _mentions(d.cells["support"], "phối hợp", directory, warnings, notes)
    lead_ids = agency_ids(lead)
    if not lead and (leaf or any(not x.cells["lead"] for x in _leaves(d))):
        warnings.append("Kế hoạch không ghi cơ quan chủ trì (cả ở nhiệm vụ cha): để trống, "
                        "cần người bổ sung.")
    elif lead and not lead_ids and leaf:
        warnings.append(f"Cơ quan chủ trì «{d.cells['lead']}» không chỉ rõ cơ quan nào: cần "
                        "người xác định.")
    phrase = d.cells["timing"]
    timing = evaluate(phrase, ctx)
    deadlines = paired_deadlines(d.cells["product"], phrase, timing, ctx, warnings)
    if phrase and (leaf or timing.kind is Kind.UNKNOWN):
        warnings.extend(timing.warnings)
    elif leaf:
        warnings.append("Không có thời gian thực hiện (ô trống, nhiệm vụ cha cũng không ghi): "
                        "cần người bổ sung.")
    return TaskOut(
        group=d.group.label or "", code=d.code, parent=d.parent.code if d.parent else None,
        leaf=leaf, title=d.title, product=d.cells["product"] or None,
        lead=[m.text for m in lead], support=[m.text for m in support],
        lead_agencies=lead_ids, support_agencies=agency_ids(support),
        lead_refs=[m.ref for m in lead], support_refs=[m.ref for m in support],
        timing=phrase or None, kind=str(timing.kind) if phrase else str(Kind.UNKNOWN),
        due=sorted({x.date for x in deadlines}),
        deadlines=[DeadlineOut(due=x.date, label=x.label) for x in deadlines],
        warnings=list(dict.fromkeys(warnings)), targets=_targets(d.title),
        agency_notes=notes, event_offset=timing.event_offset, event_unit=timing.event_unit,
        explanation=str(timing.explanation) or None, source_line=d.row.line,
        subgroup=d.subgroup,
    )


def _mentions(cell: str, role: str, directory: Directory, warnings: list[str],
              notes: list[str]) -> list[Mention]:
    mentions = directory.split_and_resolve(cell) if cell else []
    check_mentions(mentions, role, directory, warnings, notes)
    return mentions


def check_mentions(mentions: list[Mention], role: str, directory: Directory,
                   warnings: list[str], notes: list[str]) -> None:
    """Warn about unresolved and fuzzy mentions; keep role notes ("đề xuất qua ...")."""
    for m in mentions:
        maybe = ""
        if m.suggestions:
            names = "», «".join(directory.get(s).name for s in m.suggestions if s in directory)
            maybe = f" (có phải: «{names}»?)"
        if m.kind == "unresolved":
            warnings.append(f"Không nhận ra cơ quan {role} «{m.text}»: giữ nguyên, cần sửa hoặc "
                            f"bổ sung vào danh bạ{maybe}.")
        elif m.kind == "unspecific" and m.ref is None:
            # "Sở, ban, ngành có liên quan", a list kept in another document: not a set of
            # agencies nhacviec can remind.
            warnings.append(f"Cơ quan {role} «{m.text}» không chỉ rõ cơ quan nào ({m.note}): "
                            "cần người xác định.")
        if m.note and m.kind != "unresolved":
            notes.append(f"{m.text}: {m.note}")


def agency_ids(mentions: list[Mention]) -> list[str]:
    return list(dict.fromkeys(i for m in mentions for i in m.ids))


def split_items(text: str | None) -> list[str]:
    """"- Kế hoạch - Báo cáo kết quả" -> ["Kế hoạch", "Báo cáo kết quả"]; other text: itself."""
    text = (text or "").strip()
    if not text:
        return []
    if text[0] not in "-–•+":
        return [text]
    return [p.strip() for p in _BULLET.split(text) if p.strip()]


def paired_deadlines(product: str | None, phrase: str | None, timing: Timing, ctx: Context,
                     warnings: list[str]) -> list[Due]:
    """Deadlines of a task: a dashed product list paired with a dashed timing list of the same
    length gives one labelled deadline per product; otherwise the phrase's own deadlines."""
    products, timings = split_items(product), split_items(phrase)
    if len(timings) >= 2 and len(products) == len(timings):
        out: list[Due] = []
        for item, part in zip(products, timings, strict=True):
            out.extend(Due(x.date, item) for x in evaluate(part, ctx).deadlines)
        return sorted(out, key=lambda x: x.date)
    if len(timings) >= 2 and len(products) >= 2:
        warnings.append(f"Có {len(products)} sản phẩm nhưng {len(timings)} mốc thời gian: không "
                        "ghép được từng sản phẩm với thời hạn, cần kiểm tra.")
    return sorted(timing.deadlines, key=lambda x: x.date)


def _targets(title: str) -> list[Target]:
    out = []
    for m in _TARGET.finditer(title):
        out.append(Target(scope=m.group("scope").strip(), value=float(
            m.group("value").replace(",", ".")), unit=m.group("unit"), text=m.group(0).strip()))
    return out
