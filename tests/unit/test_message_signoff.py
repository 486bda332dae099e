"""Every email a customer reads ends its letter with the shop's sign-off, in the reader's
language, from one partial (`templates/messages/<language>/_signoff.j2`).

The templates are enumerated, not listed: every message template is a customer's unless it
is named in STAFF below, so a new customer template without the sign-off fails here, and so
does a staff template nobody classed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from chalicelib.messaging.templates import TEMPLATES, JinjaRenderer

#: the templates staff read (agents, group managers, a new staff member): no sign-off; each
#: says something to the shop's own people, not to a customer
STAFF = {
    "arrivals_digest", "case_assigned", "case_reopened", "case_updated", "customer_replied",
    "delivery_failed", "escalated_to_you", "late_shipment_case", "low_rating",
    "routed_to_group", "satisfaction_alert", "sla_breach", "sla_escalation", "sla_reminder",
    "staff_invitation", "weekly_summary",
}  # fmt: skip
LANGUAGES = ["tr", "en"]
#: what any customer template may name (the union of their facts)
CONTEXT = {
    "case": {"number": "2026-000001", "subject": "Kargo gelmedi", "status": "resolved",
             "due_at": None},
    "customer_name": "Ayşe Yılmaz", "track_url": "https://destek.example/tr/case.html?t=x",
    "body": "Yenisini gönderdik.", "by": "Mehmet Demir", "files": [],
    "documents": [{"id": "d1", "title": "İade formu", "url": "https://api.example/l/t"}],
    "link_days": 7, "into_number": "2026-000002", "into_url": "https://destek.example/c",
    "rating_url": "https://destek.example/r", "rating_urls": {1: "https://destek.example/r1"},
    "rating_days": 14, "rating_scale": 5,
    "order_id": "S-1", "carrier": "Yurtiçi", "tracking_number": "T1", "shipment_id": "G1",
    "estimated_delivery": date(2026, 11, 20), "apology": "Özür dileriz.",
    "orders_url": "https://destek.example/tr/orders.html",
    "survey_name": "Memnuniyet", "survey_url": "https://destek.example/s",
    "expires_at": "2026-12-10T09:00:00Z", "opt_out_url": "https://destek.example/o",
}  # fmt: skip


def names(language: str) -> set[str]:
    """The message templates of a language: every `<name>.j2` but partials (`_name`) and
    the HTML twins (`<name>_html.j2`)."""
    return {
        p.stem
        for p in (TEMPLATES / language).glob("*.j2")
        if not p.stem.startswith("_") and not p.stem.endswith("_html")
    }


def customer_templates() -> list[tuple[str, str, bool]]:
    """(template, language, copied): each customer template, and a reply as the people copied
    on the case (CC) read it."""
    found = [(n, lang, False) for lang in LANGUAGES for n in sorted(names(lang) - STAFF)]
    return found + [("agent_replied", lang, True) for lang in LANGUAGES]


def signoff(language: str) -> str:
    """The partial's text as it renders (its last line break dropped, as the renderer does)."""
    return (TEMPLATES / language / "_signoff.j2").read_text(encoding="utf-8").strip()


def test_every_staff_template_named_exists():
    for language in LANGUAGES:
        assert STAFF - names(language) == set(), language
    # the customer's side is not empty: the enumeration finds the templates
    assert len(customer_templates()) >= 2 * 9


@pytest.mark.parametrize(("name", "language", "copied"), customer_templates())
def test_every_customer_email_has_the_sign_off(name, language, copied):
    email = JinjaRenderer().render(name, language, {**CONTEXT, "copied": copied}).email
    closing = signoff(language)
    assert closing and f"\n\n{closing}" in email, email
    # the letter ends with it; below it only the survey's consent and opt-out footer
    if name != "survey_invitation":
        assert email.endswith(closing), email


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sign_off_is_written_once_in_its_partial(language):
    """The templates include the partial; none carries its words copied."""
    first_line = signoff(language).splitlines()[0]
    copied = [
        p.name
        for p in Path(TEMPLATES / language).glob("*.j2")
        if p.name != "_signoff.j2" and first_line in p.read_text(encoding="utf-8")
    ]
    assert copied == []
