"""Groups, staff, roles and categories: small partitions, each read whole in one Query."""

from __future__ import annotations

from ..domain.categories import Category
from ..domain.directory import Group, StaffMember
from ..domain.errors import NotFound
from ..domain.permissions import Role
from ..domain.routing_rules import RoutingRule
from . import keys
from .dynamo import Table


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

    def put_groups(self, groups: list[Group]) -> None:
        self.table.transact(
            [
                {
                    "Put": {
                        "Item": {
                            **g.model_dump(mode="json"),
                            **keys.group_key(g.id),
                            "entity": "group",
                        }
                    }
                }
                for g in groups
            ]
        )

    def get_staff(self, username: str) -> StaffMember | None:
        item = self.table.get(keys.staff_key(username))
        return StaffMember.model_validate(item) if item else None

    def list_staff(self) -> list[StaffMember]:
        return [StaffMember.model_validate(i) for i in self._list(keys.DIRECTORY, "STAFF#")]

    def put_staff(self, member: StaffMember) -> StaffMember:
        self._put(keys.staff_key(member.username), member, "staff")
        return member

    def get_category(self, category_id: str) -> Category | None:
        item = self.table.get(keys.category_key(category_id))
        return Category.model_validate(item) if item else None

    def list_categories(self) -> list[Category]:
        return [Category.model_validate(i) for i in self._list(keys.CATEGORIES, "CAT#")]

    def put_category(self, category: Category) -> Category:
        self._put(keys.category_key(category.id), category, "category")
        return category

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
