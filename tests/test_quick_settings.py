"""`engine.quick_settings`: the read-only commands' settings read without pydantic-settings
(issue 17, "speed a person feels") say what `Settings` says, or hand the value to `Settings`.

For each environment below, `quick_settings()` either returns its own reading, which must equal
`Settings()` field by field, or returns `Settings()` itself (a form it leaves to pydantic); a
wrong value is refused by `Settings` with pydantic's error, the one every command turns into
"Lỗi: cấu hình không hợp lệ (...)".
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from engine.quick_settings import QuickSettings, quick_settings
from engine.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ("database_url", "agencies", "policy", "calendar_culture_day", "calendar_overrides",
          "timezone", "outbox_dir", "web_files_dir")

# (environment, whether the quick reader reads it itself)
CASES = {
    "nothing set": ({}, True),
    "a database and paths": ({"NHACVIEC_DATABASE_URL": "sqlite:////tmp/a.sqlite",
                              "NHACVIEC_AGENCIES": "/etc/nhacviec/agencies.yaml",
                              "NHACVIEC_POLICY": "/etc/nhacviec/policy.toml",
                              "NHACVIEC_CALENDAR_OVERRIDES": "/etc/nhacviec/lich.yaml",
                              "NHACVIEC_OUTBOX_DIR": "/var/nhacviec/outbox",
                              "NHACVIEC_WEB_FILES_DIR": "/var/nhacviec/files"}, True),
    "blank values are unset": ({"NHACVIEC_DATABASE_URL": "  ", "NHACVIEC_TIMEZONE": ""}, True),
    "yes and no as pydantic reads them": ({"NHACVIEC_CALENDAR_CULTURE_DAY": "No"}, True),
    "on": ({"NHACVIEC_CALENDAR_CULTURE_DAY": "on"}, True),
    "0": ({"NHACVIEC_CALENDAR_CULTURE_DAY": "0"}, True),
    "a zone": ({"NHACVIEC_TIMEZONE": "Asia/Bangkok"}, True),
    "a name in lower case": ({"nhacviec_timezone": "Asia/Bangkok"}, True),
    "other settings are not read here": ({"NHACVIEC_SMTP_HOST": "mail.example.org",
                                          "NHACVIEC_TELEGRAM_TOKEN": "123:abc"}, True),
    "a value with spaces around it": ({"NHACVIEC_DATABASE_URL": " sqlite:////tmp/a.sqlite"},
                                      False),
}

# Wrong values: the quick reader hands them to Settings, which refuses them.
WRONG = {
    "a yes/no that is neither": {"NHACVIEC_CALENDAR_CULTURE_DAY": "có lẽ"},
    "a zone that does not exist": {"NHACVIEC_TIMEZONE": "Sao/Hỏa"},
    "a yes/no with spaces around it": {"NHACVIEC_CALENDAR_CULTURE_DAY": " true "},
}


@pytest.fixture
def env(monkeypatch):
    for key in list(os.environ):
        if key.lower().startswith("nhacviec_"):
            monkeypatch.delenv(key)

    def set_env(values: dict[str, str]) -> None:
        for key, value in values.items():
            monkeypatch.setenv(key, value)

    return set_env


@pytest.mark.parametrize("case", CASES)
def test_the_quick_reading_is_the_settings_reading(env, case):
    values, quick = CASES[case]
    env(values)
    got = quick_settings()
    full = Settings()
    assert isinstance(got, QuickSettings) == quick, case
    assert {f: getattr(got, f) for f in FIELDS} == {f: getattr(full, f) for f in FIELDS}
    assert got.resolved_database_url() == full.resolved_database_url()
    assert got.agencies_path() == full.agencies_path()
    assert got.policy_path() == full.policy_path()


def test_the_time_zone_is_the_policys_or_the_settings(env, tmp_path):
    env({})
    assert str(quick_settings().tz) == "Asia/Ho_Chi_Minh"  # the bundled policy's
    env({"NHACVIEC_TIMEZONE": "Asia/Bangkok"})
    assert str(quick_settings().tz) == "Asia/Bangkok"


@pytest.mark.parametrize("case", WRONG)
def test_a_wrong_value_is_refused_by_settings(env, case):
    env(WRONG[case])
    with pytest.raises(ValidationError) as got:
        quick_settings()
    assert got.value.title == "Settings"


def test_two_spellings_of_one_name_are_left_to_settings(env):
    env({"NHACVIEC_TIMEZONE": "Asia/Bangkok", "nhacviec_timezone": "Asia/Bangkok"})
    assert isinstance(quick_settings(), Settings)


def test_the_quick_commands_refuse_a_wrong_value_in_vietnamese(tmp_path):
    # Through the real CLI: `timing` and `status` read their settings quickly and still say
    # a wrong one as every command does (exit 3, one Vietnamese line).
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path),
           "NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
           "NHACVIEC_CALENDAR_CULTURE_DAY": "có lẽ"}
    for args in (["timing", "Quý I/2025"], ["status"], ["calendar", "2026"]):
        r = subprocess.run([sys.executable, "-m", "engine.cli", *args], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 3, (args, r.stderr)
        assert r.stderr.splitlines() == [
            "Lỗi: cấu hình không hợp lệ (NHACVIEC_CALENDAR_CULTURE_DAY: phải là true hoặc "
            "false)"], args


def test_the_quick_commands_follow_the_settings(tmp_path):
    # NHACVIEC_CALENDAR_CULTURE_DAY=false read quickly: 24/11/2026 (a Tuesday) is a working
    # day; by default (from 2026) it is the Ngày Văn hóa Việt Nam day off.
    base = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}

    def due(extra: dict[str, str]) -> str:
        r = subprocess.run([sys.executable, "-m", "engine.cli", "timing", "--json", "--year",
                            "2026", "trước ngày 25/11/2026"], cwd=ROOT, env={**base, **extra},
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        return r.stdout

    assert '"2026-11-23"' in due({})  # the last working day before 25/11: Monday 23/11
    assert '"2026-11-24"' in due({"NHACVIEC_CALENDAR_CULTURE_DAY": "false"})
