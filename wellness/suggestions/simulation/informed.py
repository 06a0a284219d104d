"""A yardstick for the engine: how much of the oracle's gain the patients' own ratings allow.

`InformedLearner` knows everything about the simulated clinic except the patient's own responses:
every session's true effect, the response model's form, the habituation rate, the before slope, the
rating noise and how much patients differ, and by what. What it must learn (the patient's offset and
their response to each kind, or to whatever else patients differ by in this world) it learns from
the same ratings the engine gets, by the exact conjugate Normal update under the simulator's own
prior, and it shows the best sessions by the posterior mean. No learner that sees only those ratings
can know more, so its share of the oracle's gain after 10 and 30 rated sessions shows how much of
the target the data allow: the engine's shortfall against it is the engine's; the oracle's lead over
it is the ratings' noise. It is not a policy the app could run (it reads the simulator's
parameters), and not a strict bound either: it explores only through the patient's random pick among
the shown sessions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from wellness.suggestions.choice import ChoiceSettings, bounded_inclusion, sample_with_inclusion
from wellness.suggestions.inputs import PatientContext, RatedPractice, SessionFacts, SuggestionList
from wellness.suggestions.simulation.policies import SafeSets, listing
from wellness.suggestions.simulation.world import World

ROUNDING_VARIANCE = 1 / 6  # two ratings each rounded to a whole point: 1/12 each
CEILING = ChoiceSettings().ceiling


class InformedLearner:
    def __init__(
        self,
        world: World,
        safe: SafeSets,
        count: int,
        *,
        sample: bool = False,
        exploration: float = 0.0,
        knows_sessions: bool = True,
    ) -> None:
        self.world, self.safe, self.count, self.sample = world, safe, count, sample
        # With `exploration` > 0 the list is drawn as the engine draws its own (`choice`): the
        # best by the posterior mean, with that share of the list spread over every safe session.
        self.exploration = exploration
        self.name = _name(sample, exploration, knows_sessions)
        catalog = world.catalog
        self.groups = world.cohort.responds_by  # what patients differ by: kinds, usually
        # Told each session's true effect, or (`knows_sessions=False`) only its kind's: what a
        # session does beyond its kind is then left unknown, as it is to the engine at first.
        effect = catalog.effect if knows_sessions else catalog.kind_effect[catalog.kind_index]
        self.known = world.parameters.non_specific + effect
        p = world.parameters
        _, groups = catalog.groups(p.differ_by)
        variances = [p.offset_sd**2] + [p.kind_response_sd**2] * groups
        self.prior_variance = np.maximum(variances, 1e-9)  # "none": patients do not differ
        # before - after = calm + (1 - slope) x the before rating's error - the after's error
        self.noise = ((1 - p.before_slope) ** 2 + 1) * p.rating_noise_sd**2 + ROUNDING_VARIANCE

    def refit(self, ratings: Sequence[RatedPractice], catalog: Sequence[SessionFacts]) -> None:
        return None

    def suggest(
        self, catalog: Sequence[SessionFacts], context: PatientContext, rng: np.random.Generator
    ) -> SuggestionList:
        pool = self.safe.indices(context)
        patient = context.patient_id - 1
        mean, covariance = self._responses(patient, context.ratings)
        responses = rng.multivariate_normal(mean, covariance) if self.sample else mean
        done = Counter(item.session_id for item in context.history if item.completed)
        repeats = np.array([done[session.session_id] for session in catalog], dtype=float)
        base = self.known + responses[0] + responses[1:][self.groups]
        decay = (1 - self.world.parameters.habituation) ** repeats
        level = self.world.parameters.baseline_mean if context.anxiety is None else context.anxiety
        calm = self.world.calm_from(patient, float(level), base * decay)
        if self.exploration and pool.size > self.count:
            ranked = np.zeros(pool.size)
            ranked[np.argsort(-calm[pool], kind="stable")[: self.count]] = 1.0
            inclusion = bounded_inclusion(ranked, self.count, self.exploration, CEILING)
            chosen = sample_with_inclusion(inclusion, rng)
            return listing(catalog, pool[chosen], inclusion[chosen], self.name, "Learned for you")
        best = pool[np.argsort(-calm[pool], kind="stable")[: self.count]]
        return listing(catalog, best, [1.0] * best.size, self.name, "Learned for you")

    def _responses(
        self, patient: int, ratings: Sequence[RatedPractice]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The posterior (mean, covariance) of (the patient's offset, their response to each
        group patients differ by)."""
        if not ratings:
            return np.zeros(len(self.prior_variance)), np.diag(self.prior_variance)
        p = self.world.parameters
        index = self.safe.index
        rows, targets = [], []
        rated_so_far: Counter[int] = Counter()
        rating_share = float(self.world.cohort.rating[patient])
        for rating in ratings:
            session = index.get(rating.session_id)
            if session is None:
                continue
            # Habituation counts every practice; about this share of them were rated.
            decay = (1 - p.habituation) ** (rated_so_far[session] / rating_share)
            rated_so_far[session] += 1
            row = np.zeros(len(self.prior_variance))
            row[0], row[1 + self.groups[session]] = decay, decay
            rows.append(row)
            expected = p.before_slope * (rating.before - 5) + decay * self.known[session]
            targets.append(rating.before - rating.after - expected)
        if not rows:
            return np.zeros(len(self.prior_variance)), np.diag(self.prior_variance)
        design, residual = np.array(rows), np.array(targets)
        precision = design.T @ design / self.noise + np.diag(1 / self.prior_variance)
        covariance = np.linalg.inv(precision)
        return covariance @ design.T @ residual / self.noise, covariance


def _name(sample: bool, exploration: float, knows_sessions: bool) -> str:
    if not knows_sessions:
        return "informed_kinds"
    return "informed_ts" if sample else "informed_floor" if exploration else "informed"
