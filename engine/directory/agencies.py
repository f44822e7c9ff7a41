"""The agency directory: who the plan's agencies are, how to reach them, who succeeds whom.

`config/agencies.yaml` (or the file named by NHACVIEC_AGENCIES) lists every department, provincial
body, central agency based in the province and district-level people's committee, plus the group
names plans use ("Các sở, ban, ngành tỉnh", "UBND cấp huyện", "các cơ quan có liên quan"). The
file is validated once, on load; a mistake in it is a ConfigError naming the file and the entry.

Splitting an agency cell into mentions and resolving them lives in `engine.directory.match`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from config import bundled
from core.control_chars import clean as clean_controls
from core.errors import ConfigError, NotFoundError
from core.safe_yaml import TooComplex, safe_load
from engine.directory.match import Matcher

AgencyKind = Literal[
    "department", "provincial_body", "public_unit", "central", "district", "commune",
    "provincial_authority", "steering", "body", "group", "collective", "unspecific",
]
# Kinds that stand for one organisation (they can be reminded); the rest name several.
SINGLE_KINDS = frozenset({
    "department", "provincial_body", "public_unit", "central", "district", "commune",
    "provincial_authority", "steering", "body",
})
KIND_VI = {
    "department": "Sở", "provincial_body": "Cơ quan cấp tỉnh", "public_unit": "Đơn vị sự nghiệp",
    "central": "Cơ quan TW tại tỉnh", "district": "UBND cấp huyện",
    "commune": "UBND xã, phường, đặc khu",
    "provincial_authority": "UBND tỉnh", "steering": "Ban Chỉ đạo", "body": "Tổ chức, đoàn",
    "group": "Nhóm", "collective": "Tập hợp", "unspecific": "Không cụ thể",
}
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Agency(BaseModel):
    """One entry of the directory (an agency, a group of agencies, or an unspecific phrase)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    kind: AgencyKind
    aliases: tuple[str, ...] = ()
    reports: bool = False
    role: Literal["monitor", "steering"] | None = None
    emails: tuple[str, ...] = ()
    telegram_chat_ids: tuple[int, ...] = ()
    zalo_chat_ids: tuple[str, ...] = ()
    # The chat channels its messages go on, in order ("zalo", "telegram"); empty: every channel
    # it can be reached on, email included (as before). With a preference, email carries a
    # day's message only when no preferred chat is reachable or the chat failed for good.
    channels: tuple[Literal["email", "telegram", "zalo"], ...] = ()
    successor: str | None = None
    successor_from: dt.date | None = None
    valid_from: dt.date | None = None
    parent: str | None = None
    members: tuple[str, ...] = ()
    member_kinds: tuple[AgencyKind, ...] = ()
    unspecific: bool = False

    @property
    def is_single(self) -> bool:
        return self.kind in SINGLE_KINDS

    @field_validator("zalo_chat_ids", mode="before")
    @classmethod
    def _zalo_ids_as_text(cls, v: object) -> object:
        # Zalo ids are strings, often all digits: YAML reads an unquoted one as a number.
        if isinstance(v, list | tuple):
            return tuple(str(x).strip() if isinstance(x, int | str) else x for x in v)
        return v


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agencies: list[dict] = Field(default_factory=list)


