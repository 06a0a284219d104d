"""Run one policy through one simulated clinic, chance by chance, and record what it did.

The loop builds each `PatientContext` the way the app's services would (the latest check-in if
there is one, the patient's practice history and rated practices, their contraindications and
bans), asks the policy, checks every shown session against `clinical_rules`, values the list
with the simulator's truth, and lets the patient act on it. The policy is refitted with every
rating in the clinic so far on the app's schedule (`refits`): as soon as the ratings have grown
by 5%, and each simulated night in place of the app's ten-minute timer.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np

from wellness.suggestions.inputs import (
    PatientContext,
    PracticeDone,
    RatedPractice,
    SafetyLimits,
    SessionFacts,
    SuggestionList,
    sessions_by_id,
)
from wellness.suggestions.refits import RatingsMark, RefitSchedule, refit_due
from wellness.suggestions.simulation import clinical_rules
from wellness.suggestions.simulation.policies import Moment, Policy, SafeSets
from wellness.suggestions.simulation.world import NO_RATING, START, World

MAX_EXAMPLES = 5
# The app's schedule (`refits`) without its timer: simulated days have no wall clock, so each
# night stands in for it.
REFITS = RefitSchedule(settle_after=float("inf"))


@dataclass(slots=True)
class Logged:
    """One shown list, as the app would log it, with the truth the simulator adds for review."""

    chance: int
    patient_id: int
    anxiety: int | None
    shown: tuple[int, ...]  # session ids
    probabilities: tuple[float, ...]
    chosen: int | None  # session id, when the patient did one
    reward: float | None  # observed calm (before - after rating), when both ratings were given
    truth: tuple[float, ...]  # true expected calm of each shown session
    rating_error: float  # the check-in's error (rating - true distress), 0 without one
    targets: dict[str, tuple[tuple[int, ...], tuple[float, ...], tuple[float, ...]]] = field(
        default_factory=dict
    )  # another policy's (ids, probabilities, true calms) for the same context
    # What the policy was told, kept for a rated list only: the doubly robust estimate asks the
    # logged policy's own model about it afterwards, as `wellness suggestions report` does.
    context: PatientContext | None = None


@dataclass(slots=True)
class PolicyRun:
    name: str
    value: np.ndarray  # (C,) mean true calm of the shown sessions (nan: empty list)
    best: np.ndarray  # (C,) the same for the best safe list of that length, in this state
    shown: np.ndarray  # (C,) sessions shown
    yesterday: np.ndarray  # (C,) shown sessions the patient did the day before
    violations: int = 0
    examples: list[str] = field(default_factory=list)
    suggestions: int = 0
    errors: int = 0
    seconds: float = 0.0  # in the policy's suggest and refit
    log: list[Logged] = field(default_factory=list)


class CheckerCache:
    """`clinical_rules.safe_ids` per (contraindications, bans, rating): the checker's own view."""

    def __init__(self, world: World, limits: SafetyLimits) -> None:
        self.catalog = world.catalog.sessions
        self.limits = limits
        self._cache: dict[tuple[frozenset[str], frozenset[int], int | None], frozenset[int]] = {}

    def safe(self, context: PatientContext) -> frozenset[int]:
        key = (context.contraindications, context.banned, context.anxiety)
        found = self._cache.get(key)
        if found is None:
            found = clinical_rules.safe_ids(self.catalog, context, self.limits)
            self._cache[key] = found
        return found


