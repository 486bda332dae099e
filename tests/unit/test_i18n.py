"""Every text a person reads has Turkish and English words, and the Turkish has no English.

The lists are enumerated, not typed here: every history kind and reason code (the enums),
every notice (NoticeEvent, rendered through the notifier for a Turkish and an English
reader), every error code the API can answer (domain errors, Chalice's own, and each
`code="..."` in chalicelib/, found by reading the source). A kind, notice or code added
later without its words fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chalicelib.api.errors import CHALICE_CODES
from chalicelib.domain import errors
from chalicelib.domain.case_kinds import CaseType, Channel, Priority
from chalicelib.domain.cases import EntryKind, HistoryEntry, ReasonCode
from chalicelib.domain.customers import ContactPreferences, Language
from chalicelib.domain.library import NAMED_CATEGORIES
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.notifications import NoticeEvent, notice
from chalicelib.domain.report_table import Dimension, ReportName
from chalicelib.domain.sla import TargetKind
from chalicelib.domain.sms import fold_to_gsm7, is_gsm7, size_of
from chalicelib.messaging.templates import TEMPLATES, JinjaRenderer
from chalicelib.services.notifier import Notifier
from devstack import seed_library

from .fakes import FakeNotices, FakeQueue, FakeSender
from .test_case_service import open_for

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = ROOT / "templates" / "console" / "strings"
SITE = ROOT / "templates" / "site" / "strings"
ASSISTANT = ROOT / "templates" / "assistant"

#: English words that are not also Turkish words ("no" is Turkish for number, "on" for ten,
#: "can" a name, "normal" both); a Turkish text holding one of them has English in it
# fmt: off
ENGLISH = {
    "the", "of", "and", "to", "via", "from", "with", "by", "is", "was", "were", "yes", "case",
    "cases", "opened", "closed", "claimed", "pool", "group", "assigned", "level", "escalated",
    "escalation", "target", "breached", "reminder", "resolved", "received", "reply", "replied",
    "request", "complaint", "question", "suggestion", "priority", "status", "type", "months",
    "month", "days", "hours", "minutes", "error", "invalid", "found", "failed", "please", "try",
    "again", "customer", "agent", "supervisor", "routed", "rule", "matched", "default",
    "automatically", "field", "required", "value", "email", "phone", "save", "delete", "new",
    "open", "low", "high", "urgent", "due", "left", "late", "ago", "your", "you", "we", "our",
    "this", "that", "has", "have", "been", "will", "unknown", "nobody", "group_id", "assignee",
    "reason", "notify", "pending", "sent", "skipped", "held", "web_site", "website",
}
# fmt: on
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
JINJA = re.compile(r"{{.*?}}|{%.*?%}", re.DOTALL)


def english_in(text: str) -> set[str]:
    """The English words in a Turkish text (placeholders, Jinja tags and links left out)."""
    text = JINJA.sub(" ", re.sub(r"\{\w+\}|https?://\S+", " ", text))
    return {w for w in re.findall(r"[A-Za-z_]+", text) if w.lower() in ENGLISH}


def strings(folder: Path, language: str) -> dict[str, str]:
    return json.loads((folder / f"{language}.json").read_text(encoding="utf-8"))


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


# ---- the strings files ------------------------------------------------------------------------


FOLDERS = pytest.mark.parametrize(
    "folder", [CONSOLE, SITE, ASSISTANT], ids=["console", "site", "assistant"]
)


@FOLDERS
def test_both_languages_have_the_same_keys_and_placeholders(folder):
    tr, en = strings(folder, "tr"), strings(folder, "en")
    assert sorted(set(tr) ^ set(en)) == []
    differing = [k for k in tr if placeholders(tr[k]) != placeholders(en[k])]
    assert differing == []


@pytest.mark.parametrize("language", ["tr", "en"])
@FOLDERS
def test_each_key_is_written_once(folder, language):
    """json.loads keeps the last of two equal keys, so a key two branches each added reads
    as whichever was merged below the other: one key, one word."""
    text = (folder / f"{language}.json").read_text(encoding="utf-8")
    pairs = json.loads(text, object_pairs_hook=lambda items: items)
    keys = [k for k, _ in pairs]
    assert sorted({k for k in keys if keys.count(k) > 1}) == []


@FOLDERS
def test_turkish_strings_hold_no_english(folder):
    found = {k: english_in(v) for k, v in strings(folder, "tr").items()}
    assert {k: v for k, v in found.items() if v} == {}


def test_every_history_kind_and_reason_has_words_in_the_console():
    # the facts console.js's reasonText passes to a reason's words
    facts = {"channel", "rule", "words", "days", "level", "target", "notify", "score", "confidence"}
    for language in ("tr", "en"):
        words = strings(CONSOLE, language)
        missing = [f"entry_{k.value}" for k in EntryKind if f"entry_{k.value}" not in words]
        missing += [f"reason_{c.value}" for c in ReasonCode if f"reason_{c.value}" not in words]
        assert missing == [], language
        for code in ReasonCode:
            assert placeholders(words[f"reason_{code.value}"]) <= facts, code
    # every value the console says in words through say(`<field>_<value>`)
    console = strings(CONSOLE, "tr")
    codes = [f"status_{s.value}" for s in Status] + [f"priority_{p.value}" for p in Priority]
    codes += [f"type_{t.value}" for t in CaseType] + [f"channel_{c.value}" for c in Channel]
    codes += [f"target_word_{t.value}" for t in TargetKind] + [
        f"target_{t.value}" for t in TargetKind
    ]
    codes += [f"notify_{n}" for n in ("assignee_and_group", "supervisors", "managers")]
    codes += [f"notice_{e.value}" for e in NoticeEvent]
    assert [c for c in codes if c not in console] == []


def test_every_word_the_console_scripts_name_is_in_both_languages():
    """say("key") with a literal key in the console's scripts (console.js and the modules it
    imports): a key missing from a strings file shows as the bare key on the page, in one
    language only."""
    scripts = ROOT / "templates" / "console" / "static"
    named = set()
    for script in sorted(scripts.glob("*.js")):
        named |= set(re.findall(r"""\bsay\("(\w+)\"""", script.read_text("utf-8")))
    assert len(named) > 100  # the scripts were read
    for language in ("tr", "en"):
        assert sorted(named - set(strings(CONSOLE, language))) == [], language


