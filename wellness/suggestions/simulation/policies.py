"""What the simulated clinic compares: a `Policy` protocol and the baselines.

A policy sees only what the app would give the engine (the catalog's `SessionFacts`, a
`PatientContext` and, when a refit is due, every rating in the clinic). The oracle is the one
exception: it reads the simulator's truth through `Moment`, which the clinic loop fills before
each call. Every baseline picks within the same safe set (`SafeSets`), so the comparison is
about choosing well, not about breaking rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from wellness.suggestions.inputs import (
    PatientContext,
    RatedPractice,
    SafetyLimits,
    SessionFacts,
    Suggestion,
    SuggestionList,
)
from wellness.suggestions.simulation import clinical_rules
from wellness.suggestions.simulation.features import SessionFeatures

SafeFilter = Callable[[Sequence[SessionFacts], PatientContext, SafetyLimits], frozenset[int]]


class Policy(Protocol):
    name: str

    def suggest(
        self, catalog: Sequence[SessionFacts], context: PatientContext, rng: np.random.Generator
    ) -> SuggestionList: ...

    def refit(self, ratings: Sequence[RatedPractice], catalog: Sequence[SessionFacts]) -> None:
        """Called with every rating the clinic has (oldest first) whenever the app would refit
        (`clinic.REFITS`: each simulated night, and as soon as the ratings grew by 5%)."""


@dataclass(slots=True)
class Moment:
    """The simulator's truth for the call in progress: only the oracle reads it."""

    calm: np.ndarray = field(default_factory=lambda: np.zeros(0))


class SafeSets:
    """The safe sessions (catalog indices) for a context, cached by what safety depends on."""

    def __init__(
        self, catalog: Sequence[SessionFacts], limits: SafetyLimits, safe_filter: SafeFilter
    ) -> None:
        self.catalog = catalog
        self.limits = limits
        self.safe_filter = safe_filter
        self.index = {session.session_id: n for n, session in enumerate(catalog)}
        self._cache: dict[tuple[frozenset[str], frozenset[int], int | None], np.ndarray] = {}

    def indices(self, context: PatientContext) -> np.ndarray:
        key = (context.contraindications, context.banned, context.anxiety)
        found = self._cache.get(key)
        if found is None:
            ids = self.safe_filter(self.catalog, context, self.limits)
            found = np.array(sorted(self.index[i] for i in ids if i in self.index), dtype=np.intp)
            self._cache[key] = found
        return found


def checker_filter(
    catalog: Sequence[SessionFacts], context: PatientContext, limits: SafetyLimits
) -> frozenset[int]:
    """The simulation's own safe set, used until the engine's filter is there."""
    return clinical_rules.safe_ids(catalog, context, limits)


def listing(
    catalog: Sequence[SessionFacts],
    chosen: Sequence[int] | np.ndarray,
    probabilities: Sequence[float] | np.ndarray,
    version: str,
    reason: str,
) -> SuggestionList:
    items = tuple(
        Suggestion(catalog[int(i)].session_id, float(q), (reason,))
        for i, q in zip(chosen, probabilities, strict=True)
    )
    return SuggestionList(items=items, engine_version=version)


class RandomSafe:
    """Any `count` sessions from the safe set, uniformly."""

    name = "random"

    def __init__(self, safe: SafeSets, count: int) -> None:
        self.safe, self.count = safe, count

    def suggest(
        self, catalog: Sequence[SessionFacts], context: PatientContext, rng: np.random.Generator
    ) -> SuggestionList:
        pool = self.safe.indices(context)
        k = min(self.count, pool.size)
        chosen = rng.choice(pool, size=k, replace=False) if k else pool[:0]
        return listing(catalog, chosen, [k / max(pool.size, 1)] * k, self.name, "Picked at random")

    def refit(self, ratings: Sequence[RatedPractice], catalog: Sequence[SessionFacts]) -> None:
        return None


