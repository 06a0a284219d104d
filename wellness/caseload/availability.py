"""Whether an assigned practice can be done now, and with which sessions: the assigned session
while it is published and allowed, the published, allowed sessions of the kind that fit the
length, or those of the collection (in its order) while it is published. Today's plan starts
one of them; the therapist's list says why there is none, so an archived session or collection
or a new ban never leaves a patient a dead "Start" or nothing to start."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection as Several
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from tortoise.expressions import Subquery

from wellness.care.marks import Mark
from wellness.care.models import AssignmentVersion
from wellness.care.restrictions import Restrictions
from wellness.care.schedule import CollectionTarget, SessionTarget, Target
from wellness.caseload.assignment_targets import (
    forbidden_reason,
    matching_sessions,
    published_sessions,
)
from wellness.caseload.attention import local_day
from wellness.catalog.collection_rules import next_or_again
from wellness.catalog.kinds import Status
from wellness.catalog.models import Collection, PracticeSession
from wellness.practice.history import completed_sessions
from wellness.settings import CarePolicy


class Unavailable(StrEnum):
    SKIPPED = "skipped"  # the care team's restrictions rule the assigned session (or all) out
    WITHDRAWN = "withdrawn"  # the assigned session (or collection) is no longer published
    NONE_FITS = "none_fits"  # no published session of the kind fits the length (or is in it)

    def to_patient(self, *, collection: bool = False) -> str:
        """What the patient reads; `collection` for a collection's assignment."""
        if collection and self is not Unavailable.SKIPPED:
            return _COLLECTION_TO_PATIENT[self]
        return self.for_patient

    def to_care_team(self, *, collection: bool = False) -> str:
        """What the therapist reads: what to change."""
        return _COLLECTION_TO_CARE_TEAM[self] if collection else self.for_care_team

    @property
    def for_patient(self) -> str:
        return {
            Unavailable.SKIPPED: f"{Mark.SKIP.label}.",  # as the catalog marks it
            Unavailable.WITHDRAWN: (
                "This session is no longer in the library. Your care team can see this and may "
                "choose another."
            ),
            Unavailable.NONE_FITS: (
                "No session in the library fits this at the moment. Your care team can see this."
            ),
        }[self]

    @property
    def for_care_team(self) -> str:
        return {
            Unavailable.SKIPPED: "Ruled out by this patient's restrictions",
            Unavailable.WITHDRAWN: "No longer in the library: choose another session",
            Unavailable.NONE_FITS: "No published session of this kind and length",
        }[self]


_COLLECTION_TO_PATIENT = {
    Unavailable.WITHDRAWN: (
        "This collection is no longer in the library. Your care team can see this and may "
        "choose another."
    ),
    Unavailable.NONE_FITS: (
        "None of this collection's sessions is in the library at the moment. Your care team "
        "can see this."
    ),
}
_COLLECTION_TO_CARE_TEAM = {
    Unavailable.SKIPPED: "Every session in it is ruled out by this patient's restrictions",
    Unavailable.WITHDRAWN: "Collection no longer in the library: choose another",
    Unavailable.NONE_FITS: "No published session in this collection",
}


def reason(unavailable: Unavailable | None, *, collection: bool, patient: bool) -> str:
    """Why nothing can be started for an assignment, as the patient (or the care team) reads
    it; "" when something can."""
    if unavailable is None:
        return ""
    if patient:
        return unavailable.to_patient(collection=collection)
    return unavailable.to_care_team(collection=collection)


def left_plans(assigned: int) -> str:
    """What a coordinator is told after archiving a session or collection that assignments in
    force named for `assigned` patients ("" for none): a count, never who."""
    if not assigned:
        return ""
    whose = "1 patient's" if assigned == 1 else f"{assigned} patients'"
    return (
        f" It was in {whose} assigned practice: they no longer see it in their plans, and "
        "their therapists see that it left the library."
    )


@dataclass(frozen=True, slots=True)
class Availability:
    # What may be started for it: in the catalog's order, a collection's in its own.
    sessions: tuple[PracticeSession, ...]
    unavailable: Unavailable | None  # why nothing may, when `sessions` is empty


