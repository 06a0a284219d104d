"""A care team's work on one patient, shared by the pages and the JSON API: load the patient
(404 for anyone outside their current care team), read or change their data (acknowledge an
alert of theirs, too), and write the audit row (who, whose, what, from which route; never the
data). Each side answers in its own way (a page, or JSON)."""

from __future__ import annotations

from collections.abc import Sequence

from wellness.accounts.models import User
from wellness.care import services as care
from wellness.care.models import Alert
from wellness.caseload import attendance, plan
from wellness.caseload import record as records
from wellness.caseload.attendance import Attendance, Attended
from wellness.caseload.plan import AssignmentAdherence
from wellness.caseload.record import PatientRecord
from wellness.practice import services as practice
from wellness.practice.models import PracticeLog
from wellness.web.auditing import record_action, record_for_patient, record_for_patients
from wellness.web.dependencies import SignedInCall
from wellness.web.lookups import patient_for_therapist_or_404

RECORD_VIEWED = "patient_record_viewed"
ASSIGNMENTS_VIEWED = "assignments_viewed"
RESTRICTIONS_VIEWED = "restrictions_viewed"
PRACTICE_ATTESTED = "practice_attested"


async def patient_record(
    call: SignedInCall, patient_id: int, *, practice_page: int = 1, alerts_page: int = 1
) -> tuple[User, PatientRecord]:
    """The patient and their record (a page of practice, a page of alerts); audited."""
    patient = await patient_for_therapist_or_404(call.user, patient_id)
    found = await records.patient_record(
        patient,
        policy=call.policy,
        now=call.now,
        practice_page=practice_page,
        alerts_page=alerts_page,
    )
    await record_for_patient(call.request, RECORD_VIEWED, patient.id)
    return patient, found


async def assignments(
    call: SignedInCall, patient_id: int
) -> tuple[User, list[AssignmentAdherence]]:
    """The patient and their assignments (ended ones too) with adherence; audited."""
    patient = await patient_for_therapist_or_404(call.user, patient_id)
    found = await plan.adherence_for(patient, policy=call.policy, now=call.now)
    await record_for_patient(call.request, ASSIGNMENTS_VIEWED, patient.id)
    return patient, found


async def restrictions_patient(call: SignedInCall, patient_id: int) -> User:
    """The patient, whose contraindications, bans or pins the caller is about to show; audited."""
    patient = await patient_for_therapist_or_404(call.user, patient_id)
    await restrictions_shown(call, patient)
    return patient


async def restrictions_shown(call: SignedInCall, patient: User) -> None:
    """Audit showing the (already loaded) patient's contraindications, bans or pins: the page
    shown again after a refused change is as much a read as the first view."""
    await record_for_patient(call.request, RESTRICTIONS_VIEWED, patient.id, now=call.now)


async def attest(call: SignedInCall, patient: User, attended: Attendance) -> PracticeLog:
    """Confirm the (already loaded) patient attended a practice. A deactivated patient, a bad
    time or length: a FieldErrors naming each (`patient_id` for the patient), before anything
    is stored or audited. The practice and its audit row commit together, as a group's do."""
    return await attendance.attest_one(
        call.user, patient, attended, policy=call.policy, now=call.now, written=_audited(call)
    )


def _audited(call: SignedInCall) -> practice.Written:
    """One `practice_attested` audit row per stored practice, written in its transaction."""

    async def audited(practices: list[PracticeLog]) -> None:
        patients = [log.patient_id for log in practices]
        await record_for_patients(call.request, PRACTICE_ATTESTED, patients, now=call.now)

    return audited


async def attest_group(
    call: SignedInCall, patient_ids: Sequence[int], attended: Attendance
) -> list[Attended]:
    """Confirm each of these patients attended the same practice (a group class). Patients not
    on the caller's current caseload (or deactivated), a repeated id, a bad time or length: a
    FieldErrors naming each, before anything is stored or audited. The practices and their
    audit rows, one per patient as `attest` writes, commit together."""
    return await attendance.attest_group(
        call.user, patient_ids, attended, policy=call.policy, now=call.now, written=_audited(call)
    )


async def acknowledge_alert(call: SignedInCall, alert: Alert, note: str = "") -> bool:
    """Whether this request acknowledged the alert (False: someone already had). A note that is
    too long raises FieldError("note") before anything is stored. The alert comes from
    `alert_for_therapist_or_404`, loaded before any stored answer is replayed."""
    acknowledged = await care.acknowledge(alert, call.user, now=call.now, note=note)
    if acknowledged:
        await record_action(
            call.request,
            "alert_acknowledged",
            target_type="alert",
            target_id=alert.id,
            detail="with a note" if alert.acknowledgement_note else "",
            patient_id=alert.patient_id,
        )
    return acknowledged
