"""What every engine command needs, built once from the settings: the database engine, the agency
directory, the working-day calendar, the policy and the planner."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from engine.directory.agencies import Directory
from engine.planning.policy import Policy
from engine.quick_settings import QuickSettings, working_calendar
from engine.storage.db import get_engine, session
from rules import WorkingCalendar

if TYPE_CHECKING:
    from engine.planning.reminder_rules import Planner
    from engine.settings import Settings


@dataclass
class Runtime:
    settings: Settings | QuickSettings  # QuickSettings: a read-only command's few settings
    engine: Engine
    directory: Directory
    calendar: WorkingCalendar
    policy: Policy
    _extra: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings | QuickSettings | None = None, *,
                      url: str | None = None,
                      directory: Directory | None = None,
                      calendar: WorkingCalendar | None = None,
                      policy: Policy | None = None) -> Runtime:
        if settings is None:
            from engine.settings import Settings  # lazy: pydantic-settings

            settings = Settings()
        return cls(
            settings=settings,
            engine=get_engine(url or settings.resolved_database_url()),
            directory=directory or Directory.load(settings.agencies_path()),
            calendar=calendar or working_calendar(settings),
            policy=policy or settings.load_policy(),
        )

    @cached_property
    def planner(self) -> Planner:
        from engine.planning.reminder_rules import Planner  # lazy: `status` plans nothing

        return Planner(self.directory, self.calendar, self.policy)

    def session(self):  # noqa: ANN201 - sqlmodel.Session
        return session(self.engine)
