"""Staff sign-ins in the staff Cognito pool: the account and its role groups.

A role is what the token says (`cognito:groups`), so changing someone's roles
in the directory must change their groups too, or the console would show one
thing and the API enforce another. A person new to the pool gets an account
with a temporary password that Cognito mails them.
"""

from __future__ import annotations

from ..store.aws import client

ROLE_GROUPS = ("agent", "supervisor", "admin")


class CognitoStaffLogins:
    def __init__(self, pool_id: str) -> None:
        self.pool_id = pool_id

    def ensure(self, username: str, email: str | None, name: str) -> bool:
        """The sign-in exists afterwards; True if it was created now."""
        cognito = client("cognito-idp")
        try:
            cognito.admin_get_user(UserPoolId=self.pool_id, Username=username)
            return False
        except cognito.exceptions.UserNotFoundException:
            pass
        attributes = [{"Name": "name", "Value": name}]
        if email:
            attributes += [{"Name": "email", "Value": email},
                           {"Name": "email_verified", "Value": "true"}]  # fmt: skip
        cognito.admin_create_user(
            UserPoolId=self.pool_id, Username=username, UserAttributes=attributes,
            DesiredDeliveryMediums=["EMAIL"] if email else [],
        )  # fmt: skip
        return True

    def set_roles(self, username: str, roles: list[str]) -> None:
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
