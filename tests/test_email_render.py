"""Email rendering and building: what each kind says, escaping, Vietnamese text, MIME shape.

Expected wording is written by hand from the hand-made messages of tests/email_samples.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import re
import unicodedata
from email import policy
from email.header import decode_header
from email.utils import parsedate_to_datetime
from pathlib import Path

import jinja2
import pytest

from core.messages import Item, OutgoingMessage, Recipient
from core.vocabulary import MessageKind, Reason
from engine.settings import Settings
from notifiers.email.build import (
    Sender,
    build_email,
    message_id,
    render_parts,
    wire_bytes,
)
from notifiers.render import environment, render, templates_dir, vn_date, vn_datetime, vn_weekday
from notifiers.telegram.notifier import render_message
from tests import email_samples as S

SENDER = Sender.parse(Settings().smtp_from)


def plain(msg: OutgoingMessage) -> str:
    return render_parts(msg).text


def html(msg: OutgoingMessage) -> str:
    return render_parts(msg).html


def squash(text: str) -> str:
    return " ".join(text.split())


# --- filters and the environment --------------------------------------------------------------
@pytest.mark.parametrize(("day", "name"), [
    (dt.date(2025, 1, 13), "Thứ Hai"), (dt.date(2025, 1, 14), "Thứ Ba"),
    (dt.date(2025, 1, 15), "Thứ Tư"), (dt.date(2025, 1, 16), "Thứ Năm"),
    (dt.date(2025, 1, 17), "Thứ Sáu"), (dt.date(2025, 1, 18), "Thứ Bảy"),
    (dt.date(2025, 1, 19), "Chủ nhật"),
])
def test_weekday_names(day: dt.date, name: str) -> None:
    assert vn_weekday(day) == name


def test_date_filters() -> None:
    assert vn_date(dt.date(2025, 3, 8)) == "08/03/2025"
    assert vn_date(None) == "chưa xác định"
    assert vn_datetime(S.AT) == "08:00 ngày 17/01/2025"


def test_strict_undefined_and_autoescape_rules() -> None:
    env = environment()
    assert env is environment()  # one Environment for the project
    with pytest.raises(jinja2.UndefinedError):
        render("email/agency_digest.txt.j2")
    assert env.autoescape("email/x.html.j2") is True
    assert env.autoescape("telegram/x.j2") is True  # Telegram HTML parse mode
    assert env.autoescape("email/x.txt.j2") is False


def test_template_files_are_nfc() -> None:
    for path in Path(templates_dir(), "email").glob("*.j2"):
        text = path.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), path.name


# --- subjects -------------------------------------------------------------------------------
@pytest.mark.parametrize(("sample", "subject"), [
    ("agency_digest", "[Nhắc việc CCHC] Văn phòng UBND tỉnh: 3 việc đến hạn, 1 việc quá hạn, "
                      "1 báo cáo định kỳ — 17/01/2025"),
    ("late_notice", "[Nhắc việc CCHC] Sở Tư pháp: 2 việc quá hạn — 03/02/2025"),
    ("monitor_list", "[Nhắc việc CCHC] Danh sách theo dõi: 3 việc quá hạn, 1 việc cần xác định "
                     "thời hạn, 1 thông báo gửi không thành công — 29/01/2025"),
    ("steering_digest", "[Nhắc việc CCHC] Tổng hợp gửi Ban Chỉ đạo CCHC (Kế hoạch số "
                        "196/KH-UBND): 3 việc quá hạn — 20/01/2025"),
    ("explanation_request", "[Nhắc việc CCHC] Văn phòng UBND tỉnh: đề nghị giải trình việc chậm "
                            "thực hiện nhiệm vụ 4.5 — 07/02/2025"),
])
def test_subjects(sample: str, subject: str) -> None:
    assert render_parts(S.ALL[sample]()).subject == subject


# --- agency digest and late notice ----------------------------------------------------------
def test_agency_digest_sections_in_both_parts() -> None:
    msg = S.agency_digest()
    text, page = plain(msg), squash(html(msg))
    assert "Kính gửi: Văn phòng UBND tỉnh" in text
    assert "Thứ Sáu, 17/01/2025" in text
    assert "QUÁ HẠN, CHƯA HOÀN THÀNH (1)" in text
    assert "ĐẾN HẠN HÔM NAY (1)" in text
    assert "SẮP ĐẾN HẠN (2)" in text
    # order: late first, then today, then soon
    assert text.index("[4.5]") < text.index("[4.3]") < text.index("[4.1]")
    assert "Hạn: 10/01/2025, trễ 5 ngày làm việc. Vai trò: chủ trì" in text
    assert "Hạn: 24/01/2025, còn 5 ngày làm việc. Vai trò: phối hợp" in text
    assert "Quá hạn, chưa hoàn thành (1)" in page
    assert "Sắp đến hạn (2)" in page
    assert "Đến hạn hôm nay (1)" in page
    # support role: the note for supporting agencies
    assert "cơ quan phối hợp, đề nghị chủ động phối hợp" in text
    assert "cơ quan phối hợp, đề nghị chủ động phối hợp" in page


def test_report_obligation_with_cutoff_window_and_data_entry_address() -> None:
    msg = S.agency_digest()
    text, page = plain(msg), squash(html(msg))
    assert "Báo cáo Quý I: hạn gửi 18/03/2025 (còn 5 ngày làm việc)." in text
    assert "Thời gian lấy số liệu: từ 15/12/2024 đến 14/03/2025." in text
    assert "Nhập số liệu tại: https://cchc.soctrang.example.org/bao-cao" in text
    assert ('<a href="https://cchc.soctrang.example.org/bao-cao"' in page)
    # ongoing tasks the report must cover
    assert "[4.2.1] Cập nhật, công khai TTHC theo các Quyết định công bố (chủ trì)" in text
    assert "Cập nhật, công khai TTHC theo các Quyết định công bố" in page


def test_non_web_data_entry_address_is_not_a_link() -> None:
    report = Item(Reason.REPORT_REMINDER, period="Quý II", due=dt.date(2025, 6, 18),
                  data_entry_url="javascript:alert(1)")
    msg = OutgoingMessage("k", MessageKind.AGENCY_DIGEST, "email", S.STP, S.AT, (report,))
    page = html(msg)
    assert "javascript:alert(1)" in page
    assert "href=\"javascript" not in page


def test_late_notice_reads_as_a_late_notice() -> None:
    msg = S.late_notice()
    text, page = plain(msg), squash(html(msg))
    assert text.startswith("THÔNG BÁO NHIỆM VỤ QUÁ HẠN\n")
    assert ("Tính đến Thứ Hai, 03/02/2025, hệ thống chưa ghi nhận kết quả hoàn thành 2 nhiệm vụ "
            "dưới đây, đã quá thời hạn theo Kế hoạch cải cách hành chính số 196/KH-UBND.") in text
    assert "NHIỆM VỤ QUÁ HẠN (2)" in text
    # oldest deadline first
    assert text.index("[2.4]") < text.index("[2.1]")
    for wording in ("SẮP ĐẾN HẠN", "ĐẾN HẠN HÔM NAY", "NHẮC VIỆC CẢI CÁCH", "BÁO CÁO ĐỊNH KỲ"):
        assert wording not in text
    assert "<title>Thông báo nhiệm vụ quá hạn</title>" in page
    assert "Sắp đến hạn" not in page and "Nhắc việc cải cách hành chính" not in page


def test_single_late_item_wording() -> None:
    one = S.late_notice()
    msg = OutgoingMessage(one.key, one.kind, "email", one.recipient, one.at, one.items[:1])
    assert "chưa ghi nhận kết quả hoàn thành nhiệm vụ dưới đây" in plain(msg)


# --- escaping -------------------------------------------------------------------------------
@pytest.mark.parametrize("sample", ["agency_digest", "monitor_list", "steering_digest",
                                    "explanation_request"])
def test_titles_escaped_in_html_and_kept_in_text(sample: str) -> None:
    msg = S.ALL[sample]()
    page, text = html(msg), plain(msg)
    assert "<script" not in page
    escaped = "Rà soát &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; đơn giản hóa TTHC"
    assert escaped in page
    assert S.HOSTILE_TITLE in text  # text/plain shows the title as written


def test_agency_name_escaped_in_html() -> None:
    msg = S.agency_digest(recipient=Recipient("x", "Sở <b>A</b> & B", ("a@x.example.org",)))
    page = html(msg)
    assert "Sở &lt;b&gt;A&lt;/b&gt; &amp; B" in page and "<b>A</b>" not in page


# --- monitoring list, steering digest, explanation request ----------------------------------
def test_monitor_list_groups_late_by_agency_and_lists_the_rest() -> None:
    text, page = plain(S.monitor_list()), squash(html(S.monitor_list()))
    assert "NHIỆM VỤ QUÁ HẠN, CHƯA HOÀN THÀNH (3)" in text
    assert text.index("Sở Tư pháp (1):") < text.index("Văn phòng UBND tỉnh (2):")
    vp = text[text.index("Văn phòng UBND tỉnh (2):"):]
    assert vp.index("[4.6]") < vp.index("[4.5]")  # oldest first within an agency
    assert "NHIỆM VỤ CẦN XÁC ĐỊNH THỜI HẠN (1)" in text
    assert "Thời gian ghi trong Kế hoạch: Theo hướng dẫn của Bộ Nội vụ" in text
    assert "THÔNG BÁO GỬI KHÔNG THÀNH CÔNG (1)" in text
    assert ("- Sở Tài chính: tin nhắc việc gửi cơ quan — email: 550 5.1.1 hộp thư không tồn tại"
            in text)
    assert "hạn chưa xác định" not in text and ": ," not in text
    assert "Nhiệm vụ cần xác định thời hạn (1)" in page
    assert "Thông báo gửi không thành công (1)" in page


def test_steering_digest_table_chart_and_late_list() -> None:
    msg = S.steering_digest()
    text, page = plain(msg), html(msg)
    # by agency, most late first; counts per status from OutgoingMessage.stats
    assert "- Văn phòng UBND tỉnh: 3 quá hạn, 1 hoàn thành quá hạn, 4 hoàn thành đúng hạn " \
           "(tổng 8)" in text
    assert "- Sở Tư pháp: 2 quá hạn, 1 sắp đến hạn, 7 hoàn thành đúng hạn (tổng 10)" in text
    assert text.index("- Văn phòng UBND tỉnh:") < text.index("- Sở Tư pháp:") \
        < text.index("- Sở Tài chính:")
    # totals: 5 late of 28 = 18 %; 16 on time = 57 %
    assert "- Quá hạn: 5 (18%)" in text
    assert "- Hoàn thành đúng hạn: 16 (57%)" in text
    # the chart: table cells sized in percent of the largest status (16 -> 100 %, 5 -> 31 %)
    assert re.search(r'<td width="31%" style="background:#c62828', page)
    assert re.search(r'<td width="100%" style="background:#2e7d32', page)
    for banned in ("<img", "<script", "<style", "url("):
        assert banned not in page
    # late list, oldest first
    late = text[text.index("NHIỆM VỤ QUÁ HẠN, CHƯA HOÀN THÀNH (3)"):]
    assert late.index("[4.6]") < late.index("[4.5]") < late.index("[2.1]")
    assert "Cộng</td>" in page


def test_explanation_request_says_what_how_late_and_by_when() -> None:
    text = plain(S.explanation_request())
    assert "đã quá thời hạn 11 ngày làm việc mà chưa ghi nhận kết quả hoàn thành" in text
    assert "Hạn hoàn thành: 10/01/2025; chậm 11 ngày làm việc." in text
    assert "2. Nguyên nhân chậm trễ (khách quan, chủ quan);" in text
    assert "3. Giải pháp khắc phục và thời gian dự kiến hoàn thành;" in text
    assert "Thời hạn gửi: trước ngày 14/02/2025 (Thứ Sáu), gửi Sở Nội vụ" in text
    page = squash(html(S.explanation_request()))
    assert "trước ngày <strong>14/02/2025</strong> (Thứ Sáu)" in page


def test_explanation_request_for_a_report_without_code() -> None:
    late_report = Item(Reason.LATE, title="Báo cáo Quý I", period="Quý I",
                       due=dt.date(2025, 3, 18), days_late=11, reply_by=dt.date(2025, 4, 10))
    msg = OutgoingMessage("k-rep", MessageKind.EXPLANATION_REQUEST, "email", S.STP,
                          S.AT.replace(month=4, day=2), (late_report,))
    parts = render_parts(msg)
    assert parts.subject == ("[Nhắc việc CCHC] Sở Tư pháp: đề nghị giải trình việc chậm thực "
                             "hiện: Báo cáo Quý I — 02/04/2025")
    assert "\n- Báo cáo Quý I\n  Hạn gửi: 18/03/2025; chậm 11 ngày làm việc." in parts.text
    # Worded for a report, not a task.
    assert ("báo cáo định kỳ dưới đây của quý cơ quan đã quá thời hạn gửi 11 ngày làm việc mà "
            "chưa ghi nhận đã gửi:") in parts.text
    assert "Trường hợp đã gửi báo cáo, đề nghị báo số, ký hiệu văn bản báo cáo" in parts.text
    assert "nhiệm vụ dưới đây" not in parts.text and "nhiệm vụ đã hoàn thành" not in parts.text
    assert ">Báo cáo</th>" in parts.html and ">Hạn gửi</th>" in parts.html
    assert "Báo cáo định kỳ dưới đây" not in plain(S.explanation_request())
    [tg] = render_message(dataclasses.replace(msg, channel="telegram"))
    assert "Báo cáo định kỳ sau đã quá hạn nhiều ngày mà chưa ghi nhận đã gửi:" in tg
    assert "• Báo cáo Quý I — hạn <b>18/03/2025</b>, trễ 11 ngày làm việc" in tg
    assert "[?]" not in parts.text


def test_explanation_request_says_how_to_report_without_the_desk() -> None:
    # No link to the agency's page (the desk not set up): the bots' command with the task's own
    # number, or a written report; a late report's request: its document's number, in writing.
    text = plain(S.explanation_request())
    assert ("Cách báo: trong nhóm Telegram hoặc Zalo đã liên kết với hệ thống, gửi /done MÃ [số "
            "văn bản] (ví dụ /done 4.5 123/BC-UBND); nếu chưa liên kết, gửi văn bản báo cáo kết "
            "quả cho Sở Nội vụ.") in text
    assert "<code>/done 4.5 123/BC-UBND</code>" in html(S.explanation_request())
    late_report = Item(Reason.LATE, title="Báo cáo Quý I", period="Quý I",
                       due=dt.date(2025, 3, 18), days_late=11, reply_by=dt.date(2025, 4, 10))
    report = render_parts(OutgoingMessage("k-rep", MessageKind.EXPLANATION_REQUEST, "email",
                                          S.STP, S.AT.replace(month=4, day=2), (late_report,)))
    assert "Cách báo: gửi số, ký hiệu văn bản báo cáo cho Sở Nội vụ." in report.text
    assert "/done" not in report.text and "/done" not in report.html
    # With the page's link, the page is the way; no second way beside it.
    linked = dataclasses.replace(S.explanation_request(), link="https://cchc.example.gov.vn/co-quan/t")
    parts = render_parts(linked)
    assert ("Báo kết quả hoặc giải trình trực tuyến tại trang riêng của quý cơ quan: "
            "https://cchc.example.gov.vn/co-quan/t") in parts.text
    assert "Cách báo" not in parts.text and "Cách báo" not in parts.html
    # In a chat: the chat's own command, with the task's number; none for a report alone.
    [tg] = render_message(dataclasses.replace(S.explanation_request(), channel="telegram"))
    assert "Nhiệm vụ đã hoàn thành: gửi /done MÃ [số văn bản] (ví dụ /done 4.5 123/BC-UBND)." in tg
    from notifiers.zalo.render import render_message as render_zalo

    [zl] = render_zalo(dataclasses.replace(S.explanation_request(), channel="zalo"))
    assert ("Nhiệm vụ đã hoàn thành: gửi /done MÃ [số văn bản] (ví dụ /done 4.5 123/BC-UBND), rồi "
            "trả lời CÓ để xác nhận.") in zl
    rep = OutgoingMessage("k-rep", MessageKind.EXPLANATION_REQUEST, "telegram", S.STP,
                          S.AT.replace(month=4, day=2), (late_report,))
    assert "/done" not in "".join(render_message(rep))


def test_explanation_request_without_reply_date() -> None:
    text = plain(S.explanation_request(reply_by=None))
    assert ("Thời hạn gửi: trong thời hạn 05 ngày làm việc kể từ ngày nhận được thư này") in text


# --- building -------------------------------------------------------------------------------
def test_built_message_headers_and_parts() -> None:
    msg = S.agency_digest()
    parts = render_parts(msg)
    built = build_email(msg, SENDER, parts)
    assert built["Subject"] == parts.subject
    assert built["From"].addresses[0].display_name == "Nhắc việc CCHC"
    assert built["From"].addresses[0].addr_spec == "nhacviec@example.org"
    assert [a.addr_spec for a in built["To"].addresses] == list(S.VP_UBND.emails)
    assert {a.display_name for a in built["To"].addresses} == {"Văn phòng UBND tỉnh"}
    assert built["Message-ID"] == message_id(msg.key, "example.org")
    assert parsedate_to_datetime(built["Date"]) == msg.at
    assert built.get_content_type() == "multipart/alternative"
    text = built.get_body(("plain",)).get_content()
    page = built.get_body(("html",)).get_content()
    # both parts arrive exactly as rendered (base64 of UTF-8, CRLF line ends on the wire)
    assert text.replace("\r\n", "\n") == parts.text
    assert page.replace("\r\n", "\n") == parts.html
    assert "Kính gửi: Văn phòng UBND tỉnh" in text and "Kính gửi:" in page
    assert "&lt;script&gt;" in page and "<script" not in page
    assert not built.defects and not any(p.defects for p in built.walk())


def test_wire_form_is_ascii_folded_and_rfc2047() -> None:
    msg = S.agency_digest()
    data = wire_bytes(msg, render_parts(msg), SENDER)
    assert data.isascii() and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 78
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    # every encoded word decodes on its own to whole characters (RFC 2047 section 5)
    words = re.findall(r"=\?utf-8\?b\?[^?]*\?=", head, flags=re.I)
    assert words
    for word in words:
        (raw, charset), = decode_header(word)
        raw.decode(charset)  # raises if a character was split across words
    assert "Auto-Submitted: auto-generated" in head
    assert data == wire_bytes(msg, render_parts(msg), SENDER)  # deterministic


def test_message_id_stable_per_key() -> None:
    assert message_id("a:1", "example.org") == message_id("a:1", "example.org")
    assert message_id("a:1", "example.org") != message_id("a:2", "example.org")
    assert re.fullmatch(r"<nv\.[0-9a-f]{32}@example\.org>", message_id("a:1", "example.org"))


def test_vietnamese_from_decomposed_input_arrives_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Cập nhật, công khai thủ tục hành chính")
    item = Item(Reason.REMINDER, code="9.9", title=nfd, due=dt.date(2025, 1, 24), days_left=5,
                role="lead")
    msg = OutgoingMessage("k-nfd", MessageKind.AGENCY_DIGEST, "email",
                          Recipient("x", unicodedata.normalize("NFD", "Sở Tư pháp"),
                                    ("a@x.example.org",)), S.AT, (item,))
    built = build_email(msg, SENDER)
    nfc = "Cập nhật, công khai thủ tục hành chính"
    for part in ("plain", "html"):
        content = built.get_body((part,)).get_content()
        assert nfc in content and unicodedata.is_normalized("NFC", content)
    assert built["Subject"] == "[Nhắc việc CCHC] Sở Tư pháp: 1 việc đến hạn — 17/01/2025"
    assert built["To"].addresses[0].display_name == "Sở Tư pháp"


def test_header_injection_through_a_name_is_impossible() -> None:
    evil = Recipient("x", "Sở A\r\nBcc: spy@evil.example.org", ("a@x.example.org",))
    msg = S.agency_digest(recipient=evil)
    built = build_email(msg, SENDER)
    assert built["Bcc"] is None
    assert built["To"].addresses[0].display_name == "Sở A Bcc: spy@evil.example.org"


def test_ascii_sender_name_with_specials_is_quoted() -> None:
    sender = Sender.parse('"CCHC, Tinh" <bot@cchc.example.org>')
    built = build_email(S.late_notice(), sender)
    assert built["From"].addresses[0].display_name == "CCHC, Tinh"
    assert built["Message-ID"].endswith("@cchc.example.org>")


@pytest.mark.parametrize("bad", ["", "no address", "a@b", "Tên <người gửi@example.org>"])
def test_bad_sender_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        Sender.parse(bad)


def test_parsed_back_with_stdlib_from_outbox_form() -> None:
    msg = S.steering_digest()
    data = wire_bytes(msg, render_parts(msg), SENDER)
    parsed = email.message_from_bytes(data, policy=policy.default)
    assert parsed["X-Nhacviec-Kind"] == "steering_digest"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]


def test_monitor_list_shows_tasks_without_a_lead_agency() -> None:
    from dataclasses import replace

    item = Item(Reason.NEEDS_LEAD, group="Cải cách thủ tục", code="4.1", title="Ban hành Kế hoạch",
                due=dt.date(2025, 3, 31))
    msg = replace(S.monitor_list(), items=(item,))
    text, page = plain(msg), squash(html(msg))
    assert "NHIỆM VỤ CHƯA CÓ CƠ QUAN CHỦ TRÌ (1)" in text
    assert "- [Cải cách thủ tục/4.1] Ban hành Kế hoạch\n  Hạn: 31/03/2025" in text
    assert "Nhiệm vụ chưa có cơ quan chủ trì" in page and "31/03/2025" in page
    assert "Không có nhiệm vụ nào cần theo dõi" not in text
    assert "1 việc chưa có cơ quan chủ trì" in render_parts(msg).subject
