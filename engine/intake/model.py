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
    year: int  # the year the plan is for
    title: str | None = None


class ReportPeriodOut(_Model):
    name: str  # "Quý I", "6 tháng", "Quý III", "Năm"
    from_: dt.date = Field(alias="from")  # data cut-off window start
    to: dt.date  # data cut-off window end
    deadline: dt.date  # the report day, moved to the next working day when it is not one


class ReportCycleOut(_Model):
    day: int = 18
    periods: list[ReportPeriodOut] = []
    data_entry_url: str | None = None
    stated: bool = False  # True when the plan itself states the report day


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
