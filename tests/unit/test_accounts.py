"""Completing a customer's account: create, take over only with a verified email, idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.customers import Customer
from chalicelib.domain.errors import AccountIncomplete, Conflict, InvalidInput
from chalicelib.domain.permissions import Principal
from chalicelib.services.accounts import AccountService, CompleteAccount

from .fakes import FakeCustomers, FakeLogins

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def sign_in(sub="sub-1", email="a@example.com", verified=False, customer_id=None) -> Principal:
    return Principal(
        kind="customer", subject=sub, username=email or sub, email=email, roles=["customer"],
        email_verified=verified, customer_id=customer_id,
    )  # fmt: skip


@pytest.fixture
def world():
    customers, logins = FakeCustomers(), FakeLogins()
    return customers, logins, AccountService(customers, logins, lambda: NOW)


def on_file(customers, email="a@example.com", login=None) -> Customer:
    customer = Customer(
        id="u-file", customer_number="10000009", name="On File", email=email, login=login,
        created_at=NOW,
    )  # fmt: skip
    return customers.create(customer)


def test_a_new_person_becomes_a_new_customer_and_the_sign_in_carries_the_id(world):
    customers, logins, accounts = world
    profile = accounts.complete(sign_in(), CompleteAccount(name="Ada", phone="0532 000 11 22"))
    assert customers.get(profile.id).login == "sub-1"
    assert profile.phone == "+905320001122" and logins.customer_ids["a@example.com"] == profile.id
    again = accounts.complete(sign_in(), CompleteAccount(name="Other name"))
    assert again.id == profile.id and len(customers.by_id) == 1


def test_a_record_on_file_is_taken_over_only_with_a_verified_email(world):
    customers, logins, accounts = world
    record = on_file(customers)
    with pytest.raises(Conflict) as refused:
        accounts.complete(sign_in(), CompleteAccount(name="Ada"))
    assert refused.value.code == "email_unverified" and customers.get(record.id).login is None
    assert logins.customer_ids == {}
    profile = accounts.complete(sign_in(verified=True), CompleteAccount(name="Ada"))
    assert profile.id == record.id and customers.get(record.id).login == "sub-1"


def test_a_record_with_a_sign_in_already_is_not_taken_twice(world):
    customers, _, accounts = world
    on_file(customers, login="sub-0")
    with pytest.raises(Conflict) as refused:
        accounts.complete(sign_in(verified=True), CompleteAccount(name="Ada"))
    assert refused.value.code == "email_in_use"


def test_a_sign_in_without_email_or_account_is_refused_clearly(world):
    _, _, accounts = world
    with pytest.raises(InvalidInput):
        accounts.complete(sign_in(email=None), CompleteAccount(name="Ada"))
    with pytest.raises(AccountIncomplete):
        accounts.profile(sign_in())
