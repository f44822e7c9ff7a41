"""Every word right in the messages (issue 17): the real dispatcher sends through the real email
notifier to aiosmtpd on 127.0.0.1, and the emails that arrive are read as an officer reads
them.

- The Sở Nội vụ's list of what could not go in time says what it was, about which task and for
  which day ("Văn phòng UBND tỉnh: báo quá hạn nhiệm vụ 1.1 (nhóm Cải cách TTHC, hạn
  24/01/2025) — không gửi được ngày 03/02/2025"), never the stored kinds nor an empty task.
- Lists name a task by group and number: two tasks "2" of two groups are told apart.
- A task without a lead agency: "Chưa có cơ quan chủ trì", no empty "Cơ quan chủ trì: " line,
  no "QPPL., hạn".
- An agency's email says how to report a completion; the Steering Committee's digest names the
  plan.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from engine.dispatch.dispatcher import Dispatcher
from engine.planning.planner import plan_plan
from engine.settings import Settings
from engine.tracking.plan_store import store_plan
from notifiers.email.notifier import EmailNotifier
from tests.plan_factory import QUARTER_1, D, plan, runtime, task
from tests.smtpd import HOST, smtp_server

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: str) -> dt.datetime:
    return dt.datetime.combine(D(day), dt.time(8), tzinfo=TZ)


def words_plan():
    return plan([
        task("Cải cách TTHC", "1.1", lead=["vp-ubnd"], support=["so-tu-phap"],
             dues=[("2025-01-24", "Tháng 01/2025")], timing="Tháng 01/2025",
             title="Ban hành Kế hoạch kiểm soát TTHC"),
        task("Cải cách TTHC", "2", lead=["vp-ubnd"], dues=["2025-03-31"], title="Rà soát TTHC"),
        task("Cải cách thủ tục", "2", dues=["2025-12-31"], title="Đảm bảo 100% văn bản QPPL "
             "được ban hành đúng trình tự theo quy định của Luật Ban hành văn bản QPPL."),
        task("Công tác chỉ đạo", "5", kind="reference", title="Hoạt động kiểm tra",
             timing="Theo Kế hoạch số 156/KH-UBND"),
    ], periods=[QUARTER_1])


def text_of(message) -> str:  # noqa: ANN001 - an EmailMessage
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


async def run_days(url: str, days: list[str]) -> dict[str, list]:
    """Import the plan, wake the dispatcher on each day through aiosmtpd; the emails by kind
    (the Message-ID's key starts with it)."""
    rt = runtime(url)
    with rt.session() as s:
        summary = store_plan(s, words_plan(), rt.directory, calendar=rt.calendar)
        plan_plan(s, summary.plan_id, rt.planner, D("2025-01-01"))
        s.commit()
    with smtp_server() as (server, handler):
        n = EmailNotifier(Settings(smtp_host=HOST, smtp_port=server.port))
        d = Dispatcher(rt.engine, rt.directory, rt.calendar, rt.policy, [n])
        try:
            for day in days:
                await d.wake(at(day))
        finally:
            await n.aclose()
        got = [r.message for r in handler.received]
    out: dict[str, list] = {}
    for m in got:
        subject = str(m["Subject"])
        kind = ("monitor_list" if "Danh sách theo dõi" in subject else
                "steering_digest" if "Ban Chỉ đạo" in subject else
                "explanation_request" if "giải trình" in subject else "agency_digest")
        out.setdefault(kind, []).append(m)
    return out


async def test_missed_notifications_read_like_the_rest(sqlite_url):
    # Nothing ran from 17/01 to Monday 10/02 (Tết off 25/01-02/02): the lead's reminders of
    # Thursday 23/01 (1 working day before 24/01) and Friday 24/01 (the day) are past the
    # grace (3 working days before 10/02: 05/02) and missed; the late notice of Monday 03/02
    # goes late, in the agency's catch-up digest, so the list does not name it.
    mails = await run_days(sqlite_url, ["2025-01-17", "2025-02-10"])
    [monitor] = [m for m in mails["monitor_list"] if "10/02/2025" in str(m["Subject"])]
    text = text_of(monitor)
    assert "NHẮC VIỆC KHÔNG GỬI ĐƯỢC TRONG THỜI GIAN CHO PHÉP (2)" in text
    for day in ("23/01/2025", "24/01/2025"):
        assert ("- Văn phòng UBND tỉnh: nhắc hạn nhiệm vụ 1.1 (nhóm Cải cách TTHC, hạn "
                f"24/01/2025) — không gửi được ngày {day}") in text
    assert "không gửi được ngày 03/02/2025" not in text
    for english in ("agency_digest", "reminder", "late ", "monitor_list", ": ,",
                    "hạn chưa xác định", "2025-0"):
        assert english not in text, english


async def test_lists_name_tasks_by_group_and_number(sqlite_url):
    mails = await run_days(sqlite_url, ["2025-01-02"])
    [monitor] = mails["monitor_list"]
    text = text_of(monitor)
    # Two tasks numbered 2, of two groups, and no lead for one of them.
    assert "- [Cải cách thủ tục/2] Đảm bảo 100% văn bản QPPL" in text
    assert "Luật Ban hành văn bản QPPL.\n  Hạn: 31/12/2025" in text
    assert "QPPL., hạn" not in text
    assert "- [Công tác chỉ đạo/5] Hoạt động kiểm tra\n  Chưa có cơ quan chủ trì" in text
    assert "Cơ quan chủ trì: \n" not in text and not text.count("Cơ quan chủ trì: (")
    html = monitor.get_body(("html",)).get_content()
    assert "chưa có cơ quan chủ trì" in html


async def test_agency_emails_say_how_to_report_and_the_digest_names_the_plan(sqlite_url):
    mails = await run_days(sqlite_url, ["2025-01-17", "2025-02-03"])
    vp = [m for m in mails["agency_digest"] if "Văn phòng UBND tỉnh" in str(m["Subject"])]
    text = text_of(vp[0])
    # No web desk link in these messages: the bots' command, or a written report.
    assert "gửi /done MÃ [số văn bản] (ví dụ /done 1.1 123/BC-UBND)" in text
    assert "gửi văn bản báo cáo kết quả cho Sở Nội vụ" in text
    [steering] = mails["steering_digest"]
    assert "(Kế hoạch số 196/KH-UBND)" in str(steering["Subject"])
    assert "theo Kế hoạch cải cách hành chính số 196/KH-UBND" in text_of(steering)


def test_the_late_sheets_product_column_holds_products():
    from core.messages import Item
    from core.vocabulary import Reason
    from notifiers.email import late_sheet
    from tests.test_oversight_size import read_sheet

    items = [
        # A period label (the seed: "Năm 2025" in 147 rows) is not a product.
        Item(Reason.LATE, group="Cải cách TTHC", code="1.2", title="Báo cáo kết quả",
             due=dt.date(2025, 12, 31), label="Năm 2025", product="Báo cáo của UBND tỉnh",
             agency_name="Văn phòng UBND tỉnh", days_late=3),
        # A product the plan pairs with the deadline ("- Kế hoạch - Báo cáo kết quả").
        Item(Reason.LATE, group="Cải cách TTHC", code="1.3", title="Kiểm soát TTHC",
             due=dt.date(2025, 1, 24), label="Kế hoạch",
             product="- Kế hoạch - Báo cáo kết quả", agency_name="Văn phòng UBND tỉnh",
             days_late=90),
    ]
    rows = read_sheet(late_sheet.workbook_bytes(items))
    assert rows[0][4] == "Sản phẩm"
    assert rows[1][3:5] == ("Kiểm soát TTHC", "Kế hoạch")
    assert rows[2][3:5] == ("Báo cáo kết quả (Năm 2025)", "Báo cáo của UBND tỉnh")


def test_tasks_says_a_task_has_no_lead_agency(sqlite_url):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    rt = runtime(sqlite_url)
    with rt.session() as s:
        store_plan(s, words_plan(), rt.directory, calendar=rt.calendar)
        s.commit()
    rt.engine.dispose()
    env = {**os.environ, "NHACVIEC_DATABASE_URL": sqlite_url, "COLUMNS": "200"}
    root = Path(__file__).resolve().parents[1]
    r = subprocess.run([sys.executable, "-m", "engine.cli", "tasks", "--json"], cwd=root,
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    rows = {(t["group"], t["code"]): t for t in json.loads(r.stdout)}
    assert rows[("Cải cách thủ tục", "2")]["status_text"] == "chưa có cơ quan chủ trì"
    table = subprocess.run([sys.executable, "-m", "engine.cli", "tasks"], cwd=root, env=env,
                           capture_output=True, text=True, timeout=120).stdout
    assert "thường xuyên" not in table and "chưa có cơ quan chủ trì" in table
