"""Staff sign-ins in the staff Cognito pool: the account, its role groups and its sessions.

A role is what the token says (`cognito:groups`), so changing someone's roles
in the directory must change their groups too, or the console would show one
thing and the API enforce another. A person new to the pool gets an account
with a temporary password; Cognito is told to send nothing, because its message
cannot say where the console is (the pool would have to name the API, which
names the functions, which name the pool): destek mails the invitation itself,
with the console's address (services/directory.py).
"""

from __future__ import annotations

import secrets
import string
from contextlib import suppress

from ..store.aws import client

ROLE_GROUPS = ("agent", "supervisor", "admin")
#: the staff pool's policy (infra/template.yaml): 10+ characters, upper, lower and digits
PASSWORD_LENGTH = 14
#: letters and digits a person reads off a mail without confusing them (no O/0, l/1/I)
READABLE = "".join(c for c in string.ascii_letters + string.digits if c not in "O0lI1")


def temporary_password(length: int = PASSWORD_LENGTH) -> str:
    """Random, readable, and always within the staff pool's password policy."""
    while True:
        word = "".join(secrets.choice(READABLE) for _ in range(length))
        if (any(c.islower() for c in word) and any(c.isupper() for c in word)
                and any(c.isdigit() for c in word)):  # fmt: skip
            return word


class CognitoStaffLogins:
    def __init__(self, pool_id: str) -> None:
        self.pool_id = pool_id

    def ensure(
        self, username: str, email: str | None, name: str, reissue: bool = False
    ) -> str | None:
        """The sign-in exists afterwards. Returns the temporary password given now: to
        someone new, or (`reissue`) to someone who has not signed in yet, whose invitation
        may never have gone out; None when nothing was given."""
        cognito = client("cognito-idp")
        try:
            user = cognito.admin_get_user(UserPoolId=self.pool_id, Username=username)
        except cognito.exceptions.UserNotFoundException:
            user = None
        password = temporary_password()
        if user is not None:
            if not reissue or user.get("UserStatus") != "FORCE_CHANGE_PASSWORD":
                return None
            cognito.admin_set_user_password(
                UserPoolId=self.pool_id, Username=username, Password=password, Permanent=False
            )
            return password
        attributes = [{"Name": "name", "Value": name}]
        if email:
            attributes += [{"Name": "email", "Value": email},
                           {"Name": "email_verified", "Value": "true"}]  # fmt: skip
        cognito.admin_create_user(
            UserPoolId=self.pool_id, Username=username, UserAttributes=attributes,
            TemporaryPassword=password, MessageAction="SUPPRESS",
        )  # fmt: skip
        return password

    def set_roles(self, username: str, roles: list[str]) -> set[str]:
        """The account's role groups become `roles`; answers the groups taken away."""
        cognito = client("cognito-idp")
        current = {
            g["GroupName"]
            for g in cognito.admin_list_groups_for_user(UserPoolId=self.pool_id, Username=username)[
                "Groups"
            ]
        }
        for role in ROLE_GROUPS:
            if role in roles and role not in current:
                cognito.admin_add_user_to_group(
                    UserPoolId=self.pool_id, Username=username, GroupName=role
                )
            elif role not in roles and role in current:
                cognito.admin_remove_user_from_group(
                    UserPoolId=self.pool_id, Username=username, GroupName=role
                )
        return {role for role in ROLE_GROUPS if role in current and role not in roles}

    def set_enabled(self, username: str, enabled: bool) -> None:
        cognito = client("cognito-idp")
        if enabled:
            cognito.admin_enable_user(UserPoolId=self.pool_id, Username=username)
        else:
            cognito.admin_disable_user(UserPoolId=self.pool_id, Username=username)

    def sign_out(self, username: str) -> None:
        """Revoke every refresh token the account holds, so no new token comes of them."""
        cognito = client("cognito-idp")
        with suppress(cognito.exceptions.UserNotFoundException):
            cognito.admin_user_global_sign_out(UserPoolId=self.pool_id, Username=username)

    def delete(self, username: str) -> None:
        cognito = client("cognito-idp")
        with suppress(cognito.exceptions.UserNotFoundException):
            cognito.admin_delete_user(UserPoolId=self.pool_id, Username=username)
