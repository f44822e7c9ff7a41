"""The Sở Nội vụ's list and the Steering Committee's digest at a size no reader can read whole:
the body shows the oldest late items up to a cap, every agency still named with its count; the
email carries the complete list as .xlsx; Telegram says where the complete list is.

The data is built by hand so every number below follows from its construction:
- 30 agencies "Cơ quan 01" .. "Cơ quan 30";
- 997 regular items r = 0..996: agency (r % 30) + 1, due D0 + (r // 30) days, code
  "{r // 30 + 1}.{r % 30 + 1}" (so agency 17's item of the 7th day is "7.17");
- 3 hand-picked items older than all of them: H.1 (Cơ quan 07, 05/11/2024), H.2 (Cơ quan 19,
  02/12/2024), H.3 (Cơ quan 30, 06/01/2025).
997 = 33 * 30 + 7: agencies 01-07 get 34 regular items, 08-30 get 33; with the hand-picked ones
the totals are 01-06: 34, 07: 35, 08-18: 33, 19: 34, 20-29: 33, 30: 34 (1,000 in all).
The oldest 200 (email) are H.1-H.3 and r = 0..196 (six whole days of 30, then agencies 01-17 of
the 7th day). The oldest 30 (Telegram) are H.1-H.3 and r = 0..26 (agencies 01-27 of the first
day): agencies 28 and 29 have no line shown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import io
from email import policy
from pathlib import Path

import openpyxl
import pytest

from core.messages import Item, OutgoingMessage, Recipient
from core.vocabulary import MessageKind, Reason
from engine.settings import Settings
from notifiers.email import late_sheet
from notifiers.email.build import (
    Attachment,
    EmailParts,
    Sender,
    build_email,
    render_parts,
    wire_bytes,
)
from notifiers.email.notifier import EmailNotifier
from notifiers.telegram.limits import Limits, TelegramRateLimiter
from notifiers.telegram.notifier import TelegramNotifier, render_message
from tests.fakes import TOKEN, FakeBotApi
from tests.smtpd import HOST, smtp_server

TZ = dt.timezone(dt.timedelta(hours=7))
AT = dt.datetime(2025, 6, 30, 8, 0, tzinfo=TZ)  # a Monday
D0 = dt.date(2025, 3, 3)
GROUP = "Cải cách thủ tục hành chính"
SNV = Recipient("so-noi-vu", "Sở Nội vụ", ("vanthu@so-noi-vu.example.org",), (-900,))
BCD = Recipient("bcd-cchc", "Ban Chỉ đạo CCHC tỉnh", ("bcd@ubnd.example.org",), (-901,))
SENDER = Sender("Nhắc việc CCHC", "nhacviec@example.org")
ATTACHMENT = "danh-sach-qua-han-2025-06-30.xlsx"
HEADINGS = ("Cơ quan", "Nhóm nhiệm vụ", "Số TT", "Nhiệm vụ", "Sản phẩm", "Hạn",
            "Số ngày quá hạn (ngày làm việc)")

TOTALS = {a: 34 for a in range(1, 7)} | {7: 35} | {a: 33 for a in range(8, 19)} | {19: 34} \
    | {a: 33 for a in range(20, 30)} | {30: 34}
EMAIL_SHOWN = {a: 7 for a in range(1, 18)} | {a: 6 for a in range(18, 31)}
EMAIL_SHOWN.update({7: 8, 19: 7, 30: 7})  # plus the hand-picked ones
TG_SHOWN = {a: 1 for a in range(1, 28)} | {7: 2, 19: 2, 30: 1}  # 28 and 29: none


def name(a: int) -> str:
    return f"Cơ quan {a:02d}"


def regular(r: int) -> Item:
    a, day = r % 30 + 1, r // 30
    code = f"{day + 1}.{a}"
    return Item(Reason.LATE, group=GROUP, code=code, title=f"Rà soát thủ tục {code}",
                due=D0 + dt.timedelta(days=day), days_late=80 - day, agency_id=f"cq{a:02d}",
                agency_name=name(a))


HAND_PICKED = (
    Item(Reason.LATE, group=GROUP, code="H.1", title="Nhiệm vụ quá hạn lâu nhất H.1",
         due=dt.date(2024, 11, 5), days_late=160, agency_id="cq07", agency_name=name(7),
         label="Kế hoạch"),
    Item(Reason.LATE, group=GROUP, code="H.2", title="Nhiệm vụ quá hạn lâu thứ hai H.2",
         due=dt.date(2024, 12, 2), days_late=140, agency_id="cq19", agency_name=name(19)),
    Item(Reason.LATE, group=GROUP, code="H.3", title="Nhiệm vụ quá hạn lâu thứ ba H.3",
         due=dt.date(2025, 1, 6), days_late=115, agency_id="cq30", agency_name=name(30)),
)
# Hand-picked ones in the middle, so nothing relies on the input order.
LATE = tuple(regular(r) for r in range(500)) + HAND_PICKED + tuple(
    regular(r) for r in range(500, 997))
STATS = {name(a): {"overdue": TOTALS[a], "done_on_time": 2} for a in range(1, 31)}


def monitor(recipient: Recipient = SNV, channel: str = "email",
            items: tuple[Item, ...] = LATE) -> OutgoingMessage:
    return OutgoingMessage("k:monitor:2025-06-30", MessageKind.MONITOR_LIST, channel, recipient,
                           AT, items, plan_number="196/KH-UBND")


def steering(channel: str = "email") -> OutgoingMessage:
    return OutgoingMessage("k:steering:2025-06-30", MessageKind.STEERING_DIGEST, channel, BCD, AT,
                           LATE, stats=STATS, plan_number="196/KH-UBND")


def item_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("- [")]


def test_the_data_is_what_the_docstring_says() -> None:
    assert len(LATE) == 1000 and sum(TOTALS.values()) == 1000
    assert sum(EMAIL_SHOWN.values()) == 200 and sum(TG_SHOWN.values()) == 30
    for a in range(1, 31):
        assert sum(1 for i in LATE if i.agency_name == name(a)) == TOTALS[a]


def test_the_message_keeps_every_item() -> None:
    """Only the rendering is cut: `simulate --json` still lists all 1,000 (contract 5)."""
    assert len(monitor().to_json()["items"]) == 1000


# --- email body -----------------------------------------------------------------------------
def test_monitor_text_shows_the_oldest_200_and_names_every_agency_with_its_count() -> None:
    text = render_parts(monitor()).text
    assert len(item_lines(text)) == 200
    # each item is 3 lines here (title, due, group); per agency a heading, a blank line and
    # the "… và" line; a dozen lines of frame
    assert len(text.splitlines()) <= 200 * 3 + 30 * 3 + 12
    late = text.index("NHIỆM VỤ QUÁ HẠN, CHƯA HOÀN THÀNH (1.000)")
    notice = text.index("Thư này chỉ nêu 200 nhiệm vụ quá hạn lâu nhất trong tổng số 1.000 "
                        "nhiệm vụ quá hạn của 30 cơ quan; số nhiệm vụ còn lại được ghi theo "
                        "từng cơ quan. Danh sách đầy đủ ở tệp đính kèm "
                        "danh-sach-qua-han-2025-06-30.xlsx.")
    assert late < notice < text.index("Cơ quan 01 (34):")  # at the top of the list
    for code in ("H.1", "H.2", "H.3", "1.1", "7.17"):  # the oldest, and the 200th
        assert f"- [{code}] " in text
    assert "- [7.18] " not in text and "- [34.7] " not in text  # the 201st, the newest
    for a in range(1, 31):
        assert f"\n{name(a)} ({TOTALS[a]}):\n" in text
        rest = TOTALS[a] - EMAIL_SHOWN[a]
        assert f"… và {rest} nhiệm vụ quá hạn khác của {name(a)}." in text
    seven = text[text.index("Cơ quan 07 (35):"):text.index("Cơ quan 08 (33):")]
    assert len(item_lines(seven)) == 8
    assert item_lines(seven)[0] == "- [H.1] Nhiệm vụ quá hạn lâu nhất H.1 (Kế hoạch)"
    assert "Các cơ quan khác có nhiệm vụ quá hạn" not in text  # every agency has lines


def test_monitor_html_has_200_rows_and_the_notice() -> None:
    page = render_parts(monitor()).html
    assert page.count(" ngày làm việc</td>") == 200  # one "trễ N ngày làm việc" cell a row
    assert ("Thư này chỉ nêu <strong>200</strong> nhiệm vụ quá hạn lâu nhất trong tổng số "
            "<strong>1.000</strong> nhiệm vụ quá hạn của 30 cơ quan") in page
    assert f"tệp đính kèm <strong>{ATTACHMENT}</strong>" in page
    assert "Cơ quan 07 (35)</h3>" in page
    assert "… và 27 nhiệm vụ quá hạn khác của Cơ quan 07." in page
    assert len(page.encode()) < 300_000


def test_steering_keeps_its_whole_table_and_cuts_the_late_list() -> None:
    parts = render_parts(steering())
    text = parts.text
    for a in range(1, 31):  # the statistics table: every agency
        assert f"- {name(a)}: {TOTALS[a]} quá hạn, 2 hoàn thành đúng hạn " \
               f"(tổng {TOTALS[a] + 2})" in text
        assert f"\n{name(a)} ({TOTALS[a]}):\n" in text
    assert "NHIỆM VỤ QUÁ HẠN, CHƯA HOÀN THÀNH (1.000), quá hạn lâu nhất trước\nThư này chỉ " \
           "nêu 200 nhiệm vụ quá hạn lâu nhất trong tổng số 1.000" in text
    assert len(item_lines(text)) == 200
    assert parts.html.count(">Cộng</td>") == 1
    assert parts.subject == ("[Nhắc việc CCHC] Tổng hợp gửi Ban Chỉ đạo CCHC (Kế hoạch số "
                             "196/KH-UBND): 1.000 việc quá hạn — 30/06/2025")
    assert [a.filename for a in parts.attachments] == [ATTACHMENT]


def test_agencies_without_a_line_are_listed_with_their_counts() -> None:
    """Sở A holds the 201 oldest items: the 200 lines are all its own; Sở B and Sở C are
    named with their counts, the one with more first."""
    def late(agency: str, k: int, start: dt.date) -> Item:
        return Item(Reason.LATE, code=f"{k}", title=f"Việc {k}", due=start + dt.timedelta(days=k),
                    days_late=5, agency_name=agency)
    items = tuple(late("Sở A", k, dt.date(2024, 1, 1)) for k in range(201)) \
        + tuple(late("Sở C", k, dt.date(2025, 5, 1)) for k in range(19)) \
        + tuple(late("Sở B", k, dt.date(2025, 5, 1)) for k in range(30))
    parts = render_parts(monitor(items=items))
    assert len(item_lines(parts.text)) == 200
    assert "Sở A (201):" in parts.text
    assert "… và 1 nhiệm vụ quá hạn khác của Sở A." in parts.text
    assert ("Các cơ quan khác có nhiệm vụ quá hạn (2):\n- Sở B: 30 nhiệm vụ quá hạn\n"
            "- Sở C: 19 nhiệm vụ quá hạn") in parts.text
    assert "của 3 cơ quan" in parts.text
    assert ">Sở B</td><td style=\"padding:2px 8px;text-align:right\">30</td>" in parts.html


def test_at_the_cap_nothing_is_cut_and_nothing_attached() -> None:
    items = tuple(regular(r) for r in range(200))
    parts = render_parts(monitor(items=items))
    assert len(item_lines(parts.text)) == 200
    assert "Thư này chỉ nêu" not in parts.text and "… và" not in parts.text
    assert parts.attachments == ()
    built = build_email(monitor(items=items), SENDER, parts)
    assert built.get_content_type() == "multipart/alternative"
    assert list(built.iter_attachments()) == []


# --- the attachment -------------------------------------------------------------------------
def read_sheet(data: bytes) -> list[tuple]:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert wb.sheetnames == ["Nhiệm vụ quá hạn"]
    return list(wb.active.iter_rows(values_only=True))


def check_sheet(data: bytes) -> None:
    rows = read_sheet(data)
    assert rows[0] == HEADINGS
    assert len(rows) == 1 + 1000
    # agency by agency, oldest first: Cơ quan 01's r = 0 first, Cơ quan 30's r = 989 last
    assert rows[1] == ("Cơ quan 01", GROUP, "1.1", "Rà soát thủ tục 1.1", None,
                       dt.datetime(2025, 3, 3), 80)
    assert rows[-1] == ("Cơ quan 30", GROUP, "33.30", "Rà soát thủ tục 33.30", None,
                        dt.datetime(2025, 4, 4), 48)
    seven = [r for r in rows[1:] if r[0] == "Cơ quan 07"]
    assert len(seven) == 35
    assert seven[0] == ("Cơ quan 07", GROUP, "H.1", "Nhiệm vụ quá hạn lâu nhất H.1",
                        "Kế hoạch", dt.datetime(2024, 11, 5), 160)
    assert [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:])
    for a in range(1, 31):
        dues = [r[5] for r in rows[1:] if r[0] == name(a)]
        assert len(dues) == TOTALS[a] and dues == sorted(dues)


def test_task_numbers_go_in_reading_order_in_the_email_and_the_sheet() -> None:
    """One agency, one due day, numbers 1.10, 1.9, 2, 1.2: read as a plan numbers them (1.2,
    1.9, 1.10, 2), not as text (1.10 before 1.2), in the email and the attached sheet, which
    sort the list themselves (the dispatcher sorts a message's items the same way)."""
    items = tuple(Item(Reason.LATE, group=GROUP, code=c, title=f"Nhiệm vụ số {c}", due=D0,
                       days_late=80, agency_id="cq01", agency_name=name(1))
                  for c in ("1.10", "1.9", "2", "1.2"))
    wanted = ["1.2", "1.9", "1.10", "2"]
    text = render_parts(monitor(items=items)).text
    assert [c for line in item_lines(text) for c in wanted if f"Nhiệm vụ số {c}" in line] \
        == wanted
    assert [r[2] for r in read_sheet(late_sheet.workbook_bytes(items, created=AT))[1:]] == wanted


def test_sheet_styles_header_frozen_bold_dates_formatted() -> None:
    data = late_sheet.workbook_bytes(LATE, title="Danh sách", created=AT)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b and not ws["A2"].font.b
    assert ws["F2"].number_format == "dd/mm/yyyy" and ws["F2"].is_date
    assert ws.column_dimensions["D"].width == 70


def test_sheet_survives_markup_and_control_characters() -> None:
    odd = Item(Reason.LATE, code="1", title="Sửa <Quy chế> & \"một cửa\"\x0c tiếp",
               agency_name="Sở X", due=dt.date(2025, 1, 2), days_late=3)
    rows = read_sheet(late_sheet.workbook_bytes([odd]))
    assert rows[1][3] == "Sửa <Quy chế> & \"một cửa\" tiếp"


async def test_smtp_delivers_the_complete_list_as_xlsx() -> None:
    msg = monitor()
    with smtp_server() as (server, handler):
        n = EmailNotifier(Settings(smtp_host=HOST, smtp_port=server.port))
        (result,) = await n.send_batch([msg])
    assert result.ok
    (got,) = handler.received
    assert max(len(line) for line in got.data.split(b"\r\n")) <= 78
    mail = got.message
    assert not mail.defects and not any(p.defects for p in mail.walk())
    assert mail.get_content_type() == "multipart/mixed"
    text = mail.get_body(("plain",)).get_content()
    assert "Thư này chỉ nêu 200 nhiệm vụ quá hạn lâu nhất trong tổng số 1.000" in text
    assert mail.get_body(("html",)) is not None
    (sheet,) = mail.iter_attachments()
    assert sheet.get_content_type() == late_sheet.CONTENT_TYPE
    assert sheet.get_filename() == ATTACHMENT
    assert sheet.get_content_disposition() == "attachment"
    check_sheet(sheet.get_content())


async def test_outbox_file_carries_the_attachment(tmp_path: Path) -> None:
    n = EmailNotifier(Settings(smtp_host=None, outbox_dir=tmp_path))
    (result,) = await n.send_batch([steering()])
    assert result.ok
    mail = email.message_from_bytes((tmp_path / result.provider_id).read_bytes(),
                                    policy=policy.default)
    (sheet,) = mail.iter_attachments()
    check_sheet(sheet.get_content())


def test_non_ascii_file_name_is_rfc2231_and_lines_stay_short() -> None:
    long_name = "Danh sách nhiệm vụ quá hạn của các cơ quan tỉnh Sóc Trăng, bản đầy đủ.xlsx"
    parts = EmailParts("Tiêu đề", "văn bản", "<p>trang</p>",
                       (Attachment(long_name, late_sheet.CONTENT_TYPE, b"PK\x03\x04" * 100),))
    data = wire_bytes(monitor(), parts, SENDER)
    assert data.isascii() and max(len(line) for line in data.split(b"\r\n")) <= 78
    assert b"filename*0*=utf-8''Danh%20s%C3%A1ch" in data
    mail = email.message_from_bytes(data, policy=policy.default)
    (att,) = mail.iter_attachments()
    assert att.get_filename() == long_name
    assert att.get_content() == b"PK\x03\x04" * 100
    assert mail.get_body(("plain",)).get_content().strip() == "văn bản"


# --- Telegram -------------------------------------------------------------------------------
def tg_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("• <b>")]


