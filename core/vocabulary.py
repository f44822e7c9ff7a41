"""The domain's words, once: message kinds, item reasons, statuses, roles, channels.

Each is a ``StrEnum`` whose values are what the database, the payloads and ``simulate --json``
store (contract section 5), so a member compares equal to its stored string and nothing had to
be migrated. Beside each member, its Vietnamese name: what a person reads in an email, a chat,
a table or a web page (``Status.OVERDUE.vi == "quá hạn"``).
"""

from __future__ import annotations

from enum import StrEnum


class _Named(StrEnum):
    """A value with the name officials use for it (``.vi``)."""

    @property
    def vi(self) -> str:
        return _VI[self]


class MessageKind(_Named):
    """What a message is (contract section 5)."""

    AGENCY_DIGEST = "agency_digest"  # the one daily message to an agency
    MONITOR_LIST = "monitor_list"  # to the Sở Nội vụ
    STEERING_DIGEST = "steering_digest"  # to the Steering Committee, weekly
    EXPLANATION_REQUEST = "explanation_request"  # to an agency: explain a late deadline


class Reason(_Named):
    """Why an item is in a message (a planned item's reason)."""

    REMINDER = "reminder"  # a task deadline ahead or today
    LATE = "late"  # a task deadline passed
    REPORT_REMINDER = "report_reminder"  # a report deadline of the plan's report cycle
    NEEDS_DUE = "needs_due"  # reference/unknown timing: a person must set the date (Sở Nội vụ)
    NEEDS_LEAD = "needs_lead"  # a dated task with no lead agency to remind (Sở Nội vụ)
    MISSED = "missed"  # a message older than the grace that was never sent (Sở Nội vụ)
    FAILED = "delivery_failed"  # a permanent delivery failure (Sở Nội vụ)
    EXPLANATION = "explanation"  # the item of an explanation request (giải trình)
    STEERING = "steering"  # the weekly marker: the digest is composed when it is sent


class Status(_Named):
    """A deadline's status for one agency, as Vietnamese task-tracking systems name them."""

    OVERDUE = "overdue"  # not completed by the end of the due day
    DUE_TODAY = "due_today"
    DUE_SOON = "due_soon"  # due within the policy's first reminder (5 working days)
    NOT_DUE = "not_due"
    WAITING_EVENT = "waiting_event"  # event-relative task, event not recorded
    NEEDS_DUE = "needs_due"  # reference / unknown timing, no date set
    DONE_LATE = "done_late"
    DONE_ON_TIME = "done_on_time"
    LATE = "late"  # an item's status in a late list: the same as OVERDUE to a reader


class Role(_Named):
    LEAD = "lead"  # cơ quan chủ trì
    SUPPORT = "support"  # cơ quan phối hợp


class TaskKind(_Named):
    """How a task's timing phrase reads (contract section 1), as stored on the task."""

    FIXED = "fixed"
    PERIODIC = "periodic"
    ONGOING = "ongoing"
    EVENT = "event"
    REFERENCE = "reference"
    UNKNOWN = "unknown"


class Channel(StrEnum):
    EMAIL = "email"
    TELEGRAM = "telegram"
    ZALO = "zalo"
    RECORD = "record"  # the simulation's and tests' recording channel


_VI: dict[StrEnum, str] = {
    MessageKind.AGENCY_DIGEST: "tin nhắc việc gửi cơ quan",
    MessageKind.MONITOR_LIST: "danh sách gửi Sở Nội vụ",
    MessageKind.STEERING_DIGEST: "bản tổng hợp gửi Ban Chỉ đạo",
    MessageKind.EXPLANATION_REQUEST: "yêu cầu giải trình",
    TaskKind.FIXED: "có hạn",
    TaskKind.PERIODIC: "định kỳ",
    TaskKind.ONGOING: "thường xuyên",
    TaskKind.EVENT: "theo sự kiện",
    TaskKind.REFERENCE: "theo văn bản khác",
    TaskKind.UNKNOWN: "chưa xác định",
    Reason.REMINDER: "nhắc hạn",
    Reason.LATE: "quá hạn",
    Reason.REPORT_REMINDER: "nhắc hạn báo cáo",
    Reason.NEEDS_DUE: "cần xác định thời hạn",
    Reason.NEEDS_LEAD: "chưa có cơ quan chủ trì",
    Reason.MISSED: "không gửi được đúng hạn",
    Reason.FAILED: "gửi không thành công",
    Reason.EXPLANATION: "giải trình",
    Reason.STEERING: "tổng hợp hằng tuần",
    Status.NOT_DUE: "chưa đến hạn",
    Status.DUE_SOON: "sắp đến hạn",
    Status.DUE_TODAY: "đến hạn hôm nay",
    Status.OVERDUE: "quá hạn",
    Status.LATE: "quá hạn",
    Status.DONE_ON_TIME: "hoàn thành đúng hạn",
    Status.DONE_LATE: "hoàn thành quá hạn",
    Status.WAITING_EVENT: "chờ sự kiện",
    Status.NEEDS_DUE: "cần xác định thời hạn",
    Role.LEAD: "chủ trì",
    Role.SUPPORT: "phối hợp",
}

# The statuses of the status table, in its column order.
TABLE_STATUSES = (Status.OVERDUE, Status.DUE_SOON, Status.NOT_DUE, Status.WAITING_EVENT,
                  Status.NEEDS_DUE, Status.DONE_LATE, Status.DONE_ON_TIME)
# The order statuses are shown in (lists, charts): from the worst to the best.
STATUS_ORDER = (Status.OVERDUE, Status.DUE_TODAY, Status.DUE_SOON, Status.NOT_DUE,
                Status.WAITING_EVENT, Status.NEEDS_DUE, Status.DONE_LATE, Status.DONE_ON_TIME)


def names(values: type[_Named]) -> dict[str, str]:
    """Stored value -> Vietnamese name, for a template or a table (`names(MessageKind)`)."""
    return {v.value: v.vi for v in values}
