"""What routing learns from (issue 20, second half): agents' corrections, resolved cases as
examples, the trained classifier, its settings and a training under way.

Access patterns: chalicelib/store/README.md (routing corrections, examples, classifier).

A case's items are keyed by its id under the month it was filed, so a second move (or a
reopen and a second resolution) replaces the first: a retried write is the same item.
"""

from __future__ import annotations

from typing import Any

from ..domain.routing_classifier import ClassifierSettings
from ..domain.routing_corrections import Correction, Example
from .dynamo import Table

LEARNING_PK = "ROUTING_LEARNING"
MODEL_SK, SETTINGS_SK, TRAINING_SK = "#MODEL", "#SETTINGS", "#TRAINING"
#: examples read per page while training
EXAMPLES_PAGE = 200


def corrections_pk(month: str) -> str:
    return f"ROUTECORR#{month}"


def examples_pk(month: str) -> str:
    return f"ROUTEX#{month}"


class DynamoRoutingLearning:
    def __init__(self, table: Table) -> None:
        self.table = table

    # ---- riders of case changes ----------------------------------------------------------

    @staticmethod
    def correction_rider(month: str, c: Correction) -> tuple[dict[str, Any], Exception]:
        """The correction's put, riding in the move's transaction (it has no condition)."""
        item = {"PK": corrections_pk(month), "SK": c.case_id, "entity": "routing_correction",
                "case_id": c.case_id, "at": c.at, "by": c.by, "text": c.text,
                "routed_group": c.routed_group, "final_group": c.final_group,
                "routed_category": c.routed_category,
                "final_category": c.final_category}  # fmt: skip
        return {"Put": {"Item": item}}, RuntimeError("unconditional")

    @staticmethod
    def example_rider(month: str, e: Example) -> tuple[dict[str, Any], Exception]:
        """The example's put, riding in the resolution's transaction."""
        item = {"PK": examples_pk(month), "SK": e.case_id, "entity": "routing_example",
                "case_id": e.case_id, "text": e.text, "group_id": e.group_id,
                "category_id": e.category_id, "routed_group": e.routed_group,
                "routed_by": e.routed_by}  # fmt: skip
        return {"Put": {"Item": item}}, RuntimeError("unconditional")

    # ---- reading -------------------------------------------------------------------------

    def corrections(self, months: list[str]) -> list[Correction]:
        """Every correction of cases filed in these months (one Query per month)."""
        found = []
        for month in months:
            for item in self.table.query_all(("PK", corrections_pk(month))):
                found.append(Correction(
                    text=item["text"], routed_group=item["routed_group"],
                    final_group=item["final_group"], case_id=item["case_id"], at=item["at"],
                    routed_category=item.get("routed_category"),
                    final_category=item.get("final_category"), by=item.get("by", ""),
                ))  # fmt: skip
        return found

    def examples_page(
        self, month: str, cursor: str | None, limit: int = EXAMPLES_PAGE
    ) -> tuple[list[Example], str | None]:
        items, next_cursor = self.table.query(("PK", examples_pk(month)), limit=limit,
                                              cursor=cursor)  # fmt: skip
        return [
            Example(i["case_id"], i["text"], i["group_id"], i.get("category_id"),
                    i.get("routed_group"), i.get("routed_by"))
            for i in items
        ], next_cursor  # fmt: skip

    # ---- the model, its settings, a training ---------------------------------------------

    def _get(self, sk: str) -> dict[str, Any] | None:
        return self.table.get({"PK": LEARNING_PK, "SK": sk})

    def _put(self, sk: str, fields: dict[str, Any]) -> None:
        self.table.put({"PK": LEARNING_PK, "SK": sk, **fields})

    def model(self) -> dict[str, Any] | None:
        """The classifier's item: `blob` (bytes, Classifier.pack) and its figures."""
        return self._get(MODEL_SK)

    def put_model(self, fields: dict[str, Any]) -> None:
        self._put(MODEL_SK, fields)

    def settings(self) -> ClassifierSettings:
        item = self._get(SETTINGS_SK)
        fields = {k: v for k, v in (item or {}).items() if k in ClassifierSettings.model_fields}
        return ClassifierSettings.model_validate(fields)

    def put_settings(self, settings: ClassifierSettings) -> None:
        self._put(SETTINGS_SK, settings.model_dump(mode="json"))

    def training(self) -> dict[str, Any] | None:
        return self._get(TRAINING_SK)

    def put_training(self, fields: dict[str, Any]) -> None:
        self._put(TRAINING_SK, fields)

    def end_training(self) -> None:
        self.table.delete({"PK": LEARNING_PK, "SK": TRAINING_SK})