@pytest.fixture
def fake():
    with FakeBotApi() as api:
        yield api


@pytest.fixture
async def notifier(fake):
    fast = TelegramRateLimiter(Limits(per_chat_interval=0.0, group=1000))
    settings = Settings(telegram_token=TOKEN, telegram_base_url=fake.base_url)
    n = TelegramNotifier.from_settings(settings, fast)
    yield n
    await n.aclose()


async def test_telegram_parts_stay_few_and_name_every_agency(notifier, fake) -> None:
    results = await notifier.send_batch([monitor(channel="telegram"),
                                         steering(channel="telegram")])
    assert [r.ok for r in results] == [True, True]
    for chat in (-900, -901):
        parts = fake.sent(chat)
        assert 1 <= len(parts) <= 3
        text = "\n".join(p.text for p in parts)
        assert len(tg_lines(text)) == 30
        assert ("<i>Tin nhắn này chỉ nêu 30 nhiệm vụ quá hạn lâu nhất trong tổng số 1.000 "
                "nhiệm vụ quá hạn của 30 cơ quan; số còn lại được ghi theo từng cơ quan.</i>"
                ) in text
        assert "• <b>H.1</b> Nhiệm vụ quá hạn lâu nhất H.1 (Kế hoạch) — hạn <b>05/11/2024</b>" \
            in text
        for a, shown in TG_SHOWN.items():
            assert f"<b>{name(a)}</b> ({TOTALS[a]})" in text
            assert f"… và {TOTALS[a] - shown} nhiệm vụ quá hạn khác" in text
        assert "<b>Các cơ quan khác có nhiệm vụ quá hạn (2)</b>\n• Cơ quan 28: 33\n" \
               "• Cơ quan 29: 33" in text
    monitor_text = "\n".join(p.text for p in fake.sent(-900))
    assert "Danh sách đầy đủ được gửi qua thư điện tử tới Sở Nội vụ (tệp Excel đính kèm)." \
        in monitor_text
    assert "<b>Nhiệm vụ quá hạn (1.000)</b>" in monitor_text
    steering_text = "\n".join(p.text for p in fake.sent(-901))
    assert "• Cơ quan 07: 35 quá hạn, 2 hoàn thành đúng hạn" in steering_text  # whole table
    assert "tới Ban Chỉ đạo CCHC tỉnh (tệp Excel đính kèm)" in steering_text


