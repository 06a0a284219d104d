"""The suggestion engine's entry points: what the app, the simulated clinic and the off-policy
report call. Pure: the catalog, the patient's context (with `now`) and the fitted clinic model
come in; a `SuggestionList` goes out.

    clinic = fit_clinic(all_ratings, catalog)               # cache it; refit now and then
    shown = suggest(catalog, context, clinic, limits=limits)  # per request, a few ms
    baseline = rules_only(catalog, context, limits=limits)    # clinical.md's rules, no learning

Order of work (both policies): the safety filter (`safety`), then the due assigned practices
(each the best safe match), then yesterday's sessions set aside unless they clearly work for
this patient, then the choice among the rest, then reasons from the numbers used.

numpy runs small matrix products here; on a busy machine OpenBLAS's threads make them many
times slower, so servers and benchmarks should run with OPENBLAS_NUM_THREADS=1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from wellness.suggestions.agenda import due_positions, without_yesterday
from wellness.suggestions.attributes import hour_number
from wellness.suggestions.choice import (
    DEFAULT_COUNT,
    ChoiceSettings,
    bounded_inclusion,
    sample_with_inclusion,
    shown_count,
    thompson_inclusion,
)
from wellness.suggestions.features import CatalogIndex, Floats, Ints, catalog_index
from wellness.suggestions.inputs import (
    DueItem,
    PatientContext,
    SafetyLimits,
    SessionFacts,
    Suggestion,
    SuggestionList,
)
from wellness.suggestions.model import (
    ClinicModel,
    PatientModel,
    Prediction,
    Prior,
    draws,
    personal_evidence,
    personalise,
    posture_evidence,
    predict,
    prior_model,
)
from wellness.suggestions.pooling import fit_clinic as fit_clinic  # an entry point, as above
from wellness.suggestions.reasons import Evidence, is_current, reasons, rules_reasons
from wellness.suggestions.rules import is_bedtime, rules_fit
from wellness.suggestions.safety import SafeSet, safe_rows

# engine-3: each patient's own response to posture, beside kind, length and silence.
ENGINE_VERSION = "engine-3"
RULES_VERSION = "rules-1"
_RULES = prior_model(Prior(), personal=False)  # the model before any data: the rules' scores


@dataclass(frozen=True, slots=True)
class Plan:
    """One decision: the list, what each shown session's reasons may say, and every safe
    session's probability of being shown (0 for the safe ones set aside)."""

    safe: SafeSet
    shown: tuple[SessionFacts, ...]  # in display order: due practices first
    evidence: tuple[Evidence, ...]  # per shown session
    assignments: tuple[int | None, ...]  # per shown session: the due assignment it fulfils
    probability: dict[int, float]  # session id -> probability of being shown
    slots: int  # places left after the due practices
    candidates: int  # sessions the choice picked among


def suggest(
    catalog: Sequence[SessionFacts],
    context: PatientContext,
    clinic: ClinicModel,
    *,
    limits: SafetyLimits,
    rng: np.random.Generator | int | None = None,
    count: int = DEFAULT_COUNT,
    settings: ChoiceSettings | None = None,
) -> SuggestionList:
    """3-5 safe sessions for this patient now: the best by the posterior mean (Thompson sampling
    when `settings.spread` > 0), each safe candidate kept between a floor and a ceiling of being
    shown; deterministic for a seed."""
    plan = engine_plan(
        catalog, context, clinic, limits=limits, rng=rng, count=count, settings=settings
    )
    return _answer(plan, context, ENGINE_VERSION, reasons)


def rules_only(
    catalog: Sequence[SessionFacts],
    context: PatientContext,
    *,
    limits: SafetyLimits,
    count: int = DEFAULT_COUNT,
    settings: ChoiceSettings | None = None,
) -> SuggestionList:
    """clinical.md's rules alone: the same safety filter, due practices and pins, then the best
    fits by the rules; no ratings read, no randomness (every probability is 0 or 1)."""
    plan = rules_plan(catalog, context, limits=limits, count=count, settings=settings)
    return _answer(plan, context, RULES_VERSION, rules_reasons)


