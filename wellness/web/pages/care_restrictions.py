"""A care team's page for what one patient should skip: contraindications, and sessions banned
or pinned for them. Only the patient's current care team sees it (404 for anyone else)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from wellness.accounts.models import User
from wellness.care import restriction_views as views
from wellness.care.marks import Mark
from wellness.care.models import OverrideKind
from wellness.care.restrictions import restrictions_for
from wellness.catalog.kinds import Contraindication
from wellness.lib.numbers import record_id
from wellness.lib.validation import FieldError
from wellness.web import care_access
from wellness.web.dependencies import CareTeamCall, SignedInCall
from wellness.web.guards import signed_in
from wellness.web.ids import PathId
from wellness.web.lookups import patient_for_therapist_or_404
from wellness.web.restriction_actions import (
    change_contraindications,
    change_override,
    remove_override,
)

PAGE = "care/restrictions.html"
KIND_WORDS = {"ban": OverrideKind.BAN, "pin": OverrideKind.PIN}
PAST = {OverrideKind.BAN: "banned", OverrideKind.PIN: "pinned"}


def _back(
    call: SignedInCall, patient: User, message: str, *, category: str = "success"
) -> Redirect:
    """Back to the patient's restrictions page, with a message saying what happened."""
    flash(call.request, message, category=category)
    return Redirect(f"/care/patients/{patient.id}/restrictions", status_code=303)


class CareRestrictionPages(Controller):
    path = "/care/patients/{patient_id:int}/restrictions"
    # Everyone signed in reaches the handlers; the care-team lookup answers 404 for the rest.
    guards = [signed_in]  # noqa: RUF012  (Litestar reads this class attribute)

    @get("/", name="care_restrictions")
    async def show(self, call: CareTeamCall, patient_id: PathId) -> Template:
        patient = await patient_for_therapist_or_404(call.user, patient_id)
        return await _template(call, patient)

    @post("/contraindications", name="care_contraindications_set")
    async def set_contraindications(
        self, call: CareTeamCall, patient_id: PathId
    ) -> Template | Redirect:
        patient = await patient_for_therapist_or_404(call.user, patient_id)
        form = await call.request.form()
        codes = [str(value) for value in form.getall("contraindications", [])]
        try:
            added, removed = await change_contraindications(call, patient, codes)
        except FieldError as problem:
            return await _template(
                call, patient, errors={problem.field: problem.message}, ticked=codes, status=422
            )
        if added or removed:
            return _back(call, patient, "Contraindications saved.")
        return _back(call, patient, "No change to save.", category="info")

    @post("/overrides", name="care_override_set")
    async def set_override(self, call: CareTeamCall, patient_id: PathId) -> Template | Redirect:
        """Ban or pin the session chosen in the picker (the button pressed says which)."""
        patient = await patient_for_therapist_or_404(call.user, patient_id)
        form = await call.request.form()
        errors: dict[str, str] = {}
        kind = KIND_WORDS.get(str(form.get("kind", "")))
        if kind is None:
            errors["kind"] = "Choose Ban or Pin."
        choice = None
        try:
            session_id = record_id(str(form.get("session_id", "")), field="session_id")
            choice = await views.published_session(session_id)
        except FieldError:
            pass
        if choice is None:
            errors["session_id"] = "Choose a session from the list."
        if errors or kind is None or choice is None:
            return await _template(call, patient, errors=errors, status=422)
        await change_override(call, patient, choice.id, kind)
        return _back(call, patient, f"“{choice.title}” is {PAST[kind]} for {patient.display_name}.")

    @post("/overrides/{session_id:int}/remove", name="care_override_remove")
    async def remove_override(
        self, call: CareTeamCall, patient_id: PathId, session_id: PathId
    ) -> Redirect:
        patient = await patient_for_therapist_or_404(call.user, patient_id)
        row = await remove_override(call, patient, session_id)
        return _back(call, patient, f"“{row.title}” is no longer {PAST[row.kind]}.")


async def _template(
    call: SignedInCall,
    patient: User,
    *,
    errors: dict[str, str] | None = None,
    ticked: list[str] | None = None,
    status: int = 200,
) -> Template:
    """The restrictions page; audited, as it shows the patient's data, whether first asked for
    or shown again after a refused change."""
    await care_access.restrictions_shown(call, patient)
    current = await restrictions_for(patient.id)
    overrides = await views.overrides_of(patient.id)
    choices = await views.session_choices()
    marks = await views.marks_for_patient(patient.id, [choice.id for choice in choices])
    overridden = {row.session_id for row in overrides}
    context = {
        "patient": patient,
        "vocabulary": list(Contraindication),
        "ticked": set(ticked) if ticked is not None else current.contraindications,
        "overrides": overrides,
        "choices": [choice for choice in choices if choice.id not in overridden],
        "skipped": sum(1 for mark in marks.values() if mark is Mark.SKIP),
        "published": len(choices),
        "errors": errors or {},
    }
    return Template(PAGE, context=context, status_code=status)
