"""Inbound mail: every corpus message against its hand-written expectation, then each rule alone.

The corpus (tests/data/mail, written by make_corpus.py) is the contract with
the handler that will open cases from mail; the focused tests below pin the
rules one by one so that a failure names the rule, not just the file.
"""

from __future__ import annotations

import importlib.util
import json
import random
from datetime import datetime
from pathlib import Path

import pytest

from chalicelib.domain.inbound_mail import (
    AutomaticMail,
    InboundMail,
    MailRefused,
    MailTooLarge,
    MalformedMail,
    case_number_in,
    parse_mail,
    strip_quoted,
)

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
FILES = sorted(p.name for p in CORPUS.glob("*.eml"))
OWN = frozenset({"destek@magaza.example"})


def read(name: str) -> InboundMail:
    return parse_mail((CORPUS / name).read_bytes(), own_addresses=OWN)


def opens(mail: InboundMail) -> str:
    """What the handler will do, so that expected.json's "opens" cannot drift from the rules."""
    if mail.automatic:
        return "nothing"
    if mail.case_number or mail.replied_ids:
        return "reply"
    return "pre_case"


def test_the_corpus_is_big_enough():
    assert len(FILES) >= 30


def test_every_file_has_an_expectation_and_every_expectation_a_file():
    assert sorted(EXPECTED) == FILES
    assert all(EXPECTED[name].get("about") and EXPECTED[name].get("opens") for name in FILES)


@pytest.mark.parametrize("name", FILES)
def test_corpus_message(name):
    expected = EXPECTED[name]
    raw = (CORPUS / name).read_bytes()
    if expected.get("refused") == "malformed":
        with pytest.raises(MalformedMail) as refused:
            parse_mail(raw, own_addresses=OWN)
        assert refused.value.reason
        assert expected["opens"] == "refused"
        return

    mail = parse_mail(raw, own_addresses=OWN)
    assert opens(mail) == expected["opens"]
    keys = ("from_address", "from_name", "subject", "case_number", "message_id", "to",
            "sender_problem")  # fmt: skip
    for key in keys:
        if key in expected:
            assert getattr(mail, key) == expected[key], key
    if "automatic" in expected:
        assert mail.automatic == (expected["automatic"] and AutomaticMail(expected["automatic"]))
    if "replied_ids" in expected:
        assert mail.replied_ids == expected["replied_ids"]
    if "sent_at" in expected:
        wanted = expected["sent_at"] and datetime.fromisoformat(expected["sent_at"])
        assert mail.sent_at == wanted
        assert mail.sent_at is None or mail.sent_at.utcoffset().total_seconds() == 0
    if "has_html" in expected:
        assert (mail.html is not None) == expected["has_html"]
    if "attachments" in expected:
        got = [[p.filename, p.content_type, p.inline] for p in mail.attachments]
        assert got == expected["attachments"]
        assert all(p.content for p in mail.attachments)
    for fragment in expected.get("text_contains", []):
        assert fragment in mail.text, fragment
    for fragment in expected.get("text_excludes", []):
        assert fragment not in mail.text, fragment
    for fragment in expected.get("reply_text_excludes", []):
        assert fragment in mail.text, f"{fragment!r} must be in the text before it can be cut"
        assert fragment not in mail.reply_text, fragment
    for fragment in expected.get("html_excludes", []):
        assert fragment not in (mail.html or ""), fragment
    assert "\ufffd" not in mail.text + mail.subject + mail.from_name
    assert mail.reply_text or not mail.text


def test_a_forwarded_message_is_kept_whole_as_eml():
    (part,) = read("15-iletilen-mesaj.eml").attachments
    inner = parse_mail(part.content)
    assert inner.subject == "Siparişiniz alındı: 55087"
    assert "Atatürk Cad. 10, İzmir" in inner.text


def test_inline_images_keep_their_content_id_and_the_html_can_still_point_at_them():
    mail = read("11-gomulu-resim-gmail.eml")
    (image,) = mail.attachments
    assert image.content_id == "ii_lx1a2b3c0"
    assert image.content.startswith(b"\x89PNG")
    assert 'src="cid:ii_lx1a2b3c0"' in mail.html


def test_html_only_mail_becomes_readable_lines():
    mail = read("09-html-yalniz.eml")
    assert mail.text.splitlines()[0] == "Merhaba,"
    assert "ödeme sayfasında hata alıyorum.\nHata kodu: PAY-502" in mail.text
    assert "Saygılar,\nBurak Çelik" in mail.text


