"""Carriers: the tracking link each builds, which templates an admin may store, and how a
shipment's carrier text finds its carrier."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.domain.carriers import (
    DEFAULT_CARRIERS,
    Carrier,
    carrier_code,
    check_code,
    check_template,
    merged,
    tracking_url,
)
from chalicelib.domain.errors import InvalidInput

CARRIERS = list(DEFAULT_CARRIERS)


def test_every_default_is_an_acceptable_https_template():
    codes = {c.code for c in DEFAULT_CARRIERS}
    assert codes == {"yurtici", "aras", "mng", "ptt", "surat", "hepsijet", "trendyol_express",
                     "ups", "dhl"}  # fmt: skip
    for carrier in DEFAULT_CARRIERS:
        assert check_template(carrier.tracking_url_template) == carrier.tracking_url_template
        assert check_code(carrier.code) == carrier.code


def test_the_link_holds_the_number_in_its_place():
    aras = next(c for c in CARRIERS if c.code == "aras")
    url = tracking_url(aras.tracking_url_template, "3513773163316")
    assert url == "https://kargotakip.araskargo.com.tr/mainpage.aspx?code=3513773163316"
    hepsijet = next(c for c in CARRIERS if c.code == "hepsijet")
    assert tracking_url(hepsijet.tracking_url_template, " SMR123 ").endswith(
        "/gonderi-takibi/SMR123"
    )


def test_a_number_cannot_add_a_parameter_or_a_path():
    template = "https://example.com/track?no={tracking_number}&lang=tr"
    url = tracking_url(template, "1&admin=1/../x")
    query = parse_qs(urlsplit(url).query)
    assert query == {"no": ["1&admin=1/../x"], "lang": ["tr"]}
    assert urlsplit(url).path == "/track"


@pytest.mark.parametrize(
    "template",
    [
        "http://example.com/track?no={tracking_number}",  # not https
        "https://example.com/track",  # no placeholder
        "https://example.com/{tracking_number}/{tracking_number}",  # twice
        "https://{tracking_number}.example.com/",  # in the host
        "javascript:alert(1)//{tracking_number}",
        "https:///path?{tracking_number}",  # no host
        "https://example.com/a b?{tracking_number}",
        "https://example.com/?q={tracking_number}&" + "x" * 500,
        "https://example.com/?q={trackingNumber}",
    ],
)
def test_a_bad_template_is_refused(template):
    with pytest.raises(InvalidInput):
        check_template(template)


@pytest.mark.parametrize("code", ["A", "yurtiçi", "x", "has space", "-dash", "a" * 33])
def test_a_bad_code_is_refused(code):
    with pytest.raises(InvalidInput):
        check_code(code)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Yurtiçi Kargo", "yurtici"),
        ("YURTİÇİ", "yurtici"),
        ("yurtici", "yurtici"),
        ("Aras Kargo", "aras"),
        ("MNG", "mng"),
        ("PTT Kargo", "ptt"),
        ("Sürat Kargo", "surat"),
        ("SURAT", "surat"),
        ("HepsiJET", "hepsijet"),
        ("Trendyol Express", "trendyol_express"),
        ("TEX", "trendyol_express"),
        ("UPS", "ups"),
        ("DHL", "dhl"),
        ("DHL eCommerce", "mng"),
    ],
)
def test_the_carrier_text_a_shop_writes_finds_the_carrier(text, code):
    found = carrier_code(text, CARRIERS)
    assert found is not None and found.code == code


def test_an_unknown_carrier_finds_none():
    assert carrier_code("Kolay Gelsin", CARRIERS) is None
    assert carrier_code("", CARRIERS) is None


def test_a_stored_carrier_replaces_its_default_and_others_join():
    mine = Carrier(
        code="aras", name="Aras", tracking_url_template="https://a.example/{tracking_number}"
    )
    new = Carrier(code="kolaygelsin", name="Kolay Gelsin",
                  tracking_url_template="https://k.example/?id={tracking_number}")  # fmt: skip
    carriers = merged([mine, new])
    assert [c.code for c in carriers] == sorted(c.code for c in carriers)
    assert next(c for c in carriers if c.code == "aras") is mine
    assert carrier_code("Kolay Gelsin", carriers) is new
    assert len(carriers) == len(DEFAULT_CARRIERS) + 1
