"""What the restriction pages, the catalog marks and the API read: a patient's overrides with
the sessions' titles, the sessions a therapist may ban or pin, and the marks for a page of
sessions. Reads only; writes are in `care.restrictions`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from wellness.accounts import services as accounts
from wellness.care import marks
from wellness.care.models import OverrideKind, SessionOverride
from wellness.care.restrictions import NONE, restrictions_for
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import PracticeSession


@dataclass(frozen=True, slots=True)
class OverrideRow:
    session_id: int
    title: str
    kind: OverrideKind
    set_at: datetime
    set_by: str  # the care-team member's name, "" if the account is gone


@dataclass(frozen=True, slots=True)
class SessionChoice:
    id: int
    title: str
    kind: Kind
    duration_seconds: float


async def overrides_of(patient_id: int, *, session_id: int | None = None) -> list[OverrideRow]:
    """The patient's bans and pins (or the one for `session_id`), bans first, then by title."""
    query = SessionOverride.filter(patient_id=patient_id)
    if session_id is not None:
        query = query.filter(session_id=session_id)
    rows = await query.values_list("session_id", "session__title", "kind", "set_at", "set_by_id")
    names = await accounts.display_names({row[4] for row in rows if row[4] is not None})
    found = [
        OverrideRow(int(sid), str(title), OverrideKind(kind), set_at, names.get(by, ""))
        for sid, title, kind, set_at, by in rows
    ]
    found.sort(key=lambda row: (row.kind is not OverrideKind.BAN, row.title.casefold()))
    return found


async def override_of(patient_id: int, session_id: int) -> OverrideRow | None:
    found = await overrides_of(patient_id, session_id=session_id)
    return found[0] if found else None


async def session_choices() -> list[SessionChoice]:
    """Published sessions, by title: what a patient can see, so what a care team may ban or pin."""
    rows = (
        await PracticeSession.filter(status=Status.PUBLISHED)
        .order_by("title", "id")
        .values_list("id", "title", "kind", "duration_seconds")
    )
    return [
        SessionChoice(int(sid), str(title), Kind(kind), float(secs))
        for sid, title, kind, secs in rows
    ]


async def published_session(session_id: int) -> SessionChoice | None:
    row = (
        await PracticeSession.filter(id=session_id, status=Status.PUBLISHED)
        .first()
        .values_list("id", "title", "kind", "duration_seconds")
    )
    if row is None:
        return None
    sid, title, kind, secs = row
    return SessionChoice(int(sid), str(title), Kind(kind), float(secs))


async def marks_for_patient(patient_id: int, session_ids: Collection[int]) -> dict[int, marks.Mark]:
    """The marks for these sessions (two queries; a third only when the patient has any)."""
    restrictions = await restrictions_for(patient_id)
    if not session_ids or restrictions == NONE:
        return {}
    rows = await PracticeSession.filter(id__in=list(session_ids)).values_list(
        "id", "contraindications", "posture", "guidance", "duration_seconds"
    )
    sessions = [
        marks.SessionTraits(
            session_id=int(sid),
            contraindications=tuple(str(code) for code in (flags or [])),
            posture=str(posture),
            guidance=str(guidance),
            minutes=float(seconds) / 60,
        )
        for sid, flags, posture, guidance, seconds in rows
    ]
    return marks.marks_for(restrictions, sessions)
