"""Suggestions in the app: gather the context, call the engine, log what is shown, link the
practice that follows, and tell the session page when a session does not suit the moment.

The engine (`engine.suggest`) is the code the simulated clinic judges; nothing here re-ranks or
filters its answer. A list is chosen again whenever what it was chosen from changes (a new
rating, practice, restriction, assignment, catalog, hour or practice day: `kept`), and shown
again under the same log row until then.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import numpy as np
from tortoise.transactions import in_transaction

from wellness.accounts.models import User
from wellness.caseload import daily_plan
from wellness.caseload.kept import KeyedCache, care_and_catalog_tokens
from wellness.catalog.kinds import Kind
from wellness.practice import services as practice
from wellness.settings import CarePolicy
from wellness.suggestions.engine import ENGINE_VERSION, suggest
from wellness.suggestions.inputs import (
    PatientContext,
    SafetyLimits,
    SessionFacts,
    Suggestion,
    sessions_by_id,
)
from wellness.suggestions.logs import (
    latest_list,
    link_latest_list,
    link_practice,
    log_shown,
    logged_suggestions,
)
from wellness.suggestions.safety import Tier, broken_rules, checked, tier_for
from wellness.suggestions.services import context as gather
from wellness.suggestions.services import kept
from wellness.suggestions.services.clinic import CLINIC_FITS, ClinicFits

KIND_VALUES = frozenset(kind.value for kind in Kind)


@dataclass(frozen=True, slots=True)
class SuggestedSession:
    session_id: int
    title: str
    kind: str  # a catalog `Kind` value
    minutes: float
    reasons: tuple[str, ...]  # the first one is the card's
    probability: float
    assignment_id: int | None

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label if self.kind in KIND_VALUES else self.kind.capitalize()

    @property
    def seconds(self) -> float:
        return self.minutes * 60


@dataclass(frozen=True, slots=True)
class Suggested:
    """One list as shown, with the id of its log row (carried to the practice that follows)."""

    suggestion_id: int
    items: tuple[SuggestedSession, ...]
    engine_version: str
    anxiety: int | None
    rated_at: datetime | None
    tier: str
    local_hour: int
    today: str


@dataclass(frozen=True, slots=True)
class _Kept:
    """A list as shown at `computed_at`, until the rating it acted on stops counting."""

    shown: Suggested
    computed_at: datetime
    rating_counts_until: datetime | None

    def serves(self, now: datetime) -> bool:
        # A clock set back could bring back a rating the list did not see: choose again.
        if now < self.computed_at:
            return False
        return self.rating_counts_until is None or now < self.rating_counts_until


# Per worker: each patient's list with the key (`kept.kept_key`) it is valid under.
_kept_lists: KeyedCache[_Kept] = KeyedCache()


async def suggestions_for(
    patient: User,
    *,
    policy: CarePolicy,
    now: datetime,
    fits: ClinicFits = CLINIC_FITS,
    rng: np.random.Generator | int | None = None,
    todays_plan: daily_plan.TodaysPlan | None = None,
) -> Suggested:
    """Three to five sessions for `patient` now (fewer only when fewer are safe), logged; the
    list shown last while nothing it was chosen from has changed (`kept`).
    `todays_plan`: `daily_plan.todays_plan_for(patient, ...)` at the same `now`, when the caller has
    it (the home page shows it too)."""
    # Tokens first: a write after these reads renews them, so nothing older is kept under them.
    care, catalog_token = await care_and_catalog_tokens()
    token, catalog = await gather.published_catalog_under(catalog_token)
    key = kept.kept_key(patient, care_token=care, catalog_token=token, policy=policy, now=now)
    if key is not None:
        found = _kept_lists.split({patient.id: key})[0].get(patient.id)
        if found is not None and found.serves(now):
            return found.shown
    if todays_plan is None:
        todays_plan = await daily_plan.todays_plan_for(patient, policy=policy, now=now)
    context, _ = await gather.patient_context(
        patient, policy=policy, now=now, due=daily_plan.due_items(todays_plan)
    )
    limits = gather.limits_for(policy)
    digest = kept.fingerprint(context, catalog_token=token, limits=limits)
    facts = sessions_by_id(catalog)
    suggested = await _shown_again(patient, context, digest, facts)
    if suggested is None:
        fit = await fits.model(token, catalog)
        shown = suggest(catalog, context, fit.model, limits=limits, rng=rng)
        snapshot: dict[str, Any] = {
            **shown.context,
            "own_ratings": len(context.ratings),
            "practices": len(context.history),
            "pinned": sorted(context.pinned),
            "banned": sorted(context.banned),
            "contraindications": sorted(context.contraindications),
            "due": [item.assignment_id for item in context.due],
            "clinic_ratings": fit.model.ratings,
            "clinic_fit": fit.generation,
            kept.FINGERPRINT: digest,
        }
        log = await log_shown(patient, shown, context=snapshot, now=now)
        suggested = _suggested(log.id, shown.engine_version, snapshot, shown.items, context, facts)
    if key is not None:
        until = kept.rating_counts_until(context, gather.RATING_FRESH_FOR)
        _kept_lists.store({patient.id: key}, {patient.id: _Kept(suggested, now, until)})
    return suggested


async def _shown_again(
    patient: User,
    context: PatientContext,
    digest: str | None,
    facts: Mapping[int, SessionFacts],
) -> Suggested | None:
    """The patient's latest logged list when it was chosen from these very inputs (by another
    worker, or before a write that did not concern this patient); None otherwise."""
    if digest is None:
        return None
    log = await latest_list(patient.id)
    if log is None or not isinstance(log.context, dict):
        return None
    if log.context.get(kept.FINGERPRINT) != digest or log.engine_version != ENGINE_VERSION:
        return None
    items = tuple(logged_suggestions(log.items))
    whole = isinstance(log.items, list) and len(items) == len(log.items)
    if not whole or any(item.session_id not in facts for item in items):
        return None  # a malformed row, or a session no longer published: choose again
    return _suggested(log.id, log.engine_version, log.context, items, context, facts)


def _suggested(
    suggestion_id: int,
    engine_version: str,
    snapshot: dict[str, Any],
    items: Sequence[Suggestion],
    context: PatientContext,
    facts: Mapping[int, SessionFacts],
) -> Suggested:
    return Suggested(
        suggestion_id=suggestion_id,
        items=tuple(
            SuggestedSession(
                session_id=item.session_id,
                title=facts[item.session_id].title,
                kind=facts[item.session_id].kind,
                minutes=facts[item.session_id].minutes,
                reasons=item.reasons,
                probability=item.probability,
                assignment_id=item.assignment_id,
            )
            for item in items
        ),
        engine_version=engine_version,
        anxiety=context.anxiety,
        rated_at=context.rated_at,
        tier=str(snapshot.get("tier", "")),
        local_hour=context.local_hour,
        today=context.today,
    )


async def start_suggested(
    patient: User,
    session_id: int,
    suggestion_id: int | None,
    *,
    anxiety_before: int | None,
    policy: CarePolicy,
    now: datetime,
) -> practice.Logged:
    """Start playback (`practice.start_playback`), linked to the list it was chosen from:
    `suggestion_id`, all or nothing, so a refused link leaves no practice behind; else the
    latest list if it offered the session just before (`following`)."""
    return await _linked(
        patient,
        suggestion_id,
        partial(
            practice.start_playback,
            patient,
            session_id,
            anxiety_before=anxiety_before,
            policy=policy,
            now=now,
        ),
        now=now,
    )


async def log_suggested(
    patient: User,
    entry: practice.PracticeInput,
    suggestion_id: int | None,
    *,
    policy: CarePolicy,
    now: datetime,
) -> practice.Logged:
    """Log a practice that already happened (`practice.log_practice`: an offline player's queue),
    linked to the list it was chosen from as `start_suggested` links playback."""
    return await _linked(
        patient,
        suggestion_id,
        partial(practice.log_practice, patient, entry, policy=policy, now=now),
        now=now,
    )


async def _linked(
    patient: User,
    suggestion_id: int | None,
    log: Callable[[], Awaitable[practice.Logged]],
    *,
    now: datetime,
) -> practice.Logged:
    async with in_transaction():
        logged = await log()
        if suggestion_id is None:
            await link_latest_list(patient, logged.practice, now=now)
        else:
            await link_practice(patient, logged.practice, suggestion_id, now=now)
    return logged


@dataclass(frozen=True, slots=True)
class DistressNote:
    """The session page's gentle note: the patient's recent rating is high and this session is
    outside what the suggestions (and the support panel) would offer them now."""

    anxiety: int
    rated_at: datetime
    time_zone: str  # the patient's, to show `rated_at` in
    tier: str


async def distress_note(
    patient: User, session_id: int, *, policy: CarePolicy, now: datetime
) -> DistressNote | None:
    """A note when the patient's latest recent rating is at or above high distress and the
    session breaks the safety filter's rules for it; None otherwise."""
    rating = await gather.latest_rating(patient, now=now)
    limits: SafetyLimits = gather.limits_for(policy)
    if rating is None or rating.level < checked(limits).high_distress_level:
        return None
    _, catalog = await gather.published_catalog()
    session = sessions_by_id(catalog).get(session_id)
    tier = tier_for(rating.level, limits)
    if session is not None and not broken_rules(session, tier, limits=limits):
        return None
    return DistressNote(rating.level, rating.occurred_at, patient.time_zone, tier.value)


__all__ = [
    "DistressNote",
    "Suggested",
    "SuggestedSession",
    "Tier",
    "distress_note",
    "start_suggested",
    "suggestions_for",
]
