"""The engine itself in the simulated clinic: the same functions the app calls."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wellness.suggestions import engine
from wellness.suggestions.inputs import (
    PatientContext,
    RatedPractice,
    SafetyLimits,
    SessionFacts,
    SuggestionList,
)
from wellness.suggestions.safety import safe_sessions


def engine_filter(
    catalog: Sequence[SessionFacts], context: PatientContext, limits: SafetyLimits
) -> frozenset[int]:
    return frozenset(s.session_id for s in safe_sessions(catalog, context, limits).sessions)


class EnginePolicy:
    def __init__(
        self,
        catalog: Sequence[SessionFacts],
        count: int,
        limits: SafetyLimits,
        *,
        personal: bool = True,
        name: str = "engine",
    ) -> None:
        self.name = name
        self.count, self.limits, self.personal = count, limits, personal
        self.clinic = engine.fit_clinic((), catalog, personal=personal)

    def refit(self, ratings: Sequence[RatedPractice], catalog: Sequence[SessionFacts]) -> None:
        # From the last fit, as the app does (`services.clinic`): EM then needs few steps.
        self.clinic = engine.fit_clinic(ratings, catalog, personal=self.personal, start=self.clinic)

    def suggest(
        self, catalog: Sequence[SessionFacts], context: PatientContext, rng: np.random.Generator
    ) -> SuggestionList:
        return engine.suggest(
            catalog, context, self.clinic, limits=self.limits, rng=rng, count=self.count
        )

    def expected_changes(
        self, catalog: Sequence[SessionFacts], context: PatientContext
    ) -> dict[int, float]:
        """Its current fit's expected change (after - before) per safe session: the reward model
        `wellness suggestions report` gives the doubly robust estimate."""
        return engine.expected_changes(catalog, context, self.clinic, limits=self.limits)


class EngineRules:
    name = "rules"

    def __init__(self, count: int, limits: SafetyLimits) -> None:
        self.count, self.limits = count, limits

    def refit(self, ratings: Sequence[RatedPractice], catalog: Sequence[SessionFacts]) -> None:
        return None

    def suggest(
        self, catalog: Sequence[SessionFacts], context: PatientContext, rng: np.random.Generator
    ) -> SuggestionList:
        return engine.rules_only(catalog, context, limits=self.limits, count=self.count)
