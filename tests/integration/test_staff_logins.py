"""An admin's change to someone's roles reaches their sign-in: the token is what the API trusts."""

from __future__ import annotations

import re
import uuid

from .conftest import aws


def groups_of(aws_env, username: str) -> set[str]:
    cognito = aws(aws_env, "cognito-idp")
    found = cognito.admin_list_groups_for_user(UserPoolId=aws_env["STAFF_POOL_ID"],
                                               Username=username)  # fmt: skip
    return {g["GroupName"] for g in found["Groups"]}


def test_a_new_agent_gets_a_sign_in_and_role_changes_follow(as_role, aws_env):
    admin = as_role("admin")
    username = f"yeni{uuid.uuid4().hex[:6]}"
    details = {"name": "Yeni Temsilci", "email": f"{username}@destek.example", "roles": ["agent"]}
    made = admin.call("PUT", f"/staff/{username}", details)
    assert made.status == 200, made.body
    cognito = aws(aws_env, "cognito-idp")
    user = cognito.admin_get_user(UserPoolId=aws_env["STAFF_POOL_ID"], Username=username)
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"  # destek mailed a temporary one
    assert groups_of(aws_env, username) == {"agent"}
    admin.call("PUT", f"/staff/{username}", {"name": "Yeni Temsilci", "roles": ["supervisor"]})
    assert groups_of(aws_env, username) == {"supervisor"}
    assert as_role("supervisor").call("PUT", f"/staff/{username}", {
        "name": "x", "roles": ["admin"]}).status == 403  # fmt: skip
    assert groups_of(aws_env, username) == {"supervisor"}


def test_the_invitation_names_the_console_and_its_password_opens_a_first_sign_in(
    as_role, aws_env, mailbox
):
    username = f"davet{uuid.uuid4().hex[:6]}"
    email = f"{username}@destek.example"
    details = {"name": "Davetli", "email": email, "roles": ["agent"]}
    made = as_role("admin").call("PUT", f"/staff/{username}", details)
    assert made.status == 200, made.body
    [mail] = [m for m in mailbox()["emails"] if m["to"] == [email]]
    assert f"Konsol: {aws_env['CONSOLE_URL']}\n" in mail["body"]
    password = re.search(r"Geçici parola: (\S+)", mail["body"]).group(1)
    started = aws(aws_env, "cognito-idp").initiate_auth(
        ClientId=aws_env["STAFF_CLIENT_IDS"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )  # fmt: skip
    assert started["ChallengeName"] == "NEW_PASSWORD_REQUIRED"  # the console asks for one
