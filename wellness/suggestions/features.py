"""The model's features: one row per (session, moment) pair, from the session's attributes and the
moment's context (the level before, the part of the day, how often this patient did it).

Attributes, not session ids, carry what is learned, so a new session starts from what similar
sessions taught. Columns (`WIDTH` in all):

  0 intercept, 1 before - 5 (regression to the mean: high ratings fall anyway),
  2 the rules' expected change (`rules.rules_change`, prior coefficient 1),
  kind (6 + other), length band (<= 10, <= 20, > 20 min, unknown), posture (3 + unknown),
  guidance (2 + unknown), contraindication flags (5 + unreadable), part of the day (4),
  (before - 5) x calming kind / long / silent, sleep session at bedtime,
  log(1 + earlier rated practices of this session by this patient) (habituation).

`EFFECT_COLUMNS` are the columns with per-patient effects (the patient's own intercept and their
own response to each kind, length band, silence and posture), in the groups of `EFFECT_GROUPS`.
Posture is there because some patients cannot lie down without dozing off or cannot stand for
long: in a simulated clinic whose patients differ by posture, the engine without it did barely
better than full pooling (README, "Patients who differ by something else").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from wellness.suggestions.attributes import FLAGS, GUIDANCES, KINDS, POSTURES, UNKNOWN_FLAG, Traits
from wellness.suggestions.attributes import traits as read_traits
from wellness.suggestions.inputs import SessionFacts
from wellness.suggestions.rules import BEDTIME_HOURS, UNKNOWN_LEVEL, rules_table

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

INTERCEPT, BEFORE, RULES = 0, 1, 2
STATIC = 3  # the first session-attribute column
KIND = STATIC
BAND = KIND + len(KINDS) + 1
POSTURE = BAND + 4
GUIDANCE = POSTURE + len(POSTURES) + 1
FLAG = GUIDANCE + len(GUIDANCES) + 1
STATIC_WIDTH = FLAG + len(FLAGS) + 1 - STATIC
DAY_PART = STATIC + STATIC_WIDTH
BEFORE_CALMING, BEFORE_LONG, BEFORE_SILENT = DAY_PART + 4, DAY_PART + 5, DAY_PART + 6
SLEEP_AT_BEDTIME = DAY_PART + 7
HABITUATION = DAY_PART + 8
WIDTH = HABITUATION + 1

SILENT = GUIDANCE + GUIDANCES.index("silent")
LONG = BAND + 2
SLEEP = KIND + KINDS.index("sleep")
CALMING = (KIND + KINDS.index("breathing"), KIND + KINDS.index("grounding"))
EFFECT_COLUMNS = np.array(
    [
        INTERCEPT,
        *range(KIND, KIND + len(KINDS) + 1),
        BAND,
        BAND + 1,
        LONG,
        SILENT,
        *range(POSTURE, POSTURE + len(POSTURES)),
    ]
)
EFFECT_GROUPS = (
    ("intercept", 1),
    ("kind", len(KINDS) + 1),
    ("length", 3),
    ("silence", 1),
    ("posture", len(POSTURES)),
)

# 0 night (22-4), 1 morning (5-11), 2 afternoon (12-16), 3 evening (17-21); -1 unknown hour
_DAY_PART_OF_HOUR = np.array([0] * 5 + [1] * 7 + [2] * 5 + [3] * 5 + [0] * 2)
_BEDTIME_OF_HOUR = np.array([hour in BEDTIME_HOURS for hour in range(24)])


def band_of(minutes: float) -> int:
    if not minutes:
        return 3
    return 0 if minutes <= 10 else 1 if minutes <= 20 else 2


def static_row(facts: Traits) -> Floats:
    row = np.zeros(STATIC_WIDTH)
    row[KIND - STATIC + (KINDS.index(facts.kind) if facts.kind else len(KINDS))] = 1
    row[BAND - STATIC + band_of(facts.minutes)] = 1
    row[POSTURE - STATIC + (POSTURES.index(facts.posture) if facts.posture else 3)] = 1
    row[GUIDANCE - STATIC + (GUIDANCES.index(facts.guidance) if facts.guidance else 2)] = 1
    for flag in facts.declared:
        position = len(FLAGS) if flag == UNKNOWN_FLAG else FLAGS.index(flag)
        row[FLAG - STATIC + position] = 1
    return row


@dataclass(frozen=True, slots=True, eq=False)
class CatalogIndex:
    """A catalog's sessions as arrays, in catalog order (first copy of a repeated id). Compared
    and hashed by identity: `catalog_index` returns the same object for the same catalog, so
    per-catalog work can be cached against it."""

    sessions: tuple[SessionFacts, ...]
    traits: tuple[Traits, ...]
    position: dict[int, int]  # session id -> row
    ids: Ints  # session id per row
    kind_codes: Ints  # position in KINDS per row, len(KINDS) for an unknown kind
    posture_codes: Ints  # position in POSTURES per row, len(POSTURES) for an unknown posture
    static: Floats  # (S, STATIC_WIDTH)
    rules: Floats  # (S, 12, 2): rules_change by level (11 = unknown) and bedtime

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(facts.kind for facts in self.traits)


@lru_cache(maxsize=32)
def _index(catalog: tuple[SessionFacts, ...]) -> CatalogIndex:
    sessions: list[SessionFacts] = []
    position: dict[int, int] = {}
    for session in catalog:
        if session.session_id not in position:
            position[session.session_id] = len(sessions)
            sessions.append(session)
    facts = tuple(read_traits(session) for session in sessions)
    static = np.array([static_row(item) for item in facts]).reshape(len(facts), STATIC_WIDTH)
    rules = np.array([rules_table(item) for item in facts]).reshape(len(facts), 12, 2)
    # An id numpy cannot hold becomes -1; the safety filter never offers such a session.
    ids = np.array(
        [key if type(key) is int and abs(key) < 2**63 else -1 for key in position], dtype=np.int64
    )
    kinds = np.array(
        [KINDS.index(item.kind) if item.kind else len(KINDS) for item in facts], dtype=np.int64
    )
    postures = np.array(
        [POSTURES.index(item.posture) if item.posture else len(POSTURES) for item in facts],
        dtype=np.int64,
    )
    return CatalogIndex(tuple(sessions), facts, position, ids, kinds, postures, static, rules)


def catalog_index(catalog: Sequence[SessionFacts]) -> CatalogIndex:
    """Cached per catalog content: the app passes the same catalog on every request."""
    key = tuple(catalog)
    try:
        return _index(key)
    except TypeError:  # an unhashable, malformed field somewhere: build it uncached
        return _index.__wrapped__(key)


def design(
    index: CatalogIndex,
    rows: Ints,
    levels: Ints,
    hours: Ints,
    repeats: Floats,
) -> Floats:
    """The feature matrix for sessions `rows` at `levels` (-1 unknown), `hours` (-1 unknown) and
    `repeats` (earlier rated practices of that session by the patient)."""
    count = len(rows)
    matrix = np.zeros((count, WIDTH))
    known_level = levels >= 0
    before = np.where(known_level, levels - 5, 0).astype(float)
    known_hour = hours >= 0
    safe_hours = np.where(known_hour, hours, 0)
    bedtime = (_BEDTIME_OF_HOUR[safe_hours] & known_hour).astype(np.int64)
    matrix[:, INTERCEPT] = 1
    matrix[:, BEFORE] = before
    matrix[:, RULES] = index.rules[rows, np.where(known_level, levels, UNKNOWN_LEVEL), bedtime]
    matrix[:, STATIC:DAY_PART] = index.static[rows]
    parts = _DAY_PART_OF_HOUR[safe_hours]
    matrix[np.flatnonzero(known_hour), DAY_PART + parts[known_hour]] = 1
    matrix[:, BEFORE_CALMING] = before * (matrix[:, CALMING[0]] + matrix[:, CALMING[1]])
    matrix[:, BEFORE_LONG] = before * matrix[:, LONG]
    matrix[:, BEFORE_SILENT] = before * matrix[:, SILENT]
    matrix[:, SLEEP_AT_BEDTIME] = matrix[:, SLEEP] * bedtime
    matrix[:, HABITUATION] = np.log1p(np.maximum(repeats, 0))
    return matrix
