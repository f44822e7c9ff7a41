"""Plans written as prose instead of a table: numbered items, each with field lines.

    II. NỘI DUNG
    1. Tổ chức tuyên truyền, phổ biến ...          <- a task (or a group, see below)
    - Cơ quan chủ trì: Bộ Công an.                 <- fields, by the table's header names
    - Cơ quan phối hợp: các bộ, cơ quan ngang bộ ...
    - Thời gian thực hiện: năm 2025 và các năm tiếp theo.
    5. Xây dựng Nghị định của Chính phủ
    - Nghị định quy định chi tiết ...              <- an unnumbered sub-item: its fields are "+"
    + Cơ quan chủ trì: Bộ Công an.
    + Thời hạn ban hành: trước ngày 01 tháng 01 năm 2026.

Field names are the task table's column names (`engine.intake.headers`: "Cơ quan chủ trì",
"Cơ quan thực hiện", "Đơn vị chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện", "Thời gian
hoàn thành", "Thời hạn ban hành", "Kết quả" ...). A field written with nothing after its colon
takes the "+" lines below it ("- Thời gian thực hiện: / + ... trước ngày 15/12/2025. / + ...").

Only the Roman-numbered sections that hold such fields are read ("II. NỘI DUNG"; "I. MỤC ĐÍCH,
YÊU CẦU" and "III. TỔ CHỨC THỰC HIỆN" are body). Within them, when no top-level item carries
fields of its own, the top-level items are groups and their "1.1", "1.2" items the tasks (a
commune's plan: "1. Xây dựng, ban hành các văn bản ..." / "1.1. Xây dựng và ban hành ..."); else
every item is a task. Items with no fields of their own, right before one that has them ("3.1.",
"3.2.", "3.3." then the fields), share its fields, with a warning. Unnumbered sub-items get the
next code under their item ("5.1", "5.2"), with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.numbering import split_number
from engine.intake.headers import match_header
from engine.intake.rows import RawDocument, RawRow

_ROMAN_HEADING = re.compile(r"^\s*([IVXLC]{1,6})\.\s+\S")
_FIELD = re.compile(r"^\s*(?P<mark>[-–—+•*])?\s*(?P<label>[^:\n]{3,45}?)\s*:\s*(?P<value>.*)$",
                    re.S)
_BULLET = re.compile(r"^\s*[-–—•*]\s*(?P<text>\S.*)$", re.S)
_PLUS = re.compile(r"^\s*\+\s*(?P<text>\S.*)$", re.S)
FIELDS = ("lead", "support", "timing", "product")


@dataclass
class _Item:
    code: str | None  # None: an unnumbered sub-item
    title: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    children: list[_Item] = field(default_factory=list)
    parent: _Item | None = None
    shared_from: str | None = None
    open_field: str | None = None  # a field whose value continues on the "+" lines below
    unnumbered: bool = False  # its code was given here, the plan wrote none


def _field(text: str) -> tuple[str, str, str | None] | None:
    """(column, value, mark) for a field line ("- Cơ quan chủ trì: Bộ Công an.")."""
    m = _FIELD.match(text)
    if not m:
        return None
    key = match_header(m.group("label"))
    if key not in FIELDS:
        return None
    return key, m.group("value").strip(), m.group("mark")


def read_prose(paragraphs: list[str], source: str) -> RawDocument | None:
    """The plan's tasks from its field lines, or None when it has none."""
    sections = _sections(paragraphs)
    kept = [s for s in sections if sum(1 for _, p in s if _field(p)) >= 2]
    if not kept:
        return None
    rows: list[RawRow] = []
    warnings: list[str] = []
    task_lines: set[int] = set()
    for section in kept:
        items = _items(section[1:], task_lines)
        rows.extend(_rows(items, warnings))
        task_lines.update(no for no, _ in section[:1])
    body = [p for no, p in enumerate(paragraphs, 1) if no not in task_lines]
    if not rows:
        return None
    warnings.insert(0, "Kế hoạch viết dạng văn xuôi (không có bảng): nhiệm vụ được đọc từ các "
                    "mục đánh số và các dòng «Cơ quan chủ trì / phối hợp / Thời gian ...»; cần "
                    "kiểm tra.")
    return RawDocument(body="\n".join(body) + "\n", rows=rows, source=source, warnings=warnings)


