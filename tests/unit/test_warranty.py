"""Warranty dates and states, serial numbers and attribute choices: the pure rules of
registered products."""

from datetime import date

import pytest

from chalicelib.domain.catalog import ProductAttribute
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.registrations import check_serial, choose_attributes, normalize_serial
from chalicelib.domain.warranty import (
    add_months,
    check_purchase_date,
    warranty_ends,
    warranty_state,
)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2024, 3, 15), 24, date(2026, 3, 15)),
        (date(2024, 8, 31), 120, date(2034, 8, 31)),
        (date(2025, 5, 10), 0, date(2025, 5, 10)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 1, 15), -8, date(2024, 5, 15)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_warranty_ends_months_after_purchase():
    assert warranty_ends(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert warranty_ends(date(2024, 3, 15), 24) == date(2026, 3, 15)


ENDS = date(2026, 3, 15)


@pytest.mark.parametrize(
    ("today", "state", "days_left"),
    [
        (date(2024, 3, 15), "in_warranty", 730),  # the day of purchase
        (date(2026, 2, 12), "in_warranty", 31),
        (date(2026, 2, 13), "ends_soon", 30),
        (date(2026, 3, 14), "ends_soon", 1),
        (date(2026, 3, 15), "ends_soon", 0),  # the last day is still covered
        (date(2026, 3, 16), "expired", 0),  # the day after is not
        (date(2030, 1, 1), "expired", 0),
    ],
)
def test_warranty_state_around_its_end(today, state, days_left):
    result = warranty_state(ENDS, 24, today)
    assert (result.state, result.days_left, result.ends_on) == (state, days_left, ENDS)


def test_a_product_sold_without_warranty_is_expired_from_the_start():
    bought = date(2026, 5, 1)
    result = warranty_state(warranty_ends(bought, 0), 0, bought)
    assert result.state == "expired" and result.days_left == 0 and result.ends_on == bought


def test_purchase_date_limits():
    today = date(2026, 11, 23)
    check_purchase_date(today, today)
    check_purchase_date(date(1990, 1, 1), today)
    with pytest.raises(InvalidInput, match="future"):
        check_purchase_date(date(2026, 11, 24), today)
    with pytest.raises(InvalidInput, match="1990"):
        check_purchase_date(date(1989, 12, 31), today)


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("SN-DEMO-0001", "SN-DEMO-0001"),
        ("  sn-demo-0001 ", "SN-DEMO-0001"),
        ("sn demo\t00 01", "SNDEMO0001"),
        ("abc/12.3_x", "ABC/12.3_X"),
        ("imei 35 i", "IMEI35I"),  # plain uppercase: i becomes I, never İ
    ],
)
def test_serials_are_normalized(typed, normalized):
    assert check_serial(normalize_serial(typed)) == normalized


@pytest.mark.parametrize("typed", ["", "   ", "SN#1", "seri-ç1", "-SN1", "A" * 65, "SN;DROP"])
def test_odd_serials_are_refused(typed):
    with pytest.raises(ValueError):
        check_serial(normalize_serial(typed))


COLOUR = ProductAttribute(name="renk", values=["siyah", "beyaz"], default="siyah")
SIZE = ProductAttribute(name="beden", values=["40", "42"])
ENGRAVING = ProductAttribute(name="yazı")


def test_attribute_choices_fill_defaults_and_keep_free_text():
    chosen = choose_attributes([COLOUR, SIZE, ENGRAVING], {"beden": "42", "yazı": "Ahmet"})
    assert chosen == {"renk": "siyah", "beden": "42", "yazı": "Ahmet"}
    assert choose_attributes([COLOUR, SIZE], None) == {"renk": "siyah"}


@pytest.mark.parametrize("chosen", [{"renk": "mor"}, {"agirlik": "2"}])
def test_attribute_choices_outside_the_product_are_refused(chosen):
    with pytest.raises(InvalidInput):
        choose_attributes([COLOUR, SIZE], chosen)


def test_an_attribute_default_must_be_one_of_its_values():
    with pytest.raises(ValueError):
        ProductAttribute(name="renk", values=["siyah"], default="mor")
    with pytest.raises(ValueError):
        ProductAttribute(name="renk", values=["siyah", "Siyah"])
