"""A patient's measurements over a period as an HL7 FHIR R4 Bundle (`checkins.fhir`), for a
clinic's EHR: their GAD-7 answers and totals and their SUDS ratings.

The period is the report's (`caseload.report_period`): the patient's local days, a moment in
it when it falls in [the first day's 00:00, the day after the last's 00:00) in their zone, so
23:30 on the last day is in and 00:30 the next day is out. The caller has checked who asks.
"""

from __future__ import annotations

from datetime import datetime

from wellness.accounts.models import User
from wellness.caseload.report_period import Period
from wellness.checkins import fhir
from wellness.checkins import services as checkins
from wellness.checkins.scoring import CheckinContext


async def patient_bundle(
    patient: User, period: Period, *, base_url: str, now: datetime
) -> fhir.Bundle:
    start, end = period.bounds(patient.time_zone)
    answered = await checkins.gad7_between(patient, start, end)
    rated = await checkins.ratings_between(patient, start, end)
    closed = await checkins.practices_closed_by(rating.id for rating in rated)
    gad7 = [
        fhir.Gad7Facts(
            id=row.id,
            answers=tuple(int(answer) for answer in row.answers),
            total=row.total,
            band=row.band,
            occurred_at=row.occurred_at,
            recorded_at=row.recorded_at,
        )
        for row in answered
    ]
    ratings = [
        fhir.RatingFacts(
            id=row.id,
            level=row.level,
            context=CheckinContext(row.context),
            linked_to_practice=row.practice_id is not None,
            closed_practice=row.id in closed,
            occurred_at=row.occurred_at,
            recorded_at=row.recorded_at,
        )
        for row in rated
    ]
    facts = fhir.PatientFacts(id=patient.id, name=patient.display_name)
    return fhir.bundle(facts, gad7, ratings, base_url=base_url, now=now)
