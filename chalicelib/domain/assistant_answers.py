"""The assistant's answers about one order, from destek's data only: the order and its
shipments as the shop reported them (domain/order_view.py: carrier, tracking link, timeline,
estimated day, delivered, late), what destek and the shop recorded as sent to the customer
about a shipment, and the shop's late-delivery setting (docs/assistant.md#answers).

Each answer may end in an offer (a yes opens a request for an agent) or a hand-off (a
delivery late beyond the shop's threshold goes to an agent at once). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from .assistant_nlu import Intent
from .assistant_reply import YES_NO, Line, LinkLine, Reply, Said
from .assistant_state import HandOffReason, Offer
from .clock import ISTANBUL
from .model import Model
from .order_view import MyOrder, MyShipment
from .text import fold

#: shipments an answer goes through one by one; more are pointed to Siparişlerim
SHOWN_SHIPMENTS = 3
#: order statuses (folded, letters only) that mean it was cancelled
CANCELLED = frozenset({"cancelled", "canceled", "iptal", "iptaledildi"})
#: event statuses (folded) that say the shop told the customer, and by which channel
_SENT_BY = (
    ("sms", "sms"),
    ("mesaj", "sms"),
    ("eposta", "email"),
    ("email", "email"),
    ("mail", "email"),
    ("bildirim", "other"),
    ("notification", "other"),
)


class NoticeFact(Model):
    """Something sent to the customer about a shipment: destek's own late-delivery notice
    (its mark says when, and by email or SMS), or an event the shop reported (a status such
    as `sms_sent`, `E-posta gönderildi`)."""

    shipment_id: str
    channel: Literal["email", "sms", "other"]
    at: datetime
    source: Literal["destek", "shop"]


@dataclass(frozen=True)
class OrderFacts:
    """What an answer may say: the order as its customer sees it, what was sent about its
    shipments, today (Istanbul), the day before which an undelivered shipment is late
    enough for an agent (the late-delivery settings' grace days), and the shop's apology."""

    order: MyOrder
    notices: list[NoticeFact]
    today: date
    late_before: date
    apology: str = ""


@dataclass
class Answer:
    reply: Reply
    offer: Offer | None = None
    handoff: HandOffReason | None = None


def _letters(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalnum())


def sent_by(status: str) -> Literal["email", "sms", "other"] | None:
    """The channel a shipment event's status says a message went by, or None (not a
    message): `sms_sent`, "SMS gönderildi", `email_sent`, "Bildirim gönderildi"."""
    letters = _letters(status)
    for word, channel in _SENT_BY:
        if word in letters:
            return channel  # type: ignore[return-value]
    return None


def _status(kind: str, code: str) -> Said:
    return Said(kind, code)


def _shipment_lines(
    shipment: MyShipment, reply: Reply, *, eta: bool = True, delivered: bool = True
) -> None:
    """The shipment's facts: carrier and status, its last movement, the estimated day or
    delivery (unless the answer said them already), the tracking number and link."""
    carrier = shipment.carrier_name or shipment.carrier
    reply.say(
        "shipment_status", carrier=carrier, status=_status("shipment_status", shipment.status)
    )
    moves = [e for e in shipment.timeline if sent_by(e.status) is None]
    if moves:
        last = moves[-1]
        event = _status("shipment_status", last.status)
        if last.location:
            reply.say("shipment_last_event", event=event, place=last.location, when=last.at)
        else:
            reply.say("shipment_last_event_noplace", event=event, when=last.at)
    if shipment.delivered_at is not None:
        if delivered:
            reply.say("shipment_delivered", when=shipment.delivered_at)
    elif eta and shipment.estimated_delivery is not None:
        reply.say("shipment_eta", eta=shipment.estimated_delivery)
    _tracking(shipment, reply)


def _tracking(shipment: MyShipment, reply: Reply) -> None:
    carrier = shipment.carrier_name or shipment.carrier
    reply.say("shipment_tracking", tracking=shipment.tracking_number)
    if shipment.tracking_url:
        reply.links.append(
            LinkLine(shipment.tracking_url, Line("tracking_link_label", {"carrier": carrier}))
        )


def _order_line(order: MyOrder, reply: Reply) -> None:
    reply.say(
        "order_intro",
        order=order.order_id,
        placed=order.placed_at.astimezone(ISTANBUL).date(),
        status=_status("order_status", order.status),
    )


def _shown(order: MyOrder, reply: Reply) -> list[MyShipment]:
    if len(order.shipments) > SHOWN_SHIPMENTS:
        reply.say("more_shipments", count=len(order.shipments) - SHOWN_SHIPMENTS)
    return order.shipments[:SHOWN_SHIPMENTS]


def _where(facts: OrderFacts) -> Answer:
    reply = Reply(answered=True)
    _order_line(facts.order, reply)
    if not facts.order.shipments:
        reply.say("not_shipped")
    for shipment in _shown(facts.order, reply):
        _shipment_lines(shipment, reply)
    return _late_or(facts, Answer(reply))


def _tracking_answer(facts: OrderFacts) -> Answer:
    reply = Reply(answered=True)
    if not facts.order.shipments:
        _order_line(facts.order, reply)
        reply.say("tracking_not_yet")
        return Answer(reply)
    for shipment in _shown(facts.order, reply):
        carrier = shipment.carrier_name or shipment.carrier
        _tracking(shipment, reply)
        reply.say("tracking_how" if shipment.tracking_url else "tracking_no_link", carrier=carrier)
        reply.say(
            "shipment_status", carrier=carrier, status=_status("shipment_status", shipment.status)
        )
    return _late_or(facts, Answer(reply))


def _when(facts: OrderFacts) -> Answer:
    reply = Reply(answered=True)
    if not facts.order.shipments:
        _order_line(facts.order, reply)
        reply.say("when_not_shipped")
        return Answer(reply)
    for shipment in _shown(facts.order, reply):
        if shipment.delivered_at is not None:
            reply.say("when_delivered", when=shipment.delivered_at)
            _tracking(shipment, reply)
            continue
        if shipment.estimated_delivery is None:
            reply.say("when_no_eta")
        elif not shipment.late:
            reply.say("when_eta", eta=shipment.estimated_delivery)
        _shipment_lines(shipment, reply, eta=False)
    return _late_or(facts, Answer(reply))


def _late_shipments(facts: OrderFacts) -> list[MyShipment]:
    return [s for s in facts.order.shipments if s.late]


def _late_or(facts: OrderFacts, answer: Answer) -> Answer:
    """An answer about an order with a late shipment says so, and hands it over when it is
    late beyond the shop's threshold."""
    late = _late_shipments(facts)
    if not late:
        return answer
    return _late_answer(facts, late, answer.reply)


