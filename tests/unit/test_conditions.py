"""The one conditions model (issue 14, item 2): every field with every operator it takes, the
values each refuses, and the old flat fields of rules, policies and ladders as conditions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from chalicelib.domain.conditions import (
    FIELDS,
    MAX_CONDITIONS,
    CaseFacts,
    Condition,
    ConditionField,
    Operator,
    all_hold,
    holds,
)
from chalicelib.domain.legacy_conditions import LADDER, POLICY, RULE, conditions_of, fold
from chalicelib.domain.routing_rules import RoutingRule
from chalicelib.domain.sla import EscalationLadder, SlaPolicy

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
F, Op = ConditionField, Operator

#: a case with every fact known
CASE = CaseFacts(
    type="complaint", channel="email", status="open", priority="high",
    category_path=["k-siparis", "k-teslimat"], product_group="telefon",
    customer_category="vip", group_id="teslimat",
    text="Kargom hâlâ gelmedi, siparişim nerede?",
    opened_at=NOW - timedelta(hours=30), now=NOW,
    tags=frozenset({"iade", "kargo-gecikti"}), custom_fields={"order_total": 1500, "gift": True},
)  # fmt: skip
#: a case with nothing known but its (empty) text: the routing test box, a topic
BARE = CaseFacts()

# (field, operator, value, holds for CASE, holds for BARE): every operator of every field,
# each once where it holds and once where it does not
TABLE = [
    (F.TYPE, Op.IS, "complaint", True, False),
    (F.TYPE, Op.IS, "question", False, False),
    (F.TYPE, Op.IS_NOT, "question", True, True),
    (F.TYPE, Op.IS_NOT, "complaint", False, True),
    (F.TYPE, Op.IN, ["request", "complaint"], True, False),
    (F.TYPE, Op.IN, ["request"], False, False),
    (F.TYPE, Op.NOT_IN, ["request"], True, True),
    (F.TYPE, Op.NOT_IN, ["complaint"], False, True),
    (F.CHANNEL, Op.IS, "email", True, False),
    (F.CHANNEL, Op.IS_NOT, "email", False, True),
    (F.CHANNEL, Op.IN, ["phone", "email"], True, False),
    (F.CHANNEL, Op.NOT_IN, ["phone", "web"], True, True),
    (F.STATUS, Op.IS, "open", True, False),
    (F.STATUS, Op.IS_NOT, "new", True, True),
    (F.STATUS, Op.IN, ["new", "reopened"], False, False),
    (F.STATUS, Op.NOT_IN, ["open"], False, True),
    (F.PRIORITY, Op.IS, "high", True, False),
    (F.PRIORITY, Op.IS_NOT, "high", False, True),
    (F.PRIORITY, Op.IN, ["high", "urgent"], True, False),
    (F.PRIORITY, Op.NOT_IN, ["low"], True, True),
    (F.CUSTOMER_CATEGORY, Op.IS, "vip", True, False),
    (F.CUSTOMER_CATEGORY, Op.IS_NOT, "vip", False, True),
    (F.CUSTOMER_CATEGORY, Op.IN, ["risky", "banned"], False, False),
    (F.CUSTOMER_CATEGORY, Op.NOT_IN, ["risky", "banned"], True, True),
    (F.CUSTOMER_CATEGORY, Op.SET, None, True, False),
    (F.CUSTOMER_CATEGORY, Op.NOT_SET, None, False, True),
    (F.CATEGORY, Op.IS, "k-teslimat", True, False),
    (F.CATEGORY, Op.IS, "k-siparis", False, False),  # is: the case's own, not one above it
    (F.CATEGORY, Op.IS_NOT, "k-siparis", True, True),
    (F.CATEGORY, Op.IN, ["k-iade", "k-teslimat"], True, False),
    (F.CATEGORY, Op.NOT_IN, ["k-teslimat"], False, True),
    (F.CATEGORY, Op.WITHIN, "k-siparis", True, False),
    (F.CATEGORY, Op.WITHIN, "k-teslimat", True, False),  # a subtree holds its own root
    (F.CATEGORY, Op.WITHIN, "k-urun", False, False),
    (F.CATEGORY, Op.NOT_WITHIN, "k-urun", True, True),
    (F.CATEGORY, Op.NOT_WITHIN, "k-siparis", False, True),
    (F.CATEGORY, Op.SET, None, True, False),
    (F.CATEGORY, Op.NOT_SET, None, False, True),
    (F.PRODUCT_GROUP, Op.IS, "telefon", True, False),
    (F.PRODUCT_GROUP, Op.IS_NOT, "telefon", False, True),
    (F.PRODUCT_GROUP, Op.IN, ["giyim", "telefon"], True, False),
    (F.PRODUCT_GROUP, Op.NOT_IN, ["giyim"], True, True),
    (F.PRODUCT_GROUP, Op.SET, None, True, False),
    (F.PRODUCT_GROUP, Op.NOT_SET, None, False, True),
    (F.GROUP, Op.IS, "teslimat", True, False),
    (F.GROUP, Op.IS_NOT, "teslimat", False, True),
    (F.GROUP, Op.IN, ["finans", "urun"], False, False),
    (F.GROUP, Op.NOT_IN, ["finans", "urun"], True, True),
    (F.GROUP, Op.SET, None, True, False),
    (F.GROUP, Op.NOT_SET, None, False, True),
    (F.TEXT, Op.CONTAINS, "kargo gelmedi", False, False),  # words must be side by side
    (F.TEXT, Op.CONTAINS, "hala gelmedi", True, False),  # missing Turkish letters still match
    (F.TEXT, Op.CONTAINS, "SİPARİŞ", True, False),  # İ folds, suffixes match
    (F.TEXT, Op.NOT_CONTAINS, "iade", True, True),
    (F.TEXT, Op.NOT_CONTAINS, "kargo", False, True),
    (F.HOURS_SINCE_OPENED, Op.AT_LEAST, 24, True, False),
    (F.HOURS_SINCE_OPENED, Op.AT_LEAST, 30, True, False),  # at least: 30 hours old is 30
    (F.HOURS_SINCE_OPENED, Op.AT_LEAST, 30.5, False, False),
    (F.HOURS_SINCE_OPENED, Op.LESS_THAN, 48, True, False),
    (F.HOURS_SINCE_OPENED, Op.LESS_THAN, 30, False, False),
    (F.TAG, Op.IS, "İADE", True, False),  # normalised: İ → i
    (F.TAG, Op.IS, "hasar", False, False),
    (F.TAG, Op.IS_NOT, "hasar", True, True),
    (F.TAG, Op.IS_NOT, "iade", False, True),
    (F.TAG, Op.IN, ["hasar", "kargo gecikti"], True, False),  # spaces become -
    (F.TAG, Op.NOT_IN, ["hasar"], True, True),
    (F.TAG, Op.NOT_IN, ["hasar", "iade"], False, True),
    (F.TAG, Op.SET, None, True, False),
    (F.TAG, Op.NOT_SET, None, False, True),
    # custom_field rows compare the field `order_total` (CUSTOM_KEY)
    (F.CUSTOM_FIELD, Op.IS, 1500, True, False),
    (F.CUSTOM_FIELD, Op.IS, "1500", False, False),  # text is no number
    (F.CUSTOM_FIELD, Op.IS_NOT, 99, True, True),
    (F.CUSTOM_FIELD, Op.IN, [10, 1500], True, False),
    (F.CUSTOM_FIELD, Op.NOT_IN, [1500], False, True),
    (F.CUSTOM_FIELD, Op.AT_LEAST, 1000, True, False),
    (F.CUSTOM_FIELD, Op.LESS_THAN, 1000, False, False),
    (F.CUSTOM_FIELD, Op.SET, None, True, False),
    (F.CUSTOM_FIELD, Op.NOT_SET, None, False, True),
]
CUSTOM_KEY = "order_total"


@pytest.mark.parametrize(("field", "op", "value", "on_case", "on_bare"), TABLE)
def test_every_field_and_operator(field, op, value, on_case, on_bare):
    key = CUSTOM_KEY if field is F.CUSTOM_FIELD else None
    condition = Condition(field=field, operator=op, value=value, key=key)
    assert holds(condition, CASE) is on_case
    assert holds(condition, BARE) is on_bare


def test_the_table_covers_every_operator_of_every_field():
    covered = {(field, op) for field, op, *_ in TABLE}
    expected = {(field, op) for field, spec in FIELDS.items() for op in spec.operators}
    assert covered == expected


@pytest.mark.parametrize(
    ("field", "op", "value", "why"),
    [
        (F.TYPE, Op.WITHIN, "complaint", "takes the operators"),
        (F.TEXT, Op.IS, "kargo", "takes the operators"),
        (F.TYPE, Op.SET, None, "takes the operators"),  # every case has a type
        (F.HOURS_SINCE_OPENED, Op.IN, [1], "takes the operators"),
        (F.TYPE, Op.IS, "praise", "give one of"),
        (F.TYPE, Op.IS, ["complaint"], "not a list"),
        (F.TYPE, Op.IN, "complaint", "a list of 1 to 50"),
        (F.TYPE, Op.IN, [], "a list of 1 to 50"),
        (F.TYPE, Op.IN, ["complaint", "complaint"], "listed twice"),
        (F.TYPE, Op.IS, None, "give a text value"),
        (F.TYPE, Op.IS, 3, "give a text value"),
        (F.CATEGORY, Op.WITHIN, "k siparis", "give an id"),
        (F.CATEGORY, Op.WITHIN, "", "give an id"),
        (F.GROUP, Op.IN, ["a" * 65], "give an id"),
        (F.PRODUCT_GROUP, Op.IN, [f"g{n}" for n in range(51)], "a list of 1 to 50"),
        (F.GROUP, Op.SET, "teslimat", "takes no value"),
        (F.TEXT, Op.CONTAINS, "k", "2 to 100 characters"),
        (F.TEXT, Op.CONTAINS, "k" * 101, "2 to 100 characters"),
        (F.TEXT, Op.CONTAINS, "?!", "at least one word"),
        (F.HOURS_SINCE_OPENED, Op.AT_LEAST, -1, "from 0 to"),
        (F.HOURS_SINCE_OPENED, Op.AT_LEAST, float("inf"), "from 0 to"),
        (F.HOURS_SINCE_OPENED, Op.AT_LEAST, float("nan"), "from 0 to"),
        (F.HOURS_SINCE_OPENED, Op.AT_LEAST, "24", "a number"),
        (F.HOURS_SINCE_OPENED, Op.AT_LEAST, True, "a number"),
    ],
)
def test_values_that_do_not_fit_are_refused(field, op, value, why):
    with pytest.raises(ValidationError, match=why):
        Condition(field=field, operator=op, value=value)


def test_unknown_fields_and_operators_are_refused():
    with pytest.raises(ValidationError):
        Condition(field="weather", operator="is", value="rain")
    with pytest.raises(ValidationError):
        Condition(field="type", operator="like", value="comp%")


def test_a_phrase_is_kept_trimmed():
    assert Condition(field="text", operator="contains", value="  kargo ").value == "kargo"


def test_all_must_hold_and_none_always_holds():
    vip = Condition(field="customer_category", operator="is", value="vip")
    urgent = Condition(field="priority", operator="is", value="urgent")
    assert all_hold([], BARE)
    assert all_hold([vip], CASE)
    assert not all_hold([vip, urgent], CASE)


def test_a_list_repeats_no_field_and_operator_and_has_a_limit():
    one = {"field": "type", "operator": "is", "value": "complaint"}
    with pytest.raises(ValidationError, match="one condition per field and operator"):
        SlaPolicy(id="p", name="x", resolution_minutes=5, conditions=[one, one])
    distinct = {(field, op): value for field, op, value, *_ in TABLE}
    many = [{"field": f, "operator": op, "value": v} for (f, op), v in distinct.items()]
    assert len(many) > MAX_CONDITIONS
    SlaPolicy(id="p", name="x", resolution_minutes=5, conditions=many[:MAX_CONDITIONS])
    with pytest.raises(ValidationError, match=f"at most {MAX_CONDITIONS}"):
        SlaPolicy(id="p", name="x", resolution_minutes=5, conditions=many)


# ---- the old flat fields --------------------------------------------------------------------


def dumped(conditions) -> list[dict]:
    return [c.model_dump(mode="json") for c in conditions]


def test_old_rule_fields_become_conditions():
    old = {"case_types": ["complaint", "question"], "category_id": "k-siparis",
           "product_group": "telefon", "customer_category": "vip"}  # fmt: skip
    assert dumped(conditions_of(old, RULE)) == [
        {"field": "type", "operator": "in", "value": ["complaint", "question"]},
        {"field": "category", "operator": "within", "value": "k-siparis"},
        {"field": "product_group", "operator": "is", "value": "telefon"},
        {"field": "customer_category", "operator": "is", "value": "vip"},
    ]
    unset = {"case_types": [], "category_id": None, "product_group": None}
    assert conditions_of(unset, RULE) == []


def test_old_policy_fields_become_conditions():
    old = {"case_type": "complaint", "category_id": "k-iade", "priority": "urgent",
           "customer_category": "risky"}  # fmt: skip
    assert dumped(conditions_of(old, POLICY)) == [
        {"field": "type", "operator": "is", "value": "complaint"},
        {"field": "category", "operator": "within", "value": "k-iade"},
        {"field": "priority", "operator": "is", "value": "urgent"},
        {"field": "customer_category", "operator": "is", "value": "risky"},
    ]


def test_old_ladder_fields_become_conditions_and_a_category_hides_the_group():
    assert dumped(conditions_of({"group_id": "finans"}, LADDER)) == [
        {"field": "group", "operator": "is", "value": "finans"}
    ]
    both = {"group_id": "finans", "category_id": "k-odeme"}
    assert dumped(conditions_of(both, LADDER)) == [
        {"field": "category", "operator": "within", "value": "k-odeme"}
    ]
    assert conditions_of({"group_id": None, "category_id": None}, LADDER) == []


# items exactly as the store held them before issue 14 (DynamoDB attributes, keys included)
OLD_RULE = {
    "PK": "RULES", "SK": "RULE#r-old", "entity": "routing_rule", "id": "r-old",
    "name": "VIP kargo", "order": 5, "enabled": True, "phrases": ["kargo"],
    "case_types": ["complaint"], "category_id": "k-siparis", "product_group": None,
    "customer_category": "vip", "group_id": "vip", "set_category_id": None, "priority_bump": 1,
}  # fmt: skip
OLD_POLICY = {
    "PK": "SLA", "SK": "POLICY#p-old", "entity": "sla_policy", "id": "p-old", "name": "Acil",
    "order": 10, "enabled": True, "case_type": None, "category_id": None, "priority": "urgent",
    "customer_category": None, "first_response_minutes": 30, "resolution_minutes": 240,
    "hours": "calendar", "remind_at": 0.75,
}  # fmt: skip
OLD_LADDER = {
    "PK": "SLA", "SK": "LADDER#l-old", "entity": "escalation_ladder", "id": "l-old",
    "name": "Finans", "group_id": "finans", "category_id": None,
    "levels": [{"after_minutes": 0, "notify": "supervisors", "emails": [],
                "raise_priority": False}],
}  # fmt: skip


def test_stored_items_of_before_read_as_conditions_and_save_in_the_new_shape():
    rule = RoutingRule.model_validate(OLD_RULE)
    assert dumped(rule.conditions) == [
        {"field": "type", "operator": "in", "value": ["complaint"]},
        {"field": "category", "operator": "within", "value": "k-siparis"},
        {"field": "customer_category", "operator": "is", "value": "vip"},
    ]
    saved = rule.model_dump(mode="json")
    assert "case_types" not in saved and "customer_category" not in saved
    assert RoutingRule.model_validate(saved) == rule
    policy = SlaPolicy.model_validate(OLD_POLICY)
    assert dumped(policy.conditions) == [{"field": "priority", "operator": "is", "value": "urgent"}]
    ladder = EscalationLadder.model_validate(OLD_LADDER)
    assert dumped(ladder.conditions) == [{"field": "group", "operator": "is", "value": "finans"}]


def test_an_item_with_conditions_keeps_them_over_stray_old_fields():
    item = {**OLD_POLICY, "conditions": [{"field": "type", "operator": "is", "value": "request"}]}
    policy = SlaPolicy.model_validate(item)
    assert dumped(policy.conditions) == [{"field": "type", "operator": "is", "value": "request"}]


def test_a_request_may_not_give_one_condition_twice():
    given = [Condition(field="priority", operator="is", value="high")]
    assert len(fold(given, {"case_type": "complaint"}, POLICY)) == 2
    with pytest.raises(ValueError, match="both in conditions and as an old flat field"):
        fold(given, {"priority": "urgent"}, POLICY)
