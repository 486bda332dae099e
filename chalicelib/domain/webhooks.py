"""Shop webhooks: the endpoints a shop registers, what each wants, and how deliveries retry.

A shop's backend registers endpoints (`/integrations/{shop}/webhooks`): a URL, the case
event types it wants (domain/case_events.py EVENT_TYPES) and a signing secret destek makes
(`whsec_...`, Standard Webhooks; shown once, at registration). Every case event of a wanted
type is POSTed to the URL, signed (`webhook-id` = the event's id, so the receiver
deduplicates on it), and retried on failure after RETRY_DELAYS; once those are spent (about
a day) the delivery is dead-lettered and listed for admins. The shop can ask for a time
range again (replay).

The URL rules guard against server-side request forgery: a registered URL is https and its
host resolves only to public addresses, so a shop cannot make destek POST to something
inside its own network or the cloud's metadata service. The local stack alone allows http
and loopback (a developer's receiver on 127.0.0.1). Pure: the host's addresses are looked
up by the caller and handed in.
"""

from __future__ import annotations

import base64
import ipaddress
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Annotated, NamedTuple
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field

from .case_events import EVENT_TYPES
from .clock import from_iso
from .errors import InvalidInput
from .model import Model

#: seconds to wait after each failed attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 8 h, 8 h (the
#: schedule Standard Webhooks' reference senders use, cut to about 24 h in all)
RETRY_DELAYS: tuple[int, ...] = (5, 300, 1800, 7200, 18000, 28800, 28800)
#: the first try and one per delay; the deliveries queue dead-letters after this many receives
ATTEMPTS = len(RETRY_DELAYS) + 1
#: SQS's longest visibility timeout, the longest one wait can be
MAX_DELAY = 12 * 3600
MAX_ENDPOINTS_PER_SHOP = 10
URL_MAX_BYTES = 2048
#: how far back a replay reaches: case events stay in the table this long
REPLAY_WINDOW = timedelta(days=30)
#: a delivery's outcomes after which a later event of the same subject may go (a failed one
#: was dead-lettered: it does not hold the rest of the case back)
SETTLED = frozenset({"delivered", "failed"})
#: seconds a delivery waits for an earlier one the first time; each further wait a quarter
#: longer, up to ORDER_WAIT_MAX (an earlier event in backoff may take hours)
ORDER_WAIT_FIRST = 2
ORDER_WAIT_MAX = 60
#: an earlier event still unsettled this long after it occurred holds nothing back: every
#: delivery that reached the deliveries queue settles within the retry schedule, so one this
#: late was lost before it (its fan-out dead-lettered) and would otherwise block for ever
ORDER_WAIT_LIMIT = timedelta(seconds=sum(RETRY_DELAYS) + 3600)


class NewEndpoint(Model):
    """What a shop registers. `event_types`: names from the events page (`GET /events`), at
    least one; `*` for every type."""

    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(min_length=1, max_length=URL_MAX_BYTES)]
    event_types: Annotated[list[str], Field(min_length=1, max_length=len(EVENT_TYPES) + 1)]
    description: Annotated[str, Field(max_length=200)] = ""


class Endpoint(Model):
    """A registered endpoint, as the shop and admins see it (never its secret)."""

    id: str
    shop_id: str
    url: str
    event_types: list[str]
    description: str = ""
    created_at: str


class RegisteredEndpoint(Endpoint):
    """The answer to a registration: the endpoint and, this once, its signing secret."""

    secret: str


class ReplayRange(Model):
    """Events that occurred in [from, to), ISO 8601 with an offset; at most 30 days back."""

    start: datetime = Field(alias="from")
    end: datetime = Field(alias="to")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _url_refused(reason: str, url: str) -> InvalidInput:
    return InvalidInput(
        f"the webhook URL cannot be used: {reason}",
        details={"reason": reason, "url": url[:200]},
        code="invalid_webhook_url",
    )