def run_policy(
    world: World,
    policy: Policy,
    safe_sets: SafeSets,
    moment: Moment,
    rng: np.random.Generator,
    *,
    limits: SafetyLimits,
    log_targets: Mapping[str, tuple[Policy, np.random.Generator]] | None = None,
) -> PolicyRun:
    """Simulate the whole stay of every patient under `policy` (see the module docstring)."""
    chances, cohort = world.chances, world.cohort
    catalog = world.catalog.sessions
    by_id = sessions_by_id(catalog)
    index = safe_sets.index
    checker = CheckerCache(world, limits)
    size = chances.day.size
    run = PolicyRun(
        policy.name,
        value=np.full(size, np.nan),
        best=np.full(size, np.nan),
        shown=np.zeros(size, dtype=int),
        yesterday=np.zeros(size, dtype=int),
    )
    patients = world.patients
    repeats = np.zeros((patients, len(catalog)), dtype=int)
    habituated = world.cohort.base.copy()  # base calm x (1 - habituation) ** repeats
    fading = 1.0 - world.parameters.habituation
    last_day = np.full((patients, len(catalog)), -10, dtype=int)
    histories: list[tuple[PracticeDone, ...]] = [()] * patients
    own: list[tuple[RatedPractice, ...]] = [()] * patients
    clinic: list[RatedPractice] = []
    today = [(START + timedelta(days=d)).date().isoformat() for d in range(world.days)]
    night, fitted = -1, _mark(clinic)
    for c, (p, d, hour, anxiety) in enumerate(
        zip(
            chances.patient.tolist(),
            chances.day.tolist(),
            chances.hour.tolist(),
            chances.anxiety.tolist(),
            strict=True,
        )
    ):
        if d != night or refit_due(fitted, _mark(clinic), 0.0, REFITS):
            night, fitted = d, _mark(clinic)
            started = time.perf_counter()
            so_far = tuple(clinic)
            policy.refit(so_far, catalog)
            for target, _ in (log_targets or {}).values():
                target.refit(so_far, catalog)
            run.seconds += time.perf_counter() - started
        now = START + timedelta(days=d, hours=hour)
        rating = None if anxiety == NO_RATING else anxiety
        context = PatientContext(
            patient_id=p + 1,
            now=now,
            local_hour=hour,
            today=today[d],
            anxiety=rating,
            rated_at=now if rating is not None else None,
            contraindications=cohort.contraindications[p],
            banned=cohort.banned[p],
            history=histories[p],
            ratings=own[p],
        )
        level = float(chances.level[c])
        truth = world.calm_from(p, level, habituated[p])
        moment.calm = truth
        started = time.perf_counter()
        try:
            shown = policy.suggest(catalog, context, rng)
        except Exception as error:  # a crash is a finding, recorded as such
            run.errors += 1
            _note(run, f"{policy.name} raised {type(error).__name__}: {error}")
            continue
        finally:
            run.seconds += time.perf_counter() - started
        _check(run, shown, by_id, context, limits, checker.safe(context))
        picked = [index[item.session_id] for item in shown.items if item.session_id in index]
        run.shown[c] = len(picked)
        run.suggestions += len(shown.items)
        if not picked:
            continue
        pool = safe_sets.indices(context)
        run.value[c] = float(truth[picked].sum()) / len(picked)
        run.best[c] = _best_mean(truth[pool], len(picked)) if pool.size else run.value[c]
        run.yesterday[c] = int(np.count_nonzero(last_day[p, picked] == d - 1))
        chosen, reward = None, None
        if chances.follows[c]:
            session = picked[int(chances.pick[c] * len(picked))]
            calm = world.realised_calm(c, session, int(repeats[p, session]))
            repeats[p, session] += 1
            habituated[p, session] *= fading
            last_day[p, session] = d
            chosen = catalog[session].session_id
            histories[p] = (*histories[p], PracticeDone(chosen, today[d], completed=True))
            if chances.rated[c] and rating is not None:
                after = world.after_rating(c, calm)
                rated = RatedPractice(p + 1, chosen, now, hour, before=rating, after=after)
                own[p] = (*own[p], rated)
                clinic.append(rated)
                reward = float(rating - after)
        if log_targets is not None:
            rating_error = 0.0 if rating is None else rating - level
            run.log.append(
                _logged(
                    c,
                    context,
                    shown,
                    truth,
                    index,
                    (chosen, reward, rating_error),
                    log_targets,
                    catalog,
                )
            )
    return run


def _mark(clinic: Sequence[RatedPractice]) -> RatingsMark:
    """The clinic's ratings as the app counts them: a before and an after per rated practice."""
    return RatingsMark(2 * len(clinic), len(clinic))


def _best_mean(calm: np.ndarray, length: int) -> float:
    length = min(length, calm.size)
    return float(np.sort(calm)[-length:].sum()) / length


def _check(
    run: PolicyRun,
    shown: SuggestionList,
    by_id: Mapping[int, SessionFacts],
    context: PatientContext,
    limits: SafetyLimits,
    safe: frozenset[int],
) -> None:
    found = clinical_rules.check_list(shown, by_id, context, limits, safe)
    run.violations += len(found)
    for violation in found:
        _note(
            run,
            f"{run.name}: session {violation.session_id} at anxiety {context.anxiety}: "
            f"{violation.rule}",
        )


def _note(run: PolicyRun, text: str) -> None:
    if len(run.examples) < MAX_EXAMPLES:
        run.examples.append(text)


def _logged(
    chance: int,
    context: PatientContext,
    shown: SuggestionList,
    truth: np.ndarray,
    index: Mapping[int, int],
    outcome: tuple[int | None, float | None, float],
    targets: Mapping[str, tuple[Policy, np.random.Generator]],
    catalog: Sequence[SessionFacts],
) -> Logged:
    def true_calms(listed: SuggestionList) -> tuple[float, ...]:
        return tuple(
            float(truth[index[i.session_id]]) for i in listed.items if i.session_id in index
        )

    chosen, reward, rating_error = outcome
    logged = Logged(
        chance=chance,
        patient_id=context.patient_id,
        anxiety=context.anxiety,
        shown=tuple(item.session_id for item in shown.items),
        probabilities=tuple(item.probability for item in shown.items),
        chosen=chosen,
        reward=reward,
        truth=true_calms(shown),
        rating_error=rating_error,
        context=context if reward is not None else None,
    )
    for name, (target, target_rng) in targets.items():
        listed = target.suggest(catalog, context, target_rng)
        kept = tuple(item for item in listed.items if item.session_id in index)
        logged.targets[name] = (
            tuple(item.session_id for item in kept),
            tuple(item.probability for item in kept),
            true_calms(listed),
        )
    return logged
