"""Tokens: only real, current id tokens from destek's own pools open the API."""

import gzip
import json
import time
from pathlib import Path

import jwt
import moto.cognitoidp
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from devstack.seed import PASSWORD
from tests.support import cognito, sign_in

#: moto signs every pool's tokens with this key: with it a test can sign a token that is
#: correctly signed but expired or for another audience, to prove those checks bite
MOTO_PRIVATE_KEY = json.loads(
    gzip.decompress(
        (Path(moto.cognitoidp.__file__).parent / "resources" / "jwks-private.json.gz").read_bytes()
    )
)


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def sign_with_moto_key(claims: dict) -> str:
    key = jwt.PyJWK(MOTO_PRIVATE_KEY).key
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})


def refused(api, token, expected=401):
    answer = api.as_(token).get("/me")
    assert answer.status == expected, answer
    assert answer.body["error"]["code"] == "unauthenticated"
    return answer.body["error"]["message"]


def test_no_or_malformed_header(api):
    assert api.get("/me").status == 401
    assert api.get("/me", headers={"authorization": "Basic abc"}).status == 401
    refused(api, "not-a-jwt")


def test_forged_signature(api, tokens):
    own_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        claims_of(tokens["agent"]), own_key, algorithm="RS256", headers={"kid": "dummy"}
    )
    refused(api, forged)


def test_tampered_payload(api, tokens):
    header, _payload, signature = tokens["agent"].split(".")
    claims = {**claims_of(tokens["agent"]), "cognito:groups": ["admin"]}
    payload = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    refused(api, f"{header}.{payload}.{signature}")


def test_expired_token_even_with_a_valid_signature(api, tokens):
    claims = {**claims_of(tokens["agent"]), "iat": int(time.time()) - 7200}
    claims["exp"] = int(time.time()) - 3600
    assert "expired" in refused(api, sign_with_moto_key(claims))
    fresh = {**claims, "exp": int(time.time()) + 600}
    assert api.as_(sign_with_moto_key(fresh)).get("/me").status == 200  # the key is right


def test_token_from_another_pool(api, aws_env):
    idp = cognito(aws_env)
    pool = idp.create_user_pool(PoolName="someone-elses")["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="x", ExplicitAuthFlows=["USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username="mallory", MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=pool, Username="mallory", Password=PASSWORD, Permanent=True
    )
    idp.create_group(UserPoolId=pool, GroupName="admin")
    idp.admin_add_user_to_group(UserPoolId=pool, Username="mallory", GroupName="admin")
    token = idp.initiate_auth(
        ClientId=client,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "mallory", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["IdToken"]
    refused(api, token)


def test_wrong_audience(api, tokens):
    claims = {**claims_of(tokens["agent"]), "aud": "some-other-client"}
    refused(api, sign_with_moto_key(claims))


def test_access_token_is_not_accepted(api, aws_env):
    assert "id token" in refused(api, sign_in(aws_env, "mehmet", kind="access"))


def test_staff_without_a_role_can_do_nothing(api, aws_env):
    idp = cognito(aws_env)
    idp.admin_create_user(
        UserPoolId=aws_env["STAFF_POOL_ID"], Username="newbie", MessageAction="SUPPRESS"
    )
    idp.admin_set_user_password(
        UserPoolId=aws_env["STAFF_POOL_ID"], Username="newbie", Password=PASSWORD, Permanent=True
    )
    newbie = api.as_(sign_in(aws_env, "newbie"))
    assert newbie.get("/me").body["roles"] == []
    assert newbie.get("/cases?view=mine").status == 403


@pytest.fixture
def restore_agent_role(as_role):
    """Put the agent role back exactly as it was, whatever resources it has grown."""
    admin = as_role("admin")
    before = next(r for r in admin.get("/roles").body if r["name"] == "agent")
    yield
    assert admin.put("/roles/agent", {"permissions": before["permissions"]}).status == 200


def test_admin_changes_a_role_and_it_takes_effect(as_role, restore_agent_role):
    admin, agent = as_role("admin"), as_role("agent")
    assert agent.get("/customers?customer_number=10000001").status == 200
    roles = {r["name"]: r for r in admin.get("/roles").body}
    reduced = {k: v for k, v in roles["agent"]["permissions"].items() if k != "customers"}
    assert admin.put("/roles/agent", {"permissions": reduced}).status == 200
    assert agent.get("/customers?customer_number=10000001").status == 403
    assert "customers" not in agent.get("/me").body["permissions"]
