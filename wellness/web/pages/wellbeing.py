"""A patient's own pages: check in, GAD-7, the support panel, practice around a session, and
logging practice done elsewhere."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from markupsafe import Markup

from wellness.accounts.models import User
from wellness.care import services as care
from wellness.care import support as support_panel
from wellness.caseload import record, report_period
from wellness.checkins import services as checkins
from wellness.checkins.scoring import GAD7_ANSWERS, GAD7_ITEMS, GAD7_MAX, SUDS_MAX
from wellness.db import tokens_read_once
from wellness.lib.validation import FieldError
from wellness.practice import charts, checkin_as_after, progress
from wellness.practice import services as practice
from wellness.practice.charts.formatting import plural
from wellness.practice.models import PracticeLog
from wellness.practice.rules import PracticeKind
from wellness.settings import CarePolicy
from wellness.suggestions import services as suggestions
from wellness.suggestions.inputs import SafetyLimits
from wellness.web import fhir_export
from wellness.web.dependencies import (
    AppSettings,
    CareRules,
    PatientCall,
    RequestTime,
    SignedInCall,
    SignedInUser,
)
from wellness.web.guards import patients_only
from wellness.web.ids import PageNumber, PathId
from wellness.web.lookups import own_practice_or_404, session_for_viewer_or_404
from wellness.web.pages import wellbeing_forms as forms
from wellness.web.pages.catalog import session_template
from wellness.web.pages.home import patient_home_context

SUPPORT = "/support"
EXPORT = "/progress/export"
EXPORT_FIELDS = ("from", "to")


@dataclass(frozen=True, slots=True)
class ExportForm:
    """The progress page's "Download my data" form: what was typed and its problems by field."""

    values: Mapping[str, str | None]
    errors: Mapping[str, str]


async def _progress_template(
    request: Request[Any, Any, Any],
    user: User,
    now: datetime,
    policy: CarePolicy,
    *,
    practice_page: int = 1,
    export: ExportForm | None = None,
    status: int = 200,
) -> Template:
    # A view that writes none of what the change tokens follow: read each token once.
    with tokens_read_once():
        found = await progress.progress_for(user, policy=policy, now=now)
        # The list the care team sees on the patient's record, notes included.
        listing = await record.practice_history(user, policy=policy, page=practice_page)
    today = report_period.today_in(now, user.time_zone)
    if export is None:
        first = today - timedelta(days=report_period.DEFAULT_DAYS - 1)
        export = ExportForm({"from": first.isoformat(), "to": today.isoformat()}, {})
    context = {
        "user": user,
        "progress": found,
        "charts_html": _charts_html(request, found, policy),
        "practice": listing,
        "export": export,
        "today": today,
        "max_days": report_period.MAX_DAYS,
    }
    return Template("wellbeing/progress.html", context=context, status_code=status)


CHARTS_TEMPLATE = "wellbeing/_progress_charts.html"


def _charts_html(
    request: Request[Any, Any, Any], found: progress.Progress, policy: CarePolicy
) -> Markup:
    """The page's charts as HTML, kept with the figures they show (`found.derived`): while
    `progress_for` keeps those (the policy is in its key), a view neither lays out nor renders
    a chart again (most of a view's cost for years of practice)."""
    engine = request.app.template_engine
    assert engine is not None  # create_app configures templates
    template = engine.get_template(CHARTS_TEMPLATE)  # a new one when edited (development)
    key = ("progress charts", template)
    html: Markup | None = found.derived.get(key)
    if html is None:
        html = found.derived[key] = Markup(  # noqa: S704  (autoescaped template output)
            template.render(
                charts=progress_charts(found), completion_percent=policy.completion_percent
            )
        )
    return html


LOG_PRACTICE = "wellbeing/log_practice.html"


def _to_support(request: Request[Any, Any, Any], back: str) -> Redirect:
    request.session["support_back"] = back
    return Redirect(SUPPORT, status_code=303)


def _after_rating(
    request: Request[Any, Any, Any],
    needs_support: bool,
    back: str,
    thanks: str,
    *,
    then_show: str = "",
) -> Redirect:
    """To the support panel when the rating raised an alert (it leads back to `back`), else
    back to `back` with thanks, scrolled to `then_show` (a fragment) if given."""
    if needs_support:
        return _to_support(request, back)
    flash(request, thanks, category="success")
    return Redirect(back + then_show, status_code=303)


