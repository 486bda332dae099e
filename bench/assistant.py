"""The assistant, measured (issue 18, part 5; docs/assistant.md#measured).

The scripted conversations of tests/data/assistant/*.json (Turkish as customers write it,
some English; visitors and signed-in customers; where, when, tracking, late, the SMS,
cancel, return, invoice, a person, nonsense; and attempts to learn another customer's
data) are played through the API on a moto stack, in a world built for the run: a
signed-in customer `S` (an order on its way, a delivered one, a cancelled one), a signed-in
customer `L` (a delivery late beyond the threshold, a delivered one), a customer `V` whom a
visitor proves by order number and phone digits or email (seven orders: on its way, delivered,
late, not shipped, an unknown carrier, an SMS the shop recorded, delivered but "not
received") and a customer `X` nobody in the scripts may learn anything about.

A script's turns and expectations name the world's facts by placeholders: `{V1}` an order's
number (`{V1.lower}` in lower case), `{V1.t}` its tracking number, `{V1.eta}` its estimated
day and `{V1.day}` its delivery day in the conversation's language, `{V.4}` the customer's
phone's last four digits, `{V.email}`, `{V.phone}`, `{X.name}`, and `{wrong4}`,
`{wrong4b}`, `{wrong4c}`, `{nosuch}` (digits no customer's phone ends in, an order number
that does not exist). Expectations: `says` (keys of templates/assistant whose words must be
in the answers), `says_any`, `contains`, `not_contains`, `handoff` (`case`, `precase`, or
null: none), `may_see` (whose data the conversation may reveal; by default the identity's
own: `V` for a visitor, `S` or `L` signed in).

Reported: the share of conversations finished without an agent (no case or pre-case
opened), the share answered correctly (every expectation met), and leaks: conversations in
which an answer held another customer's tracking number, email or name (must be 0).
`python -m bench.assistant` prints them with every miss; `make bench` writes them to
docs/performance.md; tests/integration/test_assistant_bench.py keeps floors.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

DATA = ROOT / "tests" / "data" / "assistant"
#: who a script speaks as: its token's customer, or a visitor
IDENTITIES = {"visitor": "V", "signed_in": "S", "signed_in_late": "L"}
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)?)\}")


@dataclass(frozen=True)
class Script:
    id: str
    lang: str
    who: str
    topic: str
    turns: list[str]
    expect: dict[str, Any]
    #: written after the engine, to measure it, and never tuned for (held_out.json)
    held_out: bool = False


def scripts(folder: Path = DATA) -> list[Script]:
    """Every script of every file, in file and then list order."""
    found = []
    for path in sorted(folder.glob("*.json")):
        for raw in json.loads(path.read_text(encoding="utf-8")):
            found.append(Script(id=raw["id"], lang=raw.get("lang", "tr"),
                                who=raw.get("who", "visitor"), topic=raw["topic"],
                                turns=raw["turns"], expect=raw.get("expect", {}),
                                held_out=raw.get("held_out", False)))  # fmt: skip
    ids = [s.id for s in found]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"scripts with the same id: {duplicated}")
    return found


# ---- the world -------------------------------------------------------------------------------


@dataclass
class World:
    """The run's facts: placeholder -> value (per language where it is words), tokens of
    the signed-in customers, and each customer's data no other may see (canaries)."""

    values: dict[str, str] = field(default_factory=dict)
    words: dict[str, dict[str, str]] = field(default_factory=dict)  # lang -> placeholder -> text
    tokens: dict[str, str] = field(default_factory=dict)
    canaries: dict[str, set[str]] = field(default_factory=dict)

    def fill(self, text: str, lang: str) -> str:
        def one(match: re.Match) -> str:
            name = match.group(1)
            found = self.words.get(lang, {}).get(name, self.values.get(name))
            if found is None:
                raise KeyError(f"no placeholder {name!r}")
            return found

        return _PLACEHOLDER.sub(one, text)


