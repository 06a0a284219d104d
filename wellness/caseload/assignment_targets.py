"""What an assignment names: a session, a kind within a length, or a collection. Checking a
therapist's choice (each refused field with its reason, the care team's restrictions
included), and the choices the form offers.

A collection is any session it holds (`wellness.care.targets.CollectionTarget`): only a
published one may be chosen, and not one whose every published session the care team forbids
for this patient (the kind rule's mirror).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from wellness.care.restrictions import Restrictions, restrictions_for
from wellness.care.schedule import MINUTES_TOLERANCE
from wellness.catalog.kinds import Kind, Posture, Status
from wellness.catalog.models import Collection, CollectionEntry, PracticeSession
from wellness.practice.rules import MAX_PRACTICE_MINUTES


class TargetFields(Protocol):
    """What names an assignment's target (`assignments.AssignmentInput` has them all)."""

    @property
    def session_id(self) -> int | None: ...
    @property
    def collection_id(self) -> int | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def min_minutes(self) -> int | None: ...
    @property
    def max_minutes(self) -> int | None: ...


# What the three target fields are, named in a refusal that says only one may be chosen.
ONE_TARGET = "Choose one: a session, a kind with minutes, or a collection."


def session_flags(session: PracticeSession) -> set[str]:
    """The session's contraindication codes, with "standing" for a standing practice."""
    flags = {str(code) for code in session.contraindications or []}
    if session.posture == Posture.STANDING:
        flags.add("standing")
    return flags


def forbidden_reason(session: PracticeSession, restrictions: Restrictions) -> str | None:
    """Why the care team asked this patient to skip the session, or None."""
    if session.id in restrictions.banned:
        return f"“{session.title}” is on this patient's skip list."
    clash = sorted(restrictions.contraindications & session_flags(session))
    if clash:
        named = ", ".join(code.replace("_", " ") for code in clash)
        return f"“{session.title}” is contraindicated for this patient ({named})."
    return None


def in_range(duration_seconds: float, low: int, high: int) -> bool:
    minutes = duration_seconds / 60
    return low - MINUTES_TOLERANCE <= minutes <= high + MINUTES_TOLERANCE


async def matching_sessions(kind: str, low: int, high: int) -> list[PracticeSession]:
    """Published sessions of the kind whose length rounds into low..high minutes."""
    found = await PracticeSession.filter(
        status=Status.PUBLISHED,
        kind=kind,
        duration_seconds__gte=(low - MINUTES_TOLERANCE) * 60,
        duration_seconds__lte=(high + MINUTES_TOLERANCE) * 60,
    ).order_by("title", "id")
    return [session for session in found if in_range(session.duration_seconds, low, high)]


async def clean_target(
    entry: TargetFields, restrictions: Restrictions, problems: dict[str, str]
) -> dict[str, Any]:
    """The target's columns, each refused field (with the reason when the care team forbids
    the session, or every session that would do) into `problems`."""
    if entry.collection_id is not None:
        problem = await _collection_problem(entry, restrictions)
        if problem:
            problems["collection_id"] = problem
            for field in _also_named(entry):  # every field of another target, named too
                problems[field] = ONE_TARGET
        return {**_NO_TARGET, "collection_id": entry.collection_id}
    if entry.session_id is not None:
        problem = await _session_problem(entry, restrictions)
        if problem:
            problems["session_id"] = problem
        return {**_NO_TARGET, "session_id": entry.session_id}
    if entry.kind not in {kind.value for kind in Kind}:
        problems["kind"] = "Choose a session, a kind of practice or a collection."
        if not entry.kind:  # nothing chosen: minutes would be beside the point
            return {}
    low = _whole_minutes("min_minutes", entry.min_minutes, problems)
    high = _whole_minutes("max_minutes", entry.max_minutes, problems)
    if low is not None and high is not None and low > high:
        problems["max_minutes"] = "The longest cannot be shorter than the shortest."
    if not problems.keys() & {"kind", "min_minutes", "max_minutes"} and low and high:
        matching = await matching_sessions(entry.kind, low, high)
        reasons = [forbidden_reason(session, restrictions) for session in matching]
        if matching and all(reasons):
            label = Kind(entry.kind).label.lower()
            problems["kind"] = (
                f"Every published {label} session of {low} to {high} minutes is contraindicated "
                "or on this patient's skip list. Choose another kind or length."
            )
    return {**_NO_TARGET, "kind": entry.kind, "min_minutes": low, "max_minutes": high}