class MostPopular:
    """The sessions with the best clinic-wide average rated change, the same for everyone.

    Averages are shrunk towards the clinic's overall mean (as if each session had had
    `PRIOR_WEIGHT` average ratings), so one lucky rating does not put a session on top; sessions
    never rated sit at the overall mean. No per-patient learning and no exploration.
    """

    name = "popular"
    PRIOR_WEIGHT = 3.0

    def __init__(self, safe: SafeSets, count: int) -> None:
        self.safe, self.count = safe, count
        self.score = np.zeros(len(safe.catalog))

    def refit(self, ratings: Sequence[RatedPractice], catalog: Sequence[SessionFacts]) -> None:
        index = self.safe.index
        rated = [
            (index[r.session_id], r.before - r.after) for r in ratings if r.session_id in index
        ]
        if not rated:
            return
        where = np.array([i for i, _ in rated], dtype=np.intp)
        calm = np.array([c for _, c in rated], dtype=float)
        sums = np.bincount(where, weights=calm, minlength=len(catalog))
        counts = np.bincount(where, minlength=len(catalog))
        overall = float(calm.mean())
        self.score = (sums + self.PRIOR_WEIGHT * overall) / (counts + self.PRIOR_WEIGHT)

    def suggest(
        self, catalog: Sequence[SessionFacts], context: PatientContext, rng: np.random.Generator
    ) -> SuggestionList:
        pool = self.safe.indices(context)
        best = pool[np.argsort(-self.score[pool], kind="stable")[: self.count]]
        return listing(catalog, best, [1.0] * best.size, self.name, "Often calming here")


class PooledThompson:
    """Thompson sampling on a Bayesian linear model of session features, one model for all.

    A fully pooled baseline written apart from the engine ("linear_ts"; the table's "pooled
    Thompson" row is the engine itself with pooling forced to full): it learns which kinds,
    lengths and formats calm people here, corrected for the before level and for repeats, but
    nothing about the individual patient.
    Inclusion probabilities are estimated from `DRAWS` posterior draws (the shown list is the
    first draw's).
    """

    name = "linear_ts"
    DRAWS = 16

    def __init__(self, safe: SafeSets, count: int) -> None:
        self.safe, self.count = safe, count
        self.features = SessionFeatures(safe.catalog)
        self.model = self.features.prior_model()

    def refit(self, ratings: Sequence[RatedPractice], catalog: Sequence[SessionFacts]) -> None:
        self.model = self.features.fit(ratings)

    def suggest(
        self, catalog: Sequence[SessionFacts], context: PatientContext, rng: np.random.Generator
    ) -> SuggestionList:
        pool = self.safe.indices(context)
        if not pool.size:
            return listing(catalog, [], [], self.name, "")
        draws = self.model.sample(rng, self.DRAWS)
        scores = self.features.scores(draws, pool, context)  # (DRAWS, pool)
        k = min(self.count, pool.size)
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        counts = np.bincount(top.ravel(), minlength=pool.size)
        first = top[0][np.argsort(-scores[0, top[0]])]
        return listing(
            catalog, pool[first], counts[first] / self.DRAWS, self.name, "Calming for many here"
        )


class Oracle:
    """The best `count` safe sessions by each patient's true expected calm, right now."""

    name = "oracle"

    def __init__(self, safe: SafeSets, count: int, moment: Moment) -> None:
        self.safe, self.count, self.moment = safe, count, moment

    def suggest(
        self, catalog: Sequence[SessionFacts], context: PatientContext, rng: np.random.Generator
    ) -> SuggestionList:
        pool = self.safe.indices(context)
        best = pool[np.argsort(-self.moment.calm[pool], kind="stable")[: self.count]]
        return listing(catalog, best, [1.0] * best.size, self.name, "Known to calm you")

    def refit(self, ratings: Sequence[RatedPractice], catalog: Sequence[SessionFacts]) -> None:
        return None