class Directory:
    """The validated directory. Iterating yields every entry in file order."""

    def __init__(self, entries: list[Agency], source: str = "<directory>") -> None:
        self.source = source
        self._by_id: dict[str, Agency] = {}
        for entry in entries:
            if entry.id in self._by_id:
                self._fail(entry.id, "mã bị trùng")
            self._by_id[entry.id] = entry
        self._validate()
        self._expanded = {a.id: self._expand(a.id, ()) for a in self._by_id.values()}

    # --- loading -----------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | str) -> Directory:
        path = Path(path)
        try:
            raw = safe_load(path.read_text(encoding="utf-8"))
        except TooComplex as exc:
            raise ConfigError(f"danh bạ cơ quan {path}: {exc}") from None
        except FileNotFoundError as exc:
            raise ConfigError(f"không có tệp danh bạ cơ quan {path}") from exc
        except OSError as exc:
            raise ConfigError(f"không đọc được tệp danh bạ cơ quan {path}") from exc
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ConfigError(f"danh bạ cơ quan {path} không phải YAML hợp lệ: {first}") from exc
        if not isinstance(raw, dict) or not isinstance(raw.get("agencies"), list):
            raise ConfigError(f"danh bạ cơ quan {path}: thiếu danh sách 'agencies'")
        raw = _without_controls(raw)
        try:
            _File.model_validate(raw)
        except ValidationError as exc:
            raise ConfigError(f"danh bạ cơ quan {path}: {_first_error(exc)}") from exc
        entries = []
        for i, item in enumerate(raw["agencies"], 1):
            label = item.get("id", f"#{i}") if isinstance(item, dict) else f"#{i}"
            if not isinstance(item, dict):
                raise ConfigError(f"danh bạ cơ quan {path}: mục {label}: không phải một bản ghi")
            try:
                entries.append(Agency.model_validate(item))
            except ValidationError as exc:
                raise ConfigError(
                    f"danh bạ cơ quan {path}: mục «{label}»: {_first_error(exc)}"
                ) from exc
        return cls(entries, source=str(path))

    @classmethod
    def bundled(cls) -> Directory:
        return cls.load(bundled("agencies.yaml"))

    def _fail(self, entry_id: str, why: str) -> None:
        raise ConfigError(f"danh bạ cơ quan {self.source}: mục «{entry_id}»: {why}")

    def _validate(self) -> None:
        roles: dict[str, str] = {}
        for a in self._by_id.values():
            if not _ID.match(a.id):
                self._fail(a.id, "mã chỉ gồm chữ thường không dấu, số và dấu gạch nối")
            if not a.name.strip():
                self._fail(a.id, "thiếu tên")
            for m in a.members:
                if m not in self._by_id:
                    self._fail(a.id, f"thành viên «{m}» không có trong danh bạ")
            if (a.members or a.member_kinds) and a.kind != "group":
                self._fail(a.id, "chỉ mục loại 'group' mới có thành viên")
            if a.kind == "group" and not (a.members or a.member_kinds):
                self._fail(a.id, "nhóm không có thành viên")
            for ref, what in ((a.successor, "cơ quan kế nhiệm"), (a.parent, "cơ quan chủ quản")):
                if ref is not None and ref not in self._by_id:
                    self._fail(a.id, f"{what} «{ref}» không có trong danh bạ")
            if (a.successor is None) != (a.successor_from is None):
                self._fail(a.id, "cần cả 'successor' lẫn 'successor_from'")
            if a.role:
                if a.role in roles:
                    self._fail(a.id, f"vai trò '{a.role}' đã thuộc về «{roles[a.role]}»")
                roles[a.role] = a.id
        for role in ("monitor", "steering"):
            if role not in roles:
                raise ConfigError(
                    f"danh bạ cơ quan {self.source}: không có mục nào mang vai trò '{role}'"
                )
        self._roles = roles
        for a in self._by_id.values():
            seen, cur = {a.id}, a
            while cur.successor:
                if cur.successor in seen:
                    self._fail(a.id, "chuỗi cơ quan kế nhiệm bị vòng lặp")
                seen.add(cur.successor)
                cur = self._by_id[cur.successor]
        _ = self.matcher  # builds the name index, which rejects names shared by two entries

    def _expand(self, agency_id: str, path: tuple[str, ...]) -> tuple[str, ...]:
        a = self._by_id[agency_id]
        if a.kind != "group":
            return () if a.kind == "unspecific" else (a.id,)
        if agency_id in path:
            self._fail(agency_id, "nhóm chứa chính nó")
        out: list[str] = []
        for m in a.members:
            out.extend(self._expand(m, (*path, agency_id)))
        for b in self._by_id.values():
            # Agencies created by a later reorganisation are not yet members of the groups the
            # plan names; `current()` maps old members onto them when the day comes. A group
            # created by the same reorganisation (the new communes) has them as members.
            if b.kind in a.member_kinds and (b.valid_from is None or (
                    a.valid_from is not None and b.valid_from <= a.valid_from)):
                out.append(b.id)
        return tuple(dict.fromkeys(out))

    # --- lookup ------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Agency]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, agency_id: object) -> bool:
        return agency_id in self._by_id

    def get(self, agency_id: str) -> Agency:
        try:
            return self._by_id[agency_id]
        except KeyError:
            raise NotFoundError(f"không có cơ quan «{agency_id}» trong danh bạ") from None

    def members(self, agency_id: str) -> tuple[str, ...]:
        """The single agencies an entry stands for (a group expanded; an agency itself)."""
        self.get(agency_id)
        return self._expanded[agency_id]

    @property
    def monitor_id(self) -> str:
        return self._roles["monitor"]

    @property
    def steering_id(self) -> str:
        return self._roles["steering"]

    def current(self, agency_id: str, on: dt.date) -> Agency:
        """The agency that holds `agency_id`'s tasks on `on`, following successor links."""
        a = self.get(agency_id)
        while a.successor and a.successor_from and a.successor_from <= on:
            a = self._by_id[a.successor]
        return a

    def holders(self, agency_id: str, on: dt.date) -> list[str]:
        """The single agencies that hold `agency_id`'s tasks on `on`: itself, or its successor
        after a reorganisation; a successor that is a group (the communes that took over a
        district's work on 01/7/2025) stands for its members existing that day; nobody for a
        collective."""
        cur = self.current(agency_id, on)
        if cur.is_single:
            return [cur.id]
        return [m for m in self._expanded[cur.id]
                if (self._by_id[m].valid_from or on) <= on and m != cur.id]

    def report_senders(self, on: dt.date) -> dict[str, list[str]]:
        """Who owes the report due `on`, each with the agencies whose report it now sends
        (itself, or the departments a reorganisation merged into it before that day)."""
        out: dict[str, list[str]] = {}
        for a in self._by_id.values():
            if not a.reports or (a.valid_from is not None and a.valid_from > on):
                continue
            cur = self.current(a.id, on)
            if cur.reports:
                out.setdefault(cur.id, []).append(a.id)
        return out

    def reporting_agencies(self, on: dt.date | None = None) -> list[Agency]:
        """Who must send the periodic CCHC reports: departments and other provincial bodies,
        central agencies based in the province, district-level people's committees. With `on`,
        merged agencies are replaced by their successors (each listed once)."""
        out: dict[str, Agency] = {}
        for a in self._by_id.values():
            if not a.reports:
                continue
            if on is None:
                if a.valid_from is None:
                    out.setdefault(a.id, a)
                continue
            if a.valid_from is not None and a.valid_from > on:
                continue
            cur = self.current(a.id, on)
            if cur.reports:
                out.setdefault(cur.id, cur)
        return list(out.values())

    @cached_property
    def matcher(self) -> Matcher:
        return Matcher(self)

    def split_and_resolve(self, cell: str):  # noqa: ANN201 - list[Mention]
        """Split an agency cell into mentions and resolve each (see engine.directory.match)."""
        return self.matcher.split_and_resolve(cell)

    def to_json(self) -> list[dict]:
        out = []
        for a in self._by_id.values():
            item = a.model_dump(mode="json")
            if not a.is_single:
                item["member_ids"] = list(self._expanded[a.id])
            out.append(item)
        return out


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()))
    return f"{where}: {err.get('msg', '')}" if where else str(err.get("msg", ""))


def _without_controls(value: object) -> object:
    """Every text of the directory without control or right-to-left characters
    (`core.control_chars`): an agency's name is quoted in every message it gets."""
    if isinstance(value, str):
        return clean_controls(value)
    if isinstance(value, list):
        return [_without_controls(v) for v in value]
    if isinstance(value, dict):
        return {_without_controls(k): _without_controls(v) for k, v in value.items()}
    return value
