"""The link keys come from the stack's secret (Secrets Manager; locally on moto)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.signed_links import LinkInvalid, LinkPurpose

from .conftest import aws


def test_the_stack_signs_links_with_its_own_secret(aws_env, chalice_app):
    from chalicelib import wiring

    signer = wiring.link_keys().signer()
    now = datetime.now(UTC)
    text = signer.sign(LinkPurpose.survey, "i01JINVITATION0000000000000", "u1", now + timedelta(1))
    claims = signer.verify(text, LinkPurpose.survey, now, {"i01JINVITATION0000000000000": "u1"}.get)
    assert claims.bound_to == "u1"
    secret = aws(aws_env, "secretsmanager").get_secret_value(SecretId=aws_env["LINK_KEYS_SECRET"])
    assert len(secret["SecretString"].strip()) >= 32


def test_a_rotated_secret_keeps_old_links_working(aws_env, chalice_app):
    from chalicelib.auth.link_keys import SecretLinkKeys

    sm = aws(aws_env, "secretsmanager")
    name = f"{aws_env['LINK_KEYS_SECRET']}-rotation-test"
    sm.create_secret(Name=name, SecretString="a" * 40)
    now = datetime.now(UTC)
    old = (
        SecretLinkKeys(name, ttl=0)
        .signer()
        .sign(LinkPurpose.opt_out, "u9", "sms", now + timedelta(1))
    )
    sm.put_secret_value(SecretId=name, SecretString="b" * 40 + "\n" + "a" * 40)
    rotated = SecretLinkKeys(name, ttl=0).signer()
    assert rotated.verify(old, LinkPurpose.opt_out, now, {"u9": "sms"}.get).subject == "u9"
    sm.put_secret_value(SecretId=name, SecretString="b" * 40)
    with pytest.raises(LinkInvalid):
        SecretLinkKeys(name, ttl=0).signer().verify(
            old, LinkPurpose.opt_out, now, {"u9": "sms"}.get
        )