def test_every_library_category_the_shop_ships_with_has_words_on_the_site_and_console():
    """The site's and console's library pages name a category by `library_kind_<code>`; a
    category without them shows its bare code (`forms`) to a customer."""
    for folder in (SITE, CONSOLE):
        for language in ("tr", "en"):
            words = strings(folder, language)
            missing = [c for c in NAMED_CATEGORIES if f"library_kind_{c}" not in words]
            assert missing == [], (folder.parent.name, language)
    seeded = {row[3] for row in seed_library.DOCUMENTS}
    assert seeded <= set(NAMED_CATEGORIES)  # the demo shows none as a code


def test_every_word_the_assistant_names_is_in_both_languages():
    """The assistant's lines are keys of templates/assistant (say("key"), Line("key"),
    suggestions, a case's subject per hand-off reason): none may be missing."""
    from chalicelib.domain.assistant_reply import START_SUGGESTIONS, YES_NO
    from chalicelib.domain.assistant_state import HandOffReason

    named = set(START_SUGGESTIONS + YES_NO)
    named |= {f"case_subject_{r.value}" for r in HandOffReason}
    sources = [*(ROOT / "chalicelib").rglob("assistant*.py")]
    for path in sources:
        source = path.read_text(encoding="utf-8")
        named |= set(re.findall(r"""\bsay\(\s*"(\w+)\"""", source))
        named |= set(re.findall(r"""\bLine\(\s*"(\w+)\"""", source))
        named |= set(re.findall(r"""\bword\(\s*"(\w+)\"""", source))
    assert len(named) > 50  # the sources were read
    for language in ("tr", "en"):
        assert sorted(named - set(strings(ASSISTANT, language))) == [], language


def test_every_report_and_dimension_has_its_words():
    words = strings(CONSOLE, "tr")
    codes = [f"report_{r.value}" for r in ReportName] + [f"report_dim_{d.value}" for d in Dimension]
    assert [c for c in codes if c not in words] == []


