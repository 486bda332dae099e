"""Verifying Cognito id tokens against the pool's JWKS, in destek's own code.

`chalice local` does not check a Cognito authorizer's signature; doing it here
means the local stack and AWS run the same check, and a forged, expired or
foreign-pool token is a 401 everywhere. moto signs real RS256 tokens and
serves their JWKS, so tests exercise the real path.
"""

from __future__ import annotations

from dataclasses import dataclass
from threading import Lock
from typing import Any

from ..domain.errors import Unauthenticated
from ..domain.permissions import CUSTOMER_ROLE, STAFF_ROLES, Principal


@dataclass(frozen=True)
class Pool:
    kind: str  # "staff" or "customer"
    pool_id: str
    client_ids: tuple[str, ...]
    region: str
    jwks_endpoint: str | None = None

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"

    @property
    def jwks_url(self) -> str:
        base = (self.jwks_endpoint or f"https://cognito-idp.{self.region}.amazonaws.com").rstrip(
            "/"
        )
        return f"{base}/{self.pool_id}/.well-known/jwks.json"


class TokenVerifier:
    def __init__(self, pools: list[Pool]) -> None:
        self._pools = {pool.issuer: pool for pool in pools}
        self._jwks: dict[str, Any] = {}
        self._lock = Lock()

    def verify(self, token: str) -> Principal:
        import jwt

        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise Unauthenticated("the token is not a JWT") from exc
        if not isinstance(unverified, dict) or unverified.get("token_use") != "id":
            raise Unauthenticated("send the id token")
        issuer = unverified.get("iss")
        pool = self._pools.get(issuer) if isinstance(issuer, str) else None
        if pool is None:
            raise Unauthenticated("the token was not issued by destek's user pools")
        try:
            key = self._jwks_client(pool).get_signing_key_from_jwt(token).key
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                issuer=pool.issuer,
                audience=list(pool.client_ids),
                options={"require": ["exp", "iat", "sub", "token_use", "aud"]},
                leeway=30,
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("the token has expired") from exc
        except jwt.PyJWKClientConnectionError:
            raise  # our problem, not the caller's: a 5xx and a log line
        except (jwt.PyJWTError, jwt.PyJWKClientError) as exc:
            raise Unauthenticated("the token is not valid") from exc
        return principal_from_claims(pool.kind, claims)

    def _jwks_client(self, pool: Pool) -> Any:
        with self._lock:
            if pool.issuer not in self._jwks:
                import jwt

                self._jwks[pool.issuer] = jwt.PyJWKClient(
                    pool.jwks_url, cache_keys=True, lifespan=3600
                )
            return self._jwks[pool.issuer]


def principal_from_claims(kind: str, claims: dict[str, Any]) -> Principal:
    username = claims.get("cognito:username") or claims["sub"]
    if kind == "customer":
        roles = [CUSTOMER_ROLE]
    else:
        roles = [g for g in claims.get("cognito:groups", []) if g in STAFF_ROLES]
    return Principal(
        kind=kind,
        subject=claims["sub"],
        username=username,
        name=claims.get("name") or username,
        email=claims.get("email"),
        roles=roles,
        customer_id=claims.get("custom:customer_id") if kind == "customer" else None,
        email_verified=claims.get("email_verified") in (True, "true"),
        authenticated_at=_seconds(claims.get("auth_time")) or _seconds(claims.get("iat")),
    )


def _seconds(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
