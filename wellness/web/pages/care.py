"""Therapist pages: acknowledge alerts and confirm attendance for patients on the caseload."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from wellness.accounts.models import User
from wellness.care import services as care
from wellness.catalog.kinds import Kind
from wellness.lib.validation import FieldError
from wellness.practice import services as practice
from wellness.web.auditing import record_action
from wellness.web.context import utc_now, web_context
from wellness.web.guards import current_user, therapists_only
from wellness.web.ids import PathId
from wellness.web.lookups import alert_for_therapist_or_404, patient_for_therapist_or_404
from wellness.web.pages import wellbeing_forms as forms


class CarePages(Controller):
    path = "/care"
    guards = [therapists_only]  # noqa: RUF012  (Litestar reads this class attribute)

    @post("/alerts/{alert_id:int}/acknowledge", name="care_alert_acknowledge")
    async def acknowledge(self, request: Request[Any, Any, Any], alert_id: PathId) -> Redirect:
        alert = await alert_for_therapist_or_404(current_user(request), alert_id)
        if await care.acknowledge(alert, current_user(request), now=utc_now(request)):
            await record_action(
                request, "alert_acknowledged", target_type="alert", target_id=alert.id
            )
            flash(request, "Alert acknowledged.", category="success")
        else:
            flash(request, "Someone on the care team had already acknowledged it.", "info")
        return Redirect("/therapist", status_code=303)

    @get("/patients/{patient_id:int}/attest", name="care_attest_form")
    async def attest_form(self, request: Request[Any, Any, Any], patient_id: PathId) -> Template:
        patient = await patient_for_therapist_or_404(current_user(request), patient_id)
        return _attest_template(request, patient, {}, {})

    @post("/patients/{patient_id:int}/attest", name="care_attest")
    async def attest(
        self, request: Request[Any, Any, Any], patient_id: PathId
    ) -> Template | Redirect:
        """Confirm the patient attended a practice (group yoga, a guided class)."""
        therapist = current_user(request)
        patient = await patient_for_therapist_or_404(current_user(request), patient_id)
        form = await request.form()
        errors: dict[str, str] = {}
        kind = forms.kind(form, errors)
        minutes = forms.minutes(form, errors)
        # The therapist types the time as they see it, in their own zone.
        started_at = forms.local_moment(form, "started_at", therapist.time_zone, errors)
        values = {key: str(value) for key, value in form.items()}
        if kind is None or minutes is None or started_at is None:
            return _attest_template(request, patient, errors, values, status=422)
        try:
            await practice.attest_practice(
                therapist,
                patient,
                kind=kind,
                minutes=minutes,
                started_at=started_at,
                note=forms.text(form, "note"),
                policy=web_context(request).settings.care,
                now=utc_now(request),
            )
        except FieldError as problem:
            errors = {problem.field: problem.message}
            return _attest_template(request, patient, errors, values, status=422)
        await record_action(request, "practice_attested", target_type="user", target_id=patient.id)
        flash(request, f"Confirmed {minutes} minutes for {patient.display_name}.", "success")
        return Redirect("/therapist", status_code=303)


def _attest_template(
    request: Request[Any, Any, Any],
    patient: User,
    errors: dict[str, str],
    values: dict[str, str],
    *,
    status: int = 200,
) -> Template:
    therapist = current_user(request)
    days = web_context(request).settings.care.backdate_days
    # Prefilled in the zone the form reads the time in: the therapist's own (see `attest`).
    when = forms.moment_field(utc_now(request), therapist.time_zone, backdate_days=days)
    context = {
        "user": therapist,
        "patient": patient,
        "kinds": list(Kind),
        "errors": errors,
        "values": values,
        "when": when,
    }
    return Template("care/attest.html", context=context, status_code=status)
