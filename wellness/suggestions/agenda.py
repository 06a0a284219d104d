"""Before the choice: which safe sessions fulfil today's due assignments, and which of
yesterday's sessions to set aside. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from wellness.suggestions.attributes import word
from wellness.suggestions.choice import MAX_COUNT, ChoiceSettings
from wellness.suggestions.features import CatalogIndex, Floats, Ints
from wellness.suggestions.inputs import DueItem, PatientContext
from wellness.suggestions.model import Prediction

CLEAR_UPPER = 1.2816  # the one-sided 90% Normal quantile: "clearly" better


def due_positions(
    index: CatalogIndex, rows: Ints, ranking: Floats, items: Sequence[DueItem]
) -> dict[int, DueItem]:
    """Each due assignment's safe session: the one named, or the best-ranked safe session of the
    kind asked for (in the length asked for, if any is). Unsafe or unmatched ones are left out:
    safety comes before the therapist's plan, and the page still lists the assignment itself."""
    position = {index.sessions[row].session_id: at for at, row in enumerate(rows)}
    due: dict[int, DueItem] = {}
    for item in items if isinstance(items, tuple | list) else ():
        if len(due) >= MAX_COUNT or not isinstance(item, DueItem):
            break
        if item.session_id is not None:
            at = position.get(item.session_id)
            if at is not None and at not in due:
                due[at] = item
            continue
        match = best_of_kind(index, rows, ranking, item, set(due))
        if match is not None:
            due[match] = item
    return due


def best_of_kind(
    index: CatalogIndex, rows: Ints, ranking: Floats, item: DueItem, taken: set[int]
) -> int | None:
    kind = word(item.kind)
    if not kind:
        return None
    same = [at for at, row in enumerate(rows) if index.traits[row].kind == kind and at not in taken]
    low, high = _number(item.min_minutes), _number(item.max_minutes)
    fitting = [
        at
        for at in same
        if index.traits[rows[at]].minutes >= low
        and (not high or index.traits[rows[at]].minutes <= high)
    ]
    pool = fitting or same
    return min(pool, key=lambda at: (ranking[at], int(rows[at]))) if pool else None


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return 0.0
    return max(0.0, float(value))


def _yesterday(context: PatientContext) -> frozenset[int]:
    """Session ids the patient practised on the practice day before `today` (none if unknown)."""
    try:
        day = (date.fromisoformat(context.today) - timedelta(days=1)).isoformat()
    except (TypeError, ValueError):
        return frozenset()
    history = context.history if isinstance(context.history, tuple | list) else ()
    return frozenset(done.session_id for done in history if done.practice_day == day)


def without_yesterday(
    index: CatalogIndex,
    rows: Ints,
    candidates: Ints,
    slots: int,
    context: PatientContext,
    prediction: Prediction,
    repeats: Floats,
    settings: ChoiceSettings | None,
) -> Ints:
    """The candidates (positions in `rows`) less yesterday's sessions, unless one clearly works
    for this patient: on `repeat_evidence` of their own ratings, its 90% upper bound beats the
    typical candidate by `repeat_margin` (never, without `settings`: the rules-only policy reads
    no ratings); or unless setting them aside would leave fewer than `slots`."""
    yesterday = _yesterday(context)
    if not yesterday or not len(candidates):
        return candidates
    mean, sd = prediction.mean, prediction.sd
    typical = float(np.median(mean[candidates]))

    def clearly_works(at: int) -> bool:
        if settings is None or repeats[rows[at]] < settings.repeat_evidence:
            return False
        return bool(mean[at] + CLEAR_UPPER * sd[at] <= typical - settings.repeat_margin)

    kept = np.array(
        [
            at
            for at in candidates.tolist()
            if index.sessions[rows[at]].session_id not in yesterday or clearly_works(at)
        ],
        dtype=np.int64,
    )
    return kept if len(kept) >= slots else candidates