class WellbeingPages(Controller):
    guards = [patients_only]  # noqa: RUF012  (Litestar reads this class attribute)

    @post("/checkins", name="checkin_form")
    async def check_in(
        self,
        call: PatientCall,
    ) -> Template | Redirect:
        form = await call.request.form()
        errors: dict[str, str] = {}
        level = forms.level(form, "level", errors, required=True)
        if level is None:
            return await _home_with_errors(call, form, errors)
        entry = checkins.CheckinInput(level, forms.text(form, "note"), forms.tags(form))
        try:
            recorded = await checkin_as_after.record_checkin(
                call.user, entry, policy=call.policy, now=call.now
            )
        except FieldError as problem:
            return await _home_with_errors(call, form, {problem.field: problem.message})
        thanks = f"Thank you. You rated {level} out of {SUDS_MAX}."
        if recorded.counted_after is not None:
            thanks += " It counts as your rating after the session you just finished."
        # Straight to the suggestions, chosen again for this rating (they say which).
        return _after_rating(
            call.request, recorded.needs_support, "/patient", thanks, then_show="#suggestions"
        )

    @get("/gad7", name="gad7_form")
    async def gad7_page(self) -> Template:
        return _gad7_template({}, {})

    @post("/gad7", name="gad7_submit")
    async def gad7_submit(
        self,
        call: PatientCall,
    ) -> Template | Redirect:
        form = await call.request.form()
        errors: dict[str, str] = {}
        answers = forms.gad7_answers(form, errors)
        if errors:
            return _gad7_template(errors, forms.values(form), status=422)
        recorded = await checkins.record_gad7(
            call.user, answers, occurred_at=None, policy=call.policy, now=call.now
        )
        band = recorded.response.band.label.lower()
        thanks = (
            f"Thank you. Your score is {recorded.response.total} of {GAD7_MAX} ({band} anxiety)."
        )
        return _after_rating(call.request, recorded.needs_support, "/progress", thanks)

    @get("/progress", name="progress")
    async def progress_page(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        now: RequestTime,
        policy: CareRules,
        practice_page: PageNumber = 1,
    ) -> Template:
        return await _progress_template(request, user, now, policy, practice_page=practice_page)

    @get(EXPORT, name="progress_export")
    async def export_own_data(self, call: PatientCall, settings: AppSettings) -> Response[bytes]:
        """The patient's own FHIR file over the period the progress page's form asks for; a
        period it cannot take is the page again, the problem beside its field (400)."""
        typed = {key: call.request.query_params.get(key) for key in EXPORT_FIELDS}
        period, errors = fhir_export.period_asked(call.user, typed, now=call.now)
        if period is None:
            return await _progress_template(
                call.request,
                call.user,
                call.now,
                call.policy,
                export=ExportForm(typed, errors),
                status=400,
            )
        return await fhir_export.bundle_download(
            call.request, call.user, period, settings=settings, now=call.now
        )

    @get(SUPPORT, name="support")
    async def support(
        self, request: Request[Any, Any, Any], user: SignedInUser, policy: CareRules
    ) -> Template:
        """The support panel: right after a rating that raised an alert, or from any page."""
        back = request.session.pop("support_back", None)
        context = {
            "policy": policy,
            "calming": await support_panel.support_offer(
                user.id, limits=SafetyLimits(alert_level=policy.alert_level)
            ),
            "after_alert": back is not None,
            "watched": await care.sees_alerts(user.id),
            "back": back if isinstance(back, str) and _is_own_page(back) else "/patient",
        }
        return Template("wellbeing/support.html", context=context)

    @post("/practice/start", name="practice_start")
    async def start(
        self,
        call: PatientCall,
    ) -> Redirect:
        """Begin a session from its page, optionally with a rating first."""
        form = await call.request.form()
        errors: dict[str, str] = {}
        session_id = forms.session_id(form, errors)
        before = forms.level(form, "anxiety_before", errors, required=False)
        suggestion_id = forms.suggestion_id(form, errors)
        if session_id is None:
            raise FieldError("session_id", errors["session_id"])
        if errors:
            flash(call.request, next(iter(errors.values())), category="error")
            return Redirect(f"/sessions/{session_id}", status_code=303)
        try:
            logged = await suggestions.start_suggested(
                call.user,
                session_id,
                suggestion_id,
                anxiety_before=before,
                policy=call.policy,
                now=call.now,
            )
        except FieldError as problem:
            if problem.field == "session_id":  # no page of it to go back to
                raise
            flash(call.request, problem.message, category="error")
            return Redirect(f"/sessions/{session_id}", status_code=303)
        target = f"/sessions/{session_id}?practice={logged.practice.id}#player-heading"
        if logged.needs_support:
            return _to_support(call.request, target)
        return Redirect(target, status_code=303)

    @post("/practice/{practice_id:int}/after", name="practice_after")
    async def after(
        self,
        call: PatientCall,
        practice_id: PathId,
    ) -> Redirect | Template:
        found = await own_practice_or_404(call.user, practice_id)
        form = await call.request.form()
        errors: dict[str, str] = {}
        level = forms.level(form, "anxiety_after", errors, required=True)
        try:
            if level is None:
                raise FieldError("anxiety_after", errors["anxiety_after"])
            logged = await practice.rate_after(found, level, policy=call.policy, now=call.now)
        except FieldError as problem:
            return await _after_refused(call, found, {problem.field: problem.message})
        thanks = "Thank you. Your rating is saved."
        return _after_rating(call.request, logged.needs_support, "/progress", thanks)

    @get("/practice/log", name="practice_log_form")
    async def log_form(self, call: PatientCall) -> Template:
        return _log_form(call, {}, {})

    @post("/practice/log", name="practice_log")
    async def log(
        self,
        call: PatientCall,
    ) -> Template | Redirect:
        """Practice done elsewhere (group yoga, a walk with breathing): a self-report, with
        the anxiety before and after it if given (an alert leads to the support panel)."""
        form = await call.request.form()
        errors: dict[str, str] = {}
        done = forms.logged_entry(form, call.user.time_zone, errors)
        before = forms.level(form, "anxiety_before", errors, required=False)
        after = forms.level(form, "anxiety_after", errors, required=False)
        typed = forms.values(form)
        if done is None or errors:
            return _log_form(call, errors, typed, status=422)
        entry = practice.PracticeInput(
            started_at=done.started_at,
            listened_seconds=done.minutes * 60,
            kind=done.kind,
            other_label=done.other_label,
            completed=True,
            anxiety_before=before,
            anxiety_after=after,
            note=done.note,
        )
        try:
            logged = await practice.log_practice(call.user, entry, policy=call.policy, now=call.now)
        except FieldError as problem:
            return _log_form(call, problem.errors, typed, status=422)
        message = f"Logged {plural(done.minutes, 'minute')} of {_logged_name(done)}."
        return _after_rating(call.request, logged.needs_support, "/progress", message)


