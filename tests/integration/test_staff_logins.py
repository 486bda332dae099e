"""An admin's change to someone's roles reaches their sign-in: the token is what the API trusts."""

from __future__ import annotations

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
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"  # Cognito mailed a temporary one
    assert groups_of(aws_env, username) == {"agent"}
    admin.call("PUT", f"/staff/{username}", {"name": "Yeni Temsilci", "roles": ["supervisor"]})
    assert groups_of(aws_env, username) == {"supervisor"}
    assert as_role("supervisor").call("PUT", f"/staff/{username}", {
        "name": "x", "roles": ["admin"]}).status == 403  # fmt: skip
    assert groups_of(aws_env, username) == {"supervisor"}
