"""Choosing which sessions to show: Thompson sampling, with every probability known exactly.

1. Thompson: draw the expected change of every candidate from the posterior `draws` times
   (narrowed around the mean by `spread`; at 0 every draw is the mean); in each draw the
   `slots` best (lowest) would be shown. `thompson_inclusion` is the share of draws
   in which each candidate made it: Thompson sampling's own chance of showing it.
2. Floor and ceiling: mix with a uniform choice, `exploration` of the mass spread evenly
   (floor = exploration x slots / candidates), then cap at `ceiling` and hand the excess to the
   others in proportion (`bounded_inclusion`). With few candidates the ceiling rises to
   slots / candidates, the least that can show `slots` sessions.
3. Draw the list with exactly those inclusion probabilities (systematic sampling in a random
   order, Madow 1949: `sample_with_inclusion`).

Why the draws are narrowed (`ChoiceSettings.spread`, 0 by default): plain Thompson sampling
explores as if every shown session were observed and the horizon long. Here a patient practises
one of the three to five shown sessions now and then, rates it with noise of a point or more,
and stays for weeks; and the clinic-wide layer already learns from every patient. In the
simulated clinic (README, "The simulated clinic"; medium heterogeneity, 100 patients x 28
days) full-width draws with a 10% floor reached 29% of the oracle's gain over random after 10
rated sessions (seeds 1-4); with a 3% floor, spread 0.1 reached 47% and spread 0 49% (seeds
1-12), and spreads 0.25 and 0.5 fell in between (seeds 1-4). With spread 0 the
choice is the posterior mean's best `slots`, and exploring is the floor's job: every safe
candidate keeps a known chance of being shown, so new sessions still get tried and the policy
stays evaluable off-policy. Greedy choice on pooled estimates with a floor is the
"mostly exploration-free" regime of Bastani, Bayati and Khosravi (2021).
The simulation's informed learner, which is given the clinic's true prior, shows the same:
posterior draws reached 42% / 59% of the oracle's gain after 10 / 30 rated sessions, the
posterior mean 62% / 68% (50 seeds, medium).

So the probability logged with each shown session is the true probability that the policy
actually run shows it in this context, which is what off-policy evaluation needs; step 1 is an
estimate of pure Thompson sampling's probabilities, but the policy run is defined by them, so
its probabilities are exact whatever the number of draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wellness.suggestions.features import Floats, Ints

DEFAULT_COUNT, MIN_COUNT, MAX_COUNT = 4, 3, 5  # sessions shown, due practices included


@dataclass(frozen=True, slots=True)
class ChoiceSettings:
    draws: int = 128  # posterior draws behind the inclusion estimate
    exploration: float = 0.05  # share of the list spread evenly over every candidate
    ceiling: float = 0.95  # no learned choice is certain to be shown (due practices are)
    # The posterior draws' spread around the mean: 1 is plain Thompson sampling, 0 ranks by the
    # posterior mean and leaves exploring to the floor. 0 by default: see the module docstring.
    spread: float = 0.0
    pin_bonus: float = 0.3  # points of expected drop a care-team pin is worth in the ranking
    repeat_margin: float = 0.5  # yesterday's session must beat the typical candidate by this
    repeat_evidence: int = 2  # ... on at least this many of the patient's own ratings of it


def shown_count(requested: object) -> int:
    if isinstance(requested, bool) or not isinstance(requested, int):
        return DEFAULT_COUNT
    return max(MIN_COUNT, min(MAX_COUNT, requested))


def thompson_inclusion(samples: Floats, slots: int) -> Floats:
    """The share of draws (rows) in which each candidate (column) is among the `slots` lowest."""
    count, candidates = samples.shape
    if slots >= candidates:
        return np.ones(candidates)
    if slots <= 0:
        return np.zeros(candidates)
    # The slots-th lowest value of each draw; the draws are continuous, so ties have probability 0.
    threshold = np.partition(samples, slots - 1, axis=1)[:, slots - 1 : slots]
    return np.asarray((samples <= threshold).sum(axis=0) / count, dtype=float)


def bounded_inclusion(thompson: Floats, slots: int, exploration: float, ceiling: float) -> Floats:
    """Inclusion probabilities summing to `slots`, each between the floor and the ceiling."""
    candidates = len(thompson)
    if slots >= candidates:
        return np.ones(candidates)
    if slots <= 0:
        return np.zeros(candidates)
    share = min(max(exploration, 0.0), 1.0)
    mixed = (1 - share) * thompson + share * slots / candidates
    cap = min(1.0, max(ceiling, slots / candidates))
    capped = np.zeros(candidates, dtype=bool)
    for _ in range(candidates):
        free = ~capped
        room = slots - cap * capped.sum()
        total = mixed[free].sum()
        if total <= 1e-9 * room:  # nothing (left) to go by: spread the room evenly
            mixed[free] = room / free.sum()
        else:
            mixed[free] *= room / total
        over = free & (mixed > cap)
        if not over.any() or over.sum() == free.sum():
            break
        capped |= over
        mixed[capped] = cap
    return np.clip(mixed, 0.0, 1.0)


def sample_with_inclusion(probabilities: Floats, rng: np.random.Generator) -> Ints:
    """Indices of a sample in which unit i appears with probability probabilities[i] exactly
    (they must sum to a whole number n, each in [0, 1]; the sample has n units)."""
    size = round(float(probabilities.sum()))
    if size <= 0:
        return np.zeros(0, dtype=np.int64)
    order = rng.permutation(len(probabilities))
    bounds = np.cumsum(probabilities[order])
    bounds *= size / bounds[-1]  # remove rounding drift, so exactly `size` points land
    points = rng.random() + np.arange(size)
    hits = np.searchsorted(bounds, points, side="right")
    chosen = order[np.minimum(hits, len(order) - 1)]
    if len(set(chosen.tolist())) < size:  # only from rounding at an edge: top up deterministically
        taken = set(chosen.tolist())
        rest = [index for index in np.argsort(-probabilities) if index not in taken]
        chosen = np.array(sorted(taken))
        chosen = np.concatenate((chosen, rest[: size - len(chosen)]))
    return np.asarray(chosen, dtype=np.int64)
