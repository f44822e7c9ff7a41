"""Every route of the web desk through HTTP (FastAPI's TestClient), on a real SQLite file and,
for the main flows, on PostgreSQL. The seed plan is the bundled Sóc Trăng 2025 plan; the clock
is Thursday 20/03/2025 10:00 unless a test moves it. Dates by hand on the 2025 calendar:
"Tháng 01/2025" is due 24/01/2025 (Tết after it), "Quý II/2025" on Monday 30/06/2025, the Quý I
report on Tuesday 18/03/2025; the next wake-up after 20/03 10:00 is Friday 21/03/2025."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

from sqlalchemy import func, select

from engine.dispatch.dispatcher import Dispatcher
from engine.planning.planner import plan_plan
from engine.storage.models import (
    Assignment,
    Completion,
    Deadline,
    Duty,
    Evidence,
    ExplanationAnswer,
    ExplanationRequest,
    Notification,
    Plan,
    PlanDraft,
    PlannedItem,
    Task,
)
from engine.tracking.plan_store import store_plan
from notifiers.recording import RecordingNotifier
from tests.plan_factory import january_plan
from tests.web_support import ADMIN, PASSWORD, VIEWER, make_desk, seed_plan

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _task(desk, group: str, code: str) -> Task:
    with desk.rt.session() as s:
        return s.scalars(select(Task).where(Task.group_name == group, Task.code == code)).one()


def _wake(desk, day: str) -> RecordingNotifier:
    rec = RecordingNotifier(channel="email")
    d = Dispatcher(desk.rt.engine, desk.rt.directory, desk.rt.calendar, desk.rt.policy, [rec],
                   worker="test")
    asyncio.run(d.wake(desk.rt.policy.slot_instant(dt.date.fromisoformat(day))))
    return rec


def test_healthz_and_login_required(sqlite_url, tmp_path) -> None:
    desk = make_desk(sqlite_url, tmp_path)
    r = desk.client.get("/healthz")
    assert (r.status_code, r.text) == (200, "ok")
    r = desk.client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/dang-nhap"
    for page in ("/ke-hoach", "/lich-gui", "/nhat-ky-gui", "/danh-ba", "/nhiem-vu/1"):
        assert desk.client.get(page, follow_redirects=False).status_code == 303


def test_login_wrong_password_opens_no_session_then_logout(sqlite_url, tmp_path) -> None:
    desk = make_desk(sqlite_url, tmp_path)
    r = desk.login(ADMIN, "sai-mat-khau")
    assert r.status_code == 401 and "không đúng" in r.text
    assert desk.client.get("/", follow_redirects=False).status_code == 303
    r = desk.login()
    assert r.status_code == 200 and str(r.url).endswith("/") and "Tổng quan" in r.text
    r = desk.post("/dang-xuat")
    assert str(r.url).endswith("/dang-nhap")
    assert desk.client.get("/", follow_redirects=False).status_code == 303


def test_login_is_rate_limited(sqlite_url, tmp_path) -> None:
    desk = make_desk(sqlite_url, tmp_path)
    for _ in range(5):
        assert desk.login(ADMIN, "sai").status_code == 401
    r = desk.login(ADMIN, PASSWORD)  # the right password, too late
    assert r.status_code == 429 and "15 phút" in r.text
    assert desk.client.get("/", follow_redirects=False).status_code == 303


def test_overview_names_every_agency_with_its_counts(db_url, tmp_path) -> None:
    """January plan as of 20/03/2025: the Văn phòng UBND tỉnh leads TTHC 1.1 (due 24/01, not
    done) and owes the Quý I report (due 18/03, not sent): 2 late; its ongoing task 4.2.1 has
    no date. Every reporting agency owes the report: 1 late each."""
    desk = make_desk(db_url, tmp_path)
    rt = desk.rt
    with rt.session() as s:
        summary = store_plan(s, january_plan(), rt.directory, calendar=rt.calendar)
        plan_plan(s, summary.plan_id, rt.planner, dt.date(2025, 1, 2), fresh=True)
        s.commit()
    desk.login()
    html = desk.client.get("/").text
    row = re.search(r"<tr><td>\d+</td><td><a href=\"/co-quan-xem/vp-ubnd\">Văn phòng UBND "
                    r"tỉnh</a></td>(.*?)</tr>", html).group(1)
    cells = re.findall(r'<td class="n">([^<]*)</td>', row)
    assert cells[:5] == ["2", "", "", "", ""] and cells[5:] == ["0%", "0%"]
    reporting = [a for a in rt.directory.reporting_agencies(dt.date(2025, 3, 18))]
    for a in reporting:  # every agency named, a link to its page
        assert f'href="/co-quan-xem/{a.id}">{a.name}</a>' in html
    assert 'class="stat red"><b>' + str(len(reporting) + 1) in html  # 1 task + the reports
    # The chart: a bar per status colour (the four, and grey for what has no date yet), the
    # late one labelled with the same count.
    chart = html.split('<figure class="chart">')[1].split("</figure>")[0]
    assert re.findall(r'class="bar (\w+)"', chart) == ["red", "orange", "blue", "green", "grey"]
    assert re.search(r'class="bar red"></rect>\s*<text[^>]*class="num">(\d+)</text>',
                     chart).group(1) == str(len(reporting) + 1)
    # The oldest late item: TTHC 1.1, a link to its page.
    tid = _task(desk, "Cải cách TTHC", "1.1").id
    assert f'<a href="/nhiem-vu/{tid}">Cải cách TTHC 1.1</a>' in html
    # As of a day before the due day nothing is late; a plan filter that does not exist: all.
    html = desk.client.get("/?ngay=2025-01-20&ke_hoach=").text
    assert 'class="stat red"><b>0</b>' in html
    assert desk.client.get("/?ngay=31/02/2025").status_code == 400


def test_upload_review_fix_import(sqlite_url, tmp_path) -> None:
    desk = make_desk(sqlite_url, tmp_path)
    desk.login()
    from engine.settings import bundled

    data = bundled("demo_plan_2025.txt").read_bytes()
    r = desk.post("/ke-hoach/tai-len", "/ke-hoach", files={"file": ("kh-2025.txt", data)})
    assert r.status_code == 200 and "/ke-hoach/duyet/" in str(r.url)
    review = str(r.url).split("testserver")[1]
    # What needs a person's eye is highlighted, quoting the plan.
    assert "«Các cơ quan liên quan» không chỉ rõ cơ quan nào" in r.text
    assert 'id="t-8"' in r.text and "Theo Công văn số 3553/UBND-NC" in r.text
    # Fix the unknown agency of Cải cách thủ tục 5 (task 8) with the directory's picker.
    r = desk.post(f"{review}/nhiem-vu/8", review, data={"lead_set": "1", "lead": "so-noi-vu",
                                                         "support_set": "1",
                                                         "timing": "Năm 2025"})
    assert "Đã sửa nhiệm vụ Cải cách thủ tục 5" in r.text
    assert "«Các cơ quan liên quan» không chỉ rõ" not in r.text
    # A reference timing (Cải cách TTHC 7, task 29) given a phrase: its dates follow.
    r = desk.post(f"{review}/nhiem-vu/29", review, data={"timing": "Quý II/2025"})
    assert "Quý II/2025 → 30/06/2025" in r.text
    # Or a date by hand (Cải cách TTHC 8, task 30): Saturday 15/11/2025 -> Monday 17/11.
    r = desk.post(f"{review}/nhiem-vu/30", review, data={"due": "2025-11-15"})
    assert "→ 17/11/2025" in r.text
    r = desk.post(f"{review}/thong-tin", review, data={"number": "196/KH-UBND",
                                                       "date": "2024-12-23",
                                                       "issuer": "UBND tỉnh Sóc Trăng",
                                                       "title": "Kế hoạch CCHC 2025"})
    assert "Đã sửa thông tin kế hoạch" in r.text
    r = desk.post(f"{review}/nhap", review)
    assert "Đã nhập kế hoạch mới 196/KH-UBND (năm 2025): 71 nhiệm vụ" in r.text
    with desk.rt.session() as s:
        t5 = s.scalars(select(Task).where(Task.group_name == "Cải cách thủ tục",
                                          Task.code == "5")).one()
        assert s.scalars(select(Assignment.agency_id).where(
            Assignment.task_id == t5.id, Assignment.role == "lead")).all() == ["so-noi-vu"]
        t7 = s.scalars(select(Task).where(Task.group_name == "Cải cách TTHC",
                                          Task.code == "7")).one()
        assert s.scalars(select(Deadline.due).where(Deadline.task_id == t7.id)).all() == [
            dt.date(2025, 6, 30)]
        assert s.scalar(select(func.count()).select_from(PlanDraft)) == 0
        assert s.scalars(select(Plan.title)).one() == "Kế hoạch CCHC 2025"
    # The plans side by side, and the plan's task list.
    r = desk.client.get("/ke-hoach")
    assert "196/KH-UBND" in r.text and "Đóng kế hoạch" in r.text
    r = desk.client.get(f"/ke-hoach/{t5.plan_id}")
    assert f'href="/nhiem-vu/{t5.id}"' in r.text


def test_upload_of_an_unusable_file_and_a_cancelled_draft(sqlite_url, tmp_path) -> None:
    desk = make_desk(sqlite_url, tmp_path)
    desk.login()
    r = desk.post("/ke-hoach/tai-len", "/ke-hoach",
                  files={"file": ("kh.docx", b"PK\x03\x04 not really a zip")})
    assert r.status_code == 400 and "kh.docx" in r.text and "Traceback" not in r.text
    with desk.rt.session() as s:
        assert s.scalar(select(func.count()).select_from(PlanDraft)) == 0
    from engine.settings import bundled

    r = desk.post("/ke-hoach/tai-len", "/ke-hoach",
                  files={"file": ("kh.txt", bundled("demo_plan_2025.txt").read_bytes())})
    review = str(r.url).split("testserver")[1]
    assert "Đang chờ duyệt" in desk.client.get("/ke-hoach").text
    r = desk.post(f"{review}/huy", review)
    assert "Đã hủy bản duyệt" in r.text
    assert desk.client.get(review).status_code == 404


def test_timing_preview_endpoint(sqlite_url, tmp_path) -> None:
    desk = make_desk(sqlite_url, tmp_path)
    desk.login()
    r = desk.client.get("/api/thoi-han", params={"cum": "Quý II/2025", "nam": 2025})
    assert r.json()["due"] == ["2025-06-30"] and r.json()["kind"] == "fixed"
    r = desk.client.get("/api/thoi-han", params={"cum": "Tháng 01/2025", "nam": 2025})
    assert r.json()["due"] == ["2025-01-24"]
    assert desk.client.get("/api/thoi-han", params={"cum": "Xem ghi chú"}).json()["kind"] == \
        "unknown"


def test_agency_page_completion_with_evidence_and_officer_undo(db_url, tmp_path) -> None:
    desk = make_desk(db_url, tmp_path)
    seed_plan(desk)
    link = desk.link("vp-ubnd")
    page = desk.client.get(link)
    assert page.status_code == 200
    # Open deadlines soonest first, in colours; the report with its window and address.
    assert page.text.index("Cải cách TTHC 1.1") < page.text.index("Cải cách TTHC 1.2")
    assert re.search(r'class="item red" id="d-\d+">\s*<header><b>Cải cách TTHC 1.1</b>',
                     page.text)
    assert "từ 15/12/2024 đến 14/03/2025" in page.text
    assert 'href="https://ktxh.socstrang.gov.vn"' in page.text
    task = _task(desk, "Cải cách TTHC", "1.1")
    with desk.rt.session() as s:
        did, duty = s.execute(select(Deadline.id, Duty.id).join(
            Duty, Duty.deadline_id == Deadline.id).where(Deadline.task_id == task.id,
                                                         Duty.role == "lead")).one()
        assert s.scalar(select(func.count()).select_from(PlannedItem).where(
            PlannedItem.duty_id == duty, PlannedItem.state == "pending")) > 0
    r = desk.post(f"{link}/hoan-thanh", link, data={
        "deadline_id": str(did), "document_no": "15/BC-VP", "completed_on": "2025-03-19",
        "note": "Đã ban hành"}, files={"file": ("ke-hoach.pdf", PDF, "application/pdf")})
    assert r.status_code == 200
    assert "Đã ghi nhận hoàn thành Cải cách TTHC 1.1 (hạn 24/01/2025) ngày 19/03/2025: quá " \
           "hạn" in r.text
    with desk.rt.session() as s:
        c = s.scalars(select(Completion).where(Completion.deadline_id == did)).one()
        assert (c.document_no, c.recorded_by, c.agency_id) == ("15/BC-VP", "web", "vp-ubnd")
        # Every pending reminder and escalation of the deadline stopped, as `nhacviec done`.
        assert s.scalar(select(func.count()).select_from(PlannedItem).where(
            PlannedItem.duty_id == duty, PlannedItem.state == "pending")) == 0
        e = s.scalars(select(Evidence)).one()
    stored = tmp_path / "files" / e.stored_name
    assert stored.read_bytes() == PDF and re.fullmatch(r"2025/[0-9a-f]{32}\.pdf", e.stored_name)
    assert e.original_name == "ke-hoach.pdf"
    assert 'class="item orange"' in r.text  # done late: orange, under what it has done
    assert desk.client.get(f"{link}/minh-chung/{e.id}").content == PDF
    # The officer sees it on the task's page, downloads the file, and undoes it.
    desk.login()
    r = desk.client.get(f"/nhiem-vu/{task.id}")
    assert "hoàn thành ngày 19/03/2025, văn bản 15/BC-VP" in r.text and "ke-hoach.pdf" in r.text
    assert desk.client.get(f"/minh-chung/{e.id}").content == PDF
    r = desk.post(f"/nhiem-vu/{task.id}/huy-hoan-thanh", f"/nhiem-vu/{task.id}",
                  data={"completion_id": str(c.id)})
    assert "Đã hủy ghi nhận hoàn thành" in r.text
    with desk.rt.session() as s:
        assert s.get(Completion, c.id).undone_at is not None
        assert s.scalar(select(func.count()).select_from(PlannedItem).where(
            PlannedItem.duty_id == duty, PlannedItem.state == "pending")) > 0
    # A deadline not yet due soon has its form on a page of its own (TTHC 1.2, due 18/06).
    later = _task(desk, "Cải cách TTHC", "1.2")
    with desk.rt.session() as s:
        later_id = s.scalar(select(Deadline.id).where(Deadline.task_id == later.id,
                                                      Deadline.due == dt.date(2025, 6, 18)))
    assert f'href="{link}/hoan-thanh/{later_id}"' in desk.client.get(link).text
    form = desk.client.get(f"{link}/hoan-thanh/{later_id}")
    assert form.status_code == 200 and f'name="deadline_id" value="{later_id}"' in form.text
    assert desk.client.get(f"{desk.link('so-tu-phap')}/hoan-thanh/{later_id}").status_code == \
        404
    # The officer's read-only view of the agency's page has no forms.
    r = desk.client.get("/co-quan-xem/vp-ubnd")
    assert "Văn phòng UBND tỉnh" in r.text and "hoan-thanh" not in r.text


def test_explanation_answered_on_the_agency_page(sqlite_url, tmp_path) -> None:
    """TTHC 1.1 (due 24/01) is late by more than 10 working days: asked for by the officer
    after the late import, the wake-up of Friday 21/03/2025 asks the Văn phòng UBND tỉnh to
    explain."""
    desk = make_desk(sqlite_url, tmp_path)
    seed_plan(desk, ask=True)
    rec = _wake(desk, "2025-03-21")
    assert any(m.kind == "explanation_request" and m.recipient.id == "vp-ubnd"
               for m in rec.sent)
    desk.clock.set("2025-03-21")
    link = desk.link("vp-ubnd")
    with desk.rt.session() as s:
        req = s.scalars(select(ExplanationRequest).join(
            Deadline, Deadline.id == ExplanationRequest.deadline_id).where(
            ExplanationRequest.agency_id == "vp-ubnd",
            Deadline.task_id == _task(desk, "Cải cách TTHC", "1.1").id)).one()
    page = desk.client.get(link).text
    assert f'id="q-{req.id}"' in page and "Gửi giải trình" in page
    r = desk.post(f"{link}/giai-trinh", link, data={
        "request_id": str(req.id), "text": "Chờ ý kiến góp ý của các sở",
        "proposed_due": "2025-04-15"})
    assert "Đã gửi giải trình tới Sở Nội vụ" in r.text
    with desk.rt.session() as s:
        a = s.scalars(select(ExplanationAnswer)).one()
        assert (a.text, a.proposed_due, a.answered_by) == (
            "Chờ ý kiến góp ý của các sở", dt.date(2025, 4, 15), "web")
    # Once the task is reported done, the request is no longer late: no explanation is taken.
    with desk.rt.session() as s:
        did = s.scalar(select(Deadline.id).where(
            Deadline.task_id == _task(desk, "Cải cách TTHC", "1.1").id))
    desk.post(f"{link}/hoan-thanh", link, data={"deadline_id": str(did),
                                                "document_no": "20/KH-VP"})
    page = desk.client.get(link).text
    assert "Bổ sung giải trình" not in page.split(f'id="q-{req.id}"')[1].split("</article>")[0]
    r = desk.post(f"{link}/giai-trinh", link, data={"request_id": str(req.id),
                                                    "text": "Giải trình thêm"})
    assert r.status_code == 400 and "không quá hạn" in r.text
    with desk.rt.session() as s:
        assert s.scalar(select(func.count()).select_from(ExplanationAnswer)) == 1
    # The officer sees it on the task's page, with every message sent about the task.
    desk.login()
    r = desk.client.get(f"/nhiem-vu/{_task(desk, 'Cải cách TTHC', '1.1').id}")
    assert "Chờ ý kiến góp ý của các sở" in r.text and "Đề xuất hoàn thành: 15/04/2025" in r.text
    assert "yêu cầu giải trình" in r.text  # the explanation request, as a message sent


def test_schedule_preview_and_a_past_day(sqlite_url, tmp_path) -> None:
    desk = make_desk(sqlite_url, tmp_path)
    seed_plan(desk, ask=True)
    desk.login()
    r = desk.client.get("/lich-gui?songay=3")
    # Next wake-ups: Friday 21/03, Monday 24/03, Tuesday 25/03/2025.
    days = re.findall(r'id="ngay-(\d{4}-\d\d-\d\d)"', r.text)
    assert days == ["2025-03-21", "2025-03-24", "2025-03-25"]
    assert "Văn phòng UBND tỉnh" in r.text and "yêu cầu giải trình" in r.text
    # The oversight lists, composed when they go from what is late then, are named, not listed:
    # Friday's lists of the deadlines passed before the import, Monday's steering digest.
    friday = r.text.split('id="ngay-2025-03-21"')[1].split("</section>")[0]
    monday = r.text.split('id="ngay-2025-03-24"')[1].split("</section>")[0]
    assert "Ngoài ra: danh sách gửi Sở Nội vụ về" in friday
    assert "bản tổng hợp gửi Ban Chỉ đạo, lập lúc gửi" in monday
    r = desk.client.get("/lich-gui?coquan=vp-ubnd&tu=2025-03-24&songay=1")
    assert re.findall(r'id="ngay-(\d{4}-\d\d-\d\d)"', r.text) == ["2025-03-24"]
    _wake(desk, "2025-03-21")
    r = desk.client.get("/lich-gui/da-gui?ngay=2025-03-21")
    with desk.rt.session() as s:
        n = s.scalar(select(func.count()).select_from(Notification).where(
            Notification.slot_on == dt.date(2025, 3, 21)))
    assert n > 0 and f"{n} tin." in r.text and "đã gửi" in r.text


def test_delivery_log_failures_first_and_resend(sqlite_url, tmp_path) -> None:
    desk = make_desk(sqlite_url, tmp_path)
    seed_plan(desk)
    _wake(desk, "2025-03-21")
    with desk.rt.session() as s:
        first, second = s.scalars(select(Notification).order_by(Notification.id).limit(2))
        second.state = "failed"
        s.add(second)
        from engine.storage.models import DeliveryAttempt

        s.add(DeliveryAttempt(notification_id=second.id, ok=False, permanent=True,
                              detail="permanent 550 5.1.1 mailbox unavailable"))
        s.commit()
    desk.login()
    r = desk.client.get("/nhat-ky-gui")
    ids = re.findall(r'<tr id="n-(\d+)">', r.text)
    assert ids[0] == str(second.id)  # the failure first
    assert "vĩnh viễn: permanent 550 5.1.1 mailbox unavailable" in r.text
    assert desk.client.get("/nhat-ky-gui?trangthai=failed").text.count('<tr id="n-') == 1
    r = desk.post(f"/nhat-ky-gui/{second.id}/gui-lai", "/nhat-ky-gui")
    assert "sẽ được gửi lại" in r.text
    with desk.rt.session() as s:
        assert (s.get(Notification, second.id).state, s.get(Notification, second.id).attempts
                ) == ("retry", 0)
    r = desk.post(f"/nhat-ky-gui/{second.id}/gui-lai", "/nhat-ky-gui")
    assert r.status_code == 409  # already waiting to go


def test_directory_links_and_rotation(sqlite_url, tmp_path) -> None:
    desk = make_desk(sqlite_url, tmp_path)
    seed_plan(desk)
    desk.login()
    r = desk.client.get("/danh-ba")
    old = re.search(r'value="http://127.0.0.1:8080(/co-quan/so-tu-phap\.[^"]+)"', r.text).group(1)
    assert "vanthu@so-tu-phap.example.org" in r.text
    assert desk.client.get(old).status_code == 200
    r = desk.post("/danh-ba/so-tu-phap/doi-lien-ket", "/danh-ba")
    assert "đường liên kết cũ không còn dùng được" in r.text
    new = re.search(r'value="http://127.0.0.1:8080(/co-quan/so-tu-phap\.[^"]+)"', r.text).group(1)
    assert new != old
    assert desk.client.get(old).status_code == 404
    assert desk.client.get(new).status_code == 200
    # The Steering Committee (viewer) reads the directory, without the links.
    desk.post("/dang-xuat")
    desk.login(VIEWER)
    r = desk.client.get("/danh-ba")
    assert "Sở Tư pháp" in r.text and "/co-quan/so-tu-phap." not in r.text


def test_close_and_reopen_a_plan(sqlite_url, tmp_path) -> None:
    desk = make_desk(sqlite_url, tmp_path)
    plan_id = seed_plan(desk)
    desk.login()
    r = desk.post(f"/ke-hoach/{plan_id}/dong", "/ke-hoach")
    assert "Đã đóng kế hoạch" in r.text and "đã đóng" in r.text
    with desk.rt.session() as s:
        assert s.get(Plan, plan_id).closed_at is not None
        assert s.scalar(select(func.count()).select_from(PlannedItem).where(
            PlannedItem.plan_id == plan_id, PlannedItem.state == "pending")) == 0
    # Nothing of it goes out, and the agency's page no longer lists its deadlines.
    assert "Không có tin nào" in desk.client.get("/lich-gui?songay=1").text
    assert "Không có thời hạn nào đang mở" in desk.client.get(desk.link("vp-ubnd")).text
    assert desk.post(f"/ke-hoach/{plan_id}/dong", "/ke-hoach").status_code == 409
    r = desk.post(f"/ke-hoach/{plan_id}/mo-lai", "/ke-hoach")
    assert "Đã mở lại kế hoạch" in r.text
    with desk.rt.session() as s:
        assert s.get(Plan, plan_id).closed_at is None


def test_zalo_webhook_place_and_unknown_pages(sqlite_url, tmp_path) -> None:
    desk = make_desk(sqlite_url, tmp_path)
    assert desk.client.post("/zalo/webhook", content=b"{}").status_code == 404
    desk.login()
    assert desk.client.get("/nhiem-vu/999").status_code == 404
    assert desk.client.get("/ke-hoach/999").status_code == 404
    assert desk.client.get("/khong-co").status_code == 404
    assert desk.client.get("/tinh/style.css").status_code == 200
    assert desk.client.get("/tinh/app.js").status_code == 200


def test_pages_kept_while_nothing_changed_follow_every_write(db_url, tmp_path,
                                                             monkeypatch) -> None:
    """The overview is computed once while the database stays as it is; after a completion
    recorded by another path (the CLI, the bot) the page says its figures are being brought up
    to date, and shows the new ones as soon as they are."""
    from engine.tracking.lookup import find_task
    from engine.tracking.records import complete_task
    from engine.web import cache as page_cache

    desk = make_desk(db_url, tmp_path)
    seed_plan(desk)
    desk.login()
    cache = desk.client.app.state.cache
    # A province's table is computed afresh after every write (fast enough); a national one
    # (SLOW and more) is served kept while it is computed again: here, every table is "slow".
    monkeypatch.setattr(page_cache, "SLOW", 0.0)
    first = desk.client.get("/").text
    misses = cache.misses
    # Kept (on PostgreSQL the version is the server's write-ahead log position, which any
    # tenant of a shared server moves: there it may be computed again, never kept too long).
    sqlite = db_url.startswith("sqlite")
    if sqlite:
        assert desk.client.get("/").text == first and cache.misses == misses
    late = int(re.search(r'class="stat red"><b>(\d+)</b>', first).group(1))
    with desk.rt.session() as s:
        complete_task(s, find_task(s, "TTHC/1.1"), "vp-ubnd", desk.rt.planner,
                      on=dt.date(2025, 3, 19), today=dt.date(2025, 3, 20), document_no="1/BC")
        s.commit()
    # Served at once as it was, saying so, while the table is computed again; then the new one.
    again = desk.client.get("/").text
    if sqlite:
        assert "dữ liệu vừa thay đổi và bảng đang được tính lại" in again
        assert int(re.search(r'class="stat red"><b>(\d+)</b>', again).group(1)) == late
    import time

    deadline = time.monotonic() + 30
    while "đang được tính lại" in again and time.monotonic() < deadline:
        time.sleep(0.1)
        again = desk.client.get("/").text
    assert "đang được tính lại" not in again
    assert int(re.search(r'class="stat red"><b>(\d+)</b>', again).group(1)) == late - 1


def test_a_province_overview_is_current_after_every_write(sqlite_url, tmp_path) -> None:
    from engine.tracking.lookup import find_task
    from engine.tracking.records import complete_task

    desk = make_desk(sqlite_url, tmp_path)
    seed_plan(desk)
    desk.login()
    late = int(re.search(r'class="stat red"><b>(\d+)</b>', desk.client.get("/").text).group(1))
    with desk.rt.session() as s:
        complete_task(s, find_task(s, "TTHC/1.1"), "vp-ubnd", desk.rt.planner,
                      on=dt.date(2025, 3, 19), today=dt.date(2025, 3, 20), document_no="1/BC")
        s.commit()
    html = desk.client.get("/").text
    assert "đang được tính lại" not in html
    assert int(re.search(r'class="stat red"><b>(\d+)</b>', html).group(1)) == late - 1


def test_the_period_report_workbook_the_digest_links_to(sqlite_url, tmp_path) -> None:
    import io

    from openpyxl import load_workbook

    from engine.reports.latest import links_under

    desk = make_desk(sqlite_url, tmp_path)
    plan_id = seed_plan(desk)
    link = links_under("https://cchc.example.vn/")(plan_id, "Quý I")
    assert link == f"https://cchc.example.vn/bao-cao/{plan_id}/quy-i.xlsx"
    path = link.removeprefix("https://cchc.example.vn")
    assert desk.client.get(path, follow_redirects=False).status_code == 303  # a session first
    # A leader reading the digest (read-only, may download it) logs in and gets the workbook.
    form = desk.client.get("/dang-nhap")
    r = desk.client.post("/dang-nhap", follow_redirects=False, data={
        "login": VIEWER, "password": PASSWORD, "csrf_token": desk.csrf(form.text)})
    assert (r.status_code, r.headers["location"]) == (303, path)
    r = desk.client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(r.content), read_only=True)
    words = " ".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                     for c in row if c is not None)
    assert "196/KH-UBND" in words and "Quý I" in words
    assert "Sở Nội vụ" in words  # the agencies are in it, by name
    for missing in (f"/bao-cao/{plan_id}/quy-v.xlsx", f"/bao-cao/{plan_id + 99}/quy-i.xlsx"):
        r = desk.client.get(missing)
        assert r.status_code == 404 and "Không có báo cáo kỳ này" in r.text


def test_reimporting_the_original_over_a_reviewed_plan_asks_first(sqlite_url, tmp_path) -> None:
    """The desk imports a reviewed plan (Cải cách thủ tục 5, whose lead the plan leaves
    unclear, given the Sở Nội vụ); the original file uploaded and imported again lists what it
    would undo and changes nothing until the officer confirms."""
    from engine.settings import bundled
    from engine.storage.models import Assignment

    desk = make_desk(sqlite_url, tmp_path)
    desk.login()
    data = bundled("demo_plan_2025.txt").read_bytes()

    def upload() -> str:
        r = desk.post("/ke-hoach/tai-len", "/ke-hoach", files={"file": ("kh-2025.txt", data)})
        return str(r.url).split("testserver")[1]

    review = upload()
    desk.post(f"{review}/nhiem-vu/8", review, data={"lead_set": "1", "lead": "so-noi-vu",
                                                      "support_set": "1", "timing": "Năm 2025"})
    r = desk.post(f"{review}/nhap", review)
    assert "Đã nhập kế hoạch mới 196/KH-UBND" in r.text
    task = _task(desk, "Cải cách thủ tục", "5")

    def leads() -> list:
        with desk.rt.session() as s:
            return sorted(s.scalars(select(Assignment.agency_id).where(
                Assignment.task_id == task.id, Assignment.role == "lead")))

    assert leads() == ["so-noi-vu"]
    again = upload()
    r = desk.post(f"{again}/nhap", again)
    assert r.status_code == 200 and 'id="khac-biet"' in r.text
    assert "Cải cách thủ tục / 5: cơ quan chủ trì Sở Nội vụ → không có" in r.text
    assert "Vẫn thay kế hoạch đã lưu" in r.text
    assert leads() == ["so-noi-vu"]  # nothing changed
    r = desk.post(f"{again}/nhap", again, data={"thay": "1"})
    assert "Đã cập nhật kế hoạch 196/KH-UBND" in r.text
    assert leads() == []


def test_the_agency_calendar_feed_at_its_personal_address(sqlite_url, tmp_path) -> None:
    """`GET /co-quan/{token}/lich.ics`: the agency's feed, the same events `nhacviec agency
    ical` gives (engine.reports.ical), its page as each event's URL; nothing without a valid
    token, and nothing of another agency."""
    from icalendar import Calendar

    from engine.reports import ical

    desk = make_desk(sqlite_url, tmp_path)
    seed_plan(desk)
    path = desk.link("so-tu-phap")
    r = desk.client.get(f"{path}/lich.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    got = Calendar.from_ical(r.content)
    assert str(got["X-WR-CALNAME"]) == "Nhắc việc CCHC - Sở Tư pháp"
    served = {str(e["UID"]): e for e in got.walk("VEVENT")}
    with desk.rt.session() as s:
        direct = ical.agency_feed(s, "so-tu-phap", directory=desk.rt.directory,
                                  calendar=desk.rt.calendar, policy=desk.rt.policy,
                                  now=desk.clock(), page_url=None)
    expected = {str(e["UID"]) for e in Calendar.from_ical(direct).walk("VEVENT")}
    assert set(served) == expected and len(expected) > 3
    for event in served.values():  # its own deadlines and reports, each pointing to its page
        uid = str(event["UID"])
        assert uid.endswith("-so-tu-phap@nhacviec") or uid.startswith("nhacviec-report-")
        assert str(event["URL"]).endswith(path)
    broken = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert desk.client.get(f"{broken}/lich.ics").status_code in (403, 404)
