"""A patient's measurements and practice over a period as an HL7 FHIR R4 Bundle
(`checkins.fhir`), for a clinic's EHR: their GAD-7 answers and totals, their practice, their
SUDS ratings and the alerts raised.

The period is the report's (`caseload.report_period`): the patient's local days, a moment in
it when it falls in [the first day's 00:00, the day after the last's 00:00) in their zone, so
23:30 on the last day is in and 00:30 the next day is out. A practice is at the moment it
began, as a rating is at the moment it was given. Its status is the practice domain's own
judgement now (`practice.rules`): complete by the clinic's completion rule, or still open. An
alert is at the moment it was raised, and open or acknowledged as it is now; who acknowledged it
and their note are not read into the bundle. The caller has checked who asks.

Read in a fixed number of queries, however much the period holds: the GAD-7s, the ratings,
the check-ins that counted as a practice's after rating, the practice, its sessions' titles,
the ratings around it and the alerts.
"""

from __future__ import annotations

from datetime import datetime

from wellness.accounts.models import User
from wellness.care import services as care
from wellness.care.models import Alert
from wellness.caseload.report_period import Period
from wellness.catalog.services import session_titles
from wellness.checkins import fhir
from wellness.checkins import services as checkins
from wellness.checkins.scoring import CheckinContext
from wellness.practice import rules
from wellness.practice import services as practice
from wellness.practice.models import PracticeLog
from wellness.settings import CarePolicy

# `Alert.source_type` as the builder names the records an alert rests on.
_ALERT_SOURCES: dict[str, fhir.AlertSource] = {"checkin": "checkin", "gad7": "gad7"}


async def patient_bundle(
    patient: User, period: Period, *, policy: CarePolicy, base_url: str, now: datetime
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
            practice_id=row.practice_id,
            closed_practice_id=closed.get(row.id),
            occurred_at=row.occurred_at,
            recorded_at=row.recorded_at,
        )
        for row in rated
    ]
    practices = await _practice_facts(patient, start, end, policy=policy, now=now)
    alerts = [_alert_facts(row) for row in await care.alerts_raised_between(patient, start, end)]
    facts = fhir.PatientFacts(id=patient.id, name=patient.display_name)
    return fhir.bundle(
        facts, gad7, ratings, practices=practices, alerts=alerts, base_url=base_url, now=now
    )


def _alert_facts(alert: Alert) -> fhir.AlertFacts:
    """What of an alert leaves the app: never who acknowledged it or their note."""
    return fhir.AlertFacts(
        id=alert.id,
        reason=alert.reason,
        value=alert.value,
        source=_ALERT_SOURCES.get(alert.source_type),
        source_id=alert.source_id,
        raised_at=alert.created_at,
        acknowledged_at=alert.acknowledged_at,
    )


async def _practice_facts(
    patient: User, start: datetime, end: datetime, *, policy: CarePolicy, now: datetime
) -> list[fhir.PracticeFacts]:
    logs = await practice.practice_between(patient, start, end)
    if not logs:
        return []
    titles = await session_titles(log.session_id for log in logs)
    # Every rating around them, wherever it falls: an after rating given past the period's end
    # still closes a practice begun in it.
    around = await checkins.ratings_around(log.id for log in logs)
    return [
        fhir.PracticeFacts(
            id=log.id,
            kind=log.kind,
            other_label=log.other_label,
            title=titles.get(log.session_id) if log.session_id else None,
            evidence=log.evidence,
            started_at=log.started_at,
            seconds=log.listened_seconds,
            complete=_complete(log, policy),
            still_open=rules.is_open(
                evidence=log.evidence,
                last_activity=log.updated_at,
                rated_after=log.id in around and around[log.id].after is not None,
                now=now,
            ),
        )
        for log in logs
    ]


def _complete(log: PracticeLog, policy: CarePolicy) -> bool:
    return rules.log_counts_as_complete(
        log.evidence,
        log.completed,
        log.listened_seconds,
        log.duration_seconds,
        policy.completion_fraction,
    )
