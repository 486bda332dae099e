"""Writes the inbound-mail corpus: the .eml files, expected.json and README.md.

Every message is written here by hand, as a mail client would send it, and
encoded for real (base64, quoted-printable, RFC 2047 words, RFC 2231
parameters), so the parser is tested on bytes rather than on strings that only
look like mail. The expectations next to each message are written by hand too,
never read back from the parser. Run from the repository root:

    python tests/data/mail/make_corpus.py

The output is deterministic: fixed dates, boundaries and "random" bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import quopri
import struct
import zlib
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
SHOP = "destek@magaza.example"
SES = "email.amazonses.com"


# -- encoders --------------------------------------------------------------------


def b64(data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    return "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


def qp(text: str, charset: str) -> str:
    return quopri.encodestring(text.encode(charset)).decode("ascii")


def word_b(text: str, charset: str = "utf-8") -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def word_q(text: str, charset: str = "utf-8", limit: int = 40) -> str:
    """RFC 2047 Q words, split between characters and folded, as Thunderbird does."""
    words, current = [], ""
    for ch in text:
        piece = "".join(
            chr(b) if chr(b).isalnum() and b < 128 else "_" if b == 32 else f"={b:02X}"
            for b in ch.encode(charset)
        )
        if len(current) + len(piece) > limit:
            words.append(current)
            current = ""
        current += piece
    words.append(current)
    return "\n ".join(f"=?{charset}?Q?{w}?=" for w in words)


def rfc2231(name: str, pieces: int = 1) -> str:
    """filename*=utf-8''..., optionally in numbered continuations."""
    encoded = quote(name.encode("utf-8"), safe="")
    if pieces == 1:
        return f"filename*=utf-8''{encoded}"
    size = -(-len(encoded) // pieces)
    chunks = [encoded[i : i + size] for i in range(0, len(encoded), size)]
    # a split must not cut a %XX escape in two
    for i in range(len(chunks) - 1):
        while "%" in chunks[i][-2:]:
            chunks[i], chunks[i + 1] = chunks[i][:-1], chunks[i][-1] + chunks[i + 1]
    first = f"filename*0*=utf-8''{chunks[0]}"
    rest = [f"filename*{i}*={c}" for i, c in enumerate(chunks[1:], start=1)]
    return ";\n ".join([first, *rest])


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xe3\x06\x13\xe3\x06\x13\x00\xff\xff\xff\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg(seed: str) -> bytes:
    noise = hashlib.sha256(seed.encode()).digest() * 8
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + noise
        + b"\xff\xd9"
    )


def pdf(title: str) -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"% " + title.encode("utf-8") + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def garbage(seed: str, size: int) -> bytes:
    out = b""
    while len(out) < size:
        out += hashlib.sha512((seed + str(len(out))).encode()).digest()
    return b"\x00\x8b" + out[: size - 2]


# -- the corpus ------------------------------------------------------------------

CORPUS: list[tuple[str, str, bytes, dict]] = []


def mail(name: str, about: str, raw: str | bytes, **expected) -> None:
    data = raw.encode("ascii") if isinstance(raw, str) else raw
    if "refused" in expected:
        opens = "refused"
    elif expected.get("automatic"):
        opens = "nothing"
    elif expected.get("case_number") or expected.get("replied_ids"):
        opens = "reply"
    else:
        opens = "pre_case"
    CORPUS.append((name, about, data, {"about": about, "opens": opens, **expected}))


def headers(**fields: str) -> str:
    """Header lines in the order given; `Message_ID` style names become `Message-ID`."""
    names = {"Message_ID": "Message-ID", "MIME_Version": "MIME-Version"}
    lines = []
    for key, value in fields.items():
        name = names.get(key, key.replace("_", "-"))
        lines.append(f"{name}: {value}")
    return "\n".join(lines) + "\n"


BASIC = {"MIME_Version": "1.0"}

mail(
    "01-duz-utf8.eml",
    "Plain UTF-8 text with raw UTF-8 headers (RFC 6532), a new question",
    (
        "Return-Path: <ayse.kaya@example.com>\n"
        "From: Ayşe Kaya <ayse.kaya@example.com>\n"
        f"To: {SHOP}\n"
        "Subject: Siparişim hâlâ gelmedi\n"
        "Date: Tue, 02 Jun 2026 10:15:00 +0300\n"
        "Message-ID: <CAK7x1a2b3c4d5e6f7g8@mail.example.com>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="UTF-8"\n'
        "Content-Transfer-Encoding: 8bit\n"
        "\n"
        "Merhaba,\n\n"
        "12 Mayıs'ta verdiğim 55012 numaralı siparişim hâlâ gelmedi. Kargo takip\n"
        "numarası da çalışmıyor. Yardımcı olabilir misiniz?\n\n"
        "Teşekkürler,\nAyşe Kaya\n"
    ).encode(),
    from_address="ayse.kaya@example.com",
    from_name="Ayşe Kaya",
    to=[SHOP],
    subject="Siparişim hâlâ gelmedi",
    sent_at="2026-06-02T07:15:00+00:00",
    message_id="CAK7x1a2b3c4d5e6f7g8@mail.example.com",
    automatic=None,
    case_number=None,
    replied_ids=[],
    has_html=False,
    attachments=[],
    text_contains=["verdiğim", "çalışmıyor", "Teşekkürler", "Ayşe"],
)

mail(
    "02-iso-8859-9-qp.eml",
    "ISO-8859-9 quoted-printable body, Q-encoded ISO-8859-9 subject and name",
    headers(
        From=f"{word_q('Mehmet Öztürk', 'iso-8859-9')} <mehmet.ozturk@example.org>",
        To=f"Magaza Destek <{SHOP}>",
        Subject=word_q("Ürün değişimi hakkında", "iso-8859-9"),
        Date="Wed, 03 Jun 2026 08:02:11 +0300",
        Message_ID="<20260603080211.4F2A1@mail.example.org>",
        **BASIC,
        Content_Type='text/plain; charset="ISO-8859-9"',
        Content_Transfer_Encoding="quoted-printable",
    )
    + "\n"
    + qp(
        "Merhaba,\n\nAldığım ayakkabı küçük geldi, bir büyük numarasıyla değiştirmek\n"
        "istiyorum. İade kargo kodunu gönderebilir misiniz?\n\nİyi çalışmalar\nMehmet Öztürk\n",
        "iso-8859-9",
    ),
    from_address="mehmet.ozturk@example.org",
    from_name="Mehmet Öztürk",
    subject="Ürün değişimi hakkında",
    automatic=None,
    case_number=None,
    has_html=False,
    attachments=[],
    text_contains=["Aldığım", "değiştirmek", "İade", "İyi çalışmalar"],
)

mail(
    "03-windows-1254-base64.eml",
    "Outlook: windows-1254 base64 body, B-encoded UTF-8 subject, B-encoded windows-1254 name",
    headers(
        From=f"{word_b('Gülşen Yıldırım', 'windows-1254')} <gulsen@example.com>",
        To=SHOP,
        Subject=word_b("Faturamda yanlış adres var"),
        Date="Wed, 3 Jun 2026 11:40:27 +0300",
        Message_ID="<AM0PR01MB1234ABCD5678EF@AM0PR01MB1234.eurprd01.prod.example.com>",
        X_Mailer="Microsoft Outlook 16.0",
        **BASIC,
        Content_Type='text/plain; charset="windows-1254"',
        Content_Transfer_Encoding="base64",
    )
    + "\n"
    + b64(
        "Merhaba,\r\n\r\nŞirket adına kestiğiniz faturada vergi dairesi ve adres yanlış "
        "yazılmış. Doğru bilgiler:\r\nGüneş Tekstil Ltd. Şti., Kadıköy V.D.\r\n\r\n"
        "Saygılarımla,\r\nGülşen Yıldırım\r\n".encode("windows-1254")
    )
    + "\n",
    from_address="gulsen@example.com",
    from_name="Gülşen Yıldırım",
    subject="Faturamda yanlış adres var",
    automatic=None,
    case_number=None,
    has_html=False,
    text_contains=["Şirket", "yanlış", "Güneş Tekstil Ltd. Şti.", "Kadıköy"],
)

mail(
    "04-8bit-charset-yok.eml",
    "Old webmail: windows-1254 8-bit body with no charset, raw windows-1254 subject",
    (
        "From: kemal.arslan@example.net\n"
        f"To: {SHOP}\n"
        "Subject: Kargo yanlış şubede\n"
        "Date: Thu, 4 Jun 2026 16:20:00 +0300\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n"
        "Kargom yanlış adrese gitmiş, ŞİŞLİ şubesinde bekliyormuş.\n"
        "Ürünü oradan almam mümkün mü? Teşekkür ederim.\n"
    ).encode("windows-1254"),
    from_address="kemal.arslan@example.net",
    from_name="",
    subject="Kargo yanlış şubede",
    automatic=None,
    has_html=False,
    text_contains=["yanlış", "ŞİŞLİ", "Ürünü", "mümkün"],
)

mail(
    "05-ascii-etiketli-utf8.eml",
    "Declared us-ascii, body actually 8-bit UTF-8",
    (
        "From: Deniz Acar <deniz.acar@example.com>\n"
        f"To: {SHOP}\n"
        "Subject: =?utf-8?Q?=C4=B0ndirim_kodu_ge=C3=A7ersiz?=\n"
        "Date: Thu, 4 Jun 2026 09:05:00 +0300\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n"
        "İndirim kodum (YAZ25) sepette geçersiz görünüyor. Kampanya bitti mi?\n"
    ).encode(),
    from_address="deniz.acar@example.com",
    subject="İndirim kodu geçersiz",
    automatic=None,
    text_contains=["İndirim", "geçersiz", "görünüyor"],
)

mail(
    "06-latin1-etiketli-turkce.eml",
    "Declared ISO-8859-1 but written in ISO-8859-9 (Ý for İ): read as Turkish",
    headers(
        From="Hakan Polat <hakan.polat@example.org>",
        To=SHOP,
        Subject=word_q("İade ücreti yatmadı", "iso-8859-9"),
        Date="Fri, 5 Jun 2026 13:45:10 +0300",
        **BASIC,
        Content_Type="text/plain; charset=iso-8859-1",
        Content_Transfer_Encoding="quoted-printable",
    )
    + "\n"
    + qp(
        "İade ettiğim ürünün ücreti hâlâ hesabıma yatmadı.\nİşlem ne zaman tamamlanır?\n",
        "iso-8859-9",
    ),
    from_address="hakan.polat@example.org",
    subject="İade ücreti yatmadı",
    automatic=None,
    text_contains=["İade ettiğim", "ücreti", "hesabıma", "İşlem"],
)

mail(
    "07-bilinmeyen-charset.eml",
    "A charset name Python does not know; the base64 body is UTF-8",
    headers(
        From="Ece Kurt <ece.kurt@example.com>",
        To=SHOP,
        Subject="Beden tablosu",
        Date="Fri, 5 Jun 2026 20:01:00 +0300",
        **BASIC,
        Content_Type='text/plain; charset="x-tr-mobil-7"',
        Content_Transfer_Encoding="base64",
    )
    + "\n"
    + b64("Elbisenin beden tablosunu göremiyorum, 38 beden kaç santim?\n".encode())
    + "\n",
    from_address="ece.kurt@example.com",
    automatic=None,
    text_contains=["göremiyorum", "kaç santim"],
)

mail(
    "08-encoded-word-q-b.eml",
    "Long Q-encoded UTF-8 subject in two folded words, B-encoded ISO-8859-9 name, Cc",
    headers(
        From=f"{word_b('Çağla Şahin', 'iso-8859-9')} <cagla.sahin@example.com>",
        To=f'"Magaza Destek" <{SHOP}>',
        Cc="Cagla Is <CAGLA.IS@example.org>",
        Subject=word_q("Kapıda ödeme seçeneği neden görünmüyor? Sipariş veremiyorum"),
        Date="Sat, 06 Jun 2026 10:30:00 +0300",
        **BASIC,
        Content_Type="text/plain; charset=utf-8",
        Content_Transfer_Encoding="quoted-printable",
    )
    + "\n"
    + qp("Ödeme adımında sadece kart seçeneği çıkıyor, kapıda ödeme yok.\n", "utf-8"),
    from_address="cagla.sahin@example.com",
    from_name="Çağla Şahin",
    to=[SHOP, "cagla.is@example.org"],
    subject="Kapıda ödeme seçeneği neden görünmüyor? Sipariş veremiyorum",
    automatic=None,
    text_contains=["Ödeme adımında", "seçeneği", "kapıda ödeme"],
)

HTML_ONLY = """<html><head><meta charset="utf-8">
<style>p { color: red }</style>
<script>alert('merhaba');</script></head>
<body><p>Merhaba,</p>
<p onclick="steal()">Sepetimdeki &quot;Deri &Ccedil;anta&quot; stokta g&ouml;r&uuml;n&uuml;yor ama
&ouml;deme sayfasında hata alıyorum.<br>Hata kodu: PAY-502</p>
<p><a href="javascript:alert(document.cookie)">Ekran görüntüsü</a> &amp;
<a href="https://magaza.example/sepet">sepet linki</a></p>
<div>Saygılar,<br>Burak Çelik</div></body></html>
"""

mail(
    "09-html-yalniz.eml",
    "HTML only (script, style, onclick, javascript: link, entities), UTF-8 quoted-printable",
    headers(
        From="Burak Celik <burak.celik@example.com>",
        To=SHOP,
        Subject=word_q("Ödeme sayfası hata veriyor"),
        Date="Sat, 6 Jun 2026 22:14:00 +0300",
        **BASIC,
        Content_Type='text/html; charset="utf-8"',
        Content_Transfer_Encoding="quoted-printable",
    )
    + "\n"
    + qp(HTML_ONLY, "utf-8"),
    from_address="burak.celik@example.com",
    subject="Ödeme sayfası hata veriyor",
    automatic=None,
    has_html=True,
    attachments=[],
    text_contains=[
        '"Deri Çanta"',
        "görünüyor",
        "ödeme sayfasında",
        "Hata kodu: PAY-502",
        "Burak Çelik",
    ],
    text_excludes=["alert", "color: red", "steal"],
    html_excludes=["<script", "onclick", "javascript:", "alert("],
)

mail(
    "10-alternatif.eml",
    "multipart/alternative: the text/plain part is the text, the HTML is kept sanitized",
    headers(
        From="Zeynep Tan <zeynep.tan@example.com>",
        To=SHOP,
        Subject="Hediye paketi",
        Date="Sun, 7 Jun 2026 11:00:00 +0300",
        **BASIC,
        Content_Type='multipart/alternative; boundary="000000000000alt10"',
    )
    + "\n--000000000000alt10\n"
    + "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n"
    + qp("Merhaba, *hediye paketi* seçeneğini siparişe sonradan ekleyebilir miyim?\n", "utf-8")
    + "\n--000000000000alt10\n"
    + "Content-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: base64\n\n"
    + b64(
        '<div dir="ltr">Merhaba, <b>hediye paketi</b> seçeneğini siparişe sonradan '
        "ekleyebilir miyim?</div>\n".encode()
    )
    + "\n--000000000000alt10--\n",
    from_address="zeynep.tan@example.com",
    automatic=None,
    has_html=True,
    attachments=[],
    text_contains=["*hediye paketi*", "seçeneğini", "siparişe"],
)

GMAIL_IMAGE_HTML = (
    '<div dir="ltr">Ürünün ekranda görünen rengi bu:<br><img src="cid:ii_lx1a2b3c0" '
    'alt="image.png" width="120"><br>Gelen ürün ise çok daha koyu.</div>\n'
)
mail(
    "11-gomulu-resim-gmail.eml",
    "Gmail: multipart/related with an inline cid: image that has a filename",
    headers(
        From="Leyla Demir <leyla.demir@example.com>",
        To=SHOP,
        Subject=word_q("Renk farkı"),
        Date="Sun, 7 Jun 2026 15:22:41 +0300",
        Message_ID="<CAB9x0y1z2w3v4u5@mail.example.com>",
        **BASIC,
        Content_Type='multipart/related; boundary="000000000000rel11"',
    )
    + "\n--000000000000rel11\n"
    + 'Content-Type: multipart/alternative; boundary="000000000000alt11"\n\n'
    + "--000000000000alt11\n"
    + 'Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
    + qp(
        "Ürünün ekranda görünen rengi bu:\n[image: image.png]\nGelen ürün ise çok daha koyu.\n",
        "utf-8",
    )
    + "\n--000000000000alt11\n"
    + 'Content-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
    + qp(GMAIL_IMAGE_HTML, "utf-8")
    + "\n--000000000000alt11--\n"
    + "--000000000000rel11\n"
    + 'Content-Type: image/png; name="image.png"\n'
    + 'Content-Disposition: inline; filename="image.png"\n'
    + "Content-Transfer-Encoding: base64\n"
    + "Content-ID: <ii_lx1a2b3c0>\nX-Attachment-Id: ii_lx1a2b3c0\n\n"
    + b64(png())
    + "\n--000000000000rel11--\n",
    from_address="leyla.demir@example.com",
    subject="Renk farkı",
    automatic=None,
    has_html=True,
    attachments=[["image.png", "image/png", True]],
    text_contains=["görünen rengi", "çok daha koyu"],
)

mail(
    "12-gomulu-resim-adsiz.eml",
    "Apple Mail: alternative holding related; the cid: JPEG has no name and no disposition",
    headers(
        From="Onur Yalcin <onur.yalcin@example.org>",
        To=SHOP,
        Subject=word_q("Kırık parça"),
        Date="Mon, 8 Jun 2026 09:10:00 +0300",
        **BASIC,
        Content_Type='multipart/alternative; boundary="Apple-Mail=_A1B2C3D4"',
    )
    + "\n--Apple-Mail=_A1B2C3D4\n"
    + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
    + qp("Kutudan çıkan parça kırık, fotoğrafı aşağıda.\n", "utf-8")
    + "\n--Apple-Mail=_A1B2C3D4\n"
    + 'Content-Type: multipart/related; type="text/html"; boundary="Apple-Mail=_E5F6"\n\n'
    + "--Apple-Mail=_E5F6\n"
    + "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
    + qp(
        "<html><body><div>Kutudan çıkan parça kırık, fotoğrafı aşağıda.</div>"
        '<img src="cid:3F2A9C1E-77B0-4D1A-9E55-0A1B2C3D4E5F@magaza.example"></body></html>\n',
        "utf-8",
    )
    + "\n--Apple-Mail=_E5F6\n"
    + "Content-Transfer-Encoding: base64\nContent-Type: image/jpeg\n"
    + "Content-Id: <3F2A9C1E-77B0-4D1A-9E55-0A1B2C3D4E5F@magaza.example>\n\n"
    + b64(jpeg("kirik-parca"))
    + "\n--Apple-Mail=_E5F6--\n\n--Apple-Mail=_A1B2C3D4--\n",
    from_address="onur.yalcin@example.org",
    automatic=None,
    has_html=True,
    attachments=[["ek-1.jpg", "image/jpeg", True]],
    text_contains=["çıkan parça kırık"],
)

mail(
    "13-ekler-pdf-jpeg.eml",
    "multipart/mixed with a PDF invoice and a JPEG photo",
    headers(
        From="Serkan Koc <serkan.koc@example.com>",
        To=SHOP,
        Subject="Hasarli kutu",
        Date="Mon, 8 Jun 2026 12:00:00 +0300",
        **BASIC,
        Content_Type='multipart/mixed; boundary="b13"',
    )
    + "\n--b13\n"
    + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
    + qp("Kutu hasarlı geldi, fotoğrafı ve faturayı ekte gönderiyorum.\n", "utf-8")
    + "\n--b13\n"
    + 'Content-Type: application/pdf; name="fatura-55012.pdf"\n'
    + 'Content-Disposition: attachment; filename="fatura-55012.pdf"\n'
    + "Content-Transfer-Encoding: base64\n\n"
    + b64(pdf("fatura 55012"))
    + "\n--b13\n"
    + 'Content-Type: image/jpeg; name="kutu.jpg"\n'
    + 'Content-Disposition: attachment; filename="kutu.jpg"\n'
    + "Content-Transfer-Encoding: base64\n\n"
    + b64(jpeg("kutu"))
    + "\n--b13--\n",
    from_address="serkan.koc@example.com",
    automatic=None,
    has_html=False,
    attachments=[
        ["fatura-55012.pdf", "application/pdf", False],
        ["kutu.jpg", "image/jpeg", False],
    ],
    text_contains=["hasarlı geldi", "faturayı"],
)

mail(
    "14-turkce-dosya-adi.eml",
    "Turkish file names: RFC 2231, RFC 2231 continuations, and Outlook's encoded-word name=",
    headers(
        From="Elif Aksoy <elif.aksoy@example.com>",
        To=SHOP,
        Subject=word_b("İade formu ve kargo fişi"),
        Date="Tue, 9 Jun 2026 10:00:00 +0300",
        **BASIC,
        Content_Type='multipart/mixed; boundary="b14"',
    )
    + "\n--b14\n"
    + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
    + b64("İade formunu doldurdum, kargo fişiyle birlikte ekte.\n".encode())
    + "\n--b14\n"
    + "Content-Type: application/pdf\n"
    + f"Content-Disposition: attachment; {rfc2231('İade formu Şubat.pdf')}\n"
    + "Content-Transfer-Encoding: base64\n\n"
    + b64(pdf("iade formu"))
    + "\n--b14\n"
    + "Content-Type: image/jpeg\n"
    + "Content-Disposition: attachment;\n "
    + rfc2231("Kargo fişi görüntüsü (çok uzun adlı dosya).jpg", pieces=3)
    + "\nContent-Transfer-Encoding: base64\n\n"
    + b64(jpeg("kargo-fisi"))
    + "\n--b14\n"
    + f'Content-Type: application/pdf; name="{word_b("Sözleşme.pdf")}"\n'
    + f'Content-Disposition: attachment; filename="{word_b("Sözleşme.pdf")}"\n'
    + "Content-Transfer-Encoding: base64\n\n"
    + b64(pdf("sozlesme"))
    + "\n--b14--\n",
    from_address="elif.aksoy@example.com",
    subject="İade formu ve kargo fişi",
    automatic=None,
    attachments=[
        ["İade formu Şubat.pdf", "application/pdf", False],
        ["Kargo fişi görüntüsü (çok uzun adlı dosya).jpg", "image/jpeg", False],
        ["Sözleşme.pdf", "application/pdf", False],
    ],
    text_contains=["İade formunu", "fişiyle"],
)

FORWARDED = (
    "From: Magaza Siparis <siparis@magaza.example>\n"
    "To: murat.sen@example.com\n"
    f"Subject: {word_q('Siparişiniz alındı: 55087')}\n"
    "Date: Mon, 1 Jun 2026 18:00:00 +0300\n"
    "Message-ID: <siparis-55087@magaza.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n\n"
    + qp("Siparişiniz için teşekkür ederiz.\nTeslimat adresi: Atatürk Cad. 10, İzmir\n", "utf-8")
)
mail(
    "15-iletilen-mesaj.eml",
    "A forwarded order confirmation as a message/rfc822 attachment",
    headers(
        From="Murat Sen <murat.sen@example.com>",
        To=SHOP,
        Subject="Fwd: Adres yanlis",
        Date="Tue, 9 Jun 2026 14:30:00 +0300",
        **BASIC,
        Content_Type='multipart/mixed; boundary="b15"',
    )
    + "\n--b15\n"
    + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
    + qp(
        "Aşağıdaki onay e-postasındaki adres yanlış, Ankara olmalıydı. Düzeltebilir misiniz?\n",
        "utf-8",
    )
    + "\n--b15\n"
    + 'Content-Type: message/rfc822; name="Siparis onayi.eml"\n'
    + 'Content-Disposition: attachment; filename="Siparis onayi.eml"\n\n'
    + FORWARDED
    + "\n--b15--\n",
    from_address="murat.sen@example.com",
    automatic=None,
    attachments=[["Siparis onayi.eml", "message/rfc822", False]],
    text_contains=["Aşağıdaki", "yanlış", "Düzeltebilir"],
    text_excludes=["teşekkür ederiz", "Atatürk"],
)

mail(
    "16-metin-eki.eml",
    "A text/plain part with Content-Disposition: attachment is a file, not the body",
    headers(
        From="Can Ergin <can.ergin@example.org>",
        To=SHOP,
        Subject="Uygulama giris hatasi",
        Date="Wed, 10 Jun 2026 08:45:00 +0300",
        **BASIC,
        Content_Type='multipart/mixed; boundary="b16"',
    )
    + "\n--b16\n"
    + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
    + qp("Mobil uygulamada giriş yapamıyorum, hata kaydını ekledim.\n", "utf-8")
    + "\n--b16\n"
    + 'Content-Type: text/plain; charset=utf-8; name="hata-kaydi.txt"\n'
    + 'Content-Disposition: attachment; filename="hata-kaydi.txt"\n'
    + "Content-Transfer-Encoding: 7bit\n\n"
    + "2026-06-10 08:40:12 ERROR AuthService: token expired (code 401)\n"
    + "\n--b16--\n",
    from_address="can.ergin@example.org",
    automatic=None,
    attachments=[["hata-kaydi.txt", "text/plain", False]],
    text_contains=["giriş yapamıyorum", "ekledim"],
    text_excludes=["ERROR", "token expired"],
)

mail(
    "17-octet-stream.eml",
    "application/octet-stream: a Windows path as the name, and a nameless attachment",
    headers(
        From="Ayse Kaya <ayse.kaya@example.com>",
        To=SHOP,
        Subject="Garanti belgesi",
        Date="Wed, 10 Jun 2026 17:05:00 +0300",
        **BASIC,
        Content_Type='multipart/mixed; boundary="b17"',
    )
    + "\n--b17\n"
    + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    + "Garanti belgesi ve servis raporu ekte.\n"
    + "\n--b17\n"
    + "Content-Type: application/octet-stream;\n"
    + ' name="C:\\\\Users\\\\ayse\\\\Desktop\\\\garanti belgesi.pdf"\n'
    + "Content-Disposition: attachment;\n"
    + ' filename="C:\\\\Users\\\\ayse\\\\Desktop\\\\garanti belgesi.pdf"\n'
    + "Content-Transfer-Encoding: base64\n\n"
    + b64(pdf("garanti"))
    + "\n--b17\n"
    + "Content-Type: application/octet-stream\n"
    + "Content-Disposition: attachment\n"
    + "Content-Transfer-Encoding: base64\n\n"
    + b64(garbage("servis-raporu", 300))
    + "\n--b17--\n",
    from_address="ayse.kaya@example.com",
    automatic=None,
    attachments=[
        ["garanti belgesi.pdf", "application/octet-stream", False],
        ["ek-1.bin", "application/octet-stream", False],
    ],
    text_contains=["Garanti belgesi"],
)

mail(
    "18-yanit-konuda-numara.eml",
    "iPhone reply, case number in the subject, Turkish 'tarihinde ... şunları yazdı:' quote",
    headers(
        From="Ayse Kaya <ayse.kaya@example.com>",
        To=f"Magaza Destek <{SHOP}>",
        Subject=word_q("Re: Talebiniz alındı: 2026-000123"),
        Date="Thu, 11 Jun 2026 09:30:00 +0300",
        Message_ID="<6E1F0A2B-3C4D-4E5F-8A9B-0C1D2E3F4A5B@example.com>",
        **BASIC,
        Content_Type="text/plain; charset=utf-8",
        Content_Transfer_Encoding="quoted-printable",
    )
    + "\n"
    + qp(
        "Kargo şirketi paketi bugün teslim edeceğini söyledi, bilginize.\n\n"
        "iPhone'umdan gönderildi\n\n"
        "2 Haz 2026 tarihinde 10:20 saatinde, Mağaza Destek <destek@magaza.example> "
        "şunları yazdı:\n\n"
        "> Talebiniz alınmıştır. Talep numaranız 2026-000123.\n"
        ">\n> Mağaza Destek\n",
        "utf-8",
    ),
    from_address="ayse.kaya@example.com",
    subject="Re: Talebiniz alındı: 2026-000123",
    automatic=None,
    case_number="2026-000123",
    replied_ids=[],
    text_contains=["teslim edeceğini", "Talebiniz alınmıştır"],
    reply_text_excludes=["Talebiniz alınmıştır", "şunları yazdı", "Mağaza Destek"],
)

OUTLOOK_WEB = (
    "Merhaba, kargo hâlâ elime ulaşmadı. Lütfen kontrol eder misiniz?\n\n"
    "Nihat Doğan\n\n"
    "________________________________\n"
    "Kimden: Mağaza Destek <destek@magaza.example>\n"
    "Gönderildi: 3 Haziran 2026 Çarşamba 09:12\n"
    "Kime: Nihat Doğan <nihat.dogan@example.org>\n"
    "Konu: [#2026-000042] Kargo gecikmesi\n\n"
    "Merhaba Nihat Bey, kargonuz yarın teslim edilecektir.\n"
)
mail(
    "19-yanit-koseli-outlook.eml",
    "Outlook on the web, Turkish: YNT: [#2026-000042], underscore rule then Kimden:/Gönderildi:",
    headers(
        From=f"{word_q('Nihat Doğan')} <nihat.dogan@example.org>",
        To=SHOP,
        Subject="YNT: [#2026-000042] Kargo gecikmesi",
        Date="Thu, 11 Jun 2026 10:02:00 +0000",
        Thread_Topic="[#2026-000042] Kargo gecikmesi",
        **BASIC,
        Content_Type='text/plain; charset="windows-1254"',
        Content_Transfer_Encoding="quoted-printable",
    )
    + "\n"
    + qp(OUTLOOK_WEB, "windows-1254"),
    from_address="nihat.dogan@example.org",
    from_name="Nihat Doğan",
    subject="YNT: [#2026-000042] Kargo gecikmesi",
    sent_at="2026-06-11T10:02:00+00:00",
    automatic=None,
    case_number="2026-000042",
    text_contains=["ulaşmadı", "Lütfen", "Gönderildi:"],
    reply_text_excludes=["Kimden:", "yarın teslim", "____"],
)

mail(
    "20-yanit-basliklarla.eml",
    "A reply threaded only by In-Reply-To/References to SES Message-IDs",
    headers(
        From="Fatma Yilmaz <fatma.yilmaz@example.com>",
        To=SHOP,
        Subject="Re: Talebiniz hakkinda",
        Date="Thu, 11 Jun 2026 18:30:00 +0300",
        Message_ID="<CAF0a1b2c3d4e5@mail.example.com>",
        In_Reply_To=f"<0100018c-aaaa-bbbb@{SES}>",
        References=f"<0100018c-1111-2222@{SES}>\n <0100018c-aaaa-bbbb@{SES}>",
        **BASIC,
        Content_Type="text/plain; charset=utf-8",
        Content_Transfer_Encoding="8bit",
    ).encode()
    + "\nTamam, ürünü pazartesi kargoya vereceğim.\n".encode(),
    from_address="fatma.yilmaz@example.com",
    message_id="CAF0a1b2c3d4e5@mail.example.com",
    automatic=None,
    case_number=None,
    replied_ids=[f"0100018c-aaaa-bbbb@{SES}", f"0100018c-1111-2222@{SES}"],
    text_contains=["ürünü pazartesi"],
)

GMAIL_TR_PLAIN = (
    "Evet, adresim doğru. Teslimatı cumartesiye alabilir misiniz?\n\n"
    "3 Haz 2026 Çar, 10:15 tarihinde Mağaza Destek <destek@magaza.example>\n"
    "şunu yazdı:\n\n"
    "> Merhaba, teslimat adresinizi teyit eder misiniz?\n>\n> Mağaza Destek\n>\n"
)
GMAIL_TR_HTML = (
    '<div dir="ltr">Evet, adresim doğru. Teslimatı cumartesiye alabilir misiniz?</div><br>'
    '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">3 Haz 2026 Çar, 10:15 '
    'tarihinde Mağaza Destek &lt;<a href="mailto:destek@magaza.example">destek@magaza.example'
    '</a>&gt; şunu yazdı:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px '
    '0.8ex">Merhaba, teslimat adresinizi teyit eder misiniz?<br><br>Mağaza Destek</blockquote>'
    "</div>\n"
)
mail(
    "21-gmail-tr-alinti.eml",
    "Gmail in Turkish: attribution wrapped over two lines ('... tarihinde ...' / 'şunu yazdı:')",
    headers(
        From="Ahmet Yilmaz <ahmet.yilmaz@example.com>",
        To=SHOP,
        Subject="Re: Teslimat adresi",
        Date="Wed, 3 Jun 2026 11:02:33 +0300",
        Message_ID="<CAH5q6r7s8t9u0@mail.example.com>",
        In_Reply_To=f"<0100018c-cccc-dddd@{SES}>",
        References=f"<0100018c-cccc-dddd@{SES}>",
        **BASIC,
        Content_Type='multipart/alternative; boundary="000000000000alt21"',
    )
    + "\n--000000000000alt21\n"
    + 'Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
    + qp(GMAIL_TR_PLAIN, "utf-8")
    + "\n--000000000000alt21\n"
    + 'Content-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
    + qp(GMAIL_TR_HTML, "utf-8")
    + "\n--000000000000alt21--\n",
    from_address="ahmet.yilmaz@example.com",
    automatic=None,
    replied_ids=[f"0100018c-cccc-dddd@{SES}"],
    has_html=True,
    text_contains=["adresim doğru", "teyit eder misiniz"],
    reply_text_excludes=["teyit eder misiniz", "şunu yazdı", "tarihinde"],
)

mail(
    "22-outlook-tr-kimden.eml",
    "Outlook desktop in Turkish: a Kimden:/Gönderildi: block with no rule above it",
    headers(
        From="Selin Aydin <selin.aydin@example.com>",
        To=SHOP,
        Subject=word_q("YNT: Faturanız hazır: 2026-000205", "iso-8859-9"),
        Date="Fri, 12 Jun 2026 14:20:00 +0300",
        **BASIC,
        Content_Type='text/plain; charset="iso-8859-9"',
        Content_Transfer_Encoding="quoted-printable",
    )
    + "\n"
    + qp(
        'Merhaba,\nFaturayı aldım, teşekkürler. Ancak şirket ünvanında "Ltd." eksik.\n\n'
        "Kimden: Mağaza Destek [mailto:destek@magaza.example]\n"
        "Gönderildi: 4 Haziran 2026 Perşembe 14:03\n"
        "Kime: Selin Aydın <selin.aydin@example.com>\n"
        "Konu: Faturanız hazır: 2026-000205\n\n"
        "Faturanız PDF olarak ektedir.\n",
        "iso-8859-9",
    ),
    from_address="selin.aydin@example.com",
    subject="YNT: Faturanız hazır: 2026-000205",
    automatic=None,
    case_number="2026-000205",
    text_contains=["Faturayı aldım", "ünvanında", "Faturanız PDF"],
    reply_text_excludes=["Kimden:", "Faturanız PDF olarak ektedir", "Perşembe"],
)

mail(
    "23-ozgun-ileti.eml",
    "Older Outlook in Turkish: '-----Özgün İleti-----', UTF-8 base64 body, References only",
    headers(
        From="Kerem Bal <kerem.bal@example.net>",
        To=SHOP,
        Subject=word_b("Ynt: Değişim talebi"),
        Date="Fri, 12 Jun 2026 16:00:00 +0300",
        References=f"<0100018c-eeee-ffff@{SES}>",
        **BASIC,
        Content_Type="text/plain; charset=utf-8",
        Content_Transfer_Encoding="base64",
    )
    + "\n"
    + b64(
        "Değişim için ürünü yarın kargoya vereceğim.\r\n\r\n"
        "-----Özgün İleti-----\r\nKimden: Mağaza Destek\r\n"
        "Konu: Değişim talebi\r\n\r\nDeğişim talebiniz onaylandı.\r\n".encode()
    )
    + "\n",
    from_address="kerem.bal@example.net",
    subject="Ynt: Değişim talebi",
    automatic=None,
    replied_ids=[f"0100018c-eeee-ffff@{SES}"],
    text_contains=["yarın kargoya", "Özgün İleti"],
    reply_text_excludes=["Özgün İleti", "onaylandı"],
)

mail(
    "24-english-on-wrote.eml",
    "English reply, 'On ... wrote:' wrapped over two lines",
    headers(
        From="John Carter <john.carter@example.org>",
        To=SHOP,
        Subject="Re: We received your request: 2026-000150",
        Date="Sat, 13 Jun 2026 07:45:00 -0400",
        **BASIC,
        Content_Type="text/plain; charset=us-ascii",
        Content_Transfer_Encoding="7bit",
    )
    + "\nHi,\n\nThe replacement charger still does not work. Can I get a refund instead?\n\n"
    + "Thanks,\nJohn\n\n"
    + "On Tue, 2 Jun 2026 at 09:12, Magaza Support <destek@magaza.example>\nwrote:\n\n"
    + "> Hello John, we have shipped a replacement charger.\n",
    from_address="john.carter@example.org",
    sent_at="2026-06-13T11:45:00+00:00",
    automatic=None,
    case_number="2026-000150",
    text_contains=["refund instead", "shipped a replacement"],
    reply_text_excludes=["shipped a replacement", "wrote:", "On Tue"],
)

mail(
    "25-imza.eml",
    "A new question ending in a '-- ' signature",
    headers(
        From="Gizem Korkmaz <gizem.korkmaz@example.com>",
        To=SHOP,
        Subject=word_q("Bluetooth kulaklık şarj olmuyor"),
        Date="Sat, 13 Jun 2026 19:00:00 +0300",
        **BASIC,
        Content_Type="text/plain; charset=utf-8; format=flowed",
        Content_Transfer_Encoding="8bit",
    ).encode()
    + (
        "\nGeçen hafta aldığım kulaklık şarj olmuyor, ışığı hiç yanmıyor.\n\n"
        "-- \nGizem Korkmaz\nKorkmaz Tasarım | +90 212 555 01 23\nwww.example.com\n"
    ).encode(),
    from_address="gizem.korkmaz@example.com",
    subject="Bluetooth kulaklık şarj olmuyor",
    automatic=None,
    case_number=None,
    text_contains=["ışığı", "Korkmaz Tasarım"],
    reply_text_excludes=["+90 212 555 01 23", "Korkmaz Tasarım"],
)

mail(
    "26-otomatik-yanit.eml",
    "Auto-Submitted: auto-replied on an answer to our notice (carries a case number)",
    headers(
        From="Tolga Er <tolga.er@example.com>",
        To=SHOP,
        Subject=word_q("Otomatik yanıt: Talebiniz alındı: 2026-000123"),
        Date="Sun, 14 Jun 2026 08:00:00 +0300",
        Auto_Submitted="auto-replied",
        In_Reply_To=f"<0100018c-aaaa-1234@{SES}>",
        **BASIC,
        Content_Type="text/plain; charset=utf-8",
        Content_Transfer_Encoding="quoted-printable",
    )
    + "\n"
    + qp("15 Haziran'a kadar izindeyim, dönüşümde yanıtlayacağım.\n", "utf-8"),
    from_address="tolga.er@example.com",
    automatic="auto_reply",
    case_number="2026-000123",
    text_contains=["izindeyim", "dönüşümde"],
)

mail(
    "27-ofis-disinda.eml",
    "Outlook out-of-office in Turkish: 'Ofis Dışında:' subject, X-Auto-Response-Suppress: All",
    headers(
        From="Pinar Gul <pinar.gul@example.org>",
        To=SHOP,
        Subject=word_b("Ofis Dışında: Kargo gecikmesi"),
        Date="Sun, 14 Jun 2026 09:00:00 +0300",
        X_Auto_Response_Suppress="All",
        In_Reply_To=f"<0100018c-bbbb-5678@{SES}>",
        **BASIC,
        Content_Type='text/plain; charset="windows-1254"',
        Content_Transfer_Encoding="quoted-printable",
    )
    + "\n"
    + qp("Şu an ofis dışındayım. Acil durumlarda lütfen arayın.\n", "windows-1254"),
    from_address="pinar.gul@example.org",
    subject="Ofis Dışında: Kargo gecikmesi",
    automatic="auto_reply",
    text_contains=["Şu an ofis dışındayım"],
)

mail(
    "28-x-autoreply.eml",
    "A vacation responder that says only X-Autoreply: yes",
    headers(
        From="Baris Ozkan <baris.ozkan@example.net>",
        To=SHOP,
        Subject="Re: Talebiniz alindi: 2026-000131",
        Date="Sun, 14 Jun 2026 10:10:00 +0300",
        X_Autoreply="yes",
        **BASIC,
        Content_Type="text/plain; charset=utf-8",
        Content_Transfer_Encoding="8bit",
    ).encode()
    + "\nTatildeyim, 20 Haziran'da döneceğim.\n".encode(),
    from_address="baris.ozkan@example.net",
    automatic="auto_reply",
    case_number="2026-000131",
    text_contains=["döneceğim"],
)

mail(
    "29-automatic-reply-en.eml",
    "English Outlook auto-reply recognised by its 'Automatic reply:' subject alone",
    headers(
        From="Emma Brown <emma.brown@example.org>",
        To=SHOP,
        Subject="Automatic reply: We received your request: 2026-000077",
        Date="Mon, 15 Jun 2026 06:00:00 +0100",
        **BASIC,
        Content_Type="text/plain; charset=us-ascii",
    )
    + "\nI am out of the office until Monday with limited access to email.\n",
    from_address="emma.brown@example.org",
    automatic="auto_reply",
    case_number="2026-000077",
)

mail(
    "30-izindeyim.eml",
    "An auto-reply recognised by the subject 'İzindeyim' (capital dotted I)",
    headers(
        From="Oya Sezer <oya.sezer@example.com>",
        To=SHOP,
        Subject=word_q("İzindeyim"),
        Date="Mon, 15 Jun 2026 07:30:00 +0300",
        **BASIC,
        Content_Type="text/plain; charset=utf-8",
        Content_Transfer_Encoding="base64",
    )
    + "\n"
    + b64(b"22 Haziran'a kadar izindeyim.\n")
    + "\n",
    from_address="oya.sezer@example.com",
    subject="İzindeyim",
    automatic="auto_reply",
)

BOUNCE_HEADERS = (
    "From: Magaza Destek <destek@magaza.example>\n"
    "To: yok.boyle.biri@example.net\n"
    f"Subject: {word_q('Talebiniz alındı: 2026-000188')}\n"
    f"Message-ID: <0100018c-9999-8888@{SES}>\n"
)
mail(
    "31-geri-donen-mailer-daemon.eml",
    "A bounce: multipart/report delivery-status from MAILER-DAEMON, Return-Path <>",
    headers(
        Return_Path="<>",
        From="MAILER-DAEMON@mx.example.net (Mail Delivery System)",
        To=SHOP,
        Subject="Undelivered Mail Returned to Sender",
        Date="Mon, 15 Jun 2026 12:00:05 +0000 (UTC)",
        Auto_Submitted="auto-replied",
        **BASIC,
        Content_Type=(
            "multipart/report; report-type=delivery-status;\n"
            ' boundary="4B1C2D3E4F.1718452805/mx.example.net"'
        ),
    )
    + "\nThis is a MIME-encapsulated message.\n\n"
    + "--4B1C2D3E4F.1718452805/mx.example.net\n"
    + "Content-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n"
    + "I'm sorry to have to inform you that your message could not\n"
    + "be delivered to one or more recipients.\n\n"
    + "<yok.boyle.biri@example.net>: host mx.example.net said: 550 5.1.1 User unknown\n"
    + "\n--4B1C2D3E4F.1718452805/mx.example.net\n"
    + "Content-Description: Delivery report\nContent-Type: message/delivery-status\n\n"
    + "Reporting-MTA: dns; mx.example.net\nArrival-Date: Mon, 15 Jun 2026 12:00:04 +0000\n\n"
    + "Final-Recipient: rfc822; yok.boyle.biri@example.net\nAction: failed\nStatus: 5.1.1\n"
    + "Diagnostic-Code: smtp; 550 5.1.1 User unknown\n"
    + "\n--4B1C2D3E4F.1718452805/mx.example.net\n"
    + "Content-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\n\n"
    + BOUNCE_HEADERS
    + "\n--4B1C2D3E4F.1718452805/mx.example.net--\n",
    from_address="mailer-daemon@mx.example.net",
    subject="Undelivered Mail Returned to Sender",
    automatic="bounce",
    case_number=None,
    attachments=[],
    text_contains=["could not", "User unknown"],
)

mail(
    "32-postmaster.eml",
    "A plain-text Turkish bounce from postmaster@ (no report part)",
    headers(
        From="postmaster@example.org",
        To=SHOP,
        Subject=word_q("İletilemedi: Talebiniz alındı: 2026-000099"),
        Date="Mon, 15 Jun 2026 13:00:00 +0300",
        **BASIC,
        Content_Type="text/plain; charset=utf-8",
        Content_Transfer_Encoding="quoted-printable",
    )
    + "\n"
    + qp("İleti aşağıdaki alıcıya ulaştırılamadı: eski.adres@example.org\n", "utf-8"),
    from_address="postmaster@example.org",
    automatic="bounce",
    case_number="2026-000099",
    text_contains=["ulaştırılamadı"],
)

NEWSLETTER = (
    "<html><body><h1>Haziran fırsatları</h1><p>Tüm ürünlerde %20 indirim!</p>"
    '<p><a href="https://example.org/abonelik-iptal?u=123">Abonelikten çık</a></p>'
    '<img src="https://example.org/pixel.gif?u=123" width="1" height="1"></body></html>\n'
)
mail(
    "33-bulten.eml",
    "A newsletter someone subscribed the support address to: Precedence: bulk, List-Unsubscribe",
    headers(
        From="Ornek Market Bulten <bulten@example.org>",
        To=SHOP,
        Subject=word_q("Haziran fırsatları kaçmaz!"),
        Date="Tue, 16 Jun 2026 10:00:00 +0300",
        Precedence="bulk",
        List_Id="Ornek Market Bulteni <bulten.example.org>",
        List_Unsubscribe="<https://example.org/abonelik-iptal?u=123>, <mailto:iptal@example.org>",
        **BASIC,
        Content_Type="text/html; charset=utf-8",
        Content_Transfer_Encoding="base64",
    )
    + "\n"
    + b64(NEWSLETTER.encode())
    + "\n",
    from_address="bulten@example.org",
    automatic="bulk",
    has_html=True,
    text_contains=["Haziran fırsatları", "Tüm ürünlerde"],
)

mail(
    "34-dongu-kendi-adresi.eml",
    "Our own notice came back (a customer's forward rule): From is destek@magaza.example",
    headers(
        From=f"Magaza Destek <{SHOP}>",
        To="ayse.kaya@example.com",
        Subject=word_q("Talebiniz alındı: 2026-000123"),
        Date="Tue, 16 Jun 2026 11:00:00 +0000",
        Message_ID=f"<0100018c-dddd-eeee@{SES}>",
        **BASIC,
        Content_Type="text/plain; charset=utf-8",
        Content_Transfer_Encoding="quoted-printable",
    )
    + "\n"
    + qp("Talebinizi aldık. Talep numaranız: 2026-000123\n", "utf-8"),
    from_address=SHOP,
    automatic="loop",
    case_number="2026-000123",
    text_contains=["Talebinizi aldık"],
)

mail(
    "35-x-loop.eml",
    "A mailing robot that forwards to us and marks X-Loop: destek@magaza.example",
    headers(
        From="Ofis Yonlendirme <yonlendirme@example.com>",
        To=SHOP,
        Subject=word_q("Fwd: Talebiniz alındı: 2026-000123"),
        Date="Tue, 16 Jun 2026 11:05:00 +0300",
        X_Loop=SHOP,
        **BASIC,
        Content_Type="text/plain; charset=utf-8",
        Content_Transfer_Encoding="quoted-printable",
    )
    + "\n"
    + qp("---------- İletilen ileti ---------\nTalebinizi aldık.\n", "utf-8"),
    from_address="yonlendirme@example.com",
    automatic="loop",
    case_number="2026-000123",
)

mail(
    "36-x-destek-loop.eml",
    "Our stamp X-Destek-Loop survived a customer's auto-forward: open nothing",
    headers(
        From="Ayse Kaya <ayse.kaya@example.com>",
        To=SHOP,
        Subject="FW: Talebiniz cozuldu",
        Date="Tue, 16 Jun 2026 11:10:00 +0300",
        X_Destek_Loop="2026-000123",
        **BASIC,
        Content_Type="text/plain; charset=utf-8",
        Content_Transfer_Encoding="8bit",
    ).encode()
    + "\nTalebiniz çözüldü olarak işaretlendi.\n".encode(),
    from_address="ayse.kaya@example.com",
    automatic="loop",
    case_number=None,
)

mail(
    "37-bozuk-ikili.eml",
    "Malformed: binary garbage with no header block",
    garbage("bozuk", 700),
    refused="malformed",
)

mail(
    "38-bozuk-duz-yazi.eml",
    "Malformed: prose pasted into a file, no header lines",
    "Merhaba, siparişim nerede?\nİki haftadır bekliyorum.\n\nSaygılar\n".encode(),
    refused="malformed",
)

mail(
    "39-bozuk-from-yok.eml",
    "No From header: into the pool as 'sender unknown', never only a log",
    headers(
        To=SHOP,
        Subject="Siparis",
        Date="Wed, 17 Jun 2026 09:00:00 +0300",
        **BASIC,
        Content_Type="text/plain; charset=utf-8",
    )
    + "\nFrom satiri olmayan bir ileti.\n",
    from_address="",
    sender_problem="no_from",
    text_contains=["From satiri olmayan"],
)

mail(
    "40-bozuk-from-adressiz.eml",
    "'From: Ahmet', a name and no address: into the pool as 'sender unknown'",
    headers(
        From="Ahmet",
        To=SHOP,
        Subject="Kargo",
        Date="Wed, 17 Jun 2026 09:05:00 +0300",
        **BASIC,
        Content_Type="text/plain; charset=utf-8",
    )
    + "\nKargom nerede?\n",
    from_address="",
    sender_problem="no_address",
    text_contains=["Kargom nerede?"],
)

mail(
    "41-tarih-yok.eml",
    "No Date header: sent_at is None, nothing else is lost",
    headers(
        From="Mark Evans <mark.evans@example.org>",
        To=SHOP,
        Subject="Order 55140 never arrived",
        **BASIC,
        Content_Type="text/plain; charset=utf-8",
        Content_Transfer_Encoding="7bit",
    )
    + "\nHello, my order 55140 never arrived. Tracking says delivered.\n",
    from_address="mark.evans@example.org",
    sent_at=None,
    automatic=None,
    case_number=None,
    text_contains=["never arrived"],
)

mail(
    "42-tarih-bozuk.eml",
    "A Date written in Turkish words, which RFC 5322 cannot parse: sent_at is None",
    headers(
        From="Sibel Ugur <sibel.ugur@example.com>",
        To=SHOP,
        Subject=word_q("Ürün yorumu yayınlanmadı"),
        Date="Pazartesi, 8 Haziran 2026 saat 14:05",
        **BASIC,
        Content_Type="text/plain; charset=iso-8859-9",
        Content_Transfer_Encoding="quoted-printable",
    )
    + "\n"
    + qp("Yazdığım ürün yorumu iki gündür yayınlanmadı.\n", "iso-8859-9"),
    from_address="sibel.ugur@example.com",
    subject="Ürün yorumu yayınlanmadı",
    sent_at=None,
    automatic=None,
    text_contains=["Yazdığım", "yayınlanmadı"],
)


README_HEAD = """# Inbound mail corpus

