"""The CLI framework's own words (help panels, usage line, usage errors) are Vietnamese.

Every case runs `python -m engine.cli` in a subprocess with a clean environment: no LANG,
LANGUAGE or LC_* at all, as from cron or a service unit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROG = "python -m engine.cli"  # how Click names the program when run with -m

# The installed Typer/Click's English, none of which may reach a user.
ENGLISH_HELP = ["Usage:", "Options", "Arguments", "Commands", "Show this message and exit",
                "[default:", "[required]", "[env var:", "[OPTIONS]", "COMMAND [ARGS]"]
ENGLISH_ERRORS = ["Usage:", "Error", "Try '", "for help", "No such", "Missing", "Invalid value",
                  "Got unexpected", "Did you mean", "Possible options", "requires",
                  "does not take", "is not a valid", "Input should be", "[OPTIONS]"]


def nhacviec(tmp_path: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "COLUMNS": "200",
           "NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'nhacviec.sqlite'}", **extra_env}
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def absent(text: str, words: list[str]) -> list[str]:
    return [w for w in words if w in text]


def test_root_help_is_vietnamese(tmp_path):
    r = nhacviec(tmp_path, "--help")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert f"Cách dùng: {PROG} [TÙY_CHỌN] LỆNH [THAM_SỐ]..." in out
    assert "─ Tùy chọn ─" in out and "─ Lệnh ─" in out
    assert "--help" in out and "Hiện hướng dẫn này rồi thoát." in out
    assert absent(out, ENGLISH_HELP) == []


def test_subcommand_help_is_vietnamese(tmp_path):
    r = nhacviec(tmp_path, "plan", "parse", "--help")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert f"Cách dùng: {PROG} plan parse [TÙY_CHỌN] {{TỆP}}" in out
    assert "─ Tham số ─" in out and "─ Tùy chọn ─" in out
    assert "[bắt buộc]" in out  # the file argument
    # --max-mb: NHACVIEC_MAX_PLAN_MB, 20 MB unless set.
    assert "[biến môi trường: NHACVIEC_MAX_PLAN_MB]" in out and "[mặc định: 20]" in out
    assert "Hiện hướng dẫn này rồi thoát." in out
    assert absent(out, ENGLISH_HELP) == []


def test_sub_group_help_is_vietnamese(tmp_path):
    # `plan` is a Typer of its own (add_typer): its placeholders and panels too.
    r = nhacviec(tmp_path, "plan", "--help")
    assert r.returncode == 0, r.stderr
    assert f"Cách dùng: {PROG} plan [TÙY_CHỌN] LỆNH [THAM_SỐ]..." in r.stdout
    assert "─ Lệnh ─" in r.stdout and "Hiện hướng dẫn này rồi thoát." in r.stdout
    assert absent(r.stdout, ENGLISH_HELP) == []


# (arguments, the command path the usage line and hint name or None, the whole message)
USAGE_ERRORS = {
    "unknown option": (["--khong-co"], "", "Không có tùy chọn --khong-co."),
    "unknown option, near one": (["timing", "--yaer", "2025"], " timing",
                                 "Không có tùy chọn --yaer. Có phải ý bạn là --year?"),
    "missing argument": (["calendar"], " calendar", "Thiếu tham số 'NĂM'."),
    "missing option": (["done", "1/1"], " done", "Thiếu tùy chọn '--agency' / '-a'."),
    "not an integer": (["calendar", "hai nghìn"], " calendar",
                       "Giá trị không hợp lệ cho 'NĂM': «hai nghìn» không phải là số nguyên"),
    "not a number": (["plan", "parse", "kh.txt", "--max-mb", "nhiều"], " plan parse",
                     "Giá trị không hợp lệ cho '--max-mb' (biến môi trường: "
                     "'NHACVIEC_MAX_PLAN_MB'): «nhiều» không phải là số"),
    "extra argument": (["calendar", "2026", "thừa", "nữa"], " calendar",
                       "Thừa tham số: thừa nữa"),
    "unknown command": (["plnn"], "", "Không có lệnh 'plnn'. Có phải ý bạn là 'plan'?"),
    "unknown sub-command": (["plan", "parze"], " plan",
                            "Không có lệnh 'parze'. Có phải ý bạn là 'parse'?"),
    "unknown command, nothing near": (["xyz"], "", "Không có lệnh 'xyz'."),
    # The parser raises these two without a context: no usage line, as in Click.
    "option without its value": (["telegram", "link", "--chat-id"], None,
                                 "Tùy chọn '--chat-id' cần một giá trị."),
    "value for a flag": (["calendar", "--json=có", "2026"], None,
                         "Tùy chọn '--json' không nhận giá trị."),
}


@pytest.mark.parametrize("case", list(USAGE_ERRORS))
def test_usage_error_is_one_vietnamese_error(case: str, tmp_path):
    args, path, message = USAGE_ERRORS[case]
    r = nhacviec(tmp_path, *args)
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    err = r.stderr
    assert "Traceback" not in err
    assert err.count("─ Lỗi ─") == 1, err
    assert message in err, err
    assert message + "?" not in err and message + " Có phải" not in err  # nothing after it
    if path is not None:
        assert f"Cách dùng: {PROG}{path} [TÙY_CHỌN]" in err
        assert f"Chạy '{PROG}{path} --help' để xem hướng dẫn." in err
    else:
        assert "Cách dùng:" not in err
    assert absent(err, ENGLISH_ERRORS) == []


def test_bad_date_is_the_commands_own_one_line(tmp_path):
    # --date is read by the command itself (dd/mm/yyyy or ISO), not by the framework.
    r = nhacviec(tmp_path, "done", "1/1", "-a", "STP", "--date", "2025-3-45")
    assert r.returncode == 2, r.stderr
    assert r.stderr.splitlines() == [
        "Lỗi: --date «2025-3-45» không hợp lệ (dạng 2025-03-11 hoặc 11/03/2025)"]


def test_plain_help_and_errors_are_vietnamese_too(tmp_path):
    # Typer's switch to plain text help (no rich panels).
    r = nhacviec(tmp_path, "plan", "parse", "--help", TYPER_USE_RICH="0")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.startswith(f"Cách dùng: {PROG} plan parse [TÙY_CHỌN] {{TỆP}}")
    assert "\nTham số:\n" in out and "\nTùy chọn:\n" in out and "[bắt buộc]" in out
    assert "biến môi trường:" in out and "mặc định: 20]" in out
    assert "Hiện hướng dẫn này rồi thoát." in out
    assert absent(out, ENGLISH_HELP + ["default:", "env var:"]) == []

    bad = nhacviec(tmp_path, "calendar", TYPER_USE_RICH="0")
    assert bad.returncode == 2
    assert bad.stderr.splitlines() == [
        f"Cách dùng: {PROG} calendar [TÙY_CHỌN] {{NĂM}}",
        f"Chạy '{PROG} calendar --help' để xem hướng dẫn.",
        "Lỗi: Thiếu tham số 'NĂM'.",
    ]


# Every command's help, rendered by the real program in one subprocess: its command paths are
# walked from the Click group Typer builds, and each "--help" goes through the installed main.
_ALL_HELP = """
import sys
import typer
from typer.testing import CliRunner
from engine.cli.main import _register, app, run

