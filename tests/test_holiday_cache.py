"""The `holidays` library's days kept on disk (engine.settings.kept_library): the same days as
the library's, the library not loaded again once they are kept, a broken file no error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from engine.settings import kept_library
from rules.calendar import WorkingCalendar, library_years

ROOT = Path(__file__).resolve().parents[1]


def test_kept_days_are_the_librarys(tmp_path):
    kept = kept_library(tmp_path)
    assert kept([2025, 2026]) == library_years([2025, 2026])
    [file] = tmp_path.glob("holidays-*-vn-vi.json")
    assert set(json.loads(file.read_text(encoding="utf-8"))) == {"2025", "2026"}
    # The calendar built on them is the library's calendar, day for day.
    a = WorkingCalendar.default()
    b = WorkingCalendar(overrides=a.overrides, library=kept)
    assert a.days_off(2025) == b.days_off(2025)
    assert a.worked_weekend_days(2025) == b.worked_weekend_days(2025)
    assert a.lunar_new_year(2026) == b.lunar_new_year(2026)


def test_a_broken_file_is_no_error(tmp_path):
    kept = kept_library(tmp_path)
    kept([2025])
    [file] = tmp_path.glob("holidays-*-vn-vi.json")
    file.write_text("{không phải JSON", encoding="utf-8")
    assert kept([2025]) == library_years([2025])


def test_once_kept_the_library_is_not_loaded(tmp_path):
    probe = ("import sys; from engine.settings import working_calendar; "
             "working_calendar().last_working_day_of_month(2025, 1); "
             "print('holidays' in sys.modules)")
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120).stdout.strip()
            for _ in range(2)]
    assert runs == ["True", "False"]
