"""DynamoDB as destek uses it, against stock moto and against devstack.fast_dynamodb.

One moto server in this process for the module (the local stack's own set-up); each test
gets its own table, built from infra/template.yaml's table (keys, every index, its
stream and TTL), in a region no other test uses, so nothing here touches the tables of
the integration tests' server. `engine` is "stock" (moto as released) or "fast" (the
patches installed); it puts back whatever was installed before.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from devstack import fast_dynamodb
from devstack.bootstrap import load_template
from devstack.capacity import resolved
from tests.support import free_port

REGION = "eu-south-1"
ENGINES = ("stock", "fast")


def table_properties() -> dict[str, Any]:
    """The table's properties in infra/template.yaml, as the default (on-demand) stack has
    them: the template's capacity mode is a condition create_table does not read."""
    resources = load_template()["Resources"]
    (table,) = [r for r in resources.values() if r["Type"] == "AWS::DynamoDB::Table"]
    return resolved(table["Properties"])


@contextmanager
def engine_installed(name: str) -> Iterator[None]:
    """Run with stock moto or with the fast engine, then put back what was there."""
    was = fast_dynamodb.is_installed()
    if name == "fast":
        fast_dynamodb.install()
    else:
        fast_dynamodb.uninstall()
    try:
        yield
    finally:
        if was:
            fast_dynamodb.install()
        else:
            fast_dynamodb.uninstall()
        # the rest of the worker's session (the integration tests' server) runs on what is
        # installed now: a silent failure to put it back made it stock moto, slow past CI's limit
        assert fast_dynamodb.is_installed() == was, "the engine could not be put back"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def client(endpoint: str, service: str = "dynamodb") -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def create_table(ddb: Any, stream: bool = True) -> str:
    """A table as the template declares it, under a fresh name; its name. Without its
    stream if asked (the local stack leaves it out: nothing reads it yet)."""
    props = table_properties()
    name = f"conformance-{uuid.uuid4().hex[:12]}"
    streams = {"StreamEnabled": True, **props["StreamSpecification"]} if stream else None
    ddb.create_table(
        TableName=name,
        KeySchema=props["KeySchema"],
        AttributeDefinitions=props["AttributeDefinitions"],
        GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
        BillingMode=props["BillingMode"],
        **({"StreamSpecification": streams} if streams else {}),
    )
    ttl = props["TimeToLiveSpecification"]
    ddb.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": ttl["Enabled"], "AttributeName": ttl["AttributeName"]},
    )
    return name


class Db:
    """A boto3 client bound to one fresh table (`name`), for one engine."""

    def __init__(self, endpoint: str, stream: bool = True) -> None:
        self.endpoint = endpoint
        self.client = client(endpoint)
        self.name = create_table(self.client, stream)

    def drop(self) -> None:
        self.client.delete_table(TableName=self.name)


@pytest.fixture(params=ENGINES)
def engine(request) -> Iterator[str]:
    with engine_installed(request.param):
        yield request.param


@pytest.fixture
def db(engine, moto_endpoint) -> Iterator[Db]:
    table = Db(moto_endpoint)
    yield table
    table.drop()


@pytest.fixture
def on_each_engine(moto_endpoint) -> Callable[[Callable[[Db], Any]], dict[str, Any]]:
    """Run one scenario on a fresh table under each engine; what each returned."""

    def run(scenario: Callable[[Db], Any]) -> dict[str, Any]:
        answers = {}
        for name in ENGINES:
            with engine_installed(name):
                table = Db(moto_endpoint)
                try:
                    answers[name] = scenario(table)
                finally:
                    table.drop()
        return answers

    return run