def api_error_codes() -> set[str]:
    """Every `error.code` the API can answer, read from the code itself."""
    codes = {CHALICE_CODES[name] for name in CHALICE_CODES}
    pending = [errors.DomainError]
    while pending:
        cls = pending.pop()
        codes.add(cls.code)
        pending += cls.__subclasses__()
    for path in [ROOT / "app.py", *(ROOT / "chalicelib").rglob("*.py")]:
        source = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r"""\bcode=["'](\w+)["']""", source))
        codes |= set(re.findall(r"""["']code["']:\s*["'](\w+)["']""", source))
        constants = dict(re.findall(r"""^([A-Z_]+) = ["'](\w+)["']""", source, re.MULTILINE))
        codes |= {constants[name] for name in re.findall(r"\bcode=([A-Z_]+)\b", source)}
    return codes


def test_every_api_error_code_has_words_in_the_console_and_the_site():
    codes = api_error_codes()
    assert {"version_conflict", "serial_taken", "already_received", "method_not_allowed"} <= codes
    assert len(codes) >= 45  # the source was read
    for folder in (CONSOLE, SITE):
        for language in ("tr", "en"):
            words = strings(folder, language)
            missing = sorted(c for c in codes if f"error_{c}" not in words)
            assert missing == [], f"{folder.parent.name}/{language}: {missing}"
    for folder in (CONSOLE, SITE):
        assert "error_generic" in strings(folder, "tr") and "problem_generic" in strings(
            folder, "tr"
        )


# ---- history lines: codes from the services, old English lines read as codes --------------


def test_history_lines_carry_codes_and_facts_not_sentences(world):
    from chalicelib.services import case_commands as cmd

    case = open_for(world)
    routed = world.routing.route(case.id)
    claimed = world.service.claim(world.mehmet, case.id, cmd.Claim(version=routed.version))
    world.service.assign(
        world.selin, case.id, cmd.Assign(version=claimed.version, assignee="mehmet",
                                         reason="müşteri onu istedi"),
    )  # fmt: skip
    history = world.cases.get(case.id).history
    lines = [(h.kind.value, h.reason_code, h.reason, h.data.get("channel")) for h in history]
    assert lines == [
        ("created", ReasonCode.OPENED, None, "phone"),
        ("routed", ReasonCode.DEFAULT_GROUP, None, None),
        ("assigned", ReasonCode.CLAIMED, None, None),
        ("assigned", ReasonCode.ASSIGNED_BY_SUPERVISOR, "müşteri onu istedi", None),
    ]


@pytest.mark.parametrize(
    ("stored", "code", "data"),
    [
        ({"kind": "created", "reason": "opened via web"}, "opened", {"channel": "web"}),
        ({"kind": "routed", "reason": "group chosen at intake"}, "group_chosen_at_intake", {}),
        (
            {"kind": "routed", "reason": "rule 'Kargo' matched: KARGOM, iade",
             "data": {"rule_id": "r1", "matched": ["KARGOM", "iade"]}},
            "rule_matched", {"rule_id": "r1", "matched": ["KARGOM", "iade"], "rule_name": "Kargo"},
        ),
        ({"kind": "routed", "reason": "default group (no rule matched)"}, "default_group", {}),
        ({"kind": "assigned", "reason": "assigned automatically"}, "auto_assigned", {}),
        ({"kind": "assigned", "reason": "claimed from the pool"}, "claimed", {}),
        ({"kind": "assigned", "reason": "assigned by supervisor"}, "assigned_by_supervisor", {}),
        (
            {"kind": "status_changed", "reason": "the customer confirmed the resolution"},
            "customer_confirmed", {},
        ),
        (
            {"kind": "status_changed", "reason": "closed automatically 7 days after resolution"},
            "auto_closed", {"days": 7},
        ),
        (
            {"kind": "sla", "reason": "escalated to level 1: assignee_and_group",
             "data": {"kind": "escalation", "target": "resolution", "level": 1,
                      "notify": "assignee_and_group"}},
            "sla_escalation",
            {"kind": "escalation", "target": "resolution", "level": 1,
             "notify": "assignee_and_group"},
        ),
        (
            {"kind": "sla", "reason": "first response target is near",
             "data": {"kind": "reminder", "target": "first_response"}},
            "sla_reminder", {"kind": "reminder", "target": "first_response"},
        ),
    ],
)  # fmt: skip
def test_lines_stored_with_english_reasons_read_as_codes(stored, code, data):
    item = {"id": "h1", "case_id": "c1", "at": "2026-12-01T20:25:39.000000Z",
            "actor": {"kind": "system", "id": "destek"}, **stored}  # fmt: skip
    entry = HistoryEntry.model_validate(item)
    assert (entry.reason_code, entry.reason, entry.data) == (code, None, data)


