"""Late deliveries: the shipments waiting to be found late, the once-per-shipment marks, the
counts per carrier and the shop's settings (docs/orders.md#late-deliveries).

A shipment with an estimated day and no delivery carries `outbox_pk = LATE_SHIPMENTS`,
`outbox_sk = <estimated day>#<customer id>#<shipment id>` (written with it by
`DynamoShopRecords.put_shipment`), so the sweep reads what is due from the sparse `outbox`
index, not every shipment. The index keeps keys only; the shipments are then one
BatchGetItem.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..domain.clock import to_iso
from ..domain.late_deliveries import CarrierCount, LateDeliverySettings, LateShipmentCounts
from ..domain.orders import Shipment, delivered_at
from . import keys
from .dynamo import Table
from .weekly_marks import DynamoWeeklyMarks

PAGE = 100


def late_index_keys(shipment: Shipment) -> dict[str, str]:
    """The index attributes a shipment carries while it may still turn out late."""
    if shipment.estimated_delivery is None or delivered_at(shipment) is not None:
        return {}
    day = shipment.estimated_delivery.isoformat()
    return {"outbox_pk": keys.LATE_SHIPMENTS,
            "outbox_sk": f"{day}#{shipment.customer_id}#{shipment.shipment_id}"}  # fmt: skip


class DynamoLateDeliveries:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.marks = DynamoWeeklyMarks(table, key=keys.late_shipment_mark_key,
                                       entity="late_shipment")  # fmt: skip

    # ---- the shop's settings -------------------------------------------------------------

    def settings(self) -> LateDeliverySettings:
        item = self.table.get(keys.LATE_SETTINGS)
        return LateDeliverySettings.model_validate(item) if item else LateDeliverySettings()

    def save_settings(self, settings: LateDeliverySettings) -> None:
        self.table.put({**settings.model_dump(mode="json"), **keys.LATE_SETTINGS,
                        "entity": "late_settings"})  # fmt: skip

    # ---- the sweep -----------------------------------------------------------------------

    def due(self, before: date, cursor: str | None) -> tuple[list[Shipment], str | None]:
        """A page of shipments whose estimated day is before `before`, oldest promise first."""
        found, next_cursor = self.table.query(
            ("outbox_pk", keys.LATE_SHIPMENTS), index="outbox",
            sort_before=before.isoformat(), limit=PAGE, cursor=cursor,
        )  # fmt: skip
        items = self.table.batch_get([{"PK": i["PK"], "SK": i["SK"]} for i in found])
        shipments = [Shipment.model_validate(i) for i in items if i.get("entity") == "shipment"]
        return sorted(shipments, key=lambda s: (str(s.estimated_delivery), s.shipment_id)), (
            next_cursor
        )

    def settled(self, shipment: Shipment) -> None:
        """Out of the index: unless the shop sent the shipment again meanwhile with another
        estimated day (the condition), which the sweep then sees afresh."""
        sk = late_index_keys(shipment).get("outbox_sk")
        if sk is None:
            return
        self.table.update(
            keys.shipment_key(shipment.customer_id, shipment.shipment_id),
            "REMOVE outbox_pk, outbox_sk",
            "outbox_sk = :sk",
            {},
            {":sk": sk},
        )

    def claim(self, shipment: Shipment, at: datetime) -> bool:
        """Take the shipment's mark for its estimated day (False: done already, or another run
        holds it; a run that died while acting gives it up after the lease)."""
        return self.marks.claim(_ref(shipment), str(shipment.estimated_delivery), at)

    def is_done(self, shipment: Shipment) -> bool:
        """Its mark for this estimated day says it was acted on (not merely claimed)."""
        mark = self.table.get(
            keys.late_shipment_mark_key(_ref(shipment), str(shipment.estimated_delivery))
        )
        return bool(mark) and mark.get("state") == "sent"

    def told(self, shipments: list[Shipment]) -> list[tuple[Shipment, str, str]]:
        """The shipments whose customer destek told of the delay (one BatchGetItem of their
        marks): (shipment, when as ISO text, `email` | `sms` | `other`)."""
        wanted = {}
        for s in shipments:
            if s.estimated_delivery is not None:
                key = keys.late_shipment_mark_key(_ref(s), str(s.estimated_delivery))
                wanted[(key["PK"], key["SK"])] = s
        if not wanted:
            return []
        marks = self.table.batch_get([{"PK": pk, "SK": sk} for pk, sk in wanted])
        told = []
        for mark in marks:
            shipment = wanted.get((mark["PK"], mark["SK"]))
            acted = str(mark.get("acted", "")).split(",")
            if shipment and mark.get("state") == "sent" and "customer" in acted:
                told.append((shipment, str(mark["sent_at"]), mark.get("told_by") or "other"))
        return told

    def release(self, shipment: Shipment) -> None:
        self.marks.release(_ref(shipment), str(shipment.estimated_delivery))

    def done(self, shipment: Shipment, carrier: str, day: date, at: datetime, acted: str,
             told_by: str | None = None) -> None:  # fmt: skip
        """The mark taken for good and the carrier's count for the day, in one transaction.
        `told_by`: the channel the customer was told by (`email`, `sms`), if they were."""
        mark = keys.late_shipment_mark_key(_ref(shipment), str(shipment.estimated_delivery))
        self.table.transact([
            {"Update": {"Key": mark,
                        "UpdateExpression": "SET #s = :sent, sent_at = :at, acted = :acted, "
                                            "carrier = :carrier, told_by = :told "
                                            "REMOVE lease_until",
                        "ConditionExpression": "attribute_exists(PK)",
                        "ExpressionAttributeNames": {"#s": "state"},
                        "ExpressionAttributeValues": {":sent": "sent", ":at": to_iso(at),
                                                      ":acted": acted, ":carrier": carrier,
                                                      ":told": told_by or ""}}},
            {"Update": {"Key": keys.late_count_key(day.isoformat(), carrier),
                        "UpdateExpression": "ADD late :one SET entity = :entity",
                        "ExpressionAttributeValues": {":one": 1, ":entity": "late_count"}}},
        ])  # fmt: skip

    # ---- the count -----------------------------------------------------------------------

    def counts(self, from_day: date, to_day: date) -> LateShipmentCounts:
        """One Query per month of the period."""
        by_carrier: dict[str, int] = {}
        month = from_day.replace(day=1)
        while month <= to_day:
            items = self.table.query_all(
                ("PK", keys.late_count_key(month.isoformat(), "")["PK"]),
                sort_between=(from_day.isoformat(), f"{to_day.isoformat()}#~"),
            )
            for item in items:
                carrier = item["SK"].split("#", 1)[1]
                by_carrier[carrier] = by_carrier.get(carrier, 0) + int(item["late"])
            month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        ranked = sorted(by_carrier.items(), key=lambda kv: (-kv[1], kv[0]))
        carriers = [CarrierCount(carrier=c, late=n) for c, n in ranked]
        return LateShipmentCounts(from_day=from_day, to_day=to_day,
                                  total=sum(by_carrier.values()), carriers=carriers)  # fmt: skip


def _ref(shipment: Shipment) -> str:
    return f"{shipment.customer_id}#{shipment.shipment_id}"
