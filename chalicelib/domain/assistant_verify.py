"""Proving an order without signing in: the order number with the last four digits of the
phone on it, or the email on it (docs/assistant.md#verification).

The customer's record is the truth (the shop sends it with its orders). Compared in constant
time, so the answer's timing does not tell how much of a guess was right. Pure: no I/O.
"""

from __future__ import annotations

import hmac
import re

from .customers import Customer, normalize_email


def proves(customer: Customer, last_four: str | None, email: str | None) -> bool:
    """Do these digits end the customer's phone, or is this the customer's email?"""
    ok = False
    if last_four and customer.phone:
        digits = re.sub(r"\D", "", customer.phone)
        ok |= len(last_four) == 4 and hmac.compare_digest(digits[-4:], last_four)
    if email and customer.email:
        ok |= hmac.compare_digest(
            normalize_email(customer.email).encode(), normalize_email(email).encode()
        )
    return ok