_NO_TARGET: dict[str, Any] = {
    "session_id": None,
    "collection_id": None,
    "kind": "",
    "min_minutes": None,
    "max_minutes": None,
}


def _also_named(entry: TargetFields) -> list[str]:
    """The fields of a session or kind target given beside a collection."""
    given = {
        "session_id": entry.session_id is not None,
        "kind": bool(entry.kind),
        "min_minutes": entry.min_minutes is not None,
        "max_minutes": entry.max_minutes is not None,
    }
    return [field for field, named in given.items() if named]


async def _session_problem(entry: TargetFields, restrictions: Restrictions) -> str | None:
    if entry.kind or entry.min_minutes is not None or entry.max_minutes is not None:
        return "Choose a session, or a kind with minutes: not both."
    session = await PracticeSession.get_or_none(id=entry.session_id, status=Status.PUBLISHED)
    if session is None:
        return "No published session has that id."
    return forbidden_reason(session, restrictions)


async def _collection_problem(entry: TargetFields, restrictions: Restrictions) -> str | None:
    if _also_named(entry):
        return ONE_TARGET
    collection = await Collection.get_or_none(id=entry.collection_id, status=Status.PUBLISHED)
    if collection is None:
        return "No published collection has that id."
    return collection_reason(
        collection.title, await published_sessions(collection.id), restrictions
    )


def collection_reason(
    title: str, sessions: list[PracticeSession], restrictions: Restrictions
) -> str | None:
    """Why this collection cannot be assigned to this patient: no published session in it, or
    the care team forbids every one; None when one may be done."""
    if not sessions:
        return f"No session of “{title}” is published at the moment. Choose another collection."
    if all(forbidden_reason(session, restrictions) for session in sessions):
        return (
            f"Every published session of “{title}” is contraindicated or on this patient's "
            "skip list. Choose another collection."
        )
    return None


async def published_sessions(collection_id: int) -> list[PracticeSession]:
    """The collection's published sessions, in its order."""
    entries = (
        await CollectionEntry.filter(collection_id=collection_id, session__status=Status.PUBLISHED)
        .order_by("position")
        .prefetch_related("session")
    )
    return [entry.session for entry in entries]


def _whole_minutes(name: str, value: int | None, problems: dict[str, str]) -> int | None:
    if value is None or isinstance(value, bool) or not 1 <= value <= MAX_PRACTICE_MINUTES:
        problems[name] = f"Give whole minutes from 1 to {MAX_PRACTICE_MINUTES}."
        return None
    return value


@dataclass(frozen=True, slots=True)
class SessionChoice:
    """A published session as a list of choices offers it; `reason` when the care team
    forbids it for this patient."""

    id: int
    title: str
    kind: str
    duration_seconds: float
    reason: str | None = None

    @classmethod
    def of(cls, session: PracticeSession, reason: str | None = None) -> SessionChoice:
        return cls(session.id, session.title, session.kind.value, session.duration_seconds, reason)


async def session_choices(patient_id: int) -> list[SessionChoice]:
    """Every published session, by title, each marked when the care team forbids it."""
    restrictions = await restrictions_for(patient_id)
    sessions = await PracticeSession.filter(status=Status.PUBLISHED).order_by("title", "id")
    return [
        SessionChoice.of(session, forbidden_reason(session, restrictions)) for session in sessions
    ]


@dataclass(frozen=True, slots=True)
class CollectionChoice:
    """A published collection as the form offers it; `reason` when it cannot be assigned to
    this patient (every published session in it forbidden, or none published)."""

    id: int
    title: str
    sessions: int  # its published sessions
    reason: str | None = None


async def collection_choices(patient_id: int) -> list[CollectionChoice]:
    """Every published collection, by title, each with why it cannot be assigned, if so."""
    restrictions = await restrictions_for(patient_id)
    collections = await Collection.filter(status=Status.PUBLISHED).order_by("title", "id")
    entries = (
        await CollectionEntry.filter(
            collection_id__in=[c.id for c in collections], session__status=Status.PUBLISHED
        )
        .order_by("collection_id", "position")
        .prefetch_related("session")
    )
    held: dict[int, list[PracticeSession]] = {collection.id: [] for collection in collections}
    for entry in entries:
        held[entry.collection_id].append(entry.session)
    return [
        CollectionChoice(
            collection.id,
            collection.title,
            len(held[collection.id]),
            collection_reason(collection.title, held[collection.id], restrictions),
        )
        for collection in collections
    ]