def _log_form(
    call: SignedInCall, errors: dict[str, str], typed: dict[str, str], *, status: int = 200
) -> Template:
    """The log-a-practice form: the catalog's kinds and Other, with a name for it."""
    kinds = list(PracticeKind)
    return forms.practice_form(LOG_PRACTICE, call, errors, typed, status=status, kinds=kinds)


def _logged_name(done: forms.LoggedEntry) -> str:
    """ "yoga", or for Other the patient's own name for it in quotes."""
    if done.kind is PracticeKind.OTHER:
        return f"“{done.other_label}”" if done.other_label else "other practice"
    return done.kind.label.lower()


def _is_own_page(path: str) -> bool:
    return path in {"/patient", "/progress"} or path.startswith("/sessions/")


def progress_charts(found: progress.Progress) -> dict[str, Any]:
    return {
        "calendar": charts.calendar_heatmap(
            found.minutes_by_day,
            found.streak.practice_days,
            today=found.today,
            weeks=progress.CALENDAR_WEEKS,
        ),
        "anxiety": charts.anxiety_timeline(
            found.checkins, found.pairs, start=found.ratings_start, now=found.now
        ),
        "gad7": charts.gad7_chart(found.gad7, start=found.ratings_start, now=found.now),
        "minutes": charts.weekly_minutes(found.weekly, practised=found.practised_in_weekly),
        "by_session": charts.average_change(found.by_session),
        "by_kind": charts.average_change(found.by_kind),
    }


async def _after_refused(
    call: SignedInCall, found: PracticeLog, errors: dict[str, str]
) -> Template:
    """The session page again, answered 422 with the reason beside the after-rating scale."""
    if found.session_id is None:
        # A logged practice has no session page to go back to: the error page names the field.
        field, message = next(iter(errors.items()))
        raise FieldError(field, message)
    session = await session_for_viewer_or_404(call.user, found.session_id)
    return await session_template(
        call.user, call.now, session, found.id, policy=call.policy, errors=errors, status=422
    )


def _gad7_template(
    errors: dict[str, str], chosen: dict[str, str], *, status: int = 200
) -> Template:
    context = {"items": GAD7_ITEMS, "answers": GAD7_ANSWERS, "errors": errors, "chosen": chosen}
    return Template("wellbeing/gad7.html", context=context, status_code=status)


async def _home_with_errors(call: SignedInCall, form: Any, errors: dict[str, str]) -> Template:
    """The patient's home page again, answered 422 with the check-in form's errors."""
    context = await patient_home_context(call.user, call.policy, call.now)
    context |= {
        "errors": errors,
        "values": {
            "level": forms.text(form, "level"),
            "note": forms.text(form, "note"),
            "tags": forms.tags(form),
        },
    }
    return Template("home/patient.html", context=context, status_code=422)