def test_a_reason_a_person_typed_stays_as_typed():
    item = {"id": "h1", "case_id": "c1", "at": "2026-12-01T20:25:39.000000Z", "kind": "assigned",
            "actor": {"kind": "staff", "id": "selin"}, "reason": "opened via a friend"}  # fmt: skip
    entry = HistoryEntry.model_validate(item)
    assert (entry.reason_code, entry.reason) == (None, "opened via a friend")


# ---- notices: every event, both languages, through the notifier ---------------------------

#: facts a notice of each event carries (notifications.py); an event added later gets all
#: of them, so its template renders unless it needs a fact nobody gives yet
SAMPLE_DATA = {
    NoticeEvent.AGENT_REPLIED: {"body": "Yenisini gönderdik.", "by": "Mehmet Demir"},
    NoticeEvent.ROUTED_TO_GROUP: {"reason_code": "rule_matched", "rule_name": "Kargo kuralı",
                                  "matched": ["kargom"]},
    NoticeEvent.SLA_REMINDER: {"target": "first_response", "level": 0},
    NoticeEvent.SLA_BREACH: {"target": "resolution", "level": 0},
    NoticeEvent.SLA_ESCALATION: {"target": "resolution", "level": 2},
    NoticeEvent.LOW_RATING: {"score": 2, "scale": 5, "source": "customer"},
    NoticeEvent.DOCUMENTS_SENT: {"documents": [{"id": "d1", "title": "İade formu",
                                                "url": "https://api.example/library/links/t"}],
                                 "link_days": 7, "by": "Mehmet Demir"},
    NoticeEvent.CASE_MERGED: {"into_number": "2026-000002"},
}  # fmt: skip
ANY_DATA = {k: v for data in SAMPLE_DATA.values() for k, v in data.items()}
#: codes that must never reach a reader as they are
RAW_CODES = re.compile(
    r"\b(in_progress|waiting_customer|first_response|assignee_and_group|teslimat|mehmet)\b"
)


@pytest.fixture
def post(world):
    world.sender = FakeSender()
    world.queue = FakeQueue()
    world.notices = FakeNotices(world.cases)
    world.notifier = Notifier(
        world.cases, world.notices, world.customers, world.directory, world.sender,
        JinjaRenderer(), world.queue, world.clock, site_url="https://destek.example",
    )  # fmt: skip
    return world


def rendered(world, event: NoticeEvent, language: str) -> tuple[str, str, str]:
    """The notice for a Turkish or English reader: subject, email and SMS as sent."""
    from chalicelib.services import case_commands as cmd

    phone = "0532 765 43 21" if language == "tr" else "0532 765 43 22"
    case = open_for(world, email=f"okur-{language}@example.com", phone=phone, name="Okur",
                    language=language)  # fmt: skip
    world.directory.put_staff(
        world.directory.staff["ayse"].model_copy(update={"name": "Ayşe Kaya"})
    )
    routed = world.routing.route(case.id)
    to_ayse = cmd.Assign(version=routed.version, group_id="teslimat", assignee="ayse")
    world.service.assign(world.selin, case.id, to_ayse)
    case = world.cases.get(case.id).case
    customer = world.customers.get(case.customer_id)
    world.customers.by_id[customer.id] = customer.model_copy(
        update={"contact": ContactPreferences(channel="both")}
    )
    data = SAMPLE_DATA.get(event, ANY_DATA)
    sent = notice(case, event, "customer", world.clock.now, urgent=True, data=data)
    world.cases.notices.setdefault(case.id, []).append(sent)
    assert world.notifier.deliver(case.id, sent.id) == "sent"
    (_, subject, email), (_, sms) = world.sender.emails[-1], world.sender.texts[-1]
    return subject, email, sms


