"""Logging each list of suggestions shown, linking the practice that follows, reading them back.

Off-policy review (`offpolicy`, `wellness suggestions report`) needs, per list: what was shown,
with what probability, in what context, by which engine version; and which practice followed
and how it was rated. A practice links to a list only when the list was shown to the same
patient and offered that session: the list it names, or else (`link_latest_list`) the latest
list shown just before it began (`following`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wellness.accounts.models import User
from wellness.catalog.models import PracticeSession
from wellness.checkins.scoring import CLOCK_SLACK
from wellness.lib.validation import FieldError
from wellness.practice.models import PracticeLog
from wellness.suggestions.following import within_follow_window
from wellness.suggestions.inputs import Suggestion, SuggestionList
from wellness.suggestions.logs.models import SuggestionFollow, SuggestionLog

NOT_OFFERED = "No suggestion shown to you offered this session."


def _items(shown: SuggestionList) -> list[dict[str, Any]]:
    return [
        {
            "session_id": item.session_id,
            "probability": round(float(item.probability), 6),
            "reasons": list(item.reasons),
            "assignment_id": item.assignment_id,
        }
        for item in shown.items
    ]


def logged_suggestions(items: object) -> list[Suggestion]:
    """A logged list's items as the engine gave them (`_items` read back); malformed ones are
    left out."""
    found = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        session_id, probability = item.get("session_id"), item.get("probability")
        reasons, assignment_id = item.get("reasons"), item.get("assignment_id")
        if not isinstance(session_id, int) or not isinstance(probability, int | float):
            continue
        found.append(
            Suggestion(
                session_id=session_id,
                probability=float(probability),
                reasons=tuple(map(str, reasons)) if isinstance(reasons, list) else (),
                assignment_id=assignment_id if isinstance(assignment_id, int) else None,
            )
        )
    return found


async def log_shown(
    patient: User, shown: SuggestionList, *, context: dict[str, Any], now: datetime
) -> SuggestionLog:
    """Store one list as the patient is shown it; `context` is the snapshot to keep with it."""
    return await SuggestionLog.create(
        patient_id=patient.id,
        shown_at=now,
        engine_version=shown.engine_version,
        context=context,
        items=_items(shown),
    )


async def offered_to(patient: User, suggestion_id: int, session_id: int) -> SuggestionLog | None:
    """The patient's own list `suggestion_id` if it offered `session_id`; None otherwise (a
    stranger's list answers the same as a missing one)."""
    log = await SuggestionLog.get_or_none(id=suggestion_id, patient_id=patient.id)
    if log is None or session_id not in _session_ids(log.items):
        return None
    return log


def _session_ids(items: object) -> set[int]:
    if not isinstance(items, list):
        return set()
    return {
        item["session_id"]
        for item in items
        if isinstance(item, dict) and isinstance(item.get("session_id"), int)
    }


async def link_practice(
    patient: User, practice: PracticeLog, suggestion_id: int, *, now: datetime
) -> SuggestionFollow:
    """Record that `practice` followed the list; FieldError when the list is not the patient's
    own or did not offer the practice's session. Call inside the practice's transaction."""
    if practice.patient_id != patient.id or practice.session_id is None:
        raise FieldError("suggestion_id", NOT_OFFERED)
    log = await offered_to(patient, suggestion_id, practice.session_id)
    if log is None:
        raise FieldError("suggestion_id", NOT_OFFERED)
    return await SuggestionFollow.create(
        suggestion_id=log.id, practice_id=practice.id, session_id=practice.session_id, linked_at=now
    )


async def link_latest_list(patient: User, practice: PracticeLog, *, now: datetime) -> None:
    """Link `practice`, begun without naming a list, to the patient's latest list if that list
    meets `following`'s rule (offered its session, shown just before it began, not yet
    followed). Call inside the practice's transaction."""
    if practice.patient_id != patient.id or practice.session_id is None:
        return
    latest = (
        await SuggestionLog.filter(
            patient_id=patient.id, shown_at__lte=practice.started_at + CLOCK_SLACK
        )
        .order_by("-shown_at", "-id")
        .first()
    )
    if (
        latest is None
        or not within_follow_window(latest.shown_at, practice.started_at)
        or practice.session_id not in _session_ids(latest.items)
        or await SuggestionFollow.exists(suggestion_id=latest.id)
    ):
        return
    await SuggestionFollow.create(
        suggestion_id=latest.id,
        practice_id=practice.id,
        session_id=practice.session_id,
        linked_at=now,
        named=False,
    )


@dataclass(frozen=True, slots=True)
class ShownItem:
    session_id: int
    title: str
    kind: str
    minutes: float
    probability: float
    reasons: tuple[str, ...]
    followed: bool  # a practice of it was started from this list


@dataclass(frozen=True, slots=True)
class LastSuggestions:
    suggestion_id: int
    shown_at: datetime
    engine_version: str
    anxiety: int | None
    tier: str
    items: tuple[ShownItem, ...]


async def latest_list(patient_id: int) -> SuggestionLog | None:
    """The list the patient was shown last; None before any."""
    return await SuggestionLog.filter(patient_id=patient_id).order_by("-shown_at", "-id").first()


async def last_suggestions_for(patient_id: int) -> LastSuggestions | None:
    """What the patient was last suggested, and why (for their care team); None before any."""
    log = await latest_list(patient_id)
    if log is None:
        return None
    items = log.items if isinstance(log.items, list) else []
    ids = sorted(_session_ids(items))
    sessions = {
        int(session_id): (str(title), str(kind), float(seconds or 0) / 60)
        for session_id, title, kind, seconds in await PracticeSession.filter(
            id__in=ids
        ).values_list("id", "title", "kind", "duration_seconds")
    }
    follows = SuggestionFollow.filter(suggestion_id=log.id)
    followed = {int(row[0]) for row in await follows.values_list("session_id")}
    context = log.context if isinstance(log.context, dict) else {}
    anxiety = context.get("anxiety")
    return LastSuggestions(
        suggestion_id=log.id,
        shown_at=log.shown_at,
        engine_version=log.engine_version,
        anxiety=anxiety if isinstance(anxiety, int) else None,
        tier=str(context.get("tier", "")),
        items=tuple(_shown(item, sessions, followed) for item in items if isinstance(item, dict)),
    )


def _shown(
    item: dict[str, Any], sessions: dict[int, tuple[str, str, float]], followed: set[int]
) -> ShownItem:
    session_id = item.get("session_id")
    title, kind, minutes = sessions.get(
        session_id if isinstance(session_id, int) else -1, ("(a session no longer listed)", "", 0)
    )
    probability = item.get("probability")
    reasons = item.get("reasons")
    return ShownItem(
        session_id=session_id if isinstance(session_id, int) else 0,
        title=title,
        kind=kind,
        minutes=minutes,
        probability=float(probability) if isinstance(probability, int | float) else 0.0,
        reasons=tuple(str(reason) for reason in reasons) if isinstance(reasons, list) else (),
        followed=session_id in followed,
    )


async def follows_of(practice_ids: Sequence[int]) -> dict[int, int]:
    """practice id -> the list it followed, for the practices that followed one."""
    rows = await SuggestionFollow.filter(practice_id__in=list(practice_ids)).values_list(
        "practice_id", "suggestion_id"
    )
    return {int(practice_id): int(suggestion_id) for practice_id, suggestion_id in rows}
