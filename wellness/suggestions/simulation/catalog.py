"""A synthetic catalog: sessions described by attributes, with traps and malformed entries.

Each seed draws its own catalog (30-60 sessions, 10-20% carrying a contraindication) and its own
true effect for every session. The policies only ever see the `SessionFacts`; the effects stay
here, for the simulator's truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from wellness.catalog.kinds import Contraindication, Guidance, Kind, Level, Posture
from wellness.suggestions.inputs import SessionFacts
from wellness.suggestions.simulation.parameters import ClinicParameters, Trait

# The true model's kind axis: the catalog's kinds, then one slot for any kind it does not know.
KINDS: tuple[str, ...] = (*(kind.value for kind in Kind), "unknown")
UNKNOWN_KIND = len(KINDS) - 1
KIND_INDEX = {name: index for index, name in enumerate(KINDS)}

# Ours: how a plausible rehab catalog is made up. (kind, share, minutes range, guided share,
# postures it is practised in, SUDS range a coordinator would give it)
_RECIPES: tuple[
    tuple[Kind, float, tuple[int, int], float, tuple[Posture, ...], tuple[int, int]], ...
] = (
    (Kind.BREATHING, 0.25, (3, 15), 0.9, (Posture.SEATED, Posture.LYING), (0, 10)),
    (Kind.GROUNDING, 0.15, (3, 12), 0.95, (Posture.SEATED, Posture.STANDING), (0, 10)),
    (Kind.MEDITATION, 0.20, (5, 40), 0.6, (Posture.SEATED,), (0, 6)),
    (Kind.BODY_SCAN, 0.15, (8, 30), 0.9, (Posture.LYING, Posture.SEATED), (0, 7)),
    (Kind.YOGA, 0.15, (10, 45), 0.85, (Posture.STANDING, Posture.SEATED), (0, 6)),
    (Kind.SLEEP, 0.10, (15, 40), 0.8, (Posture.LYING,), (0, 7)),
)
# Which contraindication a trap of each kind carries (a slow-breathing session becomes a
# breath-hold one, a yoga flow a vigorous one, a meditation a long silent sit).
_TRAPS: dict[Kind, tuple[str, ...]] = {
    Kind.BREATHING: (Contraindication.BREATH_HOLD.value, Contraindication.FAST_BREATHING.value),
    Kind.GROUNDING: (Contraindication.STANDING.value,),
    Kind.MEDITATION: (Contraindication.LONG_SILENCE.value,),
    Kind.BODY_SCAN: (Contraindication.LONG_SILENCE.value,),
    Kind.YOGA: (Contraindication.VIGOROUS.value, Contraindication.STANDING.value),
    Kind.SLEEP: (Contraindication.LONG_SILENCE.value,),
}
TRAP_BONUS = 0.2  # ours: traps look attractive on average, so an unsafe policy would be tempted
SHORT_BREATHING_PENALTY = 0.2  # breathing under 5 minutes worked less (Bentley et al. 2023)
# Ours, for `Trait.LENGTH`: short up to 10 minutes, long over 25. The engine's own bands are not
# used, so a world that differs by length does not hand the engine its own grouping.
LENGTH_EDGES = (10.5, 25.5)
POSTURES = tuple(posture.value for posture in Posture)
GUIDANCES = tuple(guidance.value for guidance in Guidance)
MALFORMED_COUNT = 4  # an unknown kind, a zero length, unknown guidance/posture, an unknown tag


@dataclass(frozen=True, slots=True)
class SyntheticCatalog:
    sessions: tuple[SessionFacts, ...]  # session_id == index + 1
    kind_index: np.ndarray  # (S,) int: KINDS index of each session
    effect: np.ndarray  # (S,) float: kind effect + the session's own effect (true, hidden)
    kind_effect: np.ndarray  # (len(KINDS),) float
    trap: np.ndarray  # (S,) bool: carries a (known) contraindication
    malformed: np.ndarray  # (S,) bool

    def groups(self, trait: Trait) -> tuple[np.ndarray, int]:
        """Which of `trait`'s groups each session is in ((S,) ints), and how many groups there
        are; sessions whose attribute is unknown share one more group, the last."""
        if trait is Trait.KIND:
            return self.kind_index, len(KINDS)
        if trait is Trait.SESSION:
            return np.arange(len(self.sessions)), len(self.sessions)
        if trait is Trait.LENGTH:
            minutes = np.array([session.minutes for session in self.sessions], dtype=float)
            return np.digitize(minutes, LENGTH_EDGES), len(LENGTH_EDGES) + 1
        names = POSTURES if trait is Trait.POSTURE else GUIDANCES
        values = [
            session.posture if trait is Trait.POSTURE else session.guidance
            for session in self.sessions
        ]
        index = [names.index(value) if value in names else len(names) for value in values]
        return np.array(index, dtype=np.intp), len(names) + 1


def _recipe_kinds(rng: np.random.Generator, count: int) -> list[int]:
    shares = np.array([recipe[1] for recipe in _RECIPES])
    counts = np.floor(shares * count).astype(int)
    while counts.sum() < count:
        counts[rng.choice(len(_RECIPES), p=shares)] += 1
    order = [index for index, n in enumerate(counts) for _ in range(n)]
    return [int(i) for i in rng.permutation(order)]


def _ordinary_session(rng: np.random.Generator, session_id: int, recipe_index: int) -> SessionFacts:
    kind, _, (low, high), guided_share, postures, (anxiety_min, anxiety_max) = _RECIPES[
        recipe_index
    ]
    minutes = float(rng.integers(low, high + 1))
    guided = rng.random() < guided_share
    return SessionFacts(
        session_id=session_id,
        title=f"{kind.label} {session_id}",
        kind=kind.value,
        minutes=minutes,
        posture=postures[int(rng.integers(len(postures)))].value,
        guidance=(Guidance.GUIDED if guided else Guidance.SILENT).value,
        level=(Level.BEGINNER if minutes <= 15 else Level.INTERMEDIATE).value,
        anxiety_min=anxiety_min,
        anxiety_max=anxiety_max,
    )


def _as_trap(rng: np.random.Generator, session: SessionFacts) -> SessionFacts:
    kind = Kind(session.kind)
    tag = _TRAPS[kind][int(rng.integers(len(_TRAPS[kind])))]
    trap = replace(session, contraindications=frozenset({tag}))
    if tag == Contraindication.LONG_SILENCE.value:
        return replace(trap, guidance=Guidance.SILENT.value, minutes=float(rng.integers(25, 46)))
    if tag == Contraindication.STANDING.value:
        return replace(trap, posture=Posture.STANDING.value)
    if tag == Contraindication.VIGOROUS.value:
        return replace(trap, level=Level.ADVANCED.value)
    return trap


def _malformed(session: SessionFacts, which: int) -> SessionFacts:
    """Realistic bad data: a kind from a newer app version, a missing length, blank attributes."""
    variant = which % MALFORMED_COUNT
    if variant == 0:
        return replace(session, kind="qigong", title=f"Qigong {session.session_id}")
    if variant == 1:
        return replace(session, minutes=0.0)
    if variant == 2:
        return replace(session, guidance="", posture="")
    return replace(session, contraindications=frozenset({"cold_exposure"}))


def synthetic_catalog(rng: np.random.Generator, parameters: ClinicParameters) -> SyntheticCatalog:
    count = parameters.session_count
    recipes = _recipe_kinds(rng, count)
    sessions = [_ordinary_session(rng, n + 1, recipe) for n, recipe in enumerate(recipes)]
    order = rng.permutation(count)
    malformed_at = order[:MALFORMED_COUNT]
    trap_count = max(1, round(parameters.trap_share * count))
    trap_at = order[MALFORMED_COUNT : MALFORMED_COUNT + trap_count]
    for index in trap_at:
        sessions[index] = _as_trap(rng, sessions[index])
    for which, index in enumerate(malformed_at):
        sessions[index] = _malformed(sessions[index], which)
    trap = np.zeros(count, dtype=bool)
    trap[trap_at] = True
    malformed = np.zeros(count, dtype=bool)
    malformed[malformed_at] = True
    return _with_effects(rng, parameters, tuple(sessions), trap, malformed)


def given_catalog(
    rng: np.random.Generator, parameters: ClinicParameters, sessions: Sequence[SessionFacts]
) -> SyntheticCatalog:
    """A real catalog (the demo library, say) with true effects drawn as for a synthetic one.

    Its sessions are numbered 1, 2, ... in the order given; those with a contraindication are the
    traps, and none is malformed (a stored catalog has passed the app's checks).
    """
    numbered = tuple(replace(session, session_id=n + 1) for n, session in enumerate(sessions))
    trap = np.array([bool(session.contraindications) for session in numbered], dtype=bool)
    return _with_effects(rng, parameters, numbered, trap, np.zeros(len(numbered), dtype=bool))


def _with_effects(
    rng: np.random.Generator,
    parameters: ClinicParameters,
    sessions: tuple[SessionFacts, ...],
    trap: np.ndarray,
    malformed: np.ndarray,
) -> SyntheticCatalog:
    kind_index = np.array([KIND_INDEX.get(s.kind, UNKNOWN_KIND) for s in sessions], dtype=np.intp)
    kind_effect = rng.uniform(0.0, parameters.max_kind_effect, size=len(KINDS))
    # The calibration asks for an effective kind: a total drop of 0.8-2 points at a before
    # rating of 5, so rest plus its kind effect is at least 0.9 (0.1 for sessions that miss).
    effective = int(rng.integers(UNKNOWN_KIND))
    least = max(0.5, 0.9 - parameters.non_specific)
    kind_effect[effective] = rng.uniform(least, parameters.max_kind_effect)
    own = rng.normal(0.0, parameters.session_sd, size=len(sessions))
    short_breathing = np.array(
        [s.kind == Kind.BREATHING.value and 0 < s.minutes < 5 for s in sessions], dtype=bool
    )
    effect = kind_effect[kind_index] + own + TRAP_BONUS * trap
    effect -= SHORT_BREATHING_PENALTY * short_breathing
    return SyntheticCatalog(
        sessions=sessions,
        kind_index=kind_index,
        effect=effect,
        kind_effect=kind_effect,
        trap=trap,
        malformed=malformed,
    )
