"""Malformed and hostile inputs thrown at a policy, every answer checked by `clinical_rules`.

The clinic loop already feeds the policies a catalog with bad entries (an unknown kind, a zero
length, blank guidance and posture, an unknown contraindication) and check-ins that are missing.
This sweep adds what a real database and real care teams can produce on top: ratings outside
0-10, rated practices with impossible values, contraindications spelt differently or unknown,
bans of almost everything, pins and due assignments that point at unsafe, banned or missing
sessions, practice histories naming sessions that no longer exist, hours outside 0-23.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

import numpy as np

from wellness.suggestions.inputs import (
    DueItem,
    PatientContext,
    PracticeDone,
    RatedPractice,
    SafetyLimits,
    SessionFacts,
    sessions_by_id,
)
from wellness.suggestions.simulation import clinical_rules
from wellness.suggestions.simulation.policies import Policy
from wellness.suggestions.simulation.world import START

ANXIETIES: tuple[int | None, ...] = (None, None, -5, -1, 11, 15, 100, *range(11))
FLAGS = (
    "breath_hold",
    "fast_breathing",
    "vigorous",
    "standing",
    "long_silence",
    "Breath-Hold",
    "asthma",
    "",
)
KINDS = ("breathing", "grounding", "yoga", "meditation", "qigong", "", "BREATHING")
HOURS = (-1, 0, 7, 12, 23, 24, 99)
MAX_EXAMPLES = 5
T = TypeVar("T")


@dataclass(slots=True)
class SweepResult:
    calls: int = 0
    suggestions: int = 0
    violations: int = 0
    errors: int = 0
    examples: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(text)


def _pick(rng: np.random.Generator, values: Sequence[T], most: int) -> list[T]:
    size = int(rng.integers(0, most + 1))
    return [values[int(i)] for i in rng.integers(0, len(values), size=size)]


def _one(rng: np.random.Generator, values: Sequence[T]) -> T:
    return values[int(rng.integers(len(values)))]


def hostile_context(
    rng: np.random.Generator, catalog: Sequence[SessionFacts], patient_id: int, day: int
) -> PatientContext:
    ids = [session.session_id for session in catalog]
    unknown_ids = [0, -1, max(ids) + 1, 10**12]
    everything = ids + unknown_ids
    anxiety = _one(rng, ANXIETIES)
    hour = _one(rng, HOURS)
    now = START + timedelta(days=day, hours=int(rng.integers(24)))
    today = now.date().isoformat()
    if rng.random() < 0.2:  # a care team that banned all but a session or two
        keep = set(rng.choice(ids, size=min(2, len(ids)), replace=False).tolist())
        banned = frozenset(i for i in ids if i not in keep)
    else:
        banned = frozenset(_pick(rng, everything, 5))
    due = tuple(
        DueItem(
            assignment_id=n + 1,
            session_id=None if rng.random() < 0.3 else _one(rng, everything),
            kind=_one(rng, KINDS),
            min_minutes=float(rng.choice([0.0, 5.0, -3.0])),
            max_minutes=float(rng.choice([0.0, 10.0, 60.0])),
        )
        for n in range(int(rng.integers(0, 3)))
    )
    history = tuple(
        PracticeDone(_one(rng, everything), today, completed=bool(rng.random() < 0.8))
        for _ in range(int(rng.integers(0, 20)))
    )
    ratings = tuple(
        RatedPractice(
            patient_id=patient_id,
            session_id=_one(rng, everything),
            started_at=now - timedelta(hours=int(rng.integers(1, 500))),
            local_hour=_one(rng, HOURS),
            before=int(rng.integers(-3, 14)),
            after=int(rng.integers(-3, 14)),
        )
        for _ in range(int(rng.integers(0, 15)))
    )
    return PatientContext(
        patient_id=patient_id,
        now=now,
        local_hour=hour,
        today=today,
        anxiety=anxiety,
        rated_at=now if anxiety is not None else None,
        contraindications=frozenset(_pick(rng, FLAGS, 3)),
        banned=banned,
        pinned=frozenset(_pick(rng, everything, 3)),
        due=due,
        history=history,
        ratings=ratings,
    )


def sweep(
    policy: Policy,
    catalog: Sequence[SessionFacts],
    rng: np.random.Generator,
    *,
    calls: int,
    limits: SafetyLimits,
    days: int,
) -> SweepResult:
    """`calls` hostile contexts for `policy` (already fitted), each answer checked."""
    result = SweepResult()
    by_id = sessions_by_id(catalog)
    for n in range(calls):
        context = hostile_context(rng, catalog, patient_id=10_000 + n, day=n % max(days, 1))
        result.calls += 1
        try:
            shown = policy.suggest(catalog, context, rng)
        except Exception as error:  # a crash is a finding, recorded as such
            result.errors += 1
            result.note(f"{policy.name} raised {type(error).__name__}: {error} on {context!r}")
            continue
        result.suggestions += len(shown.items)
        for violation in clinical_rules.check_list(shown, by_id, context, limits):
            result.violations += 1
            result.note(
                f"{policy.name}: session {violation.session_id} at anxiety {context.anxiety}: "
                f"{violation.rule}"
            )
    return result
