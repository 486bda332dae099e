"""Learning from agents' routing corrections (issue 20, second half).

- riders: a move of a routed case to another group or category keeps a correction, and a
  resolution keeps a training example, each in the transaction of the change
  (`riders_for`, called by CaseService._change);
- the report admins read: the phrases that most often end in another group than routing
  chose, and in another category than it set, each with the enabled rule whose keyword
  already matches it or else the keyword, as customers wrote it, that would have caught
  them (`report`);
- the classifier: trained on resolved cases (a fifth held out to measure it), resumable
  page by page (`train`, every 15 minutes and on an admin's request), asked at routing
  (`predict`), with the admin's settings (`settings`, `change_settings`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import Field

from ..domain.case_change import CaseChange
from ..domain.clock import to_iso, utcnow
from ..domain.errors import InvalidInput
from ..domain.model import Model, from_dataclass
from ..domain.routing_classifier import (
    MAX_HELD_OUT,
    Classifier,
    ClassifierSettings,
    Counts,
    Prediction,
    accuracy,
    fit,
    held_out,
)
from ..domain.routing_corrections import (
    MissedCategoryPhrase,
    MissedPhrase,
    category_moved,
    correction_of,
    example_of,
    features,
    missed_category_phrases,
    missed_phrases,
)
from ..domain.routing_rules import RoutingRule
from ..observability import logger
from .case_commands import Strict

#: the months of filing the report reads (this one and the two before)
REPORT_MONTHS = 3
#: the months of filing training reads (this one and the eleven before)
TRAINING_MONTHS = 12
#: pages of examples one training run reads before it saves where it is
PAGES_PER_RUN = 50
#: how long a container keeps the model it read before it reads the item again
MODEL_TTL = timedelta(minutes=5)
#: a model needs at least this many examples (and two groups) to be kept
MIN_EXAMPLES = 20


def month_of(at: datetime) -> str:
    return at.strftime("%Y-%m")


def months_back(now: datetime, count: int) -> list[str]:
    """`count` months ending with now's, oldest first ("2026-10", "2026-11", "2026-12")."""
    year, month = now.year, now.month
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


#: the API's rows carry the fields of the domain's dataclasses, declared there once
MissedPhraseRow = from_dataclass(
    MissedPhrase,
    "MissedPhraseRow",
    "A phrase of cases moved to another group, with `suggestion` (a word as customers wrote "
    "it, its mode and never-trigger words) when no enabled rule matches the phrase, else "
    "`covered_by` (that rule: agents moved its cases anyway). These replace `keyword`, a "
    'Snowball stem such as "fatur" suggested even for phrases a rule had: a new meaning, so '
    "new names.",
)


class MoveCount(Model):
    routed_group: str
    final_group: str
    corrections: int


MissedCategoryRow = from_dataclass(
    MissedCategoryPhrase,
    "MissedCategoryRow",
    "A phrase of cases put in another category; `suggestion` and `covered_by` as in "
    "MissedPhraseRow (the rule to look at: what category it sets, its never-trigger words).",
)


class CategoryMoveCount(Model):
    #: None: routing set no category
    routed_category: str | None
    final_category: str
    corrections: int


class CategoryCorrections(Model):
    """The cases of the same months an agent put in another category than routing set: how
    many, which moves, and the phrases (domain/routing_corrections.missed_category_phrases),
    each with the rule that already matches it or the keyword to add to a rule that sets the
    category."""

    corrections: int
    moves: list[CategoryMoveCount]
    phrases: list[MissedCategoryRow]


class CorrectionsReport(Model):
    """The corrections of cases filed in `months`: how many moved group, which moves, and the
    phrases (domain/routing_corrections.missed_phrases), each with the rule that already
    matches it or the keyword to add to a rule; `categories`: the same for the cases put in
    another category."""

    months: list[str]
    corrections: int
    moves: list[MoveCount]
    phrases: list[MissedPhraseRow]
    categories: CategoryCorrections