def _sections(paragraphs: list[str]) -> list[list[tuple[int, str]]]:
    out: list[list[tuple[int, str]]] = [[]]
    for no, p in enumerate(paragraphs, 1):
        if not p.strip():
            continue
        if _ROMAN_HEADING.match(p):
            out.append([])
        out[-1].append((no, p.strip()))
    return [s for s in out if s]


def _items(lines: list[tuple[int, str]], used: set[int]) -> list[_Item]:
    top: list[_Item] = []
    by_code: dict[str, _Item] = {}
    item: _Item | None = None  # the numbered item being read
    holder: _Item | None = None  # where fields go: the item, or its unnumbered sub-item
    pending: tuple[int, str] | None = None  # a "- ..." line that may open a sub-item
    for no, text in lines:
        code, title = split_number(text)
        if code is not None and title and not _field(text):
            item = _Item(code, title, no)
            parent_code = code.rsplit(".", 1)[0] if "." in code else None
            parent = by_code.get(parent_code) if parent_code else None
            if parent is not None:
                item.parent = parent
                parent.children.append(item)
            else:
                top.append(item)
            by_code.setdefault(code, item)
            holder, pending = item, None
            used.add(no)
            continue
        if item is None:
            continue
        found = _field(text)
        if found is not None:
            key, value, mark = found
            if mark == "+" and pending is not None:
                # "- Nghị định ..." followed by "+ Cơ quan chủ trì: ...": a sub-item.
                sub = _Item(None, pending[1], pending[0], parent=item)
                item.children.append(sub)
                holder, pending = sub, None
            elif mark != "+" and holder is not item and holder is not None and holder.code is None:
                holder = item  # "- field" after a sub-item's "+ field"s: the item's own again
            target = holder or item
            if key in target.fields:
                target.fields[key] = f"{target.fields[key]} {value}".strip()
            else:
                target.fields[key] = value
            target.open_field = key if not value else None
            used.add(no)
            continue
        plus = _PLUS.match(text)
        label = _FIELD.match(text)
        if plus and pending is not None and label and match_header(label.group("label")):
            # "+ Nội dung: ..." under "- Nghị định ...": the bullet opens a sub-item.
            holder = _Item(None, pending[1], pending[0], parent=item)
            item.children.append(holder)
            pending = None
            used.add(no)
            continue
        target = holder or item
        if plus and target.open_field is not None:
            key = target.open_field
            target.fields[key] = f"{target.fields[key]} + {plus.group('text')}".strip()
            used.add(no)
            continue
        target.open_field = None
        bullet = _BULLET.match(text)
        pending = (no, bullet.group("text").strip().rstrip(".")) if bullet else None
    return top


def _rows(top: list[_Item], warnings: list[str]) -> list[RawRow]:
    tasks_on_top = any(i.fields for i in top) or any(
        c.fields for i in top for c in i.children if c.code is None)
    out: list[RawRow] = []
    for item in top:
        if not tasks_on_top and item.children:
            out.append(RawRow(cells={"group": item.title, "number": item.code or ""},
                              line=item.line, is_group_row=True))
            out.extend(_task_rows(item.children, warnings))
        else:
            out.extend(_task_rows([item], warnings))
    return out


def _task_rows(items: list[_Item], warnings: list[str]) -> list[RawRow]:
    _share(items)
    out: list[RawRow] = []
    for item in items:
        cells = {"number": item.code or "", "title": item.title, **item.fields}
        row = RawRow(cells=cells, line=item.line)
        if item.shared_from:
            row.warnings.append(f"Mục {item.code} không có dòng chủ trì / phối hợp / thời gian "
                                f"riêng; dùng chung các dòng ghi ở mục {item.shared_from}: cần "
                                "kiểm tra.")
        if item.unnumbered:
            row.warnings.append(f"Mục «{item.title[:60]}» không đánh số; tạm đánh số "
                                f"{item.code}: cần kiểm tra.")
        out.append(row)
        taken = {c.code for c in item.children if c.code is not None}
        n = 0
        for child in item.children:
            if child.code is None:
                n += 1
                while f"{item.code}.{n}" in taken:
                    n += 1
                child.code = f"{item.code}.{n}"
                child.unnumbered = True
        out.extend(_task_rows(item.children, warnings))
    return out


def _share(items: list[_Item]) -> None:
    """Leaf items with no fields right before one that has them share its fields."""
    run: list[_Item] = []
    for item in items:
        if item.children:
            run = []
        elif not item.fields:
            run.append(item)
        else:
            for waiting in run:
                waiting.fields = dict(item.fields)
                waiting.shared_from = item.code
            run = []