_register()

group = typer.main.get_command(app)
def paths(cmd, prefix=()):
    yield prefix
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        yield from paths(sub, (*prefix, name))
for path in paths(group):
    sys.argv = ["nhacviec", *path, "--help"]
    print("=== " + " ".join(path), flush=True)
    try:
        run()
    except SystemExit:
        pass
"""


def test_no_command_shows_an_english_type_label(tmp_path):
    """Typer writes a parameter's type when it has no metavar of its own ("<path>", "<int
    range>", "<bool>" after a flag): in Vietnamese, and nothing after a flag."""
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "COLUMNS": "200",
           "NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'nhacviec.sqlite'}"}
    r = subprocess.run([sys.executable, "-c", _ALL_HELP], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.count("=== ") >= 20  # every command and group
    english = ["<bool>", "<int", "<str>", "<path>", "<float>", "<datetime>", "range>", "list["]
    assert absent(out, english) == []
    assert "<đường_dẫn>" in out  # simulate's plan file
    assert "<số trong_khoảng>" in out  # a bounded number
    assert absent(out, ENGLISH_HELP) == []


# English words the help of no command may show: the framework's, placeholders named after a
# parameter ("{agency}", "[phrases]..."), stored values where the tables show Vietnamese.
ENGLISH_WORDS = ENGLISH_HELP + ["PHRASE", "phrases", "{agency}", "{year}", "[[", "fixed",
                                "periodic", "ongoing", "unknown", "TEXT", "INTEGER", "<bool>"]


def test_every_commands_help_has_no_english_word(tmp_path):
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "COLUMNS": "200",
           "NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'nhacviec.sqlite'}"}
    r = subprocess.run([sys.executable, "-c", _ALL_HELP], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    helps = r.stdout.split("=== ")[1:]
    assert len(helps) >= 40
    found = {h.splitlines()[0] or "(gốc)": absent(h, ENGLISH_WORDS) for h in helps}
    assert {k: v for k, v in found.items() if v} == {}
    assert "nhacviec timing [TÙY_CHỌN] [CỤM_TỪ]..." in r.stdout
    assert "nhacviec telegram link [TÙY_CHỌN] {CƠ_QUAN}" in r.stdout


# (environment, the one line on standard error)
SETTING_ERRORS = {
    "a choice": ({"NHACVIEC_SMTP_TLS": "ssl3"},
                 "Lỗi: cấu hình không hợp lệ (NHACVIEC_SMTP_TLS: phải là một trong: none, "
                 "starttls, implicit)"),
    "a number": ({"NHACVIEC_SMTP_PORT": "hai lăm"},
                 "Lỗi: cấu hình không hợp lệ (NHACVIEC_SMTP_PORT: phải là số nguyên)"),
    "a bound and our own check": (
        {"NHACVIEC_WEB_PORT": "70000", "NHACVIEC_TIMEZONE": "Sao/Hỏa"},
        "Lỗi: cấu hình không hợp lệ (NHACVIEC_TIMEZONE: múi giờ không tồn tại: Sao/Hỏa; "
        "NHACVIEC_WEB_PORT: phải không quá 65535)"),
    "a yes or no": ({"NHACVIEC_CALENDAR_CULTURE_DAY": "có lẽ"},
                    "Lỗi: cấu hình không hợp lệ (NHACVIEC_CALENDAR_CULTURE_DAY: phải là true "
                    "hoặc false)"),
}


def test_a_wrong_setting_is_said_in_vietnamese(tmp_path):
    for case, (env, line) in SETTING_ERRORS.items():
        r = nhacviec(tmp_path, "tasks", **env)
        assert r.returncode == 3, (case, r.stderr)
        assert r.stderr.splitlines() == [line], case
        assert absent(r.stderr, ENGLISH_ERRORS + ["should", "valid"]) == [], case


def test_an_unreachable_database_is_said_in_vietnamese_password_masked(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = nhacviec(tmp_path, "tasks", NHACVIEC_DATABASE_URL=(
        f"postgresql+psycopg://nhacviec:mat-khau-bi-mat@127.0.0.1:{port}/nhacviec"))
    assert r.returncode == 3, r.stderr
    assert r.stderr.splitlines() == [
        f"Lỗi: không kết nối được cơ sở dữ liệu tại 127.0.0.1:{port}, cơ sở dữ liệu «nhacviec»: "
        "máy chủ từ chối kết nối (chưa chạy, hoặc sai cổng)"]
    missing = nhacviec(tmp_path, "tasks", NHACVIEC_DATABASE_URL=(
        f"sqlite:///{tmp_path / 'khong-co' / 'thu-muc' / 'db.sqlite'}"))
    assert missing.returncode == 3
    assert missing.stderr.splitlines() == [
        f"Lỗi: không kết nối được cơ sở dữ liệu tại tệp {tmp_path}/khong-co/thu-muc/db.sqlite: "
        "không mở được tệp cơ sở dữ liệu (thư mục không có hoặc không có quyền)"]


def test_an_impossible_date_does_not_exist(tmp_path):
    cases = {"31/02/2026": "tháng 2/2026 không có ngày 31",
             "2025-02-29": "tháng 2/2025 không có ngày 29",
             "2025-13-01": "không có tháng 13"}
    for text, why in cases.items():
        r = nhacviec(tmp_path, "done", "1/1", "-a", "STP", "--date", text)
        assert r.returncode == 2, r.stderr
        assert r.stderr.splitlines() == [f"Lỗi: --date «{text}» không tồn tại: {why}"]
    # A date written wrongly is still said to be written wrongly.
    r = nhacviec(tmp_path, "done", "1/1", "-a", "STP", "--date", "mai")
    assert r.stderr.splitlines() == [
        "Lỗi: --date «mai» không hợp lệ (dạng 2025-03-11 hoặc 11/03/2025)"]


def test_kind_takes_the_names_the_table_shows(tmp_path):
    env_db = f"sqlite:///{tmp_path / 'nhacviec.sqlite'}"
    imported = nhacviec(tmp_path, "plan", "import", str(ROOT / "config" / "demo_plan_2025.txt"),
                        NHACVIEC_DATABASE_URL=env_db)
    assert imported.returncode == 0, imported.stderr

    def kinds(value: str) -> set[str]:
        r = nhacviec(tmp_path, "tasks", "--kind", value, "--json")
        assert r.returncode == 0, r.stderr
        return {t["kind"] for t in json.loads(r.stdout)}

    assert kinds("định kỳ") == kinds("dinh ky") == kinds("Định Kỳ") == {"periodic"}
    assert kinds("thường xuyên") == {"ongoing"}
    assert kinds("periodic") == {"periodic"}  # the stored name still works
    bad = nhacviec(tmp_path, "tasks", "--kind", "hàng tuần")
    assert bad.returncode == 2
    assert bad.stderr.splitlines() == [
        "Lỗi: loại «hàng tuần» không có; chọn một trong: có hạn, định kỳ, thường xuyên, "
        "theo sự kiện, theo văn bản khác, chưa xác định"]