Hand-written messages for `chalicelib/domain/inbound_mail.py`: Turkish customers
(and a few English ones) writing to the shop's support address
`destek@magaza.example`, plus the machines that write to it too. They were
written for destek, not collected: every name, address and number is made up,
and only example.com, example.org, example.net and magaza.example are used.

`make_corpus.py` writes every `.eml`, `expected.json` and this file; change a
message there, never by hand, then run `python tests/data/mail/make_corpus.py`
from the repository root. The bodies and headers are encoded for real
(base64, quoted-printable, RFC 2047 words, RFC 2231 file names), with each
client's habits: Gmail's wrapped Turkish attribution, Outlook's `Kimden:` block,
8-bit windows-1254 from old webmail.

`expected.json` says, for each file, what the parser must produce (a key left
out is not checked). `opens` is what the inbound-mail handler should do with it:
`reply` (a case number or replied-to Message-IDs, not automatic), `nothing`
(automatic), `refused` (malformed) or `pre_case` (a new question, or mail whose
sender cannot be read: `sender_problem`, shown in the pool as "sender unknown").
Besides the keys in the brief, `text_excludes`, `sent_at` (ISO 8601, UTC),
`to`, `from_name` and `message_id` are checked when present.

| file | what it is |
| --- | --- |
"""


def main() -> None:
    for old in HERE.glob("*.eml"):
        old.unlink()
    expected = {}
    rows = []
    for name, about, data, expectation in CORPUS:
        (HERE / name).write_bytes(data)
        expected[name] = expectation
        rows.append(f"| `{name}` | {about} |")
    (HERE / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (HERE / "README.md").write_text(README_HEAD + "\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
