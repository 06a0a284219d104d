"""Therapist pages for assigned practices: a patient's list, assign, change, pause, resume, end."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from wellness.accounts.models import User
from wellness.care.models import PracticeAssignment
from wellness.caseload import assignment_targets as targets
from wellness.caseload import assignments as service
from wellness.lib.validation import FieldError
from wellness.practice.charts.formatting import full_date
from wellness.web import assignment_actions as actions
from wellness.web import care_access
from wellness.web.auditing import record_for_patient
from wellness.web.dependencies import CareTeamCall, SignedInCall
from wellness.web.guards import therapists_only
from wellness.web.ids import PathId
from wellness.web.lookups import assignment_for_therapist_or_404, patient_for_therapist_or_404
from wellness.web.pages import assignment_forms as forms
from wellness.web.routes import action_route

LIST = "care/assignments/list.html"
NEW_FORM_VIEWED = "assignment_form_viewed"
ASSIGNMENT_VIEWED = "assignment_viewed"
_DONE = {
    "pause": "Paused: nothing is due until you resume it.",
    "resume": "Resumed from today.",
    "end": "Ended. Its history stays on the list.",
}


def _list_url(patient_id: int) -> str:
    return f"/care/patients/{patient_id}/assignments"


async def _form(
    call: SignedInCall,
    patient: User,
    values: dict[str, Any],
    errors: dict[str, str],
    action: str,
    assignment: PracticeAssignment | None = None,
    status: int = 200,
) -> Template:
    """The form to assign a practice, or to change `assignment`; audited, as it shows the
    patient's data: which sessions their care team forbids, and an assignment's schedule and
    note."""
    if assignment is None:
        await record_for_patient(call.request, NEW_FORM_VIEWED, patient.id, now=call.now)
    else:
        await actions.audit_assignment(call.request, ASSIGNMENT_VIEWED, assignment)
    return forms.assignment_form(
        user=call.user,
        patient=patient,
        sessions=await targets.session_choices(patient.id),
        collections=await targets.collection_choices(patient.id),
        values=values,
        errors=errors,
        action=action,
        assignment=assignment,
        status=status,
    )


def _state_change(action: str, name: str) -> HTTPRouteHandler:
    """The route that pauses, resumes or ends an assignment (each from today), one per action;
    a refusal comes back as a message."""

    async def handler(self: Controller, call: CareTeamCall, assignment_id: PathId) -> Redirect:
        assignment = await assignment_for_therapist_or_404(call.user, assignment_id)
        errors = await _act(call, assignment, action, None)
        if errors:
            flash(call.request, next(iter(errors.values())), category="error")
        else:
            flash(call.request, _DONE[action], category="success")
        return Redirect(_list_url(assignment.patient_id), status_code=303)

    return action_route(handler, action, f"/assignments/{{assignment_id:int}}/{action}", name=name)


class AssignmentPages(Controller):
    path = "/care"
    guards = [therapists_only]  # noqa: RUF012  (Litestar reads this class attribute)

    @get("/patients/{patient_id:int}/assignments", name="care_assignments")
    async def list_for_patient(self, call: CareTeamCall, patient_id: PathId) -> Template:
        patient, found = await care_access.assignments(call, patient_id)
        context = {"user": call.user, "patient": patient, "assignments": found}
        return Template(LIST, context=context)

    @get("/patients/{patient_id:int}/assignments/new", name="care_assignment_new")
    async def new(self, call: CareTeamCall, patient_id: PathId) -> Template:
        patient = await patient_for_therapist_or_404(call.user, patient_id)
        values = forms.values_of(service.AssignmentInput())
        values["target"] = ""
        return await _form(call, patient, values, {}, _list_url(patient.id))

    @post("/patients/{patient_id:int}/assignments", name="care_assignment_create")
    async def create(self, call: CareTeamCall, patient_id: PathId) -> Template | Redirect:
        patient = await patient_for_therapist_or_404(call.user, patient_id)
        form = await call.request.form()
        errors: dict[str, str] = {}
        entry = forms.read_form(form, errors)
        created = None
        if entry is not None:
            try:
                created = await actions.create(call, patient, entry)
            except FieldError as problem:
                errors.update(problem.errors)
        if errors or created is None:
            typed = forms.typed(form)
            return await _form(call, patient, typed, errors, _list_url(patient.id), status=422)
        version = await service.latest_version(created)
        starts = (
            "from today"
            if version.start <= version.effective_from
            else f"from {full_date(version.start)}"
        )
        flash(call.request, f"Assigned to {patient.display_name} {starts}.", category="success")
        return Redirect(_list_url(patient.id), status_code=303)

    @get("/assignments/{assignment_id:int}/edit", name="care_assignment_edit")
    async def edit(self, call: CareTeamCall, assignment_id: PathId) -> Template:
        assignment = await assignment_for_therapist_or_404(call.user, assignment_id)
        patient = await patient_for_therapist_or_404(call.user, assignment.patient_id)
        current = service.input_of(await service.latest_version(assignment))
        action = f"/care/assignments/{assignment.id}/edit"
        return await _form(call, patient, forms.values_of(current), {}, action, assignment)

    @post("/assignments/{assignment_id:int}/edit", name="care_assignment_change")
    async def change(self, call: CareTeamCall, assignment_id: PathId) -> Template | Redirect:
        assignment = await assignment_for_therapist_or_404(call.user, assignment_id)
        patient = await patient_for_therapist_or_404(call.user, assignment.patient_id)
        form = await call.request.form()
        errors: dict[str, str] = {}
        entry = forms.read_form(form, errors)
        if entry is not None:
            errors = await _act(call, assignment, "change", entry)
        if errors:
            action = f"/care/assignments/{assignment.id}/edit"
            typed = forms.typed(form)
            return await _form(call, patient, typed, errors, action, assignment, status=422)
        flash(
            call.request, "Changed from today; earlier days keep the schedule they had.", "success"
        )
        return Redirect(_list_url(patient.id), status_code=303)

    pause = _state_change("pause", "care_assignment_pause")
    resume = _state_change("resume", "care_assignment_resume")
    end = _state_change("end", "care_assignment_end")


async def _act(
    call: SignedInCall,
    assignment: PracticeAssignment,
    action: str,
    entry: service.AssignmentInput | None,
) -> dict[str, str]:
    """Apply the action; the refusal as errors by field ("state" when the state refuses)."""
    given = {} if entry is None else forms.given_fields(entry)
    try:
        await actions.act(call, assignment, action, given)
    except FieldError as problem:
        return problem.errors
    except HTTPException as refused:
        return {"state": str(refused.detail)}
    return {}
