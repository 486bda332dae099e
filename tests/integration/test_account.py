"""A customer's own account: completing it after sign-up, the profile, taking over a record."""

from __future__ import annotations

import pytest

from tests.integration.conftest import aws
from tests.support import refreshed, sign_up

ACCOUNT = {"name": "Deniz Kaya", "phone": "0535 111 22 33", "language": "tr"}


def attributes(env, email: str) -> dict[str, str]:
    user = aws(env, "cognito-idp").admin_get_user(
        UserPoolId=env["CUSTOMER_POOL_ID"], Username=email
    )
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def test_a_new_sign_up_completes_into_a_customer_whose_tokens_then_carry_the_id(api, aws_env):
    signed = sign_up(aws_env, "deniz@example.com", "Deniz Kaya")
    fresh = api.as_(signed["id"])
    assert fresh.get("/my/profile").status == 409  # account_incomplete: nothing to show yet
    done = fresh.post("/my/account", ACCOUNT)
    assert done.status == 200, done
    profile = done.body
    assert profile["email"] == "deniz@example.com" and profile["phone"] == "+905351112233"
    assert "category" not in profile and "login" not in profile
    assert attributes(aws_env, "deniz@example.com")["custom:customer_id"] == profile["id"]

    again = fresh.post("/my/account", ACCOUNT)  # the old token, asked twice: same customer
    assert again.status == 200 and again.body["id"] == profile["id"]

    linked = api.as_(refreshed(aws_env, signed["refresh"]))
    assert linked.get("/my/profile").body["id"] == profile["id"]
    changed = linked.patch(
        "/my/profile",
        {"version": profile["version"], "contact": {"channel": "sms", "quiet_from": "22:00",
                                                   "quiet_until": "08:00"}, "language": "en"},
    )  # fmt: skip
    assert changed.status == 200, changed
    assert changed.body["contact"]["channel"] == "sms" and changed.body["language"] == "en"
    assert linked.patch("/my/profile", {"version": 1, "name": "x"}).status == 409


def test_an_unverified_sign_up_cannot_take_over_a_record_on_file(api, aws_env, table_items):
    signed = sign_up(aws_env, "ismail@example.com", "Sahte İsmail")
    before = table_items()
    refused = api.as_(signed["id"]).post("/my/account", ACCOUNT)
    assert refused.status == 409 and refused.body["error"]["code"] == "email_unverified"
    assert table_items() == before
    assert "custom:customer_id" not in attributes(aws_env, "ismail@example.com")


def test_a_verified_email_takes_over_the_record_an_agent_made(api, aws_env, as_role):
    on_file = as_role("agent").get("/customers?email=john@example.com").body
    signed = sign_up(aws_env, "john@example.com", "John")
    aws(aws_env, "cognito-idp").admin_update_user_attributes(
        UserPoolId=aws_env["CUSTOMER_POOL_ID"],
        Username="john@example.com",
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    )  # what Cognito does when the emailed code is entered
    verified = refreshed(aws_env, signed["refresh"])
    done = api.as_(verified).post("/my/account", {"name": "John Smith"})
    assert done.status == 200, done
    assert done.body["id"] == on_file["id"] and done.body["customer_number"] == "10000004"


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "x", "phone": "12"}, {"name": "x", "id": "u1"}]
)
def test_bad_account_details_are_refused(api, aws_env, body):
    signed = sign_up(aws_env, f"bad{len(str(body))}@example.com")
    answer = api.as_(signed["id"]).post("/my/account", body)
    assert answer.status == 422, answer


def test_staff_have_no_customer_account(as_role):
    assert as_role("agent").post("/my/account", ACCOUNT).status == 403
    assert as_role(None).get("/my/profile").status == 401