#: (order, status, carrier, estimated day from today, delivered days ago, extra events)
ORDERS: dict[str, list[tuple[str, str, str | None, int | None, int | None, list]]] = {
    "S": [("S1", "shipped", "Yurtiçi Kargo", 2, None, []),
          ("S2", "delivered", "Aras Kargo", -6, 7, []),
          ("S3", "cancelled", None, None, None, [])],
    "L": [("L1", "shipped", "Aras Kargo", -3, None, []),
          ("L2", "delivered", "PTT Kargo", -10, 9, [])],
    "V": [("V1", "shipped", "MNG Kargo", 1, None, []),
          ("V2", "delivered", "PTT Kargo", -3, 2, []),
          ("V3", "shipped", "Sürat Kargo", -4, None, []),
          ("V4", "preparing", None, None, None, []),
          ("V5", "shipped", "Kurye Ali", 3, None, []),
          ("V6", "shipped", "HepsiJet", 2, None, [(-20, "SMS gönderildi")]),
          ("V7", "delivered", "Trendyol Express", -2, 1, [])],
    "X": [("X1", "shipped", "UPS", 2, None, []),
          ("X2", "delivered", "DHL Express", -5, 4, [])],
}  # fmt: skip


def build_world(env: dict[str, str], api: Any) -> World:
    """The run's customers and orders: S and L sign up on the site (their tokens are the
    signed-in scripts'), V and X are the shop's; every number is new to the table."""
    from chalicelib import wiring
    from chalicelib.domain.clock import ISTANBUL
    from chalicelib.messaging.templates import TEMPLATES
    from chalicelib.messaging.words import Vocabulary
    from chalicelib.services.shop_sync import ShopCustomer, ShopOrder, ShopShipment
    from tests.support import refreshed, sign_up, unique_number, unique_phone

    world = World(words={"tr": {}, "en": {}})
    run = uuid.uuid4().hex[:6].upper()
    sync = wiring.shop_sync()
    now = datetime.now(tz=UTC)
    today = now.astimezone(ISTANBUL).date()
    numbers: dict[str, str] = {}
    for who in ORDERS:
        phone = unique_phone()
        email = f"{who.lower()}.{run.lower()}@assistant.example"
        name = f"Müşteri {who} {run}"
        if who in ("S", "L"):
            signed = sign_up(env, email, name)
            account = api.as_(signed["id"]).post("/my/account", {"name": name, "phone": phone})
            if account.status != 200:
                raise RuntimeError(f"the signed-in customer {who} was not made: {account}")
            numbers[who] = account.body["customer_number"]
            world.tokens[who] = refreshed(env, signed["refresh"])
        else:
            numbers[who] = unique_number("AS-")
            sync.upsert_customer(ShopCustomer(customer_number=numbers[who], name=name,
                                              email=email, phone=phone))  # fmt: skip
        digits = re.sub(r"\D", "", phone)
        world.values |= {f"{who}.4": digits[-4:], f"{who}.email": email, f"{who}.phone": phone,
                         f"{who}.name": name}  # fmt: skip
        world.canaries[who] = {email, name}
    taken = {world.values[f"{w}.4"] for w in ORDERS}
    wrong = [f"{n:04d}" for n in range(1000, 10000, 1111) if f"{n:04d}" not in taken]
    world.values |= {"wrong4": wrong[0], "wrong4b": wrong[1], "wrong4c": wrong[2],
                     "nosuch": f"YOK-{run}-404"}  # fmt: skip
    for who, orders in ORDERS.items():
        for n, (ref, status, carrier, eta, delivered, extra) in enumerate(orders):
            order_id = f"{ref[0]}{run}-{100 + n}"
            tracking = f"{ref}{run}{7000 + n}"
            world.values |= {ref: order_id, f"{ref}.lower": order_id.lower(), f"{ref}.t": tracking}
            sync.upsert_order(ShopOrder(
                order_id=order_id, customer_number=numbers[who], placed_at=now - timedelta(days=12),
                status=status, lines=[{"sku": "SKU-1", "name": "Kahve makinesi", "quantity": 1,
                                       "unit_price": "1499.90"}]))  # fmt: skip
            if carrier is None:
                continue
            world.canaries[who].add(tracking)
            events = [
                {"at": now - timedelta(days=1), "status": "picked_up", "location": "İstanbul"}
            ]
            events += [{"at": now + timedelta(minutes=m), "status": s} for m, s in extra]
            delivered_at = now - timedelta(days=delivered) if delivered is not None else None
            estimated = today + timedelta(days=eta) if eta is not None else None
            sync.upsert_shipment(ShopShipment(
                shipment_id=f"SH-{order_id}", order_id=order_id, customer_number=numbers[who],
                carrier=carrier, tracking_number=tracking,
                status="delivered" if delivered is not None else "in_transit", events=events,
                estimated_delivery=estimated, delivered_at=delivered_at))  # fmt: skip
            for lang in ("tr", "en"):
                vocabulary = Vocabulary.of(TEMPLATES, lang)
                if estimated is not None:
                    world.words[lang][f"{ref}.eta"] = vocabulary.day(estimated)
                if delivered_at is not None:
                    world.words[lang][f"{ref}.day"] = vocabulary.day(
                        delivered_at.astimezone(ISTANBUL).date())  # fmt: skip
    return world


