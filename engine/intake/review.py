"""The review file: the parsed plan as YAML a person corrects before `nhacviec plan import`.

``to_yaml(plan)`` writes it (block style, Vietnamese kept as is, keys in the contract's order, a
header saying how to edit it); ``from_yaml(text)`` reads it back, validates it and reports the
first mistake as one Vietnamese line naming the task and the field. Unedited, the round trip is
exact: ``from_yaml(to_yaml(plan)) == plan``.

What an officer edits, and what import does with it (`engine.intake.review_edits`):

- the timing phrase of a task: kind and due dates are recomputed from the new phrase, exactly
  as the parser would, unless the due dates were also edited by hand (then those win);
- the due dates (``due``) of a task: kept as written; this is how a person sets a date for a task
  the plan leaves to another document ("Theo Kế hoạch số ...") - with ``kind: fixed``;
- the agency mentions (``lead``, ``support``): resolved again with the directory, unless the ids
  (``lead_agencies``, ``support_agencies``) were also edited by hand (then those win).

To know what was edited, each task carries ``_check``: short fingerprints of its timing, due
dates, mentions and ids as parsed. A task without one (added by hand) is computed from its phrase
and mentions unless it gives ``due`` or ids itself.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from pydantic import ValidationError

from core.errors import InputError
from core.safe_yaml import Limited, TooComplex, precheck
from engine.intake.control_chars import strip_review_text
from engine.intake.model import ParsedPlan
from engine.intake.review_edits import CHECK_KEY, apply_edits, fingerprint
from rules import WorkingCalendar

FORMAT_MARK = "format: nhacviec-review/1"

HEADER = """\
# TỆP DUYỆT KẾ HOẠCH - nhacviec
# Tạo từ: {source}. Có {count} nhiệm vụ ({leaves} nhiệm vụ lá); {flagged} nhiệm vụ có cảnh báo
# (mục "warnings" của từng nhiệm vụ) và {general} cảnh báo chung ở cuối tệp.
#
# Cách sửa:
# - Sửa trực tiếp nội dung sau dấu hai chấm; giữ nguyên thụt lề bằng dấu cách (không dùng tab).
#   Nội dung có dấu ":" hoặc bắt đầu bằng "-", "[", "{{", "#" thì đặt trong ngoặc kép.
# - Thời hạn: sửa "timing" (cụm từ thời gian như trong kế hoạch, ví dụ "Quý II/2025"); khi nhập,
#   "kind" và "due" được tính lại theo cụm từ mới. Muốn tự đặt ngày (ví dụ nhiệm vụ "Theo Kế
#   hoạch số ..."): ghi ngày dạng YYYY-MM-DD vào "due" và đổi "kind" thành fixed; ngày tự ghi
#   được giữ nguyên, kể cả khi "timing" cũng bị sửa.
#   Mỗi nhiệm vụ ghi thời hạn của chính nó: sửa "timing" của nhiệm vụ cha không đổi nhiệm vụ con.
#   kind: fixed (có hạn cụ thể), periodic (định kỳ), ongoing (thường xuyên), event (sau một sự
#   kiện), reference (theo văn bản khác), unknown (chưa rõ).
# - Cơ quan: sửa "lead" (chủ trì) / "support" (phối hợp), mỗi cơ quan một dòng "- ..."; khi nhập,
#   mã cơ quan ("lead_agencies", "support_agencies") được tra lại trong danh bạ. Có thể ghi
#   thẳng mã cơ quan (xem: nhacviec agency list); mã tự ghi được giữ nguyên.
# - Thêm nhiệm vụ: chép một khối "- group: ..." và sửa; mã nhiệm vụ ("code") ghi như "1.2".
#   Xóa nhiệm vụ: xóa cả khối của nó.
# - Đã xử lý một cảnh báo thì có thể xóa dòng cảnh báo đó.
# - Không sửa dòng "format" và các dòng "_check" (dấu kiểm để biết mục nào đã được sửa).
# Nhập lại: nhacviec plan import <tệp này>
"""

_TASK_CONTEXT = re.compile(r"^tasks\.(\d+)")
_YAML_PROBLEMS = (
    ("cannot start any token", "có ký tự tab hoặc ký tự không được phép (thụt lề chỉ dùng dấu "
                               "cách; nội dung có ký tự đặc biệt thì đặt trong ngoặc kép)"),
    ("mapping values are not allowed", "dấu hai chấm không đúng chỗ (nội dung có dấu \":\" thì "
                                       "đặt trong ngoặc kép)"),
    ("could not find expected ':'", "thiếu dấu hai chấm sau tên trường"),
    ("did not find expected key", "thụt lề không thẳng hàng với các dòng trên"),
    ("did not find expected '-'", "thụt lề của danh sách không thẳng hàng"),
    ("found unexpected end of stream", "ngoặc kép chưa được đóng"),
    ("found undefined alias", "dấu * ở đầu nội dung (đặt nội dung trong ngoặc kép)"),
    ("expected alphabetic or numeric character", "dấu & hoặc * ở đầu nội dung (đặt nội dung "
                                                 "trong ngoặc kép)"),
)


class _Loader(Limited, yaml.SafeLoader):
    """Safe YAML that leaves numbers and dates as written: "1.10" stays a task code, not 1.1;
    pydantic turns year, day and dates into their types. Within `core.safe_yaml`'s limits
    (nesting, size with aliases followed)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers
            if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                           "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # a date shared by "due" and "deadlines" is written out, not as "*id001"

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        # Lists indented under their key: easier to read and to edit.
        return super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value and not value.endswith((" ", "\n")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def to_yaml(plan: ParsedPlan) -> str:
    data = plan.model_dump(mode="python", by_alias=True)
    tasks = []
    for task, raw in zip(plan.tasks, data["tasks"], strict=True):
        raw[CHECK_KEY] = fingerprint(task, plan)
        tasks.append(raw)
    body = {"source": data["source"], "plan": data["plan"],
            "report_cycle": {**data["report_cycle"],
                             CHECK_KEY: fingerprint(plan.report_cycle, plan)},
            "tasks": tasks, "warnings": data["warnings"]}
    header = HEADER.format(
        source=plan.source or "(không rõ)", count=len(plan.tasks), leaves=len(plan.leaves()),
        flagged=sum(1 for t in plan.tasks if t.warnings), general=len(plan.warnings),
    )
    text = yaml.dump(body, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=4096)
    return f"{header}{FORMAT_MARK}\n{text}"


def from_yaml(text: str, *, calendar: Any = None, directory: Any = None,
              name: str = "tệp duyệt") -> ParsedPlan:
    """The plan a (possibly edited) review file describes. ``calendar`` (a WorkingCalendar)
    recomputes edited timing; ``directory`` resolves edited mentions and checks agency ids."""
    text, removed = strip_review_text(text)
    try:
        precheck(text)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except TooComplex as exc:
        raise InputError(f"{name}: {exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{name}: {_yaml_problem(exc)}") from None
    if not isinstance(data, dict) or "tasks" not in data or "plan" not in data:
        raise InputError(f"{name}: không phải tệp duyệt kế hoạch của nhacviec (thiếu mục "
                         "«plan» hoặc «tasks»)")
    data.pop("format", None)
    if removed and isinstance(data.setdefault("warnings", []), list):
        data["warnings"].extend(removed)
    if not isinstance(data.get("tasks"), list):
        raise InputError(f"{name}: mục «tasks» phải là danh sách các nhiệm vụ")
    if calendar is None:

        calendar = WorkingCalendar.default()
    return apply_edits(data, calendar=calendar, directory=directory, name=name,
                       validate=lambda d: _validate(d, name))


def _validate(data: dict, name: str) -> ParsedPlan:
    try:
        return ParsedPlan.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{name}: {_first_error(exc, data)}") from None


def _first_error(exc: ValidationError, data: dict) -> str:
    errors = exc.errors()
    err = errors[0]
    loc = [str(x) for x in err["loc"]]
    where = ".".join(loc)
    m = _TASK_CONTEXT.match(where)
    if m:
        i = int(m.group(1))
        task = data["tasks"][i] if i < len(data["tasks"]) else {}
        label = task_label(task, i) if isinstance(task, dict) else f"mục thứ {i + 1} của tasks"
        field = ".".join(loc[2:]) or "(cả mục)"
        where = f"{label}, trường «{field}»"
    else:
        where = f"trường «{where}»"
    value = err.get("input")
    quoted = isinstance(value, str | int | float) and err["type"] != "missing"
    shown = f" «{value}»" if quoted else ""
    more = f" (và {len(errors) - 1} lỗi khác)" if len(errors) > 1 else ""
    return f"{where}: {_ERROR_VI.get(err['type'], 'giá trị không hợp lệ')}{shown}{more}"


def task_label(task: dict, index: int) -> str:
    code, group = task.get("code"), task.get("group")
    if code:
        return f"nhiệm vụ {code} nhóm «{group}»" if group else f"nhiệm vụ {code}"
    return f"nhiệm vụ thứ {index + 1} trong tasks"


_ERROR_VI = {
    "missing": "thiếu trường này",
    "extra_forbidden": "trường lạ, không có trong mẫu",
    "string_type": "phải là chữ (đặt trong ngoặc kép)",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "float_parsing": "phải là số",
    "float_type": "phải là số",
    "bool_parsing": "phải là true hoặc false",
    "bool_type": "phải là true hoặc false",
    "list_type": "phải là danh sách (mỗi mục một dòng bắt đầu bằng \"- \")",
    "dict_type": "phải là một khối các trường",
    "model_type": "phải là một khối các trường",
    "date_from_datetime_parsing": "không phải ngày dạng YYYY-MM-DD",
    "date_parsing": "không phải ngày dạng YYYY-MM-DD",
    "date_type": "không phải ngày dạng YYYY-MM-DD",
    "date_from_datetime_inexact": "không phải ngày dạng YYYY-MM-DD",
}


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f"dòng {mark.line + 1}, cột {mark.column + 1}: " if mark is not None else ""
    problem = str(getattr(exc, "problem", "") or exc)
    for needle, vi in _YAML_PROBLEMS:
        if needle in problem:
            return f"sai cú pháp YAML ở {where}{vi}"
    return f"sai cú pháp YAML ở {where}kiểm tra thụt lề, dấu hai chấm và ngoặc kép"
