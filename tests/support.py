"""Shared test helpers: free ports, demo tokens, and an HTTP-ish API wrapper."""

from __future__ import annotations

import itertools
import json
import random
import socket
from typing import Any

import boto3

from devstack.seed import PASSWORD

#: the demo users each role test uses
ROLE_USERS = {
    "agent": "mehmet",  # member of urun, the default group
    "supervisor": "selin",
    "admin": "admin",
    "customer": "ahmet@example.com",
    "other_customer": "fatma@example.com",
}


#: one counter per test process, from a random start so that a stack kept between runs meets new
#: values; every unique_* value below takes the next number, so none repeats within a process
_SERIAL = itertools.count(random.randrange(10**7))


def unique_phone() -> str:
    """A Turkish mobile number as a person types it, e.g. ``"0549 123 45 67"``, never the same
    twice in one test process. Operator 549 is left to this function: no fixed number in the
    tests uses it. A counter, not a random draw: seven random digits drawn a few hundred times
    per run met each other now and then, and a taken phone refuses the customer (409)."""
    n = next(_SERIAL) % 10**7
    return f"0549 {n // 10**4:03d} {n // 100 % 100:02d} {n % 100:02d}"


def e164(spoken: str) -> str:
    """``"0549 123 45 67"`` -> ``"+905491234567"``, as destek stores a Turkish number."""
    return "+90" + spoken.replace(" ", "")[1:]


def unique_number(prefix: str = "S-") -> str:
    """A customer number, serial or name tail never used before in this test process."""
    return f"{prefix}{next(_SERIAL)}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cognito(env: dict[str, str]) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_REGION"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def sign_in(env: dict[str, str], username: str, kind: str = "id") -> str:
    client_id = env["CUSTOMER_CLIENT_IDS"] if "@" in username else env["STAFF_CLIENT_IDS"]
    result = cognito(env).initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return result["IdToken"] if kind == "id" else result["AccessToken"]


def sign_up(env: dict[str, str], email: str, name: str = "Yeni Müşteri") -> dict[str, str]:
    """A customer signs up on the site and confirms, as the site does (moto takes any code)."""
    client = cognito(env)
    client_id = env["CUSTOMER_CLIENT_IDS"]
    client.sign_up(
        ClientId=client_id,
        Username=email,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": name}],
    )
    client.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode="123456")
    result = client.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return {"id": result["IdToken"], "refresh": result["RefreshToken"]}


def refreshed(env: dict[str, str], refresh_token: str) -> str:
    """A new id token, carrying whatever the sign-in's attributes say now."""
    result = cognito(env).initiate_auth(
        ClientId=env["CUSTOMER_CLIENT_IDS"],
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token},
    )["AuthenticationResult"]
    return result["IdToken"]


class Answer:
    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body

    def __repr__(self) -> str:
        return f"Answer({self.status}, {self.body!r})"


class Api:
    """Calls the app through chalice.test.Client with JSON bodies and a bearer token."""

    def __init__(self, client: Any, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def as_(self, token: str | None) -> Api:
        return Api(self.client, token)

    def call(
        self, method: str, path: str, body: Any = None, raw: bytes | None = None, headers=None
    ) -> Answer:
        sent = {"content-type": "application/json", **(headers or {})}
        if self.token:
            sent["authorization"] = f"Bearer {self.token}"
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = getattr(self.client.http, method.lower())(path, headers=sent, body=payload)
        text = response.body.decode() if response.body else ""
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return Answer(response.status_code, parsed)

    def get(self, path: str, **kw) -> Answer:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw) -> Answer:
        return self.call("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw) -> Answer:
        return self.call("PATCH", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw) -> Answer:
        return self.call("PUT", path, body, **kw)
