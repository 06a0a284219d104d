"""Therapist pages: acknowledge alerts and confirm attendance for patients on the caseload, one
patient or a whole group at once."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, post
from litestar.datastructures import FormMultiDict
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from wellness.accounts.models import User
from wellness.care import services as care
from wellness.caseload import attendance
from wellness.lib.validation import FieldError
from wellness.practice.charts.formatting import plural
from wellness.web import care_access
from wellness.web.auditing import record_for_patient, record_for_patients
from wellness.web.dependencies import CareTeamCall, SignedInCall
from wellness.web.guards import signed_in, therapists_only
from wellness.web.idempotency import FORM_KEY, answer_form_once, form_key, new_form_key
from wellness.web.ids import PathId, QueryId
from wellness.web.lookups import alert_for_therapist_or_404, patient_for_therapist_or_404
from wellness.web.pages import wellbeing_forms as forms
from wellness.web.pages.patient_record import record_page

ATTEST = "care/attest.html"
ATTEST_FORM_VIEWED = "attest_form_viewed"
ATTENDANCE = "care/attendance.html"
ATTENDANCE_FORM_VIEWED = "attendance_form_viewed"


async def _attest_form(
    call: SignedInCall,
    patient: User,
    errors: dict[str, str],
    typed: dict[str, str],
    *,
    status: int = 200,
    refused: bool = False,
) -> Template:
    """The attendance form for `patient`, the start time prefilled in the therapist's zone, or
    (`refused`) only why it cannot be filled; audited, as it names the patient."""
    await record_for_patient(call.request, ATTEST_FORM_VIEWED, patient.id, now=call.now)
    return forms.practice_form(
        ATTEST, call, errors, typed, status=status, patient=patient, refused=refused
    )


async def _attendance_form(
    call: SignedInCall,
    errors: dict[str, str],
    typed: dict[str, str],
    ticked: set[str],
    *,
    status: int = 200,
) -> Template:
    """The group attendance form: the practice's fields as the single form has them (the start
    time prefilled in the therapist's zone) and a box for each active patient on the caseload,
    by name; audited, one row for each patient it names."""
    patients = await care.caseload(call.user)
    await record_for_patients(
        call.request, ATTENDANCE_FORM_VIEWED, (patient.id for patient in patients), now=call.now
    )
    extra = {"patients": patients, "ticked": ticked}
    return forms.practice_form(ATTENDANCE, call, errors, typed, status=status, **extra)


def _ticked(form: FormMultiDict) -> set[str]:
    return {str(value) for value in form.getall("patient_ids", [])}


class CarePages(Controller):
    path = "/care"
    # Signed in is enough to acknowledge: the lookup answers 404 to anyone not on the patient's
    # care team, as the patient's page does. The other routes are for therapists.
    guards = [signed_in]  # noqa: RUF012  (Litestar reads this class attribute)

    @post("/alerts/{alert_id:int}/acknowledge", name="care_alert_acknowledge")
    async def acknowledge(self, call: CareTeamCall, alert_id: PathId) -> Redirect | Template:
        """Acknowledge with an optional note; back to the caseload or to the patient's page."""
        form = await call.request.form()
        note = forms.text(form, "note")
        alert = await alert_for_therapist_or_404(call.user, alert_id)
        try:
            acknowledged = await care_access.acknowledge_alert(call, alert, note)
        except FieldError as problem:
            patient, found = await care_access.patient_record(call, alert.patient_id)
            return await record_page(
                call,
                patient,
                found,
                alert_errors={alert.id: problem.message},
                typed_notes={alert.id: note},
                status=422,
            )
        if acknowledged:
            flash(call.request, "Alert acknowledged.", category="success")
        elif note:
            flash(
                call.request,
                "Someone had already acknowledged it; your note was not saved.",
                "info",
            )
        else:
            flash(call.request, "Someone on the care team had already acknowledged it.", "info")
        if forms.text(form, "return_to") == "patient":
            return Redirect(f"/care/patients/{alert.patient_id}#alert-{alert.id}", status_code=303)
        # Back to the alerts panel, where the next one waits, not to the top of the caseload.
        return Redirect("/therapist#alerts-heading", status_code=303)

    @get("/patients/{patient_id:int}/attest", guards=[therapists_only], name="care_attest_form")
    async def attest_form(self, call: CareTeamCall, patient_id: PathId) -> Template:
        """The form, or for a deactivated patient the refusal its POST would give (422)."""
        patient = await patient_for_therapist_or_404(call.user, patient_id)
        if refused := attendance.refusal(patient):
            return await _attest_form(call, patient, refused, {}, status=422, refused=True)
        return await _attest_form(call, patient, {}, {})

    @post("/patients/{patient_id:int}/attest", guards=[therapists_only], name="care_attest")
    async def attest(self, call: CareTeamCall, patient_id: PathId) -> Template | Redirect:
        """Confirm the patient attended a practice (group yoga, a guided class)."""
        patient = await patient_for_therapist_or_404(call.user, patient_id)
        form = await call.request.form()
        errors: dict[str, str] = {}
        # The therapist types the time as they see it, in their own zone.
        entry = forms.practice_entry(form, call.user.time_zone, errors)
        typed = forms.values(form)
        if entry is None:
            return await _attest_form(call, patient, errors, typed, status=422)
        try:
            await care_access.attest(call, patient, entry)
        except FieldError as problem:
            return await _attest_form(call, patient, problem.errors, typed, status=422)
        flash(
            call.request,
            f"Confirmed {plural(entry.minutes, 'minute')} for {patient.display_name}.",
            "success",
        )
        return Redirect("/therapist", status_code=303)

    @get("/attendance", guards=[therapists_only], name="care_attendance_form")
    async def attendance_form(self, call: CareTeamCall, patient: QueryId = None) -> Template:
        """Confirm attendance for several patients at once; `?patient=ID` (from a patient's
        page) ticks that patient if they are on the list."""
        ticked = {str(patient)} if patient else set()
        return await _attendance_form(call, {}, {FORM_KEY: new_form_key()}, ticked)

    @post("/attendance", guards=[therapists_only], name="care_attendance")
    async def attendance(self, call: CareTeamCall) -> Template | Redirect:
        """Confirm that every patient ticked attended the same practice (a group class): one
        staff-attested practice each, or, for any problem, none. The same form sent twice
        with the same values records the class once."""
        form = await call.request.form()
        errors: dict[str, str] = {}
        entry = forms.practice_entry(form, call.user.time_zone, errors)
        patient_ids = forms.attendee_ids(form, errors)
        typed, ticked = forms.values(form), _ticked(form)
        if entry is None or errors:
            return await _attendance_form(call, errors, typed, ticked, status=422)
        asked = msgspec.json.encode([patient_ids, entry])
        confirmed: list[str] = []

        async def write() -> tuple[int, bytes]:
            attended = await care_access.attest_group(call, patient_ids, entry)
            confirmed.extend(item.patient.display_name for item in attended)
            return 201, msgspec.json.encode([item.practice.id for item in attended])

        try:
            answer = await answer_form_once(call.request, form_key(form), asked, write)
        except FieldError as problem:
            return await _attendance_form(call, problem.errors, typed, ticked, status=422)
        _flash_confirmed(call, entry.minutes, [] if answer.replayed else confirmed)
        return Redirect("/therapist", status_code=303)


def _flash_confirmed(call: SignedInCall, minutes: int, names: list[str]) -> None:
    """What the caseload page says after the group form: who was confirmed, or, for the same
    form sent again (no names: it wrote nothing), that nothing was added."""
    if not names:
        flash(call.request, "That class was already confirmed: nothing was added.", "info")
        return
    who = f"{plural(len(names), 'patient')}: {', '.join(names)}"
    flash(call.request, f"Confirmed {plural(minutes, 'minute')} for {who}.", "success")
