"""A customer's Cognito sign-in: writing the customer id onto it, and closing it.

The site's own client may not write `custom:customer_id` (infra/template.yaml),
so a customer cannot claim someone else's id; only the API sets it, once it has
linked or created the customer record. Tokens issued after that carry the id, but the
API believes only the link it keeps itself (the sign-in record; domain/access.py).
"""

from __future__ import annotations

from ..store.aws import client


class CognitoCustomerLogins:
    def __init__(self, pool_id: str) -> None:
        self.pool_id = pool_id

    def set_customer_id(self, username: str, customer_id: str) -> None:
        client("cognito-idp").admin_update_user_attributes(
            UserPoolId=self.pool_id,
            Username=username,
            UserAttributes=[{"Name": "custom:customer_id", "Value": customer_id}],
        )

    def close(self, username: str) -> None:
        """The customer was deleted: revoke the sign-in's refresh tokens, then delete it."""
        cognito = client("cognito-idp")
        for call in (cognito.admin_user_global_sign_out, cognito.admin_delete_user):
            try:
                call(UserPoolId=self.pool_id, Username=username)
            except cognito.exceptions.UserNotFoundException:
                return
