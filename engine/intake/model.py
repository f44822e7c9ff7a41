"""The parsed plan: what every reader (.txt, .docx, .xlsx, .csv, the review YAML) produces.

Its JSON form is contract section 2 (`nhacviec plan parse FILE --json`); its YAML form is the
review file a person corrects before `nhacviec plan import`. Field names follow the contract.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class PlanInfo(_Model):
    number: str | None = None  # "196/KH-UBND"
    date: dt.date | None = None  # the date the plan was issued
    issuer: str | None = None  # "UBND tỉnh Sóc Trăng"
    year: int  # the year the plan is for (its first year, when it spans several)
    title: str | None = None
    # The last year of a plan that spans several ("giai đoạn 2026-2030", "đến năm 2030"): its
    # periodic tasks and reports recur in every year from `year` to it. None: one year.
    horizon_to: int | None = None


class ReportPeriodOut(_Model):
    name: str  # "Quý I", "6 tháng", "Quý III", "Năm" ("Quý I/2026" in a plan of several years)
    # The data cut-off window: null when the plan neither gives it nor cites the regime that
    # defines it (report_cycle.windows says where it comes from).
    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None
    deadline: dt.date  # the report deadline, moved to a working day


class ReportCycleOut(_Model):
    # The day periodic tasks fall on (contract section 1): the plan's report day in the last
    # month of each period when it states one, else 18; `before`: the last working day before it.
    day: int = 18
    periods: list[ReportPeriodOut] = []
    data_entry_url: str | None = None
    stated: bool = False  # True when the plan itself states its report cycle (a deadline)
    before: bool = False
    frequencies: list[str] = []  # as stated: "month", "quarter", "half", "nine_months", "year"
    report_to: str | None = None  # "UBND tỉnh (qua Sở Nội vụ)"
    windows: str | None = None  # where the cut-off windows come from: "plan", "decree" or null
    text: list[str] = []  # the plan's reporting sentences, as written


class DeadlineOut(_Model):
    due: dt.date
    label: str | None = None


class Target(_Model):
    """A target stated in a task: "Cấp tỉnh: đạt 90%" -> scope "Cấp tỉnh", value 90, unit "%"."""

    scope: str
    value: float
    unit: str = "%"
    text: str


class TaskOut(_Model):
    group: str
    code: str
    parent: str | None = None
    leaf: bool = True
    title: str
    product: str | None = None
    lead: list[str] = []
    support: list[str] = []
    lead_agencies: list[str] = []
    support_agencies: list[str] = []
    timing: str | None = None
    kind: str = "unknown"
    due: list[dt.date] = []
    deadlines: list[DeadlineOut] = []
    warnings: list[str] = []
    targets: list[Target] = []
    # Roles or qualifiers written after an agency name ("UBND cấp huyện: đề xuất qua ...").
    agency_notes: list[str] = []
    # Event-relative tasks ("Tối đa 05 ngày làm việc kể từ khi ..."): offset and unit.
    event_offset: int | None = None
    event_unit: str | None = None
    explanation: str | None = None
    source_line: int | None = None  # where the task starts in the source, for a person to look
    # The directory entry each mention names, aligned with `lead` / `support` (a group's own id,
    # not its members); null where the mention names nobody in the directory.
    lead_refs: list[str | None] = []
    support_refs: list[str | None] = []
    # The sub-group heading the task sits under, as written ("III.1.1. Nhóm các nền tảng ..."),
    # when the plan has heading rows below its groups and numbers run on through them.
    subgroup: str | None = None


class ParsedPlan(_Model):
    plan: PlanInfo
    report_cycle: ReportCycleOut
    tasks: list[TaskOut] = []
    warnings: list[str] = []
    source: str | None = None  # file name it was read from

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    def leaves(self) -> list[TaskOut]:
        return [t for t in self.tasks if t.leaf]
