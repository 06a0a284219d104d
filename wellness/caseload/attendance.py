"""Attendance: a therapist confirms that one patient of their caseload (`attest_one`), or
several at once (`attest_group`, a group class), attended a practice, with one staff-attested
practice each, all or none.

Both check the patients the same way (on the caseload, `care.patient_for_therapist`; active,
`check_active`) and the practice's fields by the same rules (`practice.attested`). Every
problem refuses before anything is stored: a `FieldErrors` naming each field at fault,
`patient_ids` (a group) or `patient_id` (one patient) naming the patients.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from wellness.accounts.models import User
from wellness.care import services as care
from wellness.catalog.kinds import Kind
from wellness.lib.validation import FieldError, FieldErrors
from wellness.practice import services as practice
from wellness.practice.models import PracticeLog
from wellness.practice.services import Attested, Written
from wellness.settings import CarePolicy

FIELD = "patient_ids"
# The one patient of a single attestation is named by the route's path, under this name.
ONE_FIELD = "patient_id"
# A class, not a caseload export: more at once is refused before any patient is loaded.
MAX_GROUP = 100
NO_ONE = "Tick each patient who attended."


@dataclass(frozen=True, slots=True)
class Attended:
    """One patient of the group and the practice now stored for them."""

    patient: User
    practice: PracticeLog


def deactivated(patient: User) -> str:
    """Why attendance is refused for a deactivated patient: one wording for both forms."""
    return (
        f"{patient.display_name}'s account is deactivated: confirm attendance only "
        "for active patients."
    )


def check_active(patient: User, field: str = ONE_FIELD) -> None:
    """FieldError(field) when the patient's account is deactivated: they take part in no
    class any more, and a confirmed practice would change a closed record."""
    if not patient.is_active:
        raise FieldError(field, deactivated(patient))


def refusal(patient: User) -> dict[str, str]:
    """The errors a form for this one patient opens with: `check_active`'s, or none."""
    return {} if patient.is_active else {ONE_FIELD: deactivated(patient)}


def check_ids(patient_ids: Sequence[int]) -> None:
    """The ids' own shape, before anything is loaded: at least one, at most MAX_GROUP, each
    once; FieldError(FIELD) otherwise."""
    if not patient_ids:
        raise FieldError(FIELD, NO_ONE)
    if len(patient_ids) > MAX_GROUP:
        raise FieldError(FIELD, f"Confirm at most {MAX_GROUP} patients at once.")
    seen: set[int] = set()
    for patient_id in patient_ids:
        if patient_id in seen:
            raise FieldError(FIELD, f"Patient id {patient_id} is given twice: name each once.")
        seen.add(patient_id)


async def attendees(therapist: User, patient_ids: Sequence[int]) -> list[User]:
    """The patients, in the order given, each on this therapist's current caseload and active;
    FieldError(FIELD) naming every one who is not (an id that is nobody's and one that is
    another therapist's patient read the same)."""
    check_ids(patient_ids)
    found: list[User] = []
    problems: list[str] = []
    for patient_id in patient_ids:
        patient = await care.patient_for_therapist(therapist, patient_id)
        if patient is None:
            problems.append(f"No patient on your caseload has id {patient_id}.")
        elif not patient.is_active:
            problems.append(deactivated(patient))
        else:
            found.append(patient)
    if problems:
        raise FieldError(FIELD, " ".join(problems))
    return found


class Attendance(Protocol):
    """A practice attended, as the form or the JSON body gives it."""

    @property
    def kind(self) -> Kind: ...
    @property
    def minutes(self) -> int: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def note(self) -> str: ...


async def attest_one(
    therapist: User,
    patient: User,
    attended: Attendance,
    *,
    policy: CarePolicy,
    now: datetime,
    written: Written | None = None,
) -> PracticeLog:
    """Confirm the (already loaded, on this therapist's caseload) patient attended a practice:
    every problem with the patient and the fields at once (FieldErrors) and nothing stored, or
    the practice and `written`'s rows, committed together."""
    errors: dict[str, str] = {}
    checked = _checked(attended, errors, policy=policy, now=now)
    try:
        check_active(patient)
    except FieldError as problem:
        errors.update(problem.errors)
    if errors or checked is None:
        raise FieldErrors(errors)
    [logged] = await practice.attest_practices(
        therapist, [patient], checked, now=now, written=written
    )
    return logged


async def attest_group(
    therapist: User,
    patient_ids: Sequence[int],
    attended: Attendance,
    *,
    policy: CarePolicy,
    now: datetime,
    written: Written | None = None,
) -> list[Attended]:
    """Confirm each patient attended the same practice: every problem with the patients and
    with the practice's fields at once (FieldErrors) and nothing stored, or one practice each
    and `written`'s rows (the audit), committed together."""
    errors: dict[str, str] = {}
    checked = _checked(attended, errors, policy=policy, now=now)
    patients: list[User] = []
    try:
        patients = await attendees(therapist, patient_ids)
    except FieldError as problem:
        errors.update(problem.errors)
    if errors or checked is None:
        raise FieldErrors(errors)
    stored = await practice.attest_practices(therapist, patients, checked, now=now, written=written)
    return [Attended(patient, log) for patient, log in zip(patients, stored, strict=True)]


def _checked(
    attended: Attendance, errors: dict[str, str], *, policy: CarePolicy, now: datetime
) -> Attested | None:
    """The practice's fields by `practice.attested`'s rules; None, with the problem added to
    `errors`, when one is refused."""
    try:
        return practice.attested(
            attended.kind,
            attended.minutes,
            attended.started_at,
            attended.note,
            policy=policy,
            now=now,
        )
    except FieldError as problem:
        errors.update(problem.errors)
        return None