class ClassifierStatus(Model):
    """The classifier as it is: its settings; whether a model is trained, when, on how many
    resolved cases and groups; its accuracy (0..1) on the held-out cases, the rules' on
    the same cases (routed by a rule or the default group), and both together (a rule
    where one matched, else the classifier); a training under way."""

    settings: ClassifierSettings
    trained: bool
    trained_at: datetime | None = None
    examples: int = 0
    held_out: int = 0
    groups: list[str] = []
    accuracy: float | None = None
    rules_accuracy: float | None = None
    combined_accuracy: float | None = None
    size_bytes: int = 0
    training: bool = False


class SettingsChange(Strict):
    """An admin's change of the classifier's settings: what is left out stays."""

    enabled: bool | None = None
    min_confidence: float | None = Field(default=None, ge=0.5, le=1)


class ReportQuery(Strict):
    """`min_count`: corrected cases a phrase needs; `top`: phrases shown at most."""

    min_count: int = Field(default=3, ge=1, le=1000)
    top: int = Field(default=20, ge=1, le=100)


class RoutingLearning:
    """`rules`: the routing rules as they are (the report names the rule already matching a
    phrase); none when not given."""

    def __init__(
        self,
        store: Any,
        clock: Callable[[], datetime] = utcnow,
        rules: Callable[[], list[RoutingRule]] = list,
    ) -> None:
        self.store = store
        self.clock = clock
        self.rules = rules
        #: the model this container read last (its trained_at, the model or None), and when
        self._model: tuple[str | None, Classifier | None] | None = None
        self._read_at = datetime.min.replace(tzinfo=UTC)

    # ---- riders --------------------------------------------------------------------------

    def riders_for(self, decided: CaseChange, by: str) -> list[tuple[dict, Exception]]:
        """The correction and the example a case change keeps, as writes in its transaction."""
        after = decided.case
        month = month_of(after.created_at)
        riders = []
        correction = correction_of(decided.before, after, by, to_iso(self.clock()))
        if correction is not None:
            riders.append(self.store.correction_rider(month, correction))
        example = example_of(decided.before, after)
        if example is not None:
            riders.append(self.store.example_rider(month, example))
        return riders

    # ---- the report ----------------------------------------------------------------------

    def report(self, min_count: int = 3, top: int = 20) -> CorrectionsReport:
        months = months_back(self.clock(), REPORT_MONTHS)
        stored = self.store.corrections(months)
        corrections = [c for c in stored if c.final_group != c.routed_group]
        moves = Counter((c.routed_group, c.final_group) for c in corrections)
        rules = self.rules()
        phrases = missed_phrases(corrections, rules, min_count=min_count, top=top)
        recategorised = [c for c in stored if category_moved(c)]
        category_moves = Counter((c.routed_category, c.final_category) for c in recategorised)
        category_phrases = missed_category_phrases(recategorised, rules, min_count=min_count,
                                                   top=top)  # fmt: skip
        return CorrectionsReport(
            months=months,
            corrections=len(corrections),
            moves=[
                MoveCount(routed_group=r, final_group=f, corrections=n)
                for (r, f), n in moves.most_common()
            ],  # fmt: skip
            phrases=[MissedPhraseRow(**vars(m)) for m in phrases],
            categories=CategoryCorrections(
                corrections=len(recategorised),
                moves=[
                    CategoryMoveCount(routed_category=r, final_category=f, corrections=n)
                    for (r, f), n in category_moves.most_common()
                ],  # fmt: skip
                phrases=[MissedCategoryRow(**vars(m)) for m in category_phrases],
            ),
        )

    # ---- settings ------------------------------------------------------------------------

    def settings(self) -> ClassifierSettings:
        return self.store.settings()

    def change_settings(self, change: SettingsChange, by: str) -> ClassifierSettings:
        """Apply the admin's change; kept with who and when, and logged (the audit line).
        A change that names nothing is InvalidInput `nothing_to_change` (422)."""
        fields = change.model_dump(exclude_none=True)
        if not fields:
            raise InvalidInput("give enabled or min_confidence", code="nothing_to_change")
        before = self.store.settings()
        after = before.model_copy(update={**fields, "changed_by": by, "changed_at": self.clock()})
        after = ClassifierSettings.model_validate(after.model_dump())
        self.store.put_settings(after)
        logger.info(
            "routing classifier settings changed", by=by,
            before=before.model_dump(mode="json", include={"enabled", "min_confidence"}),
            after=after.model_dump(mode="json", include={"enabled", "min_confidence"}),
        )  # fmt: skip
        return after

    # ---- the model -----------------------------------------------------------------------

    def classifier(self) -> Classifier | None:
        """The stored model, read at most once per MODEL_TTL per container (routing asks for
        every case; a model is retrained every 15 minutes) and unpacked once per training."""
        now = self.clock()
        if self._model is not None and now - self._read_at < MODEL_TTL:
            return self._model[1]
        item = self.store.model()
        self._read_at = now
        if not item or "blob" not in item:
            self._model = (None, None)
            return None
        stamp = item.get("trained_at", "")
        if self._model is None or self._model[0] != stamp:
            blob = item["blob"]
            self._model = (stamp, Classifier.unpack(bytes(getattr(blob, "value", blob))))
        return self._model[1]

    def predict(self, text: str) -> Prediction | None:
        model = self.classifier()
        return model.predict(text) if model else None

    def status(self) -> ClassifierStatus:
        item = self.store.model() or {}
        figures = {k: item[k] for k in ("trained_at", "examples", "held_out", "groups",
                                        "accuracy", "rules_accuracy", "combined_accuracy",
                                        "size_bytes") if k in item}  # fmt: skip
        return ClassifierStatus(settings=self.store.settings(), trained="blob" in item,
                                training=self.store.training() is not None, **figures)  # fmt: skip

    def train(self, pages: int = PAGES_PER_RUN) -> ClassifierStatus:
        """Read up to `pages` pages of examples, from where the last run stopped; when all
        months are read, fit the model on the training cases, measure it on the held-out
        ones, then add those and keep the model. Idempotent: a run cut short leaves the
        state it saved last, and the next run goes on from there (a page read twice is
        not counted twice: the state is saved with the cursor after it)."""
        state = self.store.training() or {
            "months": months_back(self.clock(), TRAINING_MONTHS), "month": 0, "cursor": None,
            "counts": Counts().to_dict(), "held": [], "started_at": to_iso(self.clock()),
        }  # fmt: skip
        counts = Counts.from_dict(state["counts"])
        held: list[list[Any]] = state["held"]
        months: list[str] = state["months"]
        for _ in range(pages):
            if state["month"] >= len(months):
                break
            examples, cursor = self.store.examples_page(months[state["month"]], state["cursor"])
            for e in examples:
                terms = features(e.text)
                if held_out(e.case_id) and len(held) < MAX_HELD_OUT:
                    held.append([e.group_id, terms, e.routed_group, e.routed_by])
                else:
                    counts.add_terms(e.group_id, terms)
            state["cursor"] = cursor
            if cursor is None:
                state["month"] += 1
        if state["month"] < len(months):
            self.store.put_training({**state, "counts": counts.to_dict(), "held": held})
            return self.status()
        self._finish(counts, held)
        self.store.end_training()
        return self.status()

    def _finish(self, counts: Counts, held: list[list[Any]]) -> None:
        if counts.examples + len(held) < MIN_EXAMPLES or len(counts.docs) < 2:
            logger.info("routing classifier not trained: too few cases",
                        examples=counts.examples + len(held))  # fmt: skip
            return
        model = fit(counts)
        measured = [(group, terms) for group, terms, _, _ in held]
        right_rules = [group == routed for group, _, routed, by in held if routed and by]
        combined = []
        for group, terms, routed, by in held:
            if by == "rule_matched":
                combined.append(group == routed)
            else:
                guess = model.predict_terms(terms)
                combined.append(guess is not None and guess.group_id == group)
        for group, terms, _, _ in held:
            counts.add_terms(group, terms)
        final = fit(counts)
        blob = final.pack()
        trained_at = to_iso(self.clock())
        self._model, self._read_at = (trained_at, final), self.clock()
        self.store.put_model({
            "blob": blob, "trained_at": trained_at, "examples": counts.examples,
            "held_out": len(held), "groups": sorted(final.docs),
            "accuracy": accuracy(model, measured),
            "rules_accuracy": _share(right_rules), "combined_accuracy": _share(combined),
            "size_bytes": len(blob),
        })  # fmt: skip
        logger.info("routing classifier trained", examples=counts.examples, bytes=len(blob))


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None