def test_an_html_only_reply_loses_its_blockquote():
    html = (
        "<div>Tamam, teşekkürler.</div><div class=gmail_quote>3 Haz 2026 Çar, 10:15 tarihinde "
        "Mağaza Destek şunu yazdı:<blockquote>Kargonuz yolda.</blockquote></div>"
    )
    raw = (
        "From: a@example.com\nSubject: Re: x\nContent-Type: text/html; charset=utf-8\n"
        f"Content-Transfer-Encoding: 8bit\n\n{html}\n"
    ).encode()
    mail = parse_mail(raw)
    assert "> Kargonuz yolda." in mail.text
    assert mail.reply_text == "Tamam, teşekkürler."


# -- case numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("Re: Talebiniz alındı: 2026-000123", "2026-000123"),
        ("YNT: [#2026-000042] Kargo gecikmesi", "2026-000042"),
        ("Soru #2026-000777 hakkında", "2026-000777"),
        ("2026-000001", "2026-000001"),
        ("Re: 2026-000005 ve 2026-000006", "2026-000005"),
        ("Sipariş 55012", None),
        ("Kod 12026-0001234", None),
        ("Kod 2026-0001234", None),
        ("Telefon 2026-12345", None),
        ("", None),
    ],
)
def test_case_number_in(subject, number):
    assert case_number_in(subject) == number


# -- quoted history ----------------------------------------------------------------


@pytest.mark.parametrize(
    "quote",
    [
        "> Merhaba, adresinizi teyit eder misiniz?\n> Mağaza Destek",
        "On Tue, 2 Jun 2026 at 09:12, Magaza Support <destek@magaza.example> wrote:\n> Hello",
        "On Tue, 2 Jun 2026 at 09:12, Magaza Support <destek@magaza.example>\nwrote:\n\n> Hello",
        "3 Haz 2026 Çar, 10:15 tarihinde Mağaza Destek <destek@magaza.example> şunu yazdı:\n> x",
        "3 Haz 2026 Çar, 10:15 tarihinde Mağaza Destek <destek@magaza.example>\nşunu yazdı:\n",
        "-----Original Message-----\nFrom: Magaza\nSent: Monday",
        "-----Özgün İleti-----\nKimden: Mağaza Destek",
        "-----Orijinal Mesaj-----\nKimden: Mağaza Destek",
        "Kimden: Mağaza Destek\nGönderildi: 3 Haziran 2026\nKime: Nihat\nKonu: Kargo",
        "From: Magaza Support\nTo: John\nSubject: Charger\nDate: 2 June 2026",
        "Kimden: Mağaza Destek\nKime: Nihat\nTarih: 3 Haziran 2026",
        "________________________________\nMağaza Destek adına gönderildi",
        "-- \nNihat Doğan\n+90 212 555 01 23",
    ],
)
def test_strip_quoted_cuts_each_quote_style(quote):
    text = f"Kargom hâlâ gelmedi.\nLütfen bakar mısınız?\n\n{quote}\n\n"
    assert strip_quoted(text) == "Kargom hâlâ gelmedi.\nLütfen bakar mısınız?"


def test_strip_quoted_keeps_lines_that_only_look_like_quotes():
    text = "Kimden: aldığınızı söyleyin.\nFaturayı kim kesti?\n--\nAyşe"
    assert strip_quoted(text) == text


def test_strip_quoted_falls_back_to_the_whole_text_when_all_of_it_is_quoted():
    assert strip_quoted("> sadece alıntı\n> var\n\n") == "> sadece alıntı\n> var"


def test_strip_quoted_drops_trailing_blank_lines_and_handles_crlf():
    assert strip_quoted("Tamam.\r\n\r\n> eski\r\n") == "Tamam."


# -- refusals ---------------------------------------------------------------------


def test_too_large_is_refused_before_parsing():
    raw = (CORPUS / "01-duz-utf8.eml").read_bytes()
    with pytest.raises(MailTooLarge) as refused:
        parse_mail(raw, max_bytes=100)
    assert "100" in refused.value.reason
    assert isinstance(refused.value, MailRefused)
    assert parse_mail(raw, max_bytes=len(raw)).from_address == "ayse.kaya@example.com"


