"""A customer's consent to commercial messages, per channel, with its history.

In Turkey a survey that is not about the customer's own transaction is a commercial
electronic message (Law 6563 on electronic commerce, ETK, and its regulation of 2015): it
may go only to someone who agreed to receive it on that channel, the agreement must be
provable (who, when, how), and every message carries a way to refuse that works at once.
The shop records consents in İYS (İleti Yönetim Sistemi); destek keeps its own record, per
channel, with the source and the time of every change, and never sends a planned survey
without a granted consent on the channel it goes by.

Notices about the customer's own case (received, answered, resolved) are not commercial
and need no consent (docs/surveys.md).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from .model import Model


class ConsentChannel(StrEnum):
    """The channels a planned survey goes by."""

    EMAIL = "email"
    SMS = "sms"


class ConsentSource(StrEnum):
    """Who recorded the change."""

    #: the shop's backend, through a signed call (it holds the customer's İYS record)
    SHOP = "shop"
    #: the customer, on their own profile on the self-service site
    CUSTOMER = "customer"
    #: the customer, through the opt-out link of a message (withdrawal only)
    OPT_OUT_LINK = "opt_out_link"


class Consent(Model):
    """The standing consent of one customer on one channel: the last change wins."""

    channel: ConsentChannel
    granted: bool
    source: ConsentSource
    #: UTC, when the change was made (for the shop: when the customer gave it, if it says)
    at: datetime
    #: the survey invitation whose opt-out link withdrew it, when it was one
    invitation_id: str | None = None


class ConsentChange(Model):
    """A change asked for: grant or withdraw on a channel."""

    channel: ConsentChannel
    granted: bool
    #: when the customer gave or withdrew it, if earlier than now (the shop's record); UTC
    at: datetime | None = Field(default=None, description="defaults to now")


class Consents(Model):
    """A customer's consents: the standing one per channel (missing: never asked, no
    consent) and, when asked for, the history of changes, newest first."""

    customer_id: str
    channels: list[Consent] = Field(default_factory=list)
    history: list[Consent] = Field(default_factory=list)


def may_send(consent: Consent | None) -> bool:
    """A commercial message may go on the channel only under a granted consent; none
    recorded is no consent (opt-in, as ETK asks)."""
    return consent is not None and consent.granted


def applied(change: ConsentChange, source: ConsentSource, now: datetime,
            invitation_id: str | None = None) -> Consent:  # fmt: skip
    """The consent a change makes. A time in the future is taken as now (a shop's clock
    ahead of ours must not make a consent that outlives a later withdrawal)."""
    at = change.at if change.at is not None and change.at <= now else now
    return Consent(channel=change.channel, granted=change.granted, source=source, at=at,
                   invitation_id=invitation_id)  # fmt: skip


def supersedes(new: Consent, standing: Consent | None) -> bool:
    """Whether `new` replaces the standing consent: it is not older. A shop sending an old
    grant after the customer's opt-out must not undo the opt-out (the history keeps both)."""
    return standing is None or new.at >= standing.at
