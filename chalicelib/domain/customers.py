"""The customer: who a case is about, found by number, phone or email."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Literal

from pydantic import Field

from .errors import InvalidInput
from .model import Model


class Language(StrEnum):
    TR = "tr"
    EN = "en"


class CustomerCategory(StrEnum):
    """How the shop treats the customer (set by the shop's backend, issue 5)."""

    NORMAL = "normal"
    VIP = "vip"
    RISKY = "risky"
    BANNED = "banned"
    COD_APPROVED = "cod_approved"


class ContactPreferences(Model):
    channel: Literal["email", "sms", "both"] = "email"  # see check_contact
    quiet_from: time | None = Field(default=None, description="local time, e.g. 22:00")
    quiet_until: time | None = Field(default=None, description="local time, e.g. 08:00")
    timezone: str = "Europe/Istanbul"


class EmailUndeliverable(Model):
    """The customer's address bounced (or they reported our mail as spam): notices go by
    SMS while the address stays the same; a new address clears it by itself."""

    address: str
    kind: Literal["bounce", "complaint"] = "bounce"
    reason: str = ""
    at: datetime
    case_number: str | None = None
    notice_id: str | None = None


class Customer(Model):
    id: str
    customer_number: str
    name: str
    email: str | None = None
    phone: str | None = None  # E.164
    language: Language = Language.TR
    category: CustomerCategory = CustomerCategory.NORMAL
    contact: ContactPreferences = Field(default_factory=ContactPreferences)
    #: the Cognito sub of the customer's own sign-in on the site, once they have one
    login: str | None = None
    #: what the shop's backend tells about them (membership, last visit on the shop)
    membership_tier: str | None = None
    member_since: date | None = None
    last_visit_at: datetime | None = None
    #: set when a notice to `email` bounced; see `email_deliverable`
    email_undeliverable: EmailUndeliverable | None = None
    created_at: datetime
    version: int = 1

    @property
    def email_deliverable(self) -> bool:
        """An email address that has not bounced (a changed address starts clean)."""
        mark = self.email_undeliverable
        return bool(self.email) and not (
            mark is not None and mark.address == normalize_email(self.email or "")
        )


LookupKind = Literal["customer_number", "phone", "email", "login", "order"]


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively in practice; store and look up the lower form."""
    return email.strip().lower()


Channel = Literal["email", "sms", "both"]


def channel_for(email: str | None, phone: str | None) -> Channel:
    """The channel a new customer starts with: email when there is an address, else SMS.

    Someone an agent registers on the phone often has no email: their notices go by SMS
    because they said so at registration, not because a notice found no address.
    """
    return "sms" if phone and not email else "email"


def check_contact(
    channel: str, phone: str | None, email: str | None, *, sms_only: bool = False
) -> None:
    """Refuse (422) a contact channel the customer has no address for.

    Choosing SMS (or both) needs a phone number, and choosing email (or both) an email
    address; removing the phone an SMS choice relies on is refused the same way. Refused
    when it is set, so a notice is never quietly sent some other way than the customer
    chose. `sms_only`: check only the phone (a change that touched the phone, not the
    choice).
    """
    if channel in ("sms", "both") and not phone:
        raise InvalidInput(
            "SMS needs a phone number: add one, or choose email",
            details={"field": "contact.channel", "channel": channel},
            code="sms_needs_phone",
        )
    if not sms_only and channel in ("email", "both") and not email:
        raise InvalidInput(
            "email needs an email address: add one, or choose SMS",
            details={"field": "contact.channel", "channel": channel},
            code="email_needs_address",
        )