def _late_answer(facts: OrderFacts, late: list[MyShipment], reply: Reply) -> Answer:
    beyond = [s for s in late if s.estimated_delivery and s.estimated_delivery < facts.late_before]
    if beyond:
        reply.say("late_sorry", eta=beyond[0].estimated_delivery)
        if facts.apology:
            reply.say("shop_text", text=facts.apology)
        return Answer(reply, handoff=HandOffReason.LATE)
    until = max(s.estimated_delivery for s in late if s.estimated_delivery)
    reply.say("late_within_grace", eta=until, until=facts.late_before)
    return Answer(reply)


def _late(facts: OrderFacts) -> Answer:
    reply = Reply(answered=True)
    late = _late_shipments(facts)
    if late:
        for shipment in late[:SHOWN_SHIPMENTS]:
            _shipment_lines(shipment, reply, eta=False)
        return _late_answer(facts, late, reply)
    if not facts.order.shipments:
        _order_line(facts.order, reply)
        reply.say("late_not_shipped")
        reply.suggestions += YES_NO
        return Answer(reply, offer=Offer(reason=HandOffReason.LATE, order_id=facts.order.order_id))
    delivered = [s for s in facts.order.shipments if s.delivered_at is not None]
    waiting = [s for s in facts.order.shipments if s.delivered_at is None]
    for shipment in waiting[:SHOWN_SHIPMENTS]:
        if shipment.estimated_delivery is not None:
            reply.say("late_not_yet", eta=shipment.estimated_delivery)
        _shipment_lines(shipment, reply, eta=False)
    if waiting and all(s.estimated_delivery is None for s in waiting):
        reply.say("late_no_eta")
        reply.suggestions += YES_NO
        return Answer(reply, offer=Offer(reason=HandOffReason.LATE, order_id=facts.order.order_id))
    if delivered and not waiting:
        when = max(s.delivered_at for s in delivered if s.delivered_at)
        reply.say("late_delivered", when=when)
        reply.suggestions += YES_NO
        return Answer(
            reply, offer=Offer(reason=HandOffReason.NOT_RECEIVED, order_id=facts.order.order_id)
        )
    return Answer(reply)


