"""Catalogs, patients and clinics with known truths, for the suggestion engine's tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from wellness.suggestions.inputs import (
    DueItem,
    PatientContext,
    PracticeDone,
    RatedPractice,
    SessionFacts,
)

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
TODAY = "2026-11-24"
YESTERDAY = "2026-11-23"
KINDS = ("meditation", "breathing", "yoga", "body_scan", "grounding", "sleep")


def session(
    session_id: int,
    kind: str = "breathing",
    minutes: float = 8,
    *,
    posture: str = "seated",
    guidance: str = "guided",
    level: str = "beginner",
    flags: frozenset[str] = frozenset(),
    suits: tuple[int, int] = (0, 10),
) -> SessionFacts:
    return SessionFacts(
        session_id=session_id,
        title=f"{kind} {session_id}",
        kind=kind,
        minutes=minutes,
        posture=posture,
        guidance=guidance,
        level=level,
        contraindications=flags,
        anxiety_min=suits[0],
        anxiety_max=suits[1],
    )


def mixed_catalog(size: int = 40, seed: int = 3) -> list[SessionFacts]:
    """Every kind, lengths from 3 to 45 minutes, some silent, standing or flagged sessions."""
    rng = np.random.default_rng(seed)
    sessions = []
    for number in range(1, size + 1):
        kind = KINDS[number % len(KINDS)]
        flags: frozenset[str] = frozenset()
        draw = rng.random()
        if draw < 0.05:
            flags = frozenset({"breath_hold"})
        elif draw < 0.1:
            flags = frozenset({"vigorous"})
        elif draw < 0.13:
            flags = frozenset({"fast_breathing"})
        sessions.append(
            session(
                number,
                kind,
                float(rng.choice([3, 5, 8, 10, 12, 15, 20, 30, 45])),
                posture=str(rng.choice(["seated", "seated", "lying", "standing"])),
                guidance="silent" if rng.random() < 0.25 else "guided",
                flags=flags,
            )
        )
    return sessions


def context(
    *,
    patient_id: int = 1,
    anxiety: int | None = 5,
    local_hour: int = 15,
    ratings: Sequence[RatedPractice] = (),
    history: Sequence[PracticeDone] = (),
    due: Sequence[DueItem] = (),
    pinned: frozenset[int] = frozenset(),
    banned: frozenset[int] = frozenset(),
    contraindications: frozenset[str] = frozenset(),
    rated_minutes_ago: float = 10,
) -> PatientContext:
    """A patient at `NOW`; `anxiety`, when given, was rated `rated_minutes_ago`."""
    return PatientContext(
        patient_id=patient_id,
        now=NOW,
        local_hour=local_hour,
        today=TODAY,
        anxiety=anxiety,
        rated_at=None if anxiety is None else NOW - timedelta(minutes=rated_minutes_ago),
        contraindications=contraindications,
        banned=banned,
        pinned=pinned,
        due=tuple(due),
        history=tuple(history),
        ratings=tuple(ratings),
    )


def rating(
    patient_id: int, session_id: int, before: int, after: int, *, day: int = 0, hour: int = 15
) -> RatedPractice:
    return RatedPractice(
        patient_id=patient_id,
        session_id=session_id,
        started_at=NOW - timedelta(days=400 - day),
        local_hour=hour,
        before=before,
        after=after,
    )


def simulated_ratings(
    catalog: Sequence[SessionFacts],
    *,
    patients: int,
    per_patient: int,
    kind_sd: float,
    offset_sd: float = 0.4,
    noise_sd: float = 1.0,
    seed: int = 0,
    first_patient: int = 1,
) -> tuple[list[RatedPractice], dict[int, dict[str, float]]]:
    """Ratings of random sessions from patients whose true change is
    -(0.5 + kind effect) - 0.2 (before - 5) + offset + their own kind effect + noise,
    rounded and clipped to 0-10; and each patient's own kind effects."""
    rng = np.random.default_rng(seed)
    kind_effect = dict(zip(KINDS, np.linspace(0.0, 0.7, len(KINDS)), strict=True))
    ratings: list[RatedPractice] = []
    own: dict[int, dict[str, float]] = {}
    for patient in range(first_patient, first_patient + patients):
        offset = rng.normal(0, offset_sd)
        own[patient] = {kind: float(rng.normal(0, kind_sd)) for kind in KINDS}
        for day in range(per_patient):
            chosen = catalog[int(rng.integers(len(catalog)))]
            before = int(rng.integers(2, 10))
            mean = -(0.5 + kind_effect[chosen.kind]) - 0.2 * (before - 5) + offset
            mean += own[patient][chosen.kind]
            after = int(np.clip(round(before + mean + rng.normal(0, noise_sd)), 0, 10))
            ratings.append(rating(patient, chosen.session_id, before, after, day=day))
    return ratings, own