# ---- playing and judging ---------------------------------------------------------------------


@dataclass
class Played:
    answers: list[str] = field(default_factory=list)
    handoff: dict[str, Any] | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.answers)


@dataclass
class Verdict:
    script: Script
    correct: bool
    without_agent: bool
    leaked: list[str]
    why: list[str]


def play(api: Any, world: World, script: Script, address: str) -> Played:
    """One conversation through the API from its own client address (the public routes'
    per-address limits); the answers' text with their links' labels and addresses."""
    from chalice.local import LambdaEventConverter

    LambdaEventConverter.LOCAL_SOURCE_IP = address
    who = IDENTITIES[script.who]
    caller = api.as_(world.tokens.get(who))
    played = Played()
    started = caller.post("/assistant/conversations", {"language": script.lang})
    if started.status != 201:
        played.errors.append(f"start: {started.status} {started.body}")
        return played
    conversation = started.body["id"]
    for n, turn in enumerate(script.turns):
        text = world.fill(turn, script.lang)
        answer = caller.post(
            f"/assistant/conversations/{conversation}/messages",
            {"client_message_id": f"{script.id[:40]}-{n:03d}-x", "text": text},
        )
        if answer.status != 200:
            played.errors.append(f"turn {n + 1} ({text!r}): {answer.status} {answer.body}")
            break
        said = answer.body["answer"]
        links = [f"{link['label']} {link['url']}" for link in said["links"]]
        played.answers.append("\n".join([said["text"], *links]))
        played.handoff = answer.body["handoff"]
        if answer.body["status"] == "closed":
            if n + 1 < len(script.turns):
                played.errors.append(f"closed after turn {n + 1} of {len(script.turns)}")
            break
    return played


def judge(script: Script, played: Played, world: World) -> Verdict:
    from chalicelib.messaging.assistant_words import strings

    words = strings(script.lang)
    expect = script.expect
    why = list(played.errors)
    text = played.text
    for key in expect.get("says", []):
        if words[key] not in text:
            why.append(f"does not say {key}")
    if expect.get("says_any") and not any(words[k] in text for k in expect["says_any"]):
        why.append(f"says none of {expect['says_any']}")
    for wanted in expect.get("contains", []):
        if world.fill(wanted, script.lang) not in text:
            why.append(f"lacks {wanted} ({world.fill(wanted, script.lang)!r})")
    for unwanted in expect.get("not_contains", []):
        if world.fill(unwanted, script.lang) in text:
            why.append(f"holds {unwanted}")
    kind = played.handoff["kind"] if played.handoff else None
    if kind != expect.get("handoff"):
        why.append(f"handoff {kind}, expected {expect.get('handoff')}")
    if kind == "case" and played.handoff.get("number") not in (played.answers or [""])[-1]:
        why.append("the case number was not told")
    own = expect.get("may_see", [IDENTITIES[script.who]])
    leaked = sorted(f"{who}:{secret}" for who, secrets in world.canaries.items()
                    if who not in own for secret in secrets if secret in text)  # fmt: skip
    return Verdict(script, correct=not why and not leaked, without_agent=kind is None,
                   leaked=leaked, why=why)  # fmt: skip


# ---- a run -----------------------------------------------------------------------------------


@dataclass
class Result:
    verdicts: list[Verdict]
    seconds: float
    turns: int

    @property
    def conversations(self) -> int:
        return len(self.verdicts)

    @property
    def without_agent(self) -> float:
        return sum(v.without_agent for v in self.verdicts) / len(self.verdicts)

    @property
    def correct(self) -> float:
        return sum(v.correct for v in self.verdicts) / len(self.verdicts)

    @property
    def leaks(self) -> int:
        return sum(bool(v.leaked) for v in self.verdicts)

    def by(self, what: str) -> Counter[str]:
        return Counter(getattr(v.script, what) for v in self.verdicts)


