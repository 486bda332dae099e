"""Orders, shipments and the customer's whole partition, for the customer 360."""

from __future__ import annotations

from typing import Any

from ..domain.calls import Call
from ..domain.chats import ChatTranscript, PreCaseLine
from ..domain.clock import to_iso
from ..domain.customers import Customer
from ..domain.orders import Order, Shipment
from ..domain.registrations import Registration
from . import keys
from .dynamo import Table


class DynamoShopRecords:
    def __init__(self, table: Table) -> None:
        self.table = table

    def put_order(self, order: Order) -> None:
        """The shop's latest word replaces the previous one (the shop owns orders). The order
        number also finds its customer, so an agent can search by it."""
        item = {
            **order.model_dump(mode="json"),
            **keys.order_key(order.customer_id, order.order_id),
        }
        pointer = {**keys.unique_key("order", order.order_id), "customer_id": order.customer_id,
                   "entity": "unique"}  # fmt: skip
        self.table.transact(
            [{"Put": {"Item": {**item, "entity": "order"}}}, {"Put": {"Item": pointer}}]
        )

    def put_shipment(self, shipment: Shipment) -> None:
        """The shop's latest word replaces the previous one; while it may still turn out late
        it waits in the `outbox` index for the late-delivery sweep (store/late_deliveries.py)."""
        from .late_deliveries import late_index_keys

        key = keys.shipment_key(shipment.customer_id, shipment.shipment_id)
        self.table.put({**shipment.model_dump(mode="json"), **key, "entity": "shipment",
                        **late_index_keys(shipment)})  # fmt: skip

    def put_call(self, call: Call) -> None:
        key = keys.call_key(call.customer_id, to_iso(call.started_at), call.id)
        self.table.put(
            {**call.model_dump(mode="json"), **key, "entity": "call"},
            condition="attribute_not_exists(PK)",
        )

    def repoint_calls(self, customer_id: str, from_case_id: str, to_case_id: str) -> int:
        """The customer's calls logged against a merged case now name the case that carries
        on (`merged_from_case_id` keeps the old one); a call moved already is left alone.
        One Query of the customer's calls, filtered; how many moved."""
        items = self.table.query_all(("PK", keys.customer_key(customer_id)["PK"]),
                                     sort_prefix=keys.CALL_PREFIX,
                                     filters={"case_id": from_case_id})  # fmt: skip
        moved = 0
        for item in items:
            done = self.table.update(
                {"PK": item["PK"], "SK": item["SK"]},
                "SET case_id = :to, merged_from_case_id = :from",
                "case_id = :from",
                {},
                {":to": to_case_id, ":from": from_case_id},
            )
            moved += done is not None
        return moved

    def put_chat(self, chat: ChatTranscript) -> None:
        """The shop may send a transcript again as it grows; the last one stands."""
        key = keys.chat_key(chat.customer_id, to_iso(chat.started_at), chat.id)
        self.table.put({**chat.model_dump(mode="json"), **key, "entity": "chat"})

    def calls(
        self, customer_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Call], str | None]:
        items, next_cursor = self.table.query(
            ("PK", keys.customer_key(customer_id)["PK"]),
            sort_prefix=keys.CALL_PREFIX,
            forward=False,
            limit=limit,
            cursor=cursor,
        )
        return [Call.model_validate(i) for i in items], next_cursor

    def orders(
        self, customer_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Order], str | None]:
        """A page of the customer's orders, read backwards by order id (shops number orders
        upwards, so this is newest first for them)."""
        items, next_cursor = self.table.query(
            ("PK", keys.customer_key(customer_id)["PK"]),
            sort_prefix=keys.ORDER_PREFIX,
            forward=False,
            limit=limit,
            cursor=cursor,
        )
        return [Order.model_validate(i) for i in items], next_cursor

    def order(self, customer_id: str, order_id: str) -> Order | None:
        item = self.table.get(keys.order_key(customer_id, order_id))
        return Order.model_validate(item) if item else None

    def shipments(self, customer_id: str) -> list[Shipment]:
        items = self.table.query_all(
            ("PK", keys.customer_key(customer_id)["PK"]), sort_prefix=keys.SHIPMENT_PREFIX
        )
        return [Shipment.model_validate(i) for i in items]

    def customer_partition(self, customer_id: str) -> dict[str, Any]:
        """Profile, registrations, orders, shipments, calls, chats and waiting pre-cases of a
        customer: one Query."""
        items = self.table.query_all(("PK", keys.customer_key(customer_id)["PK"]))
        found: dict[str, Any] = {"profile": None, "registrations": [], "orders": [],
                                 "shipments": [], "calls": [], "chats": [],
                                 "precases": []}  # fmt: skip
        for item in items:
            sk = item["SK"]
            if sk == keys.PROFILE:
                found["profile"] = Customer.model_validate(item)
            elif sk.startswith(keys.REGISTRATION_PREFIX):
                found["registrations"].append(Registration.model_validate(item))
            elif sk.startswith(keys.ORDER_PREFIX):
                found["orders"].append(Order.model_validate(item))
            elif sk.startswith(keys.SHIPMENT_PREFIX):
                found["shipments"].append(Shipment.model_validate(item))
            elif sk.startswith(keys.CALL_PREFIX):
                found["calls"].append(Call.model_validate(item))
            elif sk.startswith(keys.CHAT_PREFIX):
                found["chats"].append(ChatTranscript.model_validate(item))
            elif sk.startswith(keys.PRECASE_LINE_PREFIX):
                found["precases"].append(PreCaseLine.model_validate(item))
        return found
