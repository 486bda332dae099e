"""The customer: who a case is about, found by number, phone or email."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel


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


class Customer(BaseModel):
    id: str
    customer_number: str
    name: str
    email: str | None = None
    phone: str | None = None  # E.164
    language: Language = Language.TR
    category: CustomerCategory = CustomerCategory.NORMAL
    created_at: datetime
    version: int = 1


LookupKind = Literal["customer_number", "phone", "email"]


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively in practice; store and look up the lower form."""
    return email.strip().lower()
