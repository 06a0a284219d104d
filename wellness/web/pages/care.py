"""Therapist pages: acknowledge alerts and confirm attendance for patients on the caseload."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from wellness.accounts.models import User
from wellness.care import services as care
from wellness.lib.validation import FieldError
from wellness.practice import services as practice
from wellness.settings import CarePolicy
from wellness.web.auditing import record_action
from wellness.web.dependencies import CareRules, RequestTime, SignedInUser
from wellness.web.guards import therapists_only
from wellness.web.ids import PathId
from wellness.web.lookups import alert_for_therapist_or_404, patient_for_therapist_or_404
from wellness.web.pages import wellbeing_forms as forms


class CarePages(Controller):
    path = "/care"
    guards = [therapists_only]  # noqa: RUF012  (Litestar reads this class attribute)

    @post("/alerts/{alert_id:int}/acknowledge", name="care_alert_acknowledge")
    async def acknowledge(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        now: RequestTime,
        alert_id: PathId,
    ) -> Redirect:
        alert = await alert_for_therapist_or_404(user, alert_id)
        if await care.acknowledge(alert, user, now=now):
            await record_action(
                request, "alert_acknowledged", target_type="alert", target_id=alert.id
            )
            flash(request, "Alert acknowledged.", category="success")
        else:
            flash(request, "Someone on the care team had already acknowledged it.", "info")
        return Redirect("/therapist", status_code=303)

    @get("/patients/{patient_id:int}/attest", name="care_attest_form")
    async def attest_form(
        self, user: SignedInUser, now: RequestTime, policy: CareRules, patient_id: PathId
    ) -> Template:
        patient = await patient_for_therapist_or_404(user, patient_id)
        return _attest_template(user, now, policy, patient, {}, {})

    @post("/patients/{patient_id:int}/attest", name="care_attest")
    async def attest(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        now: RequestTime,
        policy: CareRules,
        patient_id: PathId,
    ) -> Template | Redirect:
        """Confirm the patient attended a practice (group yoga, a guided class)."""
        patient = await patient_for_therapist_or_404(user, patient_id)
        form = await request.form()
        errors: dict[str, str] = {}
        # The therapist types the time as they see it, in their own zone.
        entry = forms.practice_entry(form, user.time_zone, errors)
        typed = forms.values(form)
        if entry is None:
            return _attest_template(user, now, policy, patient, errors, typed, status=422)
        try:
            await practice.attest_practice(
                user,
                patient,
                kind=entry.kind,
                minutes=entry.minutes,
                started_at=entry.started_at,
                note=entry.note,
                policy=policy,
                now=now,
            )
        except FieldError as problem:
            errors = {problem.field: problem.message}
            return _attest_template(user, now, policy, patient, errors, typed, status=422)
        await record_action(request, "practice_attested", target_type="user", target_id=patient.id)
        flash(request, f"Confirmed {entry.minutes} minutes for {patient.display_name}.", "success")
        return Redirect("/therapist", status_code=303)


def _attest_template(
    therapist: User,
    now: datetime,
    policy: CarePolicy,
    patient: User,
    errors: dict[str, str],
    typed: dict[str, str],
    *,
    status: int = 200,
) -> Template:
    context = forms.practice_form_context(therapist, now, policy.backdate_days, errors, typed)
    context["patient"] = patient
    return Template("care/attest.html", context=context, status_code=status)
