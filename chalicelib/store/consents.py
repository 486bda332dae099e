"""Customers' consents to commercial messages: the standing one per channel and the
append-only history of every change (chalicelib/store/README.md)."""

from __future__ import annotations

from ..domain.clock import to_iso
from ..domain.consent import Consent
from ..domain.errors import NotFound
from ..domain.ids import new_id
from . import keys
from .dynamo import Table, TransactionCanceled


class DynamoConsentStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, customer_id: str, channel: str) -> Consent | None:
        item = self.table.get(keys.consent_key(customer_id, channel))
        return Consent.model_validate(item) if item else None

    def standing(self, customer_id: str) -> list[Consent]:
        items = self.table.query_all(
            ("PK", f"CUSTOMER#{customer_id}"), sort_prefix=keys.CONSENT_PREFIX
        )
        return [Consent.model_validate(i) for i in items]

    def history(self, customer_id: str, limit: int = 100) -> list[Consent]:
        """The changes, newest first."""
        items, _ = self.table.query(
            ("PK", f"CUSTOMER#{customer_id}"), sort_prefix=keys.CONSENT_LOG_PREFIX,
            forward=False, limit=limit,
        )  # fmt: skip
        return [Consent.model_validate(i) for i in items]

    def record(self, customer_id: str, consent: Consent) -> Consent:
        """Write the change to the history and, unless a newer change stands, as the
        standing consent, in one write; the customer must exist (NotFound). Answers the
        consent that stands after it."""
        line = {**consent.model_dump(mode="json"), "at_iso": to_iso(consent.at),
                **keys.consent_log_key(customer_id, to_iso(consent.at), new_id()),
                "entity": "consent_change"}  # fmt: skip
        standing = {**consent.model_dump(mode="json"), "at_iso": to_iso(consent.at),
                    **keys.consent_key(customer_id, consent.channel.value),
                    "entity": "consent"}  # fmt: skip
        exists = {"ConditionCheck": {"Key": keys.customer_key(customer_id),
                                     "ConditionExpression": "attribute_exists(PK)"}}  # fmt: skip
        try:
            self.table.transact([
                exists,
                {"Put": {"Item": line}},
                {"Put": {"Item": standing,
                         "ConditionExpression": "attribute_not_exists(PK) OR at_iso <= :at",
                         "ExpressionAttributeValues": {":at": to_iso(consent.at)}}},
            ])  # fmt: skip
        except TransactionCanceled as exc:
            codes = [r.code for r in exc.reasons]
            if codes and codes[0] == "ConditionalCheckFailed":
                raise NotFound(f"no customer {customer_id!r}") from exc
            # a newer change stands: keep this one in the history only
            self.table.transact([exists, {"Put": {"Item": line}}])
        return self.get(customer_id, consent.channel.value) or consent