def expected_changes(
    catalog: Sequence[SessionFacts],
    context: PatientContext,
    clinic: ClinicModel,
    *,
    limits: SafetyLimits,
) -> dict[int, float]:
    """The model's expected change (after - before) for each session safe in this context: the
    reward model the doubly robust off-policy estimate needs."""
    index = catalog_index(catalog)
    _, level, rows = safe_rows(index, context, limits)
    patient = personalise(clinic, index, context.patient_id, context.ratings)
    hour = hour_number(context.local_hour)
    prediction = predict(clinic, patient, index, rows, level=level, hour=hour)
    return {
        int(index.ids[row]): float(mean) for row, mean in zip(rows, prediction.mean, strict=True)
    }


def engine_plan(
    catalog: Sequence[SessionFacts],
    context: PatientContext,
    clinic: ClinicModel,
    *,
    limits: SafetyLimits,
    rng: np.random.Generator | int | None = None,
    count: int = DEFAULT_COUNT,
    settings: ChoiceSettings | None = None,
) -> Plan:
    """The engine's decision, with the probability of every safe session (for off-policy use)."""
    settings = settings or ChoiceSettings()
    generator = np.random.default_rng(rng)
    start = _start(catalog, context, clinic, limits, settings, learning=True, count=count)
    candidates, slots = start.candidates, start.slots
    chance = np.ones(len(candidates))
    picked = np.arange(len(candidates))
    if slots < len(candidates):
        subset = _subset(start.prediction, candidates)
        if settings.spread > 0:
            samples = draws(clinic, start.patient, subset, generator, settings.draws)
            samples = subset.mean + settings.spread * (samples - subset.mean)
        else:  # every draw would be the mean: rank it once (ties by catalog order)
            samples = (subset.mean + 1e-9 * np.arange(len(candidates)))[None, :]
        samples -= settings.pin_bonus * start.pinned[candidates]
        thompson = thompson_inclusion(samples, slots)
        chance = bounded_inclusion(thompson, slots, settings.exploration, settings.ceiling)
        picked = sample_with_inclusion(chance, generator)
    return _finish(start, candidates[picked], dict(zip(candidates.tolist(), chance, strict=True)))


def rules_plan(
    catalog: Sequence[SessionFacts],
    context: PatientContext,
    *,
    limits: SafetyLimits,
    count: int = DEFAULT_COUNT,
    settings: ChoiceSettings | None = None,
) -> Plan:
    """The rules-only decision: the best `slots` candidates by the prior model's expected change
    (the rules' score, less a little for sessions the patient has often done), ties by catalog
    order. It counts how often each session was rated, never what the ratings said."""
    settings = settings or ChoiceSettings()
    start = _start(catalog, context, _RULES, limits, settings, learning=False, count=count)
    candidates = start.candidates
    order = np.lexsort((start.rows[candidates], start.ranking[candidates]))
    picked = candidates[order[: start.slots]]
    shown = set(picked.tolist())
    return _finish(start, picked, {at: float(at in shown) for at in candidates.tolist()})


@dataclass(frozen=True, slots=True)
class _Start:
    """What both policies work out before choosing. "Positions" index `rows`."""

    context: PatientContext
    index: CatalogIndex
    safe: SafeSet
    clinic: ClinicModel
    patient: PatientModel
    rows: Ints  # index rows of the safe sessions
    prediction: Prediction  # for every safe session
    pinned: Floats  # 1.0 where the care team pinned the session
    ranking: Floats  # expected change less the pin bonus: lower is better
    due: dict[int, DueItem]  # position -> the assignment it fulfils, in the order given
    candidates: Ints  # positions the choice picks from
    slots: int


def _start(
    catalog: Sequence[SessionFacts],
    context: PatientContext,
    clinic: ClinicModel,
    limits: SafetyLimits,
    settings: ChoiceSettings,
    *,
    learning: bool,
    count: int,
) -> _Start:
    index = catalog_index(catalog)
    tier, level, rows = safe_rows(index, context, limits)
    safe = SafeSet(tier, level, tuple(index.sessions[row] for row in rows))
    patient = personalise(clinic, index, context.patient_id, context.ratings)
    prediction = predict(
        clinic, patient, index, rows, level=safe.anxiety, hour=hour_number(context.local_hour)
    )
    pins = [value for value in _ids(context.pinned) if abs(value) < 2**63]
    pinned = np.isin(index.ids[rows], np.array(pins, dtype=np.int64)).astype(float)
    ranking = prediction.mean - settings.pin_bonus * pinned
    due = due_positions(index, rows, ranking, context.due)
    candidates = np.array([at for at in range(len(rows)) if at not in due], dtype=np.int64)
    slots = max(0, min(shown_count(count) - len(due), len(candidates)))
    start = _Start(
        context,
        index,
        safe,
        clinic,
        patient,
        rows,
        prediction,
        pinned,
        ranking,
        due,
        candidates,
        slots,
    )
    kept = without_yesterday(
        index,
        rows,
        candidates,
        slots,
        context,
        prediction,
        patient.repeats,
        settings if learning else None,
    )
    return replace(start, candidates=kept, slots=min(slots, len(kept)))


