"""The reminder and escalation policy (contract section 4), read from `config/policy.toml`.

Every number the planner and the dispatcher use comes from here; the bundled file holds the
contract's defaults. A wrong file is a ConfigError naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config import bundled
from core.errors import ConfigError


@dataclass(frozen=True)
class Policy:
    send_time: dt.time = dt.time(8, 0)
    timezone: str = "Asia/Ho_Chi_Minh"
    lead_reminders: tuple[int, ...] = (5, 1, 0)
    support_reminders: tuple[int, ...] = (5,)
    report_reminders: tuple[int, ...] = (5, 1, 0)
    escalate_reports: bool = True
    late_agency_after: int = 1
    late_monitor_after: int = 3
    explanation_after: int = 10
    explanation_reply_days: int = 5
    # Explanation requests whose day passed before they were planned (a late import): held
    # until the officer asks (False), or sent on the first dispatch (True).
    explain_already_late: bool = False
    # Explanation requests of one agency on one day: one message listing every late deadline
    # (False, issue #17), or one message per late deadline (True: contract section 5's reading).
    explanation_per_deadline: bool = False
    steering_weekday: int = 0
    steering_years_after: int = 1
    needs_due_cadence: str = "monthly"
    grace_working_days: int = 3
    # A claim holds this long after its owner's last heartbeat (renewed every quarter of it
    # while the owner sends); an owner known dead on the same machine loses it at once.
    claim_lease_seconds: int = 60
    soon_working_days: int = 5

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def slot_instant(self, day: dt.date) -> dt.datetime:
        """The send instant of working day `day` (08:00 local)."""
        return dt.datetime.combine(day, self.send_time, tzinfo=self.tz)

    @classmethod
    def load(cls, path: Path | str) -> Policy:
        path = Path(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"không có tệp chính sách nhắc việc {path}") from exc
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"tệp chính sách nhắc việc {path} không hợp lệ: {exc}") from exc
        return _from_dict(raw, str(path))

    @classmethod
    def bundled(cls) -> Policy:
        return cls.load(bundled("policy.toml"))


_KEYS = {  # (section, key) -> (field, type)
    ("send", "time"): ("send_time", "time"),
    ("send", "timezone"): ("timezone", "tz"),
    ("tasks", "lead_reminders"): ("lead_reminders", "days"),
    ("tasks", "support_reminders"): ("support_reminders", "days"),
    ("reports", "reminders"): ("report_reminders", "days"),
    ("reports", "escalate"): ("escalate_reports", "bool"),
    ("late", "agency_after"): ("late_agency_after", "pos"),
    ("late", "monitor_after"): ("late_monitor_after", "pos"),
    ("late", "explanation_after"): ("explanation_after", "pos"),
    ("late", "explanation_reply_days"): ("explanation_reply_days", "pos"),
    ("late", "explain_already_late"): ("explain_already_late", "bool"),
    ("late", "explanation_per_deadline"): ("explanation_per_deadline", "bool"),
    ("late", "steering_weekday"): ("steering_weekday", "weekday"),
    ("late", "steering_years_after"): ("steering_years_after", "nonneg"),
    ("needs_due", "cadence"): ("needs_due_cadence", "cadence"),
    ("dispatch", "grace_working_days"): ("grace_working_days", "nonneg"),
    ("dispatch", "claim_lease_seconds"): ("claim_lease_seconds", "pos"),
    # Files written before the heartbeat (a lease in minutes, never renewed): converted.
    ("dispatch", "claim_lease_minutes"): ("claim_lease_seconds", "minutes"),
    ("status", "soon_working_days"): ("soon_working_days", "nonneg"),
}


def _from_dict(raw: dict, source: str) -> Policy:
    values: dict[str, object] = {}
    for section, body in raw.items():
        if not isinstance(body, dict):
            raise ConfigError(f"{source}: [{section}] phải là một bảng")
        for key, value in body.items():
            spec = _KEYS.get((section, key))
            if spec is None:
                raise ConfigError(f"{source}: khóa không biết [{section}] {key}")
            field, kind = spec
            values[field] = _convert(value, kind, f"{source}: [{section}] {key}")
    return Policy(**values)  # type: ignore[arg-type]


def _convert(value: object, kind: str, where: str) -> object:
    def bad(why: str) -> ConfigError:
        return ConfigError(f"{where}: {why} (giá trị {value!r})")

    if kind == "time":
        try:
            return dt.time.fromisoformat(str(value))
        except ValueError:
            raise bad("cần giờ dạng HH:MM") from None
    if kind == "tz":
        try:
            ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError):
            raise bad("múi giờ không tồn tại") from None
        return str(value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise bad("cần true hoặc false")
        return value
    if kind == "cadence":
        if value not in ("monthly", "weekly", "never"):
            raise bad("cần 'monthly', 'weekly' hoặc 'never'")
        return value
    if kind == "days":
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 60 for v in value
        ):
            raise bad("cần danh sách số ngày làm việc từ 0 đến 60")
        return tuple(sorted(set(value), reverse=True))
    if not isinstance(value, int) or isinstance(value, bool):
        raise bad("cần một số nguyên")
    if kind == "weekday" and not 0 <= value <= 6:
        raise bad("cần 0 (thứ Hai) đến 6 (Chủ nhật)")
    if kind in ("pos", "minutes") and value < 1:
        raise bad("cần số nguyên dương")
    if kind == "minutes":
        return value * 60
    if kind == "nonneg" and value < 0:
        raise bad("cần số không âm")
    return value