def _notice(facts: OrderFacts) -> Answer:
    """What was sent first (or that nothing is on record, with an offer), then where the
    shipments are."""
    reply = Reply(answered=True)
    told = sorted(facts.notices, key=lambda n: n.at)
    for notice in told[-SHOWN_SHIPMENTS:]:
        key = "notice_sent_destek" if notice.source == "destek" else "notice_sent_shop"
        reply.say(key, when=notice.at, channel=_status("channel", notice.channel))
    if not told:
        reply.say("notice_none")
    if not facts.order.shipments:
        _order_line(facts.order, reply)
        reply.say("not_shipped")
    for shipment in _shown(facts.order, reply):
        _shipment_lines(shipment, reply)
    if told:
        return Answer(reply)
    reply.suggestions += YES_NO
    return Answer(reply, offer=Offer(reason=HandOffReason.NOTICE, order_id=facts.order.order_id))


def is_cancelled(status: str) -> bool:
    """An order status that says it was cancelled ("cancelled", "İptal edildi")."""
    return _letters(status) in CANCELLED


def _cancelled(order: MyOrder) -> bool:
    return is_cancelled(order.status)


def _cancel(facts: OrderFacts) -> Answer:
    order = facts.order
    reply = Reply(answered=True)
    _order_line(order, reply)
    if _cancelled(order):
        reply.say("cancel_done")
        return Answer(reply)
    reply.suggestions += YES_NO
    if not order.shipments:
        reply.say("cancel_possible")
        return Answer(reply, offer=Offer(reason=HandOffReason.CANCEL, order_id=order.order_id))
    reply.say("cancel_shipped")
    return Answer(reply, offer=Offer(reason=HandOffReason.RETURN, order_id=order.order_id))


def _return(facts: OrderFacts) -> Answer:
    order = facts.order
    reply = Reply(answered=True)
    _order_line(order, reply)
    if _cancelled(order):
        reply.say("cancel_done")
        return Answer(reply)
    delivered = bool(order.shipments) and all(s.delivered_at for s in order.shipments)
    reply.say("return_delivered" if delivered else "return_not_delivered")
    reply.suggestions += YES_NO
    return Answer(reply, offer=Offer(reason=HandOffReason.RETURN, order_id=order.order_id))


def _invoice(facts: OrderFacts) -> Answer:
    reply = Reply(answered=True)
    reply.say("invoice_offer", order=facts.order.order_id)
    reply.suggestions += YES_NO
    return Answer(reply, offer=Offer(reason=HandOffReason.INVOICE, order_id=facts.order.order_id))


ANSWERS = {
    Intent.WHERE: _where,
    Intent.TRACKING: _tracking_answer,
    Intent.WHEN: _when,
    Intent.LATE: _late,
    Intent.NOTICE: _notice,
    Intent.CANCEL: _cancel,
    Intent.RETURN: _return,
    Intent.INVOICE: _invoice,
}


def answer(intent: Intent, facts: OrderFacts) -> Answer:
    """The answer to an order question (an intent of ORDER_INTENTS) about one order."""
    return ANSWERS.get(intent, _where)(facts)
