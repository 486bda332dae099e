"""Groups, staff, roles and categories: small partitions, each read whole in one Query."""

from __future__ import annotations

from ..domain.access import DirectoryState
from ..domain.business_hours import BusinessCalendar
from ..domain.categories import Category
from ..domain.directory import Group, StaffMember
from ..domain.errors import Conflict, NotFound
from ..domain.permissions import Role
from ..domain.routing_rules import RoutingRule
from ..domain.sla import EscalationLadder, SlaPolicy
from . import keys
from .dynamo import Table, TransactionCanceled


class DynamoDirectoryStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def _put(self, key: dict[str, str], model, entity: str) -> None:
        self.table.put({**model.model_dump(mode="json"), **key, "entity": entity})

    def _list(self, pk: str, prefix: str) -> list[dict]:
        return self.table.query_all(("PK", pk), sort_prefix=prefix)

    def get_group(self, group_id: str) -> Group | None:
        item = self.table.get(keys.group_key(group_id))
        return Group.model_validate(item) if item else None

    def list_groups(self) -> list[Group]:
        return [Group.model_validate(i) for i in self._list(keys.DIRECTORY, "GROUP#")]

    def put_group(self, group: Group) -> Group:
        self._put(keys.group_key(group.id), group, "group")
        return group

    def put_groups(self, writes: list[tuple[Group, int | None]]) -> None:
        operations = []
        for group, expected in writes:
            item = {**group.model_dump(mode="json"), **keys.group_key(group.id), "entity": "group"}
            put: dict = {"Item": item}
            if expected is None:
                put["ConditionExpression"] = "attribute_not_exists(PK)"
            else:
                put["ConditionExpression"] = "attribute_not_exists(version) OR version = :v"
                put["ExpressionAttributeValues"] = {":v": expected}
            operations.append({"Put": put})
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            raise Conflict(
                "the groups changed while you edited them; read them again",
                code="version_conflict",
            ) from exc

    def note_assignment(self, group_id: str, username: str) -> None:
        self.table.update(
            keys.group_key(group_id),
            "SET last_assigned = :u",
            "attribute_exists(PK)",
            {},
            {":u": username},
        )

    def get_staff(self, username: str) -> StaffMember | None:
        item = self.table.get(keys.staff_key(username))
        return StaffMember.model_validate(item) if item else None

    def list_staff(self) -> list[StaffMember]:
        return [StaffMember.model_validate(i) for i in self._list(keys.DIRECTORY, "STAFF#")]

    def put_staff(self, member: StaffMember, revoked_before: int | None = None) -> StaffMember:
        """The directory entry; with `revoked_before`, in the same write as the stamp that voids
        the member's sessions opened before it."""
        item = {**member.model_dump(mode="json"), **keys.staff_key(member.username),
                "entity": "staff"}  # fmt: skip
        if revoked_before is None:
            self.table.put(item)
        else:
            stamp = self._stamp(member.username, revoked_before)
            self.table.transact([{"Put": {"Item": item}}, stamp])
        return member

    def remove_staff(
        self, username: str, groups: list[tuple[Group, int]], revoked_before: int
    ) -> None:
        """Delete the entry, void the member's sessions and take them out of their groups, in
        one write: Conflict if a group changed meanwhile, NotFound if there is no entry."""
        operations: list[dict] = [
            {"Delete": {"Key": keys.staff_key(username),
                        "ConditionExpression": "attribute_exists(PK)"}},
            self._stamp(username, revoked_before),
        ]  # fmt: skip
        for group, expected in groups:
            item = {**group.model_dump(mode="json"), **keys.group_key(group.id), "entity": "group"}
            operations.append({"Put": {"Item": item, "ConditionExpression": "version = :v",
                                       "ExpressionAttributeValues": {":v": expected}}})  # fmt: skip
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            if exc.reasons and exc.reasons[0].code == "ConditionalCheckFailed":
                raise NotFound(f"no staff member {username!r}") from exc
            raise Conflict(
                "the groups changed meanwhile; try again", code="version_conflict"
            ) from exc

    @staticmethod
    def _stamp(username: str, revoked_before: int) -> dict:
        # kept for as long as a refresh token lives (30 days), then removed by the table's TTL
        item = {
            **keys.revocation_key(username),
            "entity": "revocation",
            "revoked_before": revoked_before,
            "expires_at": revoked_before + 31 * 86400,
        }
        return {"Put": {"Item": item}}  # fmt: skip

    def read_directory(self) -> DirectoryState:
        """Staff, their revocation stamps, roles and groups: one Query of the partition."""
        state = DirectoryState()
        for item in self.table.query_all(("PK", keys.DIRECTORY)):
            kind, _, name = item["SK"].partition("#")
            if kind == "STAFF":
                state.staff[name] = StaffMember.model_validate(item)
            elif kind == "REVOKED":
                state.revoked_before[name] = float(item["revoked_before"])
            elif kind == "ROLE":
                role = Role.model_validate(item)
                state.roles[role.name] = role
            elif kind == "GROUP":
                group = Group.model_validate(item)
                state.groups[group.id] = group
        return state

    def get_category(self, category_id: str) -> Category | None:
        item = self.table.get(keys.category_key(category_id))
        return Category.model_validate(item) if item else None

    def list_categories(self) -> list[Category]:
        return [Category.model_validate(i) for i in self._list(keys.CATEGORIES, "CAT#")]

    def put_category(self, category: Category) -> Category:
        self._put(keys.category_key(category.id), category, "category")
        return category

    def replace_categories(self, writes: list[tuple[Category, list[str]]]) -> None:
        operations = [
            {
                "Put": {
                    "Item": {
                        **category.model_dump(mode="json"),
                        **keys.category_key(category.id),
                        "entity": "category",
                    },
                    "ConditionExpression": "#path = :path",
                    "ExpressionAttributeNames": {"#path": "path"},
                    "ExpressionAttributeValues": {":path": expected},
                }
            }
            for category, expected in writes
        ]
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            raise Conflict(
                "the category tree changed while you edited it; read it again",
                code="version_conflict",
            ) from exc

    def list_roles(self) -> list[Role]:
        return [Role.model_validate(i) for i in self._list(keys.DIRECTORY, "ROLE#")]

    def put_role(self, role: Role) -> Role:
        item = role.model_dump(mode="json")
        item["permissions"] = {k: sorted(v) for k, v in item["permissions"].items()}
        self.table.put({**item, **keys.role_key(role.name), "entity": "role"})
        return role

    def list_rules(self) -> list[RoutingRule]:
        return [RoutingRule.model_validate(i) for i in self._list(keys.RULES, "RULE#")]

    def put_rule(self, rule: RoutingRule) -> RoutingRule:
        self._put(keys.rule_key(rule.id), rule, "routing_rule")
        return rule

    def delete_rule(self, rule_id: str) -> None:
        if not self.table.delete(keys.rule_key(rule_id)):
            raise NotFound(f"no routing rule {rule_id!r}")

    def list_sla_policies(self) -> list[SlaPolicy]:
        return [SlaPolicy.model_validate(i) for i in self._list(keys.SLA, "POLICY#")]

    def put_sla_policy(self, policy: SlaPolicy) -> SlaPolicy:
        self._put(keys.sla_policy_key(policy.id), policy, "sla_policy")
        return policy

    def delete_sla_policy(self, policy_id: str) -> None:
        if not self.table.delete(keys.sla_policy_key(policy_id)):
            raise NotFound(f"no SLA policy {policy_id!r}")

    def list_ladders(self) -> list[EscalationLadder]:
        return [EscalationLadder.model_validate(i) for i in self._list(keys.SLA, "LADDER#")]

    def put_ladder(self, ladder: EscalationLadder) -> EscalationLadder:
        self._put(keys.ladder_key(ladder.id), ladder, "escalation_ladder")
        return ladder

    def delete_ladder(self, ladder_id: str) -> None:
        if not self.table.delete(keys.ladder_key(ladder_id)):
            raise NotFound(f"no escalation ladder {ladder_id!r}")

    def get_calendar(self, calendar_id: str) -> BusinessCalendar | None:
        item = self.table.get(keys.calendar_key(calendar_id))
        return BusinessCalendar.model_validate(item) if item else None

    def list_calendars(self) -> list[BusinessCalendar]:
        return [BusinessCalendar.model_validate(i) for i in self._list(keys.SLA, "CALENDAR#")]

    def put_calendar(self, calendar: BusinessCalendar) -> BusinessCalendar:
        self._put(keys.calendar_key(calendar.id), calendar, "calendar")
        return calendar