def _ids(values: object) -> frozenset[int]:
    if not isinstance(values, frozenset | set | tuple | list):
        return frozenset()
    return frozenset(value for value in values if isinstance(value, int))


def _subset(prediction: Prediction, positions: Ints) -> Prediction:
    return Prediction(
        prediction.rows[positions],
        prediction.features[positions],
        prediction.mean[positions],
        prediction.sd[positions],
        prediction.clinic_mean[positions],
    )


def _finish(start: _Start, picked: Ints, chance: dict[int, float]) -> Plan:
    order = sorted(picked.tolist(), key=lambda at: (start.ranking[at], int(start.rows[at])))
    positions = [*start.due, *order]
    index = start.index
    probability = {item.session_id: 0.0 for item in start.safe.sessions}
    for at, value in chance.items():
        probability[index.sessions[start.rows[at]].session_id] = float(value)
    for at in start.due:
        probability[index.sessions[start.rows[at]].session_id] = 1.0
    history = start.context.history
    done = {item.session_id for item in history} if isinstance(history, tuple | list) else set()
    return Plan(
        safe=start.safe,
        shown=tuple(index.sessions[start.rows[at]] for at in positions),
        evidence=tuple(_evidence(start, at, done) for at in positions),
        assignments=tuple(
            start.due[at].assignment_id if at in start.due else None for at in positions
        ),
        probability=probability,
        slots=start.slots,
        candidates=len(start.candidates),
    )


def _evidence(start: _Start, at: int, done: set[int]) -> Evidence:
    row = int(start.rows[at])
    facts = start.index.traits[row]
    session_id = start.index.sessions[row].session_id
    own_count, own_change = personal_evidence(start.patient, row)
    posture_count, posture_change, others_change = posture_evidence(start.patient, facts.posture)
    due = start.due.get(at)
    return Evidence(
        traits=facts,
        anxiety=start.safe.anxiety,
        rules_fit=rules_fit(
            facts, start.safe.anxiety, is_bedtime(hour_number(start.context.local_hour))
        ),
        own_count=own_count,
        own_change=own_change,
        kind_count=start.patient.kind_ratings.get(facts.kind, 0),
        kind_change=start.patient.kind_change.get(facts.kind, math.nan),
        clinic_count=start.clinic.session_ratings.get(session_id, 0),
        clinic_drops=start.clinic.session_drops.get(session_id, 0),
        done_before=session_id in done,
        due=due is not None,
        due_kind=due is not None and due.session_id is None,
        pinned=bool(start.pinned[at]),
        posture_count=posture_count,
        posture_change=posture_change,
        others_change=others_change,
        anxiety_current=is_current(start.context.rated_at, start.context.now),
    )


def _answer(
    plan: Plan,
    context: PatientContext,
    version: str,
    explain: Callable[[Evidence], tuple[str, ...]],
) -> SuggestionList:
    items = tuple(
        Suggestion(
            session_id=session.session_id,
            probability=plan.probability[session.session_id],
            reasons=explain(evidence),
            assignment_id=assignment,
        )
        for session, evidence, assignment in zip(
            plan.shown, plan.evidence, plan.assignments, strict=True
        )
    )
    rated_at = context.rated_at
    return SuggestionList(
        items=items,
        engine_version=version,
        context={
            "anxiety": plan.safe.anxiety,
            "rated_at": rated_at.isoformat() if isinstance(rated_at, datetime) else None,
            "tier": plan.safe.tier.value,
            "local_hour": hour_number(context.local_hour),
            "today": context.today if isinstance(context.today, str) else None,
            "candidates": plan.candidates,
            "slots": plan.slots,
        },
    )
