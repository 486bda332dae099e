"""The other people on a case (docs/files-and-cc.md): CC'd addresses and staff followers.

CC: email addresses (the customer's colleague, their accountant) that receive the case's
public replies as the customer does, by email, and whose mail to the case lands on it as the
customer's. Followers: staff usernames that hear of the case's updates (`case_updated`)
without owning it. Both are kept on the case, normalised, in the order given.
"""

from __future__ import annotations

from .errors import InvalidInput

#: addresses a case may copy, and staff who may follow it
MAX_CC = 10
MAX_FOLLOWERS = 20


def checked_cc(emails: list[str], customer_email: str | None) -> list[str]:
    """The CC list as stored: lower-cased, duplicates and the customer's own address dropped
    (they hear already). Addresses are checked at the API (services/case_commands.Email).
    InvalidInput `too_many_cc` over MAX_CC."""
    own = (customer_email or "").strip().lower()
    result = [e for e in dict.fromkeys(e.strip().lower() for e in emails) if e and e != own]
    if len(result) > MAX_CC:
        raise InvalidInput(f"a case copies at most {MAX_CC} addresses", code="too_many_cc",
                           details={"limit": MAX_CC})  # fmt: skip
    return result


def checked_followers(usernames: list[str], staff: set[str]) -> list[str]:
    """The followers as stored: duplicates dropped. InvalidInput `too_many_followers` over
    MAX_FOLLOWERS, `no_such_staff` (details: usernames) for a name `staff` does not hold."""
    result = list(dict.fromkeys(usernames))
    if len(result) > MAX_FOLLOWERS:
        raise InvalidInput(f"a case has at most {MAX_FOLLOWERS} followers",
                           code="too_many_followers", details={"limit": MAX_FOLLOWERS})  # fmt: skip
    unknown = [u for u in result if u not in staff]
    if unknown:
        raise InvalidInput("no staff member by these names", code="no_such_staff",
                           details={"usernames": unknown})  # fmt: skip
    return result


def copied(cc: list[str], address: str) -> bool:
    """Whether mail from `address` comes from someone the case copies."""
    return address.strip().lower() in cc
