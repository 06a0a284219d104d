"""The support panel's offer for one patient: the safety filter's SUPPORT tier
(`safety.support_sessions`) over the published catalog, without anything the patient's care team
contraindicated or banned."""

from __future__ import annotations

from wellness.care.restrictions import restrictions_for
from wellness.catalog.kinds import Guidance, Kind, Status
from wellness.catalog.models import PracticeSession
from wellness.catalog.services import CalmingSession
from wellness.suggestions import safety
from wellness.suggestions.inputs import SafetyLimits, SessionFacts

# Only these can pass the SUPPORT tier, so only these are read (the filter decides the rest).
_CANDIDATE_KINDS = (Kind.BREATHING, Kind.GROUNDING)
_MOST_READ = 200


async def support_offer(
    patient_id: int, *, limits: SafetyLimits = safety.DEFAULT_LIMITS, count: int = 3
) -> list[CalmingSession]:
    """Up to `count` calming sessions for this patient, shortest first."""
    restrictions = await restrictions_for(patient_id)
    longest = safety.checked(limits).high_distress_max_minutes * 60
    query = PracticeSession.filter(
        status=Status.PUBLISHED,
        kind__in=_CANDIDATE_KINDS,
        guidance=Guidance.GUIDED,
        duration_seconds__gt=0,
        duration_seconds__lte=longest,
    )
    if restrictions.banned:
        query = query.exclude(id__in=list(restrictions.banned))
    rows = await query.order_by("duration_seconds", "id").limit(_MOST_READ)
    facts = [
        SessionFacts(
            session_id=row.id,
            title=row.title,
            kind=row.kind.value,
            minutes=row.duration_seconds / 60,
            posture=row.posture.value,
            guidance=row.guidance.value,
            level=row.level.value,
            contraindications=frozenset(str(code) for code in row.contraindications or ()),
            anxiety_min=row.anxiety_min,
            anxiety_max=row.anxiety_max,
        )
        for row in rows
    ]
    offered = safety.support_sessions(
        facts,
        limits=limits,
        contraindications=restrictions.contraindications,
        banned=restrictions.banned,
        count=count,
    )
    by_id = {row.id: row for row in rows}
    return [
        CalmingSession(
            item.session_id, item.title, Kind(item.kind), by_id[item.session_id].duration_seconds
        )
        for item in offered
    ]
