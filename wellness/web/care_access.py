"""A care team's work on one patient, shared by the pages and the JSON API: load the patient
(404 for anyone outside their current care team), read or change their data, and write the
audit row (who, whose, what, from which route; never the data). Each side answers in its own
way (a page, or JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from litestar import Request

from wellness.accounts.models import User
from wellness.caseload import plan
from wellness.caseload import record as records
from wellness.caseload.plan import AssignmentAdherence
from wellness.caseload.record import PatientRecord
from wellness.catalog.kinds import Kind
from wellness.practice import services as practice
from wellness.practice.models import PracticeLog
from wellness.settings import CarePolicy
from wellness.web.auditing import record_for_patient
from wellness.web.lookups import patient_for_therapist_or_404

RECORD_VIEWED = "patient_record_viewed"
ASSIGNMENTS_VIEWED = "assignments_viewed"
RESTRICTIONS_VIEWED = "restrictions_viewed"


class Attendance(Protocol):
    """A practice the patient attended, as the form or the JSON body gives it."""

    @property
    def kind(self) -> Kind: ...
    @property
    def minutes(self) -> int: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def note(self) -> str: ...


async def patient_record(
    request: Request[Any, Any, Any],
    viewer: User,
    patient_id: int,
    *,
    policy: CarePolicy,
    now: datetime,
    practice_page: int = 1,
    alerts_page: int = 1,
) -> tuple[User, PatientRecord]:
    """The patient and their record (a page of practice, a page of alerts); audited."""
    patient = await patient_for_therapist_or_404(viewer, patient_id)
    found = await records.patient_record(
        patient, policy=policy, now=now, practice_page=practice_page, alerts_page=alerts_page
    )
    await record_for_patient(request, RECORD_VIEWED, patient.id)
    return patient, found


async def assignments(
    request: Request[Any, Any, Any],
    viewer: User,
    patient_id: int,
    *,
    policy: CarePolicy,
    now: datetime,
) -> tuple[User, list[AssignmentAdherence]]:
    """The patient and their assignments (ended ones too) with adherence; audited."""
    patient = await patient_for_therapist_or_404(viewer, patient_id)
    found = await plan.adherence_for(patient, policy=policy, now=now)
    await record_for_patient(request, ASSIGNMENTS_VIEWED, patient.id)
    return patient, found


async def restrictions_patient(
    request: Request[Any, Any, Any], viewer: User, patient_id: int, *, now: datetime
) -> User:
    """The patient, whose contraindications, bans or pins the caller is about to show; audited."""
    patient = await patient_for_therapist_or_404(viewer, patient_id)
    await record_for_patient(request, RESTRICTIONS_VIEWED, patient.id, now=now)
    return patient


async def attest(
    request: Request[Any, Any, Any],
    therapist: User,
    patient: User,
    attended: Attendance,
    *,
    policy: CarePolicy,
    now: datetime,
) -> PracticeLog:
    """Confirm the (already loaded) patient attended a practice; FieldError for a bad time or
    length, before anything is stored or audited."""
    logged = await practice.attest_practice(
        therapist,
        patient,
        kind=attended.kind,
        minutes=attended.minutes,
        started_at=attended.started_at,
        note=attended.note,
        policy=policy,
        now=now,
    )
    await record_for_patient(request, "practice_attested", patient.id)
    return logged
