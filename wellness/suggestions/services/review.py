"""Reading the suggestion logs back for off-policy review (`wellness suggestions report`).

Each logged list (`SuggestionLog`) becomes an `evaluation.LoggedSuggestions`: the context the
engine had is rebuilt from the log's snapshot (rating, local hour, practice day, the patient's
contraindications, bans and pins as logged) and the patient's practices and rated practices that
started before the list was shown; the practice that followed (`SuggestionFollow`) brings its
session and its before -> after change. Due assignments are logged by id only, so they are not
rebuilt: a target policy is asked as if none were due (due practices are shown with probability
1 by every policy, so they carry no information about the choice either way).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wellness.checkins.models import Checkin
from wellness.checkins.scoring import CheckinContext, side_of_practice
from wellness.practice.history import moment, raw_rows
from wellness.practice.models import PracticeLog
from wellness.practice.streaks import practice_day
from wellness.settings import CarePolicy
from wellness.suggestions.evaluation import LoggedSuggestions
from wellness.suggestions.inputs import (
    PatientContext,
    PracticeDone,
    RatedPractice,
    SessionFacts,
)
from wellness.suggestions.logs.models import SuggestionFollow, SuggestionLog
from wellness.suggestions.offpolicy import LoggedItem
from wellness.suggestions.services import context as gather


@dataclass(frozen=True, slots=True)
class ReviewData:
    catalog: tuple[SessionFacts, ...]  # the published catalog now
    ratings: list[RatedPractice]  # every rated practice, oldest first within each patient
    records: list[LoggedSuggestions]  # every logged list, oldest first


async def review_data(policy: CarePolicy) -> ReviewData:
    """Everything `evaluation.offpolicy_report` needs, from the database."""
    _, catalog = await gather.published_catalog()
    ratings = await gather.rated_practices()
    own_ratings: dict[int, list[RatedPractice]] = defaultdict(list)
    for rated in ratings:
        own_ratings[rated.patient_id].append(rated)
    history = await _history(policy)
    follows = {
        int(suggestion): (int(practice), int(session), bool(named))
        for suggestion, practice, session, named in await SuggestionFollow.all().values_list(
            "suggestion_id", "practice_id", "session_id", "named"
        )
    }
    changes = await _changes([practice for practice, _, _ in follows.values()])
    records = []
    logs = (
        await SuggestionLog.all()
        .order_by("shown_at", "id")
        .values_list("id", "patient_id", "shown_at", "engine_version", "context", "items")
    )
    for log_id, patient_id, shown_raw, version, snapshot, items in logs:
        shown_at = moment(shown_raw)
        follow = follows.get(int(log_id))
        context = _context(
            int(patient_id),
            shown_at,
            snapshot if isinstance(snapshot, dict) else {},
            [done for started, done in history.get(int(patient_id), []) if started < shown_at],
            [
                rated
                for rated in own_ratings.get(int(patient_id), [])
                if rated.started_at < shown_at
            ],
        )
        records.append(
            LoggedSuggestions(
                context=context,
                items=_items(items),
                engine_version=str(version),
                chosen=follow[1] if follow else None,
                change=changes.get(follow[0]) if follow else None,
                named=follow[2] if follow else True,
            )
        )
    return ReviewData(catalog, ratings, records)


async def _history(policy: CarePolicy) -> dict[int, list[tuple[datetime, PracticeDone]]]:
    rows = await raw_rows(
        PracticeLog.filter(session_id__isnull=False)
        .order_by("patient_id", "started_at", "id")
        .values_list("patient_id", "session_id", "started_at", "time_zone", "completed")
    )
    found: dict[int, list[tuple[datetime, PracticeDone]]] = defaultdict(list)
    for patient_id, session_id, started_raw, zone, completed in rows:
        started = moment(started_raw)
        day = practice_day(started, zone, policy.day_rollover_hour).isoformat()
        found[int(patient_id)].append(
            (started, PracticeDone(int(session_id), day, completed=bool(completed)))
        )
    return found


async def _changes(practice_ids: Sequence[int]) -> dict[int, float]:
    """practice id -> after - before, for the practices rated both before and after."""
    if not practice_ids:
        return {}
    levels: dict[int, list[int | None]] = {}
    rows = await raw_rows(
        Checkin.filter(practice_id__in=list(practice_ids))
        .order_by("occurred_at", "id")
        .values_list("practice_id", "context", "level")
    )
    for practice_id, context, level in rows:
        pair = levels.setdefault(int(practice_id), [None, None])
        at = 0 if side_of_practice(context) is CheckinContext.BEFORE_SESSION else 1
        if pair[at] is None:
            pair[at] = int(level)
    return {
        practice: float(after - before)
        for practice, (before, after) in levels.items()
        if before is not None and after is not None
    }


def _context(
    patient_id: int,
    shown_at: datetime,
    snapshot: dict[str, Any],
    history: list[PracticeDone],
    ratings: list[RatedPractice],
) -> PatientContext:
    anxiety = snapshot.get("anxiety")
    hour = snapshot.get("local_hour")
    today = snapshot.get("today")
    return PatientContext(
        patient_id=patient_id,
        now=shown_at,
        local_hour=hour if type(hour) is int and 0 <= hour <= 23 else shown_at.hour,
        today=today if isinstance(today, str) else shown_at.date().isoformat(),
        anxiety=anxiety if type(anxiety) is int else None,
        rated_at=_when(snapshot.get("rated_at")),
        contraindications=frozenset(str(flag) for flag in _listed(snapshot, "contraindications")),
        banned=frozenset(value for value in _listed(snapshot, "banned") if type(value) is int),
        pinned=frozenset(value for value in _listed(snapshot, "pinned") if type(value) is int),
        history=tuple(history),
        ratings=tuple(ratings),
    )


def _listed(snapshot: dict[str, Any], key: str) -> list[Any]:
    value = snapshot.get(key)
    return value if isinstance(value, list) else []


def _when(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _items(items: object) -> tuple[LoggedItem, ...]:
    if not isinstance(items, list):
        return ()
    return tuple(
        LoggedItem(int(item["session_id"]), _probability(item.get("probability")))
        for item in items
        if isinstance(item, dict) and type(item.get("session_id")) is int
    )


def _probability(value: object) -> float:
    """A logged probability, 0 (no weight) when it is not a number from 0 to 1."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value) if 0.0 <= value <= 1.0 else 0.0
