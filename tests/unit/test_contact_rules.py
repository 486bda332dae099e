"""Which channel a customer may choose with the addresses they have (domain.customers)."""

import pytest

from chalicelib.domain.customers import channel_for, check_contact
from chalicelib.domain.errors import InvalidInput

PHONE, EMAIL = "+905321234567", "a@example.com"


@pytest.mark.parametrize(
    ("channel", "phone", "email", "code"),
    [
        ("sms", None, EMAIL, "sms_needs_phone"),
        ("both", None, EMAIL, "sms_needs_phone"),
        ("email", PHONE, None, "email_needs_address"),
        ("both", PHONE, None, "email_needs_address"),
    ],
)
def test_a_channel_without_its_address_is_refused(channel, phone, email, code):
    with pytest.raises(InvalidInput) as refused:
        check_contact(channel, phone, email)
    assert refused.value.code == code and refused.value.details["channel"] == channel


@pytest.mark.parametrize(
    ("channel", "phone", "email"),
    [("sms", PHONE, None), ("email", None, EMAIL), ("both", PHONE, EMAIL), ("sms", PHONE, EMAIL)],
)
def test_a_channel_with_its_address_passes(channel, phone, email):
    check_contact(channel, phone, email)


def test_a_change_to_the_phone_alone_checks_only_what_sms_needs():
    check_contact("email", PHONE, None, sms_only=True)  # an old phone-only record keeps working
    with pytest.raises(InvalidInput):
        check_contact("sms", None, None, sms_only=True)


def test_a_new_customer_starts_on_the_channel_they_can_be_reached_by():
    assert channel_for(EMAIL, PHONE) == "email"
    assert channel_for(None, PHONE) == "sms"
    assert channel_for(EMAIL, None) == "email"
    assert channel_for(None, None) == "email"