@pytest.mark.parametrize("language", [lang.value for lang in Language])
@pytest.mark.parametrize("event", list(NoticeEvent), ids=lambda e: e.value)
def test_every_notice_reads_in_its_readers_language(post, event, language):
    assert (TEMPLATES / language / f"{event.value}.j2").exists()
    subject, email, sms = rendered(post, event, language)
    text = "\n".join([subject, email, sms])
    assert subject and email and sms
    assert not ISO_TIME.search(text), text  # times are local and in words
    assert not RAW_CODES.search(text), text  # types, statuses, targets, ids are words and names
    if language == "tr":
        assert english_in(text) == set(), text


def test_staff_notices_name_the_group_and_say_the_case_in_words(post):
    subject, email, _ = rendered(post, NoticeEvent.ROUTED_TO_GROUP, "tr")
    assert "Kargo havuzuna" in email  # the group's name, not its id
    assert "Tür: şikâyet · Öncelik: normal · Kanal: telefon" in email
    assert "“Kargo kuralı” kuralı eşleşti (kargom)" in email
    assert "Çözüm hedefi: 24 Kasım 2026 12:00\n" in email  # 09:00 UTC on Istanbul's clock
    # the console link on its own line, not run on after the target's time
    assert "\nTalebi konsolda açın: " in email
    _, email, _ = rendered(post, NoticeEvent.SLA_ESCALATION, "en")
    assert "Assignee: Ayşe Kaya" in email and "Group: Kargo" in email


def test_each_staff_member_reads_a_notice_in_their_own_language(post):
    world = post
    for name, language in [("ayse", "en"), ("mehmet", "tr")]:
        member = world.directory.staff[name]
        world.directory.put_staff(
            member.model_copy(update={"email": f"{name}@shop.example", "language": language})
        )
    urun = world.directory.get_group("urun")
    world.directory.put_group(urun.model_copy(update={"members": ["mehmet", "ayse"]}))
    case = open_for(world)
    world.routing.route(case.id)
    routed = next(n for n in world.cases.notices[case.id] if n.event == NoticeEvent.ROUTED_TO_GROUP)
    assert world.notifier.deliver(case.id, routed.id) == "sent"
    subjects = {to: subject for to, subject, _ in world.sender.emails}
    assert subjects["ayse@shop.example"] == f"New case in your pool: {case.number} (normal)"
    assert subjects["mehmet@shop.example"] == f"Yeni talep havuzunuzda: {case.number} (normal)"


@pytest.mark.parametrize("language", ["tr", "en"])
def test_the_vocabulary_has_a_word_for_every_code(language):
    words = json.loads((TEMPLATES / language / "_words.json").read_text(encoding="utf-8"))
    for kind, enum in [("type", CaseType), ("priority", Priority), ("status", Status),
                       ("channel", Channel), ("target", TargetKind)]:  # fmt: skip
        assert sorted(set(e.value for e in enum) - set(words[kind])) == [], kind
    assert len(words["months"]) == 12
    if language == "tr":
        said = [w for v in words.values() for w in (v.values() if isinstance(v, dict) else [v])]
        assert english_in(json.dumps(said, ensure_ascii=False)) == set()


def test_turkish_templates_hold_no_english_outside_their_tags():
    found = {
        p.name: english_in(p.read_text(encoding="utf-8")) for p in (TEMPLATES / "tr").glob("*.j2")
    }
    assert {k: v for k, v in found.items() if v} == {}


# ---- SMS: Turkish letters, or GSM-7 by the shop's choice ---------------------------------


