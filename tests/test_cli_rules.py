"""`nhacviec timing` (contract section 3) and `nhacviec calendar`, through the real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def nv(*args: str, stdin: str | None = None, env: dict[str, str] | None = None):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], input=stdin,
                          capture_output=True, text=True, env=full_env, timeout=60)


def test_timing_json_one_object_per_phrase_in_order() -> None:
    r = nv("timing", "--year", "2025", "--json", "Quý I/2025", "Tháng 01/2025", "Hàng quý",
           "Xem ghi chú")
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert [x["phrase"] for x in lines] == ["Quý I/2025", "Tháng 01/2025", "Hàng quý",
                                            "Xem ghi chú"]
    assert {k for x in lines for k in x} >= {"phrase", "kind", "due", "explanation"}
    assert lines[0]["due"] == ["2025-03-31"] and lines[0]["kind"] == "fixed"
    assert lines[1]["explanation"] == ("Ngày làm việc cuối cùng của tháng 01/2025 "
                                       "(27–31/01 nghỉ Tết)")
    assert lines[2]["due"] == ["2025-03-18", "2025-06-18", "2025-09-18", "2025-12-18"]
    assert lines[3]["kind"] == "unknown" and lines[3]["due"] == []


def test_timing_reads_stdin_and_report_day() -> None:
    r = nv("timing", "--year", "2025", "--report-day", "20", "--json",
           stdin="Hàng quý\nĐịnh kỳ 6 tháng\n")
    assert r.returncode == 0, r.stderr
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["due"] for o in out] == [
        ["2025-03-20", "2025-06-20", "2025-09-22", "2025-12-22"], ["2025-06-20", "2025-12-22"]]


def test_timing_new_families_horizon_and_approximate_flag() -> None:
    r = nv("timing", "--year", "2026", "--horizon", "2028", "--json", "Hằng năm",
           "Đầu năm 2026", "Quý IV/2025 - Quý II/2026")
    assert r.returncode == 0, r.stderr
    yearly, early, dashed = (json.loads(line) for line in r.stdout.splitlines())
    assert yearly["due"] == ["2026-12-18", "2027-12-20", "2028-12-18"]
    assert early["due"] == ["2026-03-31"] and early["approximate"] is True
    assert dashed["due"] == ["2026-06-30"] and "approximate" not in dashed
    bad = nv("timing", "--year", "2026", "--horizon", "2025", "--json", "Hằng năm")
    assert bad.returncode == 2 and "--horizon" in bad.stderr and "Traceback" not in bad.stderr


def test_timing_culture_day_switch_from_settings() -> None:
    args = ("timing", "--year", "2026", "--json", "Chậm nhất ngày 24/11/2026")
    on = json.loads(nv(*args).stdout)
    off = json.loads(nv(*args, env={"NHACVIEC_CALENDAR_CULTURE_DAY": "false"}).stdout)
    assert on["due"] == ["2026-11-25"] and off["due"] == ["2026-11-24"]


def test_timing_bad_year_is_one_line_exit_2() -> None:
    r = nv("timing", "--year", "3000", "--json", "Quý I")
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "Traceback" not in r.stderr
    assert "3000" in r.stderr


def test_calendar_2026_json() -> None:
    r = nv("calendar", "2026", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    off = {d["date"]: d for d in data["days_off"]}
    assert "2026-01-02" in off and "12729/VPCP-KGVX" in off["2026-01-02"]["source"]
    assert [d["date"] for d in data["working_weekend_days"]] == ["2026-01-10", "2026-08-22"]
    assert data["last_working_day_of_month"]["01"] == "2026-01-30"
    assert data["last_working_day_of_month"]["02"] == "2026-02-27"


def test_calendar_table_is_vietnamese() -> None:
    r = nv("calendar", "2025")
    assert r.returncode == 0, r.stderr
    assert "Ngày nghỉ của cơ quan hành chính năm 2025" in r.stdout
    assert "Ngày làm việc cuối cùng của mỗi tháng" in r.stdout
    assert "24/01/2025" in r.stdout  # last working day of January 2025