def test_telegram_without_an_email_address_points_to_the_command() -> None:
    no_mail = dataclasses.replace(SNV, emails=())
    text = "\n".join(render_message(monitor(no_mail, channel="telegram")))
    assert "thư điện tử" not in text
    assert "Sở Nội vụ xem bằng lệnh <code>nhacviec status</code>" in text


def test_telegram_below_the_cap_lists_every_item_as_before() -> None:
    items = tuple(regular(r) for r in range(30))
    text = "\n".join(render_message(monitor(channel="telegram", items=items)))
    assert len(tg_lines(text)) == 30
    assert "Tin nhắn này chỉ nêu" not in text and "… và" not in text
    assert "<b>Nhiệm vụ quá hạn (30)</b>" in text


def test_telegram_names_at_most_60_other_agencies_and_counts_the_rest() -> None:
    """Sở A holds the 31 oldest items (30 lines shown); 100 agencies with one newer item each
    have no line: the 60 first by name are listed, 40 counted."""
    items = tuple(Item(Reason.LATE, code=f"A.{k}", title="Việc", agency_name="Sở A",
                       due=dt.date(2024, 1, 1) + dt.timedelta(days=k)) for k in range(31)) \
        + tuple(Item(Reason.LATE, code="B.1", title="Việc", agency_name=f"Huyện {k:03d}",
                     due=dt.date(2025, 5, 2)) for k in range(100))
    text = "\n".join(render_message(monitor(channel="telegram", items=items)))
    assert "<b>Sở A</b> (31)" in text and "… và 1 nhiệm vụ quá hạn khác" in text
    assert "<b>Các cơ quan khác có nhiệm vụ quá hạn (100)</b>" in text
    assert "• Huyện 059: 1" in text and "Huyện 060" not in text
    assert "… và 40 cơ quan khác với 40 nhiệm vụ quá hạn." in text


