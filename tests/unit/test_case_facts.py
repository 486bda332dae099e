"""A case's facts, read once and only as far as some condition needs (services/case_facts.py),
and the sweep choosing a ladder by a fact it must read (the customer's category)."""

from __future__ import annotations

from chalicelib.domain.cases import EntryKind
from chalicelib.domain.conditions import ConditionField
from chalicelib.domain.sla import EscalationLadder, SlaPolicy
from chalicelib.services.case_facts import facts_of
from chalicelib.services.sla_sweep import SlaSweep

from .test_case_service import open_for


class Counting:
    """Counts calls of one method of a port, passing them on."""

    def __init__(self, port, method: str) -> None:
        self.port, self.method, self.calls = port, method, 0

    def __getattr__(self, name):
        found = getattr(self.port, name)
        if name != self.method:
            return found

        def counted(*args, **kwargs):
            self.calls += 1
            return found(*args, **kwargs)

        return counted


def test_the_facts_of_a_case(world):
    case = open_for(world).model_copy(update={"category_id": "k1", "group_id": "teslimat"})
    facts = facts_of(world.directory, world.customers, case, world.clock())
    assert (facts.type, facts.channel, facts.status, facts.priority) == (
        "complaint", "phone", "new", "normal"
    )  # fmt: skip
    assert facts.category_path == ["k1"] and facts.group_id == "teslimat"
    assert facts.customer_category == "normal"
    assert facts.text == "Kargom gelmedi\n3 gündür yok"
    assert facts.hours_since_opened == 0


def test_only_what_a_condition_names_is_read(world):
    case = open_for(world).model_copy(update={"category_id": "k1"})
    directory = Counting(world.directory, "get_category")
    customers = Counting(world.customers, "get")
    bare = facts_of(directory, customers, case, needed={ConditionField.TYPE})
    assert (directory.calls, customers.calls) == (0, 0)
    assert bare.category_path == [] and bare.customer_category is None
    facts_of(directory, customers, case, needed={ConditionField.CATEGORY})
    assert (directory.calls, customers.calls) == (1, 0)
    facts_of(directory, customers, case, needed={ConditionField.CUSTOMER_CATEGORY})
    assert (directory.calls, customers.calls) == (1, 1)


def test_the_sweep_reads_the_customer_for_a_ladder_on_their_category(world):
    world.directory.put_sla_policy(
        SlaPolicy(id="p", name="Genel", first_response_minutes=60, hours="calendar")
    )
    levels = [{"after_minutes": 0, "notify": "managers", "emails": ["vip@shop.example"]}]
    world.directory.put_ladder(EscalationLadder(
        id="l-vip", name="VIP", levels=levels,
        conditions=[{"field": "customer_category", "operator": "is", "value": "vip"}],
    ))  # fmt: skip
    world.directory.put_ladder(
        EscalationLadder(id="l-all", name="Genel", levels=[{"after_minutes": 0,
                                                            "notify": "supervisors"}])
    )  # fmt: skip
    vip = world.routing.route(open_for(world).id)
    customer = world.customers.get(vip.customer_id)
    world.customers.by_id[customer.id] = customer.model_copy(update={"category": "vip"})
    other = world.routing.route(open_for(world, phone="0533 000 00 01", name="Ali Veli").id)
    sweep = SlaSweep(world.cases, world.directory, world.clock, customers=world.customers)
    world.clock.advance(minutes=61)
    sweep.run()

    def escalation(case_id):
        history = world.service.get(world.selin, case_id).history
        return next(e.data for e in history
                    if e.kind == EntryKind.SLA and e.data["kind"] == "escalation")  # fmt: skip

    assert escalation(vip.id)["emails"] == ["vip@shop.example"]
    assert escalation(other.id)["notify"] == "supervisors"
