"""The settings a quick read-only command needs, read without pydantic-settings.

`timing`, `calendar` and `status` use only the database address, the directory, the policy, the
calendar's override file, the 24/11 switch and the time zone. Loading pydantic-settings to read
those costs about 0.1 s on top of the pydantic Typer loads anyway (its settings sources,
argparse, asyncio, the model's 40 fields), so `quick_settings()` reads them here, and only in
their plain forms: an unset or blank value, a path, a yes/no pydantic also reads as that yes/no,
a zone that exists. Any other form goes to `engine.settings.Settings`, so a wrong value is
refused with the same Vietnamese line as in every other command; tests/test_quick_settings.py
holds the two readers to the same values.

The path helpers (`SettingsPaths`) are shared: `Settings` inherits them too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from config import bundled

if TYPE_CHECKING:
    from engine.planning.policy import Policy
    from engine.settings import Settings

APP_NAME = "nhacviec"
PREFIX = "nhacviec_"  # pydantic-settings reads the names whatever their case
TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})  # pydantic's words for a bool
FALSE = frozenset({"0", "false", "f", "no", "n", "off"})


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


class SettingsPaths:
    """Where the settings point, with the defaults filled in: one copy, for both readers
    (which hold `database_url`, `agencies`, `policy`, `outbox_dir`, `web_files_dir`,
    `timezone`)."""

    @cached_property
    def tz(self) -> ZoneInfo:
        """The province's time zone: NHACVIEC_TIMEZONE, or the policy's."""
        return self.load_policy().tz

    def load_policy(self) -> Policy:
        """The reminder policy file, with NHACVIEC_TIMEZONE applied when set."""
        from engine.planning.policy import Policy  # lazy: tomllib and the policy's checks

        policy = Policy.load(self.policy_path())
        return replace(policy, timezone=self.timezone) if self.timezone else policy

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        path = data_dir() / "nhacviec.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"

    def resolved_outbox(self) -> Path:
        return self.outbox_dir or (data_dir() / "outbox")

    def resolved_files_dir(self) -> Path:
        return self.web_files_dir or (data_dir() / "evidence")

    def agencies_path(self) -> Path:
        return self.agencies or bundled("agencies.yaml")

    def policy_path(self) -> Path:
        return self.policy or bundled("policy.toml")


@dataclass
class QuickSettings(SettingsPaths):
    """The fields of `Settings` a quick command reads, with `Settings`' defaults."""

    database_url: str | None = None
    agencies: Path | None = None
    policy: Path | None = None
    calendar_culture_day: bool = True
    calendar_overrides: Path | None = None
    timezone: str | None = None
    outbox_dir: Path | None = None
    web_files_dir: Path | None = None


class _NotPlain(Exception):
    """A value in a form only `Settings` reads (or refuses)."""


def _text(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    if raw != raw.strip():
        raise _NotPlain
    return raw


def _path(raw: str | None) -> Path | None:
    if raw is None:
        return None
    if not raw or raw != raw.strip():
        raise _NotPlain
    return Path(raw)


def _yes_no(raw: str | None, default: bool) -> bool:
    if raw is None:
        return default
    word = raw.lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise _NotPlain


def _zone(raw: str | None) -> str | None:
    name = _text(raw)
    if name is not None:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise _NotPlain from None
    return name


def quick_settings(environ: Mapping[str, str] | None = None) -> QuickSettings | Settings:
    """The settings of a quick command: read here when every value it needs is plain, else
    by `Settings` (which refuses a wrong value with the message every command gives)."""
    env = os.environ if environ is None else environ
    ours: dict[str, str] = {}
    for key, value in env.items():
        low = key.lower()
        if low.startswith(PREFIX):
            if low[len(PREFIX):] in ours:  # two spellings of one name: let pydantic choose
                return _full()
            ours[low[len(PREFIX):]] = value
    try:
        return QuickSettings(
            database_url=_text(ours.get("database_url")),
            agencies=_path(ours.get("agencies")),
            policy=_path(ours.get("policy")),
            calendar_culture_day=_yes_no(ours.get("calendar_culture_day"), True),
            calendar_overrides=_path(ours.get("calendar_overrides")),
            timezone=_zone(ours.get("timezone")),
            outbox_dir=_path(ours.get("outbox_dir")),
            web_files_dir=_path(ours.get("web_files_dir")),
        )
    except _NotPlain:
        return _full()


def _full() -> Settings:
    from engine.settings import Settings

    return Settings()


def working_calendar(settings: Any = None):  # noqa: ANN201 - rules.WorkingCalendar
    """The calendar these settings describe (`Settings` or `QuickSettings`): `holidays` + the
    override file + the 24/11 switch. The library's days are kept in the user's cache
    directory (`kept_library`)."""
    # lazy: the rules package and its calendar load 0.05 s; only what needs the calendar pays
    from rules.calendar import Overrides, WorkingCalendar

    settings = settings or quick_settings()
    overrides = (
        Overrides.load(settings.calendar_overrides)
        if settings.calendar_overrides
        else Overrides.bundled()
    )
    return WorkingCalendar(overrides=overrides, culture_day=settings.calendar_culture_day,
                           library=kept_library(cache_dir()))


def kept_library(folder: Path):  # noqa: ANN201 - rules.calendar.LibrarySource
    """The `holidays` library's days of Vietnam, kept per year in a JSON file of `folder`
    named after the library's version: importing the library costs every command that needs
    the calendar 0.1 s (it loads every country it knows), reading its answer back 1 ms. A file
    that cannot be read or written is no error: the library answers."""
    from rules.calendar import LibraryYear, library_years

    def source(years):  # noqa: ANN001, ANN202 - Iterable[int] -> dict[int, LibraryYear]
        wanted = sorted(set(years))
        path = folder / f"holidays-{_library_version()}-vn-vi.json"
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            kept = {}
        missing = [y for y in wanted if str(y) not in kept]
        if missing:
            for year, got in library_years(missing).items():
                kept[str(year)] = {"days": [[d.isoformat(), n] for d, n in got.days],
                                   "weekend_workdays": [d.isoformat()
                                                        for d in got.weekend_workdays]}
            try:
                folder.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
                tmp.replace(path)  # whole or not at all, whoever writes at the same time
            except OSError:
                pass
        day = dt.date.fromisoformat
        return {y: LibraryYear(tuple((day(d), n) for d, n in kept[str(y)]["days"]),
                               tuple(day(d) for d in kept[str(y)]["weekend_workdays"]))
                for y in wanted}

    return source


def _library_version() -> str:
    from importlib.metadata import version

    return version("holidays")
