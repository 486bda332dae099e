"""Writing the customer id onto a customer's Cognito sign-in.

The site's own client may not write `custom:customer_id` (infra/template.yaml),
so a customer cannot claim someone else's id; only the API sets it, once it has
linked or created the customer record. Tokens issued after that carry the id.
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