def run(env: dict[str, str], api: Any, played: list[Script] | None = None) -> Result:
    """Build a world and play every script through `api` (tests.support.Api over the app)."""
    from chalice.local import LambdaEventConverter

    chosen = scripts() if played is None else played
    world = build_world(env, api)
    kept = LambdaEventConverter.LOCAL_SOURCE_IP
    started = time.perf_counter()
    verdicts = []
    try:
        for n, script in enumerate(chosen):
            address = f"10.{250 - n // 62500 % 5}.{n // 250 % 250}.{n % 250 + 1}"
            verdicts.append(judge(script, play(api, world, script, address), world))
    finally:
        LambdaEventConverter.LOCAL_SOURCE_IP = kept
    turns = sum(len(s.turns) for s in chosen)
    return Result(verdicts, time.perf_counter() - started, turns)


def measure() -> Result:
    """A run on a moto server of its own (the integration tests' set-up)."""
    from chalice.test import Client

    from bench.__main__ import start_aws
    from tests.support import Api

    server, env = start_aws()
    try:
        import app as app_module

        # the app's EMF metrics go to stdout, where a run's figures are read from
        with Client(app_module.app) as client, contextlib.redirect_stdout(io.StringIO()):
            return run(env, Api(client))
    finally:
        server.stop()


def report_lines(result: Result) -> list[str]:
    """The figures as bench prints them and docs/performance.md shows them."""
    by_topic = result.by("topic")
    right = Counter(v.script.topic for v in result.verdicts if v.correct)
    languages = result.by("lang")
    who = result.by("who")
    lines = [
        f"{date.today().isoformat()}: "
        f"{result.conversations} scripted conversations ({languages['tr']} Turkish, "
        f"{languages['en']} English; {who['visitor']} visitors, "
        f"{who['signed_in'] + who['signed_in_late']} signed in; {result.turns} customer "
        f"messages) through the API on moto in {result.seconds:.1f} s: answered without an "
        f"agent **{result.without_agent:.2f}**, answered correctly **{result.correct:.2f}**, "
        f"conversations that revealed another customer's data **{result.leaks}**",
        *held_out_line(result),
        "",
        "| topic | conversations | correct |",
        "| --- | --- | --- |",
        *(f"| {t} | {n} | {right[t]} |" for t, n in sorted(by_topic.items())),
    ]
    return lines


def held_out_line(result: Result) -> list[str]:
    """How the conversations written after the engine, never tuned for, fared on their own."""
    held = [v for v in result.verdicts if v.script.held_out]
    if not held:
        return []
    right = sum(v.correct for v in held)
    return [
        "",
        f"Of them, {len(held)} were written after the engine and never tuned for "
        f"(tests/data/assistant/held_out.json): {right} answered correctly "
        f"({right / len(held):.2f}).",
    ]


def misses(result: Result) -> list[str]:
    return [f"  {v.script.id}: {'; '.join(v.why + v.leaked)}"
            for v in result.verdicts if not v.correct]  # fmt: skip


SECTION = "## The assistant"


def section(lines: list[str]) -> list[str]:
    """The figures as docs/performance.md's measured part shows them."""
    return [
        SECTION,
        "",
        "Scripted conversations (tests/data/assistant/) through the API, as "
        "customers write (bench/assistant.py; docs/assistant.md#measured):",
        "",
        *lines,
    ]


def write_section(lines: list[str], path: Path | None = None) -> Path:
    """Put the figures in docs/performance.md's measured part under SECTION, replacing the
    section a run wrote before (`make bench` writes the whole part; this, only the section)."""
    from bench.report import DOCUMENT, MARKER

    path = path or DOCUMENT
    text = path.read_text(encoding="utf-8")
    if MARKER not in text:
        raise ValueError(f"{path} has no measured part")
    body = [*section(lines), ""]
    start = text.find(SECTION, text.index(MARKER))
    if start < 0:
        new = text.rstrip("\n") + "\n\n" + "\n".join(body)
    else:
        end = text.find("\n## ", start + len(SECTION))
        new = text[:start] + "\n".join(body) + ("\n" + text[end + 1 :] if end >= 0 else "")
    path.write_text(new.rstrip("\n") + "\n", encoding="utf-8")
    return path


def figures() -> dict[str, Any]:
    """A run's report lines and leaks, as `make bench` takes them from a fresh process."""
    result = measure()
    return {"lines": report_lines(result), "leaks": result.leaks}


if __name__ == "__main__":
    measured = measure()
    sys.stdout.write("\n".join(report_lines(measured)) + "\n")
    missed = misses(measured)
    if missed:
        sys.stdout.write("missed:\n" + "\n".join(missed) + "\n")
    if "--write" in sys.argv:
        sys.stdout.write(f"written: {write_section(report_lines(measured))}\n")
    raise SystemExit(1 if measured.leaks else 0)