def check_url(
    url: str, resolve: Callable[[str, int], list[str]], local: bool = False
) -> tuple[str, int]:
    """The URL's host and port once the URL may be POSTed to; InvalidInput
    (`invalid_webhook_url`, details.reason) otherwise: not https (http only when `local`),
    credentials in it, no host, a fragment, over URL_MAX_BYTES in UTF-8, a host that does not
    resolve, or one that resolves to any address that is not public (loopback, private,
    link-local such as the metadata service, reserved; all allowed when `local`)."""
    if len(url.encode("utf-8")) > URL_MAX_BYTES:
        raise _url_refused("too_long", url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _url_refused("malformed", url) from None
    schemes = ("https", "http") if local else ("https",)
    if parts.scheme not in schemes:
        raise _url_refused("https_required", url)
    if parts.username is not None or parts.password is not None:
        raise _url_refused("credentials_in_url", url)
    if not parts.hostname:
        raise _url_refused("no_host", url)
    if parts.fragment:
        raise _url_refused("fragment", url)
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(parts.hostname, port)
    if not addresses:
        raise _url_refused("unresolvable", url)
    if not local and not all_public(addresses):
        raise _url_refused("private_address", url)
    return parts.hostname, port


def all_public(addresses: Iterable[str]) -> bool:
    """Every address is a public one (`is_global`; an IPv4-mapped IPv6 as its IPv4)."""
    for text in addresses:
        try:
            address = ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            return False
        mapped = getattr(address, "ipv4_mapped", None)
        if not (mapped or address).is_global:
            return False
    return True


def check_event_types(types: list[str]) -> list[str]:
    """The types, each once, in the events page's order; InvalidInput (`unknown_event_type`)
    naming the unknown ones. `*` stands for every type, today's and those added later."""
    unknown = sorted({t for t in types if t not in EVENT_TYPES and t != "*"})
    if unknown:
        raise InvalidInput(
            f"unknown event types: {', '.join(unknown)}",
            details={"unknown": unknown, "known": list(EVENT_TYPES)},
            code="unknown_event_type",
        )
    if "*" in types:
        return ["*"]
    return [t for t in EVENT_TYPES if t in set(types)]


def wants(event_types: list[str], event_type: str) -> bool:
    return "*" in event_types or event_type in event_types


def retry_delay(attempt: int, scale: float = 1.0) -> int | None:
    """Seconds to wait after attempt `attempt` (1 = the first try) failed; None when that was
    the last. `scale` shrinks the schedule (tests, the local stack); at least 1 s."""
    if attempt >= ATTEMPTS:
        return None
    base = RETRY_DELAYS[max(attempt, 1) - 1]
    return max(1, min(MAX_DELAY, round(base * scale)))


class EarlierEvent(NamedTuple):
    """An event of the same subject before the one being delivered (its partition's `~EV#`
    items below it): `occurred_at` as the event has it, ISO 8601 in UTC."""

    id: str
    type: str
    occurred_at: str


def awaited(endpoint: Endpoint, earlier: list[EarlierEvent], now: datetime) -> list[str]:
    """The ids of the earlier events whose delivery to `endpoint` must be settled before a
    later event of the same subject is POSTed to it, in order: those of a type it wants that
    occurred at or after it was registered (it never gets the ones before), and not more
    than ORDER_WAIT_LIMIT ago. Destek's ordering guarantee: per subject and endpoint."""
    registered, oldest = from_iso(endpoint.created_at), now - ORDER_WAIT_LIMIT
    return [
        e.id for e in earlier
        if wants(endpoint.event_types, e.type)
        and max(registered, oldest) <= from_iso(e.occurred_at)
    ]  # fmt: skip


def holding_back(awaited_ids: list[str], statuses: dict[str, str]) -> list[str]:
    """Of `awaited_ids`, those whose delivery is not settled (no record yet, or one not in
    SETTLED); `statuses`: event id to its delivery record's status, for those that have one."""
    return [i for i in awaited_ids if statuses.get(i) not in SETTLED]


def order_wait(waits: int, scale: float = 1.0) -> int:
    """Seconds a delivery held back by an earlier one waits, after `waits` earlier waits (0 =
    the first): ORDER_WAIT_FIRST growing by a quarter each time up to ORDER_WAIT_MAX; `scale`
    as for retry_delay; at least 1 s."""
    base = min(ORDER_WAIT_MAX, ORDER_WAIT_FIRST * 1.25 ** min(max(waits, 0), 40))
    return max(1, round(base * scale))


def check_replay(span: ReplayRange, now: datetime) -> tuple[datetime, datetime]:
    """The range, once it is one: timezone-aware, `from` before `to`, `from` within the
    REPLAY_WINDOW and not in the future; `to` beyond now is cut to now. InvalidInput
    (`invalid_replay_range`) otherwise."""
    start, end = span.start, span.end
    reason = None
    if start.tzinfo is None or end.tzinfo is None:
        reason = "timezone_required"
    elif start >= end:
        reason = "from_not_before_to"
    elif start < now - REPLAY_WINDOW:
        reason = "older_than_window"
    elif start > now:
        reason = "in_the_future"
    if reason:
        raise InvalidInput(
            f"the replay range cannot be used: {reason}",
            details={"reason": reason, "window_days": REPLAY_WINDOW.days},
            code="invalid_replay_range",
        )
    return start, min(end, now)