def test_sms_keep_turkish_letters_by_default_and_fold_when_the_shop_chooses_gsm7(post):
    world = post
    _, _, sms = rendered(world, NoticeEvent.CASE_RESOLVED, "tr")
    assert "numaralı talebiniz çözüldü" in sms and size_of(sms).encoding == "ucs2"
    world.notifier.sms_alphabet = "gsm7"
    _, _, folded = rendered(world, NoticeEvent.CASE_RESOLVED, "tr")
    assert "numarali talebiniz cozuldu" in folded and is_gsm7(folded)
    parts = [d.parts for notices in world.cases.notices.values() for n in notices
             for d in n.deliveries if d.channel == "sms"]  # fmt: skip
    assert parts == [size_of(sms).parts, size_of(folded).parts]


@pytest.mark.parametrize(
    ("text", "encoding", "units", "parts"),
    [
        ("a" * 160, "gsm7", 160, 1),
        ("a" * 161, "gsm7", 161, 2),
        ("a" * 306, "gsm7", 306, 2),
        ("a" * 307, "gsm7", 307, 3),
        ("€" * 80, "gsm7", 160, 1),  # an extension character counts two
        ("Öğüt çözüm" + "a" * 60, "ucs2", 70, 1),
        ("ı" * 71, "ucs2", 71, 2),
        ("ı" * 134, "ucs2", 134, 2),
        ("ı" * 135, "ucs2", 135, 3),
    ],
)
def test_sms_parts_per_alphabet(text, encoding, units, parts):
    assert size_of(text).model_dump() == {"encoding": encoding, "units": units, "parts": parts}


def test_gsm7_folding_leaves_nothing_outside_gsm7():
    text = "İŞ ğüşıöç ÇĞÜ “tırnak” — 3 gün… café 😀"
    folded = fold_to_gsm7(text)
    assert folded == 'IS gusioc CGU "tirnak" - 3 gun... café ?'
    assert is_gsm7(folded)


def test_a_refused_field_carries_its_problem_as_a_code_the_pages_can_say():
    from chalicelib.api.endpoint import validate
    from chalicelib.services import case_commands as cmd

    with pytest.raises(errors.InvalidInput) as refused:
        validate(cmd.Comment, {"version": "bir"})
    types = {d["field"]: d["type"] for d in refused.value.details}
    assert types == {"version": "int_parsing", "body": "missing"}
    for folder in (CONSOLE, SITE):
        assert {f"problem_{t}" for t in types.values()} <= set(strings(folder, "tr"))


#: notices only staff receive (domain/notifications.py): each mail ends with the console's
#: link to the case, as the arrival's does ("notices whose links land": the README.md at the top)
STAFF_ONLY = [NoticeEvent.CUSTOMER_REPLIED, NoticeEvent.CASE_ASSIGNED,
              NoticeEvent.ESCALATED_TO_YOU, NoticeEvent.DELIVERY_FAILED,
              NoticeEvent.CASE_REOPENED, NoticeEvent.ROUTED_TO_GROUP, NoticeEvent.SLA_REMINDER,
              NoticeEvent.SLA_BREACH, NoticeEvent.SLA_ESCALATION]  # fmt: skip
CONSOLE_LINE = {"tr": "Talebi konsolda açın: ", "en": "Open the case in the console: "}


@pytest.mark.parametrize("language", ["tr", "en"])
@pytest.mark.parametrize("event", STAFF_ONLY, ids=lambda e: e.value)
def test_every_staff_notice_links_to_the_case_in_the_console(event, language):
    link = "https://api.example/api/console#/case/2026-000001"
    context = {"case": {"number": "2026-000001", "subject": "Kargom gelmedi",
                        "type": "complaint", "priority": "normal", "channel": "phone"},
               "customer_name": "Okur", "case_url": link, "body": "Ne oldu?", "level": 1,
               "group_name": "Kargo", "target_due": "2026-12-03T15:50:00Z", "assignee_name": "Ayşe",
               "target": "resolution", "to": "okur@example.com", "reason": "bounced"}  # fmt: skip
    email = JinjaRenderer().render(event.value, language, context).email
    # on a line of its own (an SLA reminder's ran on after its target time)
    assert f"\n{CONSOLE_LINE[language]}{link}" in email, email