async def availability(target: Target, restrictions: Restrictions) -> Availability:
    if isinstance(target, CollectionTarget):
        return await _collection_availability(target.collection_id, restrictions)
    if isinstance(target, SessionTarget):
        session = await PracticeSession.get_or_none(id=target.session_id)
        if session is None or session.status is not Status.PUBLISHED:
            return Availability((), Unavailable.WITHDRAWN)
        if forbidden_reason(session, restrictions) is not None:
            return Availability((), Unavailable.SKIPPED)
        return Availability((session,), None)
    fitting = await matching_sessions(target.kind, target.min_minutes, target.max_minutes)
    allowed = tuple(s for s in fitting if forbidden_reason(s, restrictions) is None)
    if allowed:
        return Availability(allowed, None)
    return Availability((), Unavailable.SKIPPED if fitting else Unavailable.NONE_FITS)


async def _collection_availability(collection_id: int, restrictions: Restrictions) -> Availability:
    """Archived since: withdrawn; no published session in it: none fits; every one forbidden
    for the patient: skipped."""
    if not await Collection.exists(id=collection_id, status=Status.PUBLISHED):
        return Availability((), Unavailable.WITHDRAWN)
    held = await published_sessions(collection_id)
    allowed = tuple(s for s in held if forbidden_reason(s, restrictions) is None)
    if allowed:
        return Availability(allowed, None)
    return Availability((), Unavailable.SKIPPED if held else Unavailable.NONE_FITS)


async def patients_assigned(session_id: int, *, now: datetime, rollover_hour: int) -> int:
    """How many patients have an assignment in force whose current version names this session
    (not ended, not past its end on the patient's own practice day): whose plans archiving it
    would leave without it."""
    found = await patients_assigned_by_session(
        now=now, rollover_hour=rollover_hour, session_ids=[session_id]
    )
    return len(found.get(session_id, ()))


async def patients_assigned_to_collection(
    collection_id: int, *, now: datetime, rollover_hour: int
) -> int:
    """`patients_assigned` for a collection: whose plans archiving it would leave without it."""
    found = await _patients_in_force("collection_id", [collection_id], now, rollover_hour)
    return len(found.get(collection_id, ()))


async def patients_assigned_by_session(
    *, now: datetime, rollover_hour: int, session_ids: Several[int] | None = None
) -> dict[int, set[int]]:
    """`patients_assigned`'s patients of each session (of `session_ids`, or every session), by
    session id, in one query: the ids stay with the caller, who shows at most their number."""
    return await _patients_in_force("session_id", session_ids, now, rollover_hour)


async def _patients_in_force(
    column: str, named_ids: Several[int] | None, now: datetime, rollover_hour: int
) -> dict[int, set[int]]:
    """By the id in `column` (a session's or a collection's) of each assignment in force (of
    `named_ids`, or any), the patients whose assignment's current version names it."""
    query = AssignmentVersion.filter(assignment__ended_on__isnull=True)
    if named_ids is not None:
        naming = AssignmentVersion.filter(**{f"{column}__in": list(named_ids)})
        query = query.filter(assignment_id__in=Subquery(naming.values("assignment_id")))
    versions = await query.order_by("assignment_id", "effective_from", "id").values_list(
        "assignment_id",
        column,
        "end",
        "assignment__patient_id",
        "assignment__patient__time_zone",
    )
    current = {row[0]: row[1:] for row in versions}  # each assignment's latest version wins
    days: dict[str, date] = {}
    found: dict[int, set[int]] = defaultdict(set)
    for named, end, patient_id, zone in current.values():
        if named is None or (named_ids is not None and named not in named_ids):
            continue
        if zone not in days:
            days[zone] = local_day(now, zone, rollover_hour)
        if end is None or end >= days[zone]:
            found[named].add(patient_id)
    return found


async def collection_start(
    patient_id: int, allowed: Sequence[PracticeSession], policy: CarePolicy
) -> PracticeSession | None:
    """What one tap starts for a collection's assignment: of its published sessions the care
    team allows (`allowed`, in its order), the first this patient has not completed, or once
    they have done them all, the first again."""
    if not allowed:
        return None
    done = await completed_sessions(patient_id, [session.id for session in allowed], policy)
    chosen = next_or_again([session.id for session in allowed], done, ())
    return next(session for session in allowed if session.id == chosen)
