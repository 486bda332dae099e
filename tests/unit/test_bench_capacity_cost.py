"""The cost model's provisioned capacity (bench/case_life.py): a unit consumed costs the
unit-hour's price / 3,600 / the target utilisation; the idle month holds each minimum and
the scaling policies' alarms; the template's defaults are what it prices."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

from bench.case_life import (
    ALARMS_PER_SCALING_POLICY,
    PRICES,
    Life,
    capacity_settings,
    lines,
    per_thousand,
    provisioned_figures,
    provisioned_idle_per_month,
    provisioned_per_thousand,
    provisioned_unit,
)
from devstack.capacity import TEMPLATE

WCU_HOUR, RCU_HOUR = 0.000793, 0.0001586  # EU (Frankfurt), Standard table class
ON_DEMAND_WRITE = 0.7625 / 1_000_000


def _life() -> Life:
    life = Life(lives=2, api_requests=14, emails=6, invocations=Counter(api_handler=14))
    life.units.table_writes, life.units.reads = 400, 100
    life.units.index_writes.update(queue_newest=40, outbox=20)
    return life


def test_the_price_table_holds_frankfurts_capacity_prices_beside_its_request_prices():
    assert PRICES["dynamodb_write_capacity"][:2] == (WCU_HOUR, 1)
    assert PRICES["dynamodb_read_capacity"][:2] == (RCU_HOUR, 1)
    assert "unit-hour" in PRICES["dynamodb_write_capacity"][2]


def test_a_unit_consumed_costs_the_unit_hour_over_3600_over_the_utilisation():
    # writes at 70 %: $0.3147 a million, against $0.7625 on demand
    assert provisioned_unit("dynamodb_write_capacity", 0.7) == pytest.approx(WCU_HOUR / 3600 / 0.7)
    assert provisioned_unit("dynamodb_write_capacity", 0.7) * 1e6 == pytest.approx(
        0.31468, abs=1e-5
    )
    assert provisioned_unit("dynamodb_read_capacity", 0.7) * 1e6 == pytest.approx(0.06294, abs=1e-5)
    # half the utilisation, twice the price a unit
    assert provisioned_unit("dynamodb_write_capacity", 0.35) == pytest.approx(
        2 * provisioned_unit("dynamodb_write_capacity", 0.7)
    )
    # the utilisation at which a provisioned write costs what an on-demand one does: 28.9 %
    even = WCU_HOUR / 3600 / ON_DEMAND_WRITE
    assert even == pytest.approx(0.2889, abs=1e-4)
    assert provisioned_unit("dynamodb_write_capacity", even) == pytest.approx(ON_DEMAND_WRITE)


def test_only_dynamodbs_reads_and_writes_are_priced_again():
    life = _life()
    costs = per_thousand(life)
    priced = provisioned_per_thousand(life, costs, 0.7)
    # 200 table units, 30 index units and 50 read units a life, for 1,000 lives
    assert priced["DynamoDB writes, table"] == pytest.approx(200 * 1000 * WCU_HOUR / 3600 / 0.7)
    assert priced["DynamoDB writes, indexes"] == pytest.approx(30 * 1000 * WCU_HOUR / 3600 / 0.7)
    assert priced["DynamoDB reads"] == pytest.approx(50 * 1000 * RCU_HOUR / 3600 / 0.7)
    assert priced["DynamoDB writes, table"] < costs["DynamoDB writes, table"]
    untouched = set(costs) - {
        "DynamoDB writes, table",
        "DynamoDB writes, indexes",
        "DynamoDB reads",
    }
    assert untouched and all(priced[k] == costs[k] for k in untouched)


def test_the_idle_month_holds_every_minimum_and_four_alarms_a_policy():
    settings = {"indexes": [f"i{n}" for n in range(12)], "utilisation": 0.7,
                "TableMinReadCapacity": 5, "TableMinWriteCapacity": 5,
                "IndexMinReadCapacity": 1, "IndexMinWriteCapacity": 1}  # fmt: skip
    idle = provisioned_idle_per_month(settings)
    # 5 + 12 x 1 units each way, 720 hours; a read and a write policy for the table and
    # each index, 26, each with its alarms at $0.10 a month
    assert list(idle.values()) == pytest.approx(
        [17 * 720 * WCU_HOUR, 17 * 720 * RCU_HOUR, 26 * ALARMS_PER_SCALING_POLICY * 0.10]
    )
    assert sum(idle.values()) == pytest.approx(9.7063 + 1.9413 + 10.40, abs=1e-3)


def test_the_model_prices_the_templates_defaults_and_its_scaling_policies():
    template = yaml.safe_load(TEMPLATE.read_text())
    params = template["Parameters"]
    settings = capacity_settings()
    assert settings["utilisation"] == params["TableTargetUtilization"]["Default"] / 100
    assert settings["TableMinWriteCapacity"] == params["TableMinWriteCapacity"]["Default"]
    assert settings["IndexMinReadCapacity"] == params["IndexMinReadCapacity"]["Default"]
    policies = [r for r in template["Resources"].values()
                if r["Type"] == "AWS::ApplicationAutoScaling::ScalingPolicy"]  # fmt: skip
    assert len(policies) == 2 * (1 + len(settings["indexes"]))
    idle = provisioned_idle_per_month()
    assert any(f"({len(policies)} policies" in k for k in idle)


def test_the_cost_lines_show_the_provisioned_cost_beside_the_on_demand_one():
    life = _life()
    costs = per_thousand(life)
    found = provisioned_figures(life, costs)
    shown = "\n".join(lines(life, costs, idle={"schedules": 1.0}))
    row = next(line for line in shown.splitlines() if "with provisioned capacity at 70 %" in line)
    assert f"**{found['without_messages']:.4f}**" in row
    on_demand = sum(v for k, v in costs.items() if not k.startswith("SES"))
    assert found["without_messages"] < on_demand
    assert "the idle month adds (USD): minimum writes" in shown
    assert f"total {sum(found['idle_per_month'].values()):.2f}." in shown


def test_the_break_even_volume_is_the_idle_month_over_the_saving_a_case():
    life = _life()
    costs = per_thousand(life)
    found = provisioned_figures(life, costs)
    priced = found["per_thousand"]
    saved = sum(costs[k] - priced[k] for k in ("DynamoDB writes, table",
                "DynamoDB writes, indexes", "DynamoDB reads")) / 1000  # fmt: skip
    idle = found["idle_per_month"]
    alarms = next(v for k, v in idle.items() if "alarms" in k)
    low, high = found["break_even_cases_per_month"]
    assert (low, high) == pytest.approx((alarms / saved, sum(idle.values()) / saved))
    assert low < high
    assert f"above {low:,.0f} to {high:,.0f} cases a month" in "\n".join(lines(life, costs, {}))
