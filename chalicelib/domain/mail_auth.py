"""Whether an inbound mail may speak for the address in its From header.

SES receiving checks SPF, DKIM and DMARC for every message and says so twice: in the
receipt notification (`receipt.spfVerdict`, `dkimVerdict`, `dmarcVerdict`,
`dmarcPolicy`) and in the `Authentication-Results` header it puts at the top of the
stored message (RFC 8601: `amazonses.com; spf=pass ...; dkim=pass ...; dmarc=pass ...`).

Only SES's own header counts: it is the first `Authentication-Results` of the message,
and its authentication service id is `amazonses.com`. A sender can write any
`Authentication-Results` into the mail they send, but theirs lands below SES's.

The rule (DMARC's own, RFC 7489, and the issue's): a message whose DMARC fails, or, when
the sender's domain publishes no DMARC policy, whose SPF and DKIM both fail (SPF
`fail`/`softfail`, DKIM anything but `pass`), is unverified. Unverified mail is never a
customer's reply and is never matched to a customer; it waits in the pool flagged, with
the verdicts for the agent. A message without any verdict (the local stack, or a test)
is not judged: there is nothing to judge it by.
"""

from __future__ import annotations

import re

from .model import Model

TRUSTED_AUTHSERV_IDS = frozenset({"amazonses.com"})
_FAILING_SPF = frozenset({"fail", "softfail", "permerror"})


class MailAuth(Model):
    """SPF, DKIM and DMARC as SES judged them (lowercase RFC 8601 results), and where from."""

    spf: str | None = None
    dkim: str | None = None
    dmarc: str | None = None
    #: `header` (Authentication-Results) or `notification` (the receipt notification)
    source: str = "header"

    @property
    def judged(self) -> bool:
        return any(v is not None for v in (self.spf, self.dkim, self.dmarc))

    def summary(self) -> str:
        """`spf=fail dkim=none dmarc=fail`: what the agent is shown beside the flag."""
        return " ".join(f"{k}={getattr(self, k) or '-'}" for k in ("spf", "dkim", "dmarc"))


_RESULT = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)


def from_header(value: str | None) -> MailAuth:
    """SES's verdicts from its Authentication-Results header; nothing when another service
    (or the sender) wrote the header. Several DKIM signatures: one that passes is enough."""
    if not value:
        return MailAuth()
    authserv, _, results = value.partition(";")
    words = authserv.split()  # the id may be followed by a version: "amazonses.com 1"
    if not words or words[0].lower() not in TRUSTED_AUTHSERV_IDS:
        return MailAuth()
    found: dict[str, list[str]] = {}
    for method, result in _RESULT.findall(results):
        found.setdefault(method.lower(), []).append(result.lower())

    def best(method: str) -> str | None:
        values = found.get(method)
        if not values:
            return None
        return "pass" if "pass" in values else values[0]

    return MailAuth(spf=best("spf"), dkim=best("dkim"), dmarc=best("dmarc"))


def from_notification(receipt: dict) -> MailAuth:
    """SES's verdicts from a receipt notification (`{"status": "PASS"}` each; DMARC GRAY
    when the domain has no policy)."""

    def status(name: str) -> str | None:
        verdict = receipt.get(name) or {}
        value = str(verdict.get("status") or "").lower()
        return value or None

    dmarc = status("dmarcVerdict")
    return MailAuth(
        spf=status("spfVerdict"),
        dkim=status("dkimVerdict"),
        dmarc="none" if dmarc == "gray" else dmarc,
        source="notification",
    )


def unverified_reason(auth: MailAuth) -> str | None:
    """Why the sender cannot be trusted (`dmarc_fail`, `spf_and_dkim_fail`), or None."""
    if not auth.judged:
        return None
    if auth.dmarc == "fail":
        return "dmarc_fail"
    if auth.dmarc != "pass" and auth.spf in _FAILING_SPF and auth.dkim != "pass":
        return "spf_and_dkim_fail"
    return None