def test_too_large_wins_over_malformed():
    with pytest.raises(MailTooLarge):
        parse_mail(b"\x00" * 50, max_bytes=10)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \r\n\r\n",
        b"\x00\xff\xfe",
        b"Merhaba\n\nnasilsiniz",
        b"From: <>\n\n",
        b"To: a@example.com\n\n",
    ],
)
def test_malformed(raw):
    with pytest.raises(MalformedMail):
        parse_mail(raw)


def test_never_raises_anything_but_a_refusal_on_damaged_or_random_input():
    rng = random.Random(2026)
    samples: list[bytes] = []
    for name in FILES:
        raw = (CORPUS / name).read_bytes()
        samples += [raw[:cut] for cut in range(0, len(raw), max(1, len(raw) // 12))]
        mutated = bytearray(raw)
        for _ in range(20):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        samples.append(bytes(mutated))
    samples += [rng.randbytes(rng.randrange(1, 400)) for _ in range(200)]
    samples += [b"From: a@example.com\n" + rng.randbytes(200) for _ in range(100)]
    samples += [
        b"From: =?utf-8?B?////?= <a@example.com>\nSubject: =?x-nope?Q?=FF?=\n\nx",
        b"From: a@example.com\nContent-Type: multipart/mixed; boundary=\n\n--\n--",
        b'From: a@example.com\nContent-Type: text/plain; charset="\xff\xfe"\n\n\xff',
        b"From: a@example.com\nContent-Type: message/rfc822\n\n",
        b"From: a@example.com\nDate: Mon, 99 Foo 99999 99:99:99 +9999\nReferences: <<>>\n\nx",
    ]
    for sample in samples:
        try:
            mail = parse_mail(sample, own_addresses=OWN)
        except MailRefused as refused:
            assert refused.reason
        else:
            assert ("@" in mail.from_address) != bool(mail.sender_problem)


# -- attachments and HTML ---------------------------------------------------------


def _with_attachment(filename_header: str) -> bytes:
    return (
        "From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
        "Content-Type: text/plain\n\nek\n--b\n"
        f"Content-Type: application/pdf\nContent-Disposition: attachment; {filename_header}\n"
        "Content-Transfer-Encoding: base64\n\nJVBERi0=\n--b--\n"
    ).encode()


@pytest.mark.parametrize(
    ("header", "filename"),
    [
        ('filename="../../etc/passwd"', "passwd"),
        ('filename="..\\\\..\\\\windows\\\\win.ini"', "win.ini"),
        ('filename=".htaccess"', "htaccess"),
        ('filename="fatura\x01\x7f.pdf"', "fatura.pdf"),
        ('filename=".."', "ek-1.pdf"),
        ("filename*=utf-8''..%2F..%2F%C4%B0ade.pdf", "İade.pdf"),
        (f'filename="{"a" * 300}.pdf"', "a" * 196 + ".pdf"),
    ],
)
def test_filenames_are_only_names(header, filename):
    (part,) = parse_mail(_with_attachment(header)).attachments
    assert part.filename == filename
    assert part.content == b"%PDF-"


def test_html_is_sanitized_but_keeps_safe_markup():
    html = (
        '<p onclick="x()" style="color:red">Merhaba <b>kalın</b>'
        '<a href="javascript:alert(1)">tıkla</a><a href="https://magaza.example/s">site</a>'
        "<iframe src=https://example.org></iframe><script>alert(2)</script>"
        '<img src="cid:logo" onerror="alert(3)"></p>'
    )
    raw = f"From: a@example.com\nContent-Type: text/html; charset=utf-8\n\n{html}".encode()
    mail = parse_mail(raw)
    for bad in ("onclick", "javascript:", "<script", "alert", "<iframe", "onerror"):
        assert bad not in mail.html
    assert "<b>kalın</b>" in mail.html
    assert 'href="https://magaza.example/s"' in mail.html
    assert 'src="cid:logo"' in mail.html
    assert mail.text == "Merhaba kalıntıklasite"


def test_a_mail_without_html_has_none():
    assert read("01-duz-utf8.eml").html is None


def test_the_committed_corpus_is_what_make_corpus_writes():
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    for name, _, data, expectation in generator.CORPUS:
        assert (CORPUS / name).read_bytes() == data, name
        assert EXPECTED[name] == expectation, name