def test_telegram_table_of_a_national_digest_shows_the_60_most_late_agencies() -> None:
    """100 agencies "Huyện 000".."Huyện 099", agency k with (7k mod 100) late tasks (each count
    once: 7 and 100 share no factor). The 60 with most are those with 40..99, the most first:
    Huyện 057 (399 → 99), Huyện 014 (98), …, Huyện 020 (140 → 40); Huyện 077 (539 → 39) is
    the first left out. By email the whole table goes."""
    stats = {f"Huyện {k:03d}": {"overdue": 7 * k % 100} for k in range(100)}
    msg = dataclasses.replace(steering(channel="telegram"), stats=stats)
    parts = render_message(msg)
    text = "\n".join(parts)
    rows = [line for line in text.splitlines() if line.startswith("• Huyện")]
    assert len(rows) == 60
    assert rows[:2] == ["• Huyện 057: 99 quá hạn", "• Huyện 014: 98 quá hạn"]
    assert rows[-1] == "• Huyện 020: 40 quá hạn"
    assert "Huyện 077" not in text
    assert ("<i>Bảng này chỉ nêu 60 cơ quan có nhiều nhiệm vụ quá hạn nhất trong tổng số 100 "
            "cơ quan.</i>\n<i>Bảng đầy đủ được gửi qua thư điện tử tới Ban Chỉ đạo CCHC "
            "tỉnh.</i>") in text
    assert "… và 40 cơ quan khác." in text
    assert len(parts) <= 3
    # Without an email address, the command that shows the whole table.
    no_mail = dataclasses.replace(msg, recipient=dataclasses.replace(BCD, emails=()))
    assert "Bảng đầy đủ: Sở Nội vụ xem bằng lệnh <code>nhacviec status</code>." in "\n".join(
        render_message(no_mail))
    # The email keeps every agency.
    mail = render_parts(dataclasses.replace(msg, channel="email")).text
    assert all(f"- Huyện {k:03d}: {7 * k % 100} quá hạn (tổng {7 * k % 100})" in mail
               for k in range(1, 100))
    assert "- Huyện 000:" in mail
