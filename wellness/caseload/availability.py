"""Whether an assigned practice can be done now, and with which sessions: the assigned session
while it is published and allowed, or the published, allowed sessions of the kind that fit the
length. Today's plan starts one of them; the therapist's list says why there is none, so an
archived session or a new ban never leaves a patient a dead "Start" or nothing to start."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from tortoise.expressions import Subquery

from wellness.care.marks import Mark
from wellness.care.models import AssignmentVersion
from wellness.care.restrictions import Restrictions
from wellness.care.schedule import KindTarget, SessionTarget
from wellness.caseload.assignments import forbidden_reason, matching_sessions
from wellness.caseload.attention import local_day
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession


class Unavailable(StrEnum):
    SKIPPED = "skipped"  # the care team's restrictions rule the assigned session (or all) out
    WITHDRAWN = "withdrawn"  # the assigned session is no longer published
    NONE_FITS = "none_fits"  # no published session of the kind fits the length

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


@dataclass(frozen=True, slots=True)
class Availability:
    sessions: tuple[PracticeSession, ...]  # what may be started for it, in the catalog's order
    unavailable: Unavailable | None  # why nothing may, when `sessions` is empty


async def availability(
    target: SessionTarget | KindTarget, restrictions: Restrictions
) -> Availability:
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


async def patients_assigned(session_id: int, *, now: datetime, rollover_hour: int) -> int:
    """How many patients have an assignment in force whose current version names this session
    (not ended, not past its end on the patient's own practice day): whose plans archiving it
    would leave without it."""
    found = await patients_assigned_by_session(
        now=now, rollover_hour=rollover_hour, session_ids=[session_id]
    )
    return len(found.get(session_id, ()))


async def patients_assigned_by_session(
    *, now: datetime, rollover_hour: int, session_ids: Collection[int] | None = None
) -> dict[int, set[int]]:
    """`patients_assigned`'s patients of each session (of `session_ids`, or every session), by
    session id, in one query: the ids stay with the caller, who shows at most their number."""
    query = AssignmentVersion.filter(assignment__ended_on__isnull=True)
    if session_ids is not None:
        naming = AssignmentVersion.filter(session_id__in=list(session_ids))
        query = query.filter(assignment_id__in=Subquery(naming.values("assignment_id")))
    versions = await query.order_by("assignment_id", "effective_from", "id").values_list(
        "assignment_id",
        "session_id",
        "end",
        "assignment__patient_id",
        "assignment__patient__time_zone",
    )
    current = {row[0]: row[1:] for row in versions}  # each assignment's latest version wins
    days: dict[str, date] = {}
    found: dict[int, set[int]] = defaultdict(set)
    for named, end, patient_id, zone in current.values():
        if named is None or (session_ids is not None and named not in session_ids):
            continue
        if zone not in days:
            days[zone] = local_day(now, zone, rollover_hour)
        if end is None or end >= days[zone]:
            found[named].add(patient_id)
    return found
