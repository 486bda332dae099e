"""Issue 11 at the parser: each kind of fault the inputs in tests/data/mail_cases show,
pinned by the input itself and by other members of its kind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chalicelib.domain.attachments import identify_file
from chalicelib.domain.charsets import decode_bytes, decode_header_value
from chalicelib.domain.inbound_mail import AutomaticMail, MalformedMail, parse_mail
from chalicelib.domain.mail_auth import (
    MailAuth,
    from_header,
    from_notification,
    unverified_reason,
)
from chalicelib.domain.mail_headers import parse_sender

CASES = Path(__file__).resolve().parents[1] / "data" / "mail_cases"
CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"
OWN = frozenset({"destek@magaza.example"})
C1 = re.compile("[\x80-\x9f]")


def case(name: str):
    (path,) = CASES.glob(f"{name}*.eml")
    return parse_mail(path.read_bytes(), own_addresses=OWN)


def message(headers: str, body: str = "Merhaba", charset: str = "utf-8") -> bytes:
    head = headers.strip("\n") + f"\nContent-Type: text/plain; charset={charset}\n\n"
    return head.encode("utf-8", errors="surrogateescape") + body.encode(charset)


# -- 10. lenient From ------------------------------------------------------------------


def test_c04_an_address_ending_in_a_dot_is_read():
    mail = case("C04")
    assert (mail.from_address, mail.from_name) == ("ayse.demir@example.com", "Ayşe.Demir")
    assert mail.sender_problem is None


def test_c05_a_header_folded_without_a_space_does_not_end_the_header_block():
    mail = case("C05")
    assert mail.from_address == "oguz.bal@example.org"
    assert mail.subject == "Garanti başvurusu"
    assert mail.text == "Buzdolabım çalışmıyor, garanti kapsamında mı?"


@pytest.mark.parametrize(
    ("header", "address", "name"),
    [
        ("Ahmet Yılmaz <ahmet@example.com>", "ahmet@example.com", "Ahmet Yılmaz"),
        ("Ahmet Yılmaz ahmet@example.com", "ahmet@example.com", "Ahmet Yılmaz"),
        ("Ahmet <ahmet@example.com", "ahmet@example.com", "Ahmet"),
        ("<AHMET@Example.COM.>", "ahmet@example.com", ""),
        ("ahmet@example.com (Ahmet Yılmaz)", "ahmet@example.com", "Ahmet Yılmaz"),
        ('"Yılmaz, Ahmet" <ahmet@example.com>', "ahmet@example.com", "Yılmaz, Ahmet"),
        ('"Ahmet <a@b.example>" <ahmet@example.com>', "ahmet@example.com", ""),
        (
            "=?utf-8?B?QWhtZXQgWcSxbG1heg==?= <ahmet@example.com>",
            "ahmet@example.com",
            "Ahmet Yılmaz",
        ),  # fmt: skip
        ("Ahmet", "", ""),
        ("<>", "", ""),
        ("ahmet@", "", ""),
    ],
)
def test_senders_as_real_mail_systems_read_them(header, address, name):
    sender = parse_sender(header)
    assert (sender.address, sender.name) == (address, name)


def test_a_display_name_that_looks_like_an_address_never_becomes_the_sender():
    raw = message("From: ahmet@example.com <someone@else.example>\nSubject: x")
    mail = parse_mail(raw)
    assert mail.from_address == "someone@else.example"
    assert mail.from_name == "" and mail.name_was_address


@pytest.mark.parametrize(
    "first_line",
    [b"From someone@example.com Mon Nov 30 10:00:00 2026", b"X-Gateway banner without colon"],
)
def test_a_first_line_that_is_not_a_header_is_skipped(first_line):
    raw = first_line + b"\n" + message("From: a@example.com\nSubject: Kargo")
    mail = parse_mail(raw)
    assert (mail.from_address, mail.subject) == ("a@example.com", "Kargo")


def test_no_usable_sender_is_kept_for_the_pool_not_refused():
    mail = parse_mail(message("From: Ahmet\nSubject: Kargo", "Kargom nerede?"))
    assert (mail.from_address, mail.sender_problem, mail.text) == (
        "",
        "no_address",
        "Kargom nerede?",
    )
    mail = parse_mail(message("Subject: Kargo", "Kargom nerede?"))
    assert mail.sender_problem == "no_from"
    with pytest.raises(MalformedMail):
        parse_mail(b"To: a@example.com\n\n")


# -- 1. sender authenticity ------------------------------------------------------------


def test_c06_ses_verdicts_say_the_sender_is_forged():
    mail = case("C06")
    assert mail.auth == MailAuth(spf="fail", dkim="none", dmarc="fail")
    assert unverified_reason(mail.auth) == "dmarc_fail"


@pytest.mark.parametrize(
    ("results", "reason"),
    [
        ("amazonses.com; spf=pass; dkim=pass; dmarc=pass", None),
        ("amazonses.com; spf=fail; dkim=pass; dmarc=pass", None),
        ("amazonses.com; spf=pass; dkim=fail; dmarc=fail", "dmarc_fail"),
        ("amazonses.com; spf=fail; dkim=none; dmarc=none", "spf_and_dkim_fail"),
        ("amazonses.com; spf=softfail; dkim=fail; dmarc=none", "spf_and_dkim_fail"),
        ("amazonses.com; spf=fail; dkim=fail; dkim=pass; dmarc=none", None),
        ("amazonses.com; spf=neutral; dkim=none; dmarc=none", None),
        ("amazonses.com 1; spf=fail; dkim=fail", "spf_and_dkim_fail"),
        ("mx.evil.example; spf=fail; dkim=fail; dmarc=fail", None),
        ("", None),
    ],
)
def test_unverified_is_dmarc_fail_or_without_a_policy_spf_and_dkim_both_failing(results, reason):
    assert unverified_reason(from_header(results)) == reason


def test_only_the_first_authentication_results_counts_the_one_ses_added_on_top():
    raw = message(
        "Authentication-Results: amazonses.com; spf=fail; dkim=none; dmarc=fail\n"
        "From: Ahmet <ahmet@example.com>\n"
        "Authentication-Results: amazonses.com; spf=pass; dkim=pass; dmarc=pass"
    )
    assert unverified_reason(parse_mail(raw).auth) == "dmarc_fail"


def test_the_receipt_notification_verdicts():
    receipt = {"spfVerdict": {"status": "FAIL"}, "dkimVerdict": {"status": "GRAY"},
               "dmarcVerdict": {"status": "GRAY"}, "dmarcPolicy": "none"}  # fmt: skip
    auth = from_notification(receipt)
    assert (auth.spf, auth.dmarc, auth.source) == ("fail", "none", "notification")
    assert unverified_reason(auth) == "spf_and_dkim_fail"
    assert unverified_reason(from_notification({"dmarcVerdict": {"status": "FAIL"}})) == (
        "dmarc_fail"
    )


# -- 4. auto-replies -------------------------------------------------------------------


def test_t03c_and_t03f_are_automatic():
    assert case("T03c").automatic == AutomaticMail.auto_reply
    assert case("T03f").automatic == AutomaticMail.auto_reply


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-replied",
        "Auto-Submitted: auto-generated; type=vacation",
        "X-Autoreply: yes",
        "X-Autorespond: vacation",
        "X-Autoresponder: 1",
        "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent",
        "X-MS-Exchange-Inbox-Rules-Loop: ahmet@example.com",
        "X-Auto-Response-Suppress: OOF, AutoReply",
        "Precedence: auto_reply",
    ],
)
def test_each_auto_reply_header_alone(header):
    raw = message(f"From: ahmet@example.com\nSubject: Siparisim\n{header}", "Kargom gelmedi.")
    assert parse_mail(raw).automatic == AutomaticMail.auto_reply


@pytest.mark.parametrize(
    "subject",
    ["Otomatik yanıt: Talebiniz", "OTOMATİK CEVAP: x", "YNT: Otomatik Yanıt", "Ofis Dışında: x",
     "İzindeyim", "Izindeyim - 15 Aralik", "Out of Office: x", "Automatic reply: x",
     "Auto-Reply: x", "AW: Autoreply"],
)  # fmt: skip
def test_out_of_office_subjects_in_turkish_and_english(subject):
    raw = message(f"From: ahmet@example.com\nSubject: {subject}", "Merhaba")
    assert parse_mail(raw).automatic == AutomaticMail.auto_reply


def test_out_of_office_first_lines_need_a_reply_to_us_unless_only_a_machine_writes_them():
    away = "15 Aralık'a kadar ofiste değilim.\nKargoyu komşuya bırakabilirsiniz."
    new = message("From: ahmet@example.com\nSubject: Kargo", away)
    reply = message("From: ahmet@example.com\nSubject: Re: Kargo\nIn-Reply-To: <n-1@x>", away)
    assert parse_mail(new).automatic is None  # a customer may write just that
    assert parse_mail(reply).automatic == AutomaticMail.auto_reply
    machine = message("From: ahmet@example.com\nSubject: Kargo", "Bu bir otomatik yanıttır.")
    assert parse_mail(machine).automatic == AutomaticMail.auto_reply


def test_no_customer_mail_in_the_corpus_reads_as_automatic():
    import json

    expected = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
    for name, wanted in expected.items():
        if wanted["opens"] in ("pre_case", "reply"):
            assert parse_mail((CORPUS / name).read_bytes(), own_addresses=OWN).automatic is None


# -- 5. bounces ------------------------------------------------------------------------


def test_t05_the_bounce_names_our_message_and_the_failed_recipient():
    mail = case("T05")
    assert mail.automatic == AutomaticMail.bounce
    report = mail.bounce
    assert report.original_ids == [
        "bjhwrfszynpewnxc-ehfzryem-dyci-thal-zxll-pwbwdzfdyzuj-uumlxs@email.amazonses.com"
    ]
    assert [(r.address, r.status) for r in report.recipients] == [("ahmet@example.com", "5.2.2")]
    assert report.permanent and report.reason().startswith("5.2.2")


def test_a_delayed_delivery_report_is_not_a_failure():
    raw = (
        b"From: MAILER-DAEMON@mx.example.net\nSubject: Delayed\nContent-Type: multipart/report;"
        b" report-type=delivery-status; boundary=B\n\n--B\nContent-Type: text/plain\n\nlater\n"
        b"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
        b"Final-Recipient: rfc822; a@example.com\nAction: delayed\nStatus: 4.4.1\n--B--\n"
    )
    report = parse_mail(raw).bounce
    assert [r.address for r in report.recipients] == ["a@example.com"]
    assert not report.permanent


def test_a_plain_text_bounce_finds_the_message_id_in_its_text():
    raw = message(
        "From: postmaster@example.org\nSubject: Undeliverable",
        "Could not deliver.\n\nMessage-ID: <0100abc@email.amazonses.com>\nTo: a@example.com\n",
    )
    assert parse_mail(raw).bounce.original_ids == ["0100abc@email.amazonses.com"]


# -- 8. charsets -----------------------------------------------------------------------


def test_t08_a_latin1_label_on_windows_1254_words():
    mail = case("T08")
    assert mail.subject == "Şikayet: İade ücreti ödenmedi, ğüşıöç"
    assert mail.from_name == "Şule Çalık"


@pytest.mark.parametrize(
    ("label", "text", "written_in"),
    [
        ("iso-8859-9", "“İade” – 100 €", "cp1254"),
        ("iso-8859-1", "“Café” – 100 €", "cp1252"),
        ("us-ascii", "“Café” – 100 €", "cp1252"),
        ("gb2312", "订单问题 — 镕", "gbk"),
    ],
)
def test_a_subset_label_is_read_as_its_superset(label, text, written_in):
    payload = text.encode(written_in)
    decoded = decode_bytes(payload, label)
    assert decoded == text
    assert not C1.search(decoded)
    raw = message(f"From: a@example.com\nSubject: =?{label}?B?{_b64(payload)}?=", text,
                  written_in)  # fmt: skip
    raw = raw.replace(f"charset={written_in}".encode(), f"charset={label}".encode())
    mail = parse_mail(raw)
    assert (mail.subject, mail.text) == (text, text)


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def test_raw_8bit_headers_and_file_names_are_detected_from_the_message_not_assumed():
    russian = "Заказ не пришёл"
    body = "Здравствуйте, мой заказ не пришёл уже две недели, помогите пожалуйста."
    raw = (
        b"From: a@example.com\nSubject: " + russian.encode("cp1251") + b"\n"
        b"Content-Type: multipart/mixed; boundary=B\n\n--B\n"
        b"Content-Type: text/plain; charset=windows-1251\nContent-Transfer-Encoding: 8bit\n\n"
        + body.encode("cp1251")
        + b'\n--B\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="'
        + "чек.pdf".encode("cp1251")
        + b'"\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--B--\n'
    )
    mail = parse_mail(raw)
    assert mail.subject == russian
    assert [a.filename for a in mail.attachments] == ["чек.pdf"]
    unlabelled = raw.replace(b"; charset=windows-1251", b"")
    assert parse_mail(unlabelled).text == body  # charset-normalizer, on text long enough


def test_no_stored_text_holds_c1_controls():
    assert decode_header_value("=?iso-8859-9?Q?a=85b=81c?=") == "a…bc"
    assert decode_bytes(b"a\x81b", "windows-1254") == "ab"
    for path in [*CORPUS.glob("*.eml"), *CASES.glob("*.eml")]:
        try:
            mail = parse_mail(path.read_bytes(), own_addresses=OWN)
        except MalformedMail:
            continue
        stored = [mail.subject, mail.from_name, mail.text, mail.html or ""]
        stored += [a.filename for a in mail.attachments]
        assert not any(C1.search(t) for t in stored), path.name


# -- 9. files by content ---------------------------------------------------------------


def test_c02_files_are_known_by_their_bytes_not_their_labels():
    verdicts = [
        identify_file(p.filename, p.content_type, p.content) for p in case("C02").attachments
    ]
    assert [(v.filename, v.content_type, v.refused) for v in verdicts] == [
        ("IMG_0412.jpg", "image/jpeg", None),
        ("kutu.jpg", "image/jpeg", None),
        ("fatura.pdf", "application/pdf", None),
    ]


@pytest.mark.parametrize(
    ("name", "label", "content", "expected"),
    [
        ("ek-1.bin", "application/octet-stream", b"%PDF-1.4\n",
         ("ek-1.pdf", "application/pdf", None)),
        ("scan", "application/octet-stream", b"\xff\xd8\xff\xe0" + b"0" * 20,
         ("scan.jpg", "image/jpeg", None)),
        ("foto.png", "image/png", b"<html>not a picture",
         ("foto.png", "image/png", "content_mismatch")),
        ("foto.png", "image/png", b"MZ" + b"\x00" * 58 + b"PE\x00\x00",
         ("foto.png", "application/x-msdownload", "type_not_allowed")),
        ("not.txt", "text/plain", b"Merhaba", ("not.txt", "text/plain", None)),
        ("Siparis onayi.eml", "message/rfc822", b"From: a@example.com\nSubject: x\n\nx",
         ("Siparis onayi.eml", "message/rfc822", None)),
        ("ileti", "message/rfc822", b"\x00\x01 not a message",
         ("ileti", "message/rfc822", "type_not_allowed")),
        ("fatura.docx", "application/octet-stream", b"PK\x03\x04" + b"\x00" * 30,
         ("fatura.docx", "application/zip", "type_not_allowed")),
    ],
)  # fmt: skip
def test_identify_file(name, label, content, expected):
    verdict = identify_file(name, label, content)
    assert (verdict.filename, verdict.content_type, verdict.refused) == expected
