"""The web desk in a real browser: Debian's chromium driven by Selenium through chromedriver.

One officer's and two agencies' morning, on the bundled seed plan, the clock on Thursday
20/03/2025 10:00: log in; upload the plan; fix one unknown agency in the review screen (Cải
cách thủ tục 5, "Các cơ quan liên quan": the Sở Nội vụ), watching a timing field resolve as it
is typed; import; open an agency's link from the directory; report a completion with a PDF;
see its reminder gone from Lịch gửi; then, after Friday's wake-up has asked the Văn phòng UBND
tỉnh to explain its late task, answer the explanation. When a step fails, screenshots of the
current page and of the main pages are saved (``test-screenshots/`` or
NHACVIEC_TEST_SCREENSHOTS) before the failure is reported.

Chromium is required where NHACVIEC_TEST_REQUIRE_BROWSER=1 (CI: `.ci/run` installs it);
elsewhere the test is skipped with the reason when it is missing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.dispatch.dispatcher import Dispatcher
from engine.settings import bundled
from engine.storage.models import Deadline, Duty, Task
from engine.tracking.explain_requests import ask_explanations
from engine.tracking.lookup import find_plan
from engine.web.app import create_app
from engine.web.users import add_user
from notifiers.recording import RecordingNotifier
from tests.web_support import ADMIN, PASSWORD, Clock, desk_runtime

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
ROOT = Path(__file__).resolve().parent.parent
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=412,915")  # a phone's screen


def _need_browser() -> None:
    if Path(CHROMIUM).exists() and Path(DRIVER).exists():
        return
    reason = f"{CHROMIUM} or {DRIVER} missing (apt-get install chromium chromium-driver)"
    if os.environ.get("NHACVIEC_TEST_REQUIRE_BROWSER", "") not in ("", "0"):
        pytest.fail(f"NHACVIEC_TEST_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(sqlite_url, tmp_path):
    import uvicorn

    _need_browser()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    rt = desk_runtime(sqlite_url, tmp_path, web_base_url=base)
    with rt.session() as s:
        add_user(s, ADMIN, PASSWORD, "admin")
        s.commit()
    clock = Clock()
    server = uvicorn.Server(uvicorn.Config(create_app(rt, clock=clock), host="127.0.0.1",
                                           port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the desk did not start"
        time.sleep(0.05)
    yield rt, clock, base
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    _need_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _screenshots(driver, base: str, name: str) -> Path:
    folder = Path(os.environ.get("NHACVIEC_TEST_SCREENSHOTS") or ROOT / "test-screenshots")
    folder = folder / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    driver.save_screenshot(str(folder / "0-failed-page.png"))
    for i, page in enumerate(("/", "/ke-hoach", "/lich-gui", "/nhat-ky-gui", "/danh-ba"), 1):
        try:
            driver.get(base + page)
            driver.save_screenshot(str(folder / f"{i}{page.replace('/', '-') or '-'}.png"))
        except Exception:  # noqa: BLE001 - best effort: the failure itself is what matters
            pass
    return folder


def test_a_morning_on_the_desk(served, browser, tmp_path, request) -> None:
    rt, clock, base = served
    try:
        _morning(rt, clock, base, browser, tmp_path)
    except BaseException:
        where = _screenshots(browser, base, request.node.name)
        print(f"screenshots: {where}")
        raise


def _wait(driver, css: str, timeout: float = 20):  # noqa: ANN202
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def _text(driver) -> str:
    # The page's words read by script, not through an element handle: a handle taken while the
    # next page loads goes stale ("Node with given id does not belong to the document").
    return driver.execute_script("return document.body ? document.body.innerText : ''") or ""


def _shows(driver, words: str, timeout: float = 15) -> None:
    """Wait until the page after a click says `words`: the page before it may still be there
    (its notice too) when the click returns, and its body goes stale as the new one loads. Fails
    as the old `assert words in _text(d)` did when the words never come."""
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    # While the old page unloads, Chrome may answer any question about it with an error (a stale
    # element, a node no longer in the document): those are retried, only the words decide.
    try:
        WebDriverWait(driver, timeout, ignored_exceptions=(WebDriverException,)
                      ).until(lambda drv: words in _text(drv))
    except TimeoutException:
        raise AssertionError(f"the page never said «{words}»:\n{_text(driver)[:2000]}") from None


def _morning(rt, clock, base, d, tmp_path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    # 1. Log in.
    d.get(base + "/")
    _wait(d, "input[name=login]").send_keys(ADMIN)
    d.find_element(By.NAME, "password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    _wait(d, ".stats")
    assert "Tổng quan tình hình thực hiện" in _text(d)

    # 2. Upload the seed plan.
    d.get(base + "/ke-hoach")
    _wait(d, "#upload-form input[type=file]").send_keys(str(bundled("demo_plan_2025.txt")))
    d.find_element(By.CSS_SELECTOR, "#upload-form button").click()
    _wait(d, "#t-8")
    assert "Duyệt kế hoạch" in _text(d)
    flagged = d.find_element(By.ID, "t-8")
    assert "«Các cơ quan liên quan» không chỉ rõ cơ quan nào" in flagged.text
    assert "flagged" in flagged.get_attribute("class")

    # The timing field shows the dates its phrase resolves to, as it is typed.
    timing = d.find_element(By.CSS_SELECTOR, "#t-29 input[name=timing]")
    timing.clear()
    timing.send_keys("Quý II/2025")
    WebDriverWait(d, 10).until(lambda drv: "30/06/2025" in drv.find_element(
        By.CSS_SELECTOR, "#t-29 output.resolved").text)

    # 3. Fix the unknown agency with the directory's picker.
    Select(d.find_element(By.CSS_SELECTOR, "#t-8 select[name=lead]")).select_by_value(
        "so-noi-vu")
    d.find_element(By.CSS_SELECTOR, "#t-8 form.edit button").click()
    _shows(d, "Đã sửa nhiệm vụ Cải cách thủ tục 5")
    assert "không chỉ rõ cơ quan nào" not in d.find_element(By.ID, "t-8").text
    assert "Sở Nội vụ" in d.find_element(By.ID, "t-8").text

    # 4. Import.
    d.find_element(By.ID, "import-plan").click()
    _shows(d, "Đã nhập kế hoạch mới 196/KH-UBND (năm 2025)")
    with rt.session() as s:
        t5 = s.scalars(select(Task).where(Task.group_name == "Cải cách thủ tục",
                                          Task.code == "5")).one()
        assert s.scalars(select(Duty.agency_id).join(Deadline, Deadline.id == Duty.deadline_id)
                         .where(Deadline.task_id == t5.id, Duty.role == "lead")).all() == [
            "so-noi-vu"]
        # A lead duty due Monday 31/03/2025, reminded 5 working days before: Monday 24/03.
        agency, group, code, deadline_id = s.execute(
            select(Duty.agency_id, Task.group_name, Task.code, Deadline.id)
            .join(Deadline, Deadline.id == Duty.deadline_id)
            .join(Task, Task.id == Deadline.task_id)
            .where(Deadline.due == dt.date(2025, 3, 31), Duty.role == "lead")
            .order_by(Duty.agency_id, Task.position)).first()
    line = f"{group} {code}"

    # Lịch gửi shows the reminder in that agency's digest of Monday 24/03/2025.
    d.get(base + f"/lich-gui?tu=2025-03-24&songay=1&coquan={agency}")
    _wait(d, "#ngay-2025-03-24")
    assert line in d.find_element(By.ID, "ngay-2025-03-24").text

    # 5. The agency's personal link, from the directory.
    d.get(base + "/danh-ba")
    link = _wait(d, f"#a-{agency} input.link").get_attribute("value")
    assert link.startswith(base + "/co-quan/")
    d.get(link)
    card = _wait(d, f"#d-{deadline_id}")
    assert line in card.text

    # 6. Report the completion, with a PDF.
    pdf = tmp_path / "bao-cao-hoan-thanh.pdf"
    pdf.write_bytes(PDF)
    # Not yet due soon (7 working days ahead): the form is a page of its own.
    card.find_element(By.LINK_TEXT, "Báo cáo hoàn thành").click()
    card = _wait(d, f"#d-{deadline_id}")
    card.find_element(By.NAME, "document_no").send_keys("25/BC-STP")
    card.find_element(By.NAME, "file").send_keys(str(pdf))
    card.find_element(By.CSS_SELECTOR, "form.done-form button").click()
    _shows(d, f"Đã ghi nhận hoàn thành {line}")
    assert "bao-cao-hoan-thanh.pdf" in d.find_element(By.ID, "da-lam").find_element(
        By.XPATH, "following-sibling::article").text

    # 7. The reminder is gone from Lịch gửi.
    d.get(base + f"/lich-gui?tu=2025-03-24&songay=1&coquan={agency}")
    day = _wait(d, "#ngay-2025-03-24")
    assert line not in day.text

    # 8. Friday 21/03/2025: the wake-up asks the Văn phòng UBND tỉnh to explain Cải cách TTHC
    # 1.1 (due 24/01/2025, late by more than 10 working days); it answers on its page.
    # The officer asks for the requests held since the late import (`explain request`).
    with rt.session() as s:
        ask_explanations(s, find_plan(s, "196/KH-UBND").id, rt.planner, dt.date(2025, 3, 20))
        s.commit()
    rec = RecordingNotifier(channel="email")
    dispatcher = Dispatcher(rt.engine, rt.directory, rt.calendar, rt.policy, [rec],
                            worker="browser-test")
    asyncio.run(dispatcher.wake(rt.policy.slot_instant(dt.date(2025, 3, 21))))
    assert any(m.kind == "explanation_request" and m.recipient.id == "vp-ubnd"
               for m in rec.sent)
    clock.set("2025-03-21")
    d.get(base + "/danh-ba")
    d.get(_wait(d, "#a-vp-ubnd input.link").get_attribute("value"))
    form = _wait(d, "form.explain-form")
    form.find_element(By.NAME, "text").send_keys("Chờ ý kiến thẩm định của Sở Tư pháp.")
    # A date field's typing order follows the browser's locale: its value is set as ISO.
    d.execute_script("arguments[0].value = '2025-04-15'",
                     form.find_element(By.NAME, "proposed_due"))
    form.find_element(By.TAG_NAME, "button").click()
    _shows(d, "Đã gửi giải trình tới Sở Nội vụ")
    answer = d.find_element(By.CSS_SELECTOR, "blockquote").text
    assert "Chờ ý kiến thẩm định của Sở Tư pháp." in answer
    assert "Dự kiến hoàn thành: 15/04/2025" in answer
    assert not os.environ.get("NHACVIEC_TEST_FORCE_FAIL"), "screenshots asked for"
