"""The customer: who a case is about, found by number, phone or email."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Literal

from pydantic import Field

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
    channel: Literal["email", "sms", "both"] = "email"
    quiet_from: time | None = Field(default=None, description="local time, e.g. 22:00")
    quiet_until: time | None = Field(default=None, description="local time, e.g. 08:00")
    timezone: str = "Europe/Istanbul"


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
    created_at: datetime
    version: int = 1


LookupKind = Literal["customer_number", "phone", "email", "login", "order"]


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively in practice; store and look up the lower form."""
    return email.strip().lower()
