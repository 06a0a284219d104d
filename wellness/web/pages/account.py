"""Everyone's own account page: time zone, display, password, and each role's own choices (a
patient's streaks and practice reminder, a therapist's alert e-mails)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from wellness.accounts import permissions
from wellness.accounts import services as accounts
from wellness.accounts.display import Theme, parse_theme
from wellness.accounts.models import User
from wellness.audit import services as audit
from wellness.notifications import reminders
from wellness.settings import Settings
from wellness.web import reminder_actions
from wellness.web.auditing import record_action
from wellness.web.auth import start_session
from wellness.web.context import client_address, web_context
from wellness.web.dependencies import RequestTime, SignedInUser
from wellness.web.guards import patients_only, signed_in, therapists_only
from wellness.web.reminder_actions import ReminderForm
from wellness.web.schemas import ChangePasswordForm, TimeZoneForm

_DISPLAY_SAVED = {
    Theme.DEVICE: "Your pages now follow your device's light or dark setting.",
    Theme.LIGHT: "Your pages are now light.",
    Theme.DARK: "Your pages are now dark.",
}


class AccountPages(Controller):
    path = "/account"
    guards = [signed_in]  # noqa: RUF012  (Litestar reads this class attribute)

    @get("/", name="account")
    async def account_page(self, request: Request[Any, Any, Any], user: SignedInUser) -> Template:
        return await _account_template(request, user)

    @post("/time-zone", name="account_time_zone")
    async def change_time_zone(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        now: RequestTime,
        data: URLEncodedBody[TimeZoneForm],
    ) -> Template | Redirect:
        """A new zone moves the patient's practice reminder with it."""
        try:
            await reminders.change_time_zone(user, data.time_zone, now=now)
        except accounts.AccountError as problem:
            errors = {problem.field: problem.message}
            return await _account_template(
                request, user, errors=errors, status=422, typed_zone=data.time_zone
            )
        flash(request, "Your time zone is saved.", category="success")
        return Redirect("/account", status_code=303)

    @post("/display", name="account_display")
    async def display(
        self, request: Request[Any, Any, Any], user: SignedInUser
    ) -> Template | Redirect:
        """Light, dark, or as the device asks: the next page is drawn in it from its first paint."""
        theme = parse_theme(str((await request.form()).get("theme", "")))
        if theme is None:
            errors = {"theme": "Choose how your pages look: as your device, light or dark."}
            return await _account_template(request, user, errors=errors, status=422)
        await accounts.set_theme(user, theme)
        flash(request, _DISPLAY_SAVED[theme], category="success")
        return Redirect("/account", status_code=303)

    @post("/streaks", name="account_streaks", guards=[patients_only])
    async def streak_visibility(
        self, request: Request[Any, Any, Any], user: SignedInUser
    ) -> Template | Redirect:
        """A patient may hide streak figures from their own pages (they are still kept)."""
        choice = str((await request.form()).get("hide", ""))
        if choice not in {"true", "false"}:
            errors = {"hide": "Choose to show or hide streaks."}
            return await _account_template(request, user, errors=errors, status=422)
        await accounts.set_hide_streaks(user, choice == "true")
        message = "Streaks are hidden." if choice == "true" else "Streaks are shown again."
        flash(request, message, category="success")
        return Redirect("/account", status_code=303)

    @post("/reminder", name="account_reminder", guards=[patients_only])
    async def practice_reminder(
        self, request: Request[Any, Any, Any], user: SignedInUser, now: RequestTime
    ) -> Template | Redirect:
        """A patient's daily practice reminder: on or off, a time of day, the days (audited).
        Without e-mail set up, nothing is stored (409)."""
        if not reminder_actions.available(web_context(request).settings):
            errors = {"reminder": reminder_actions.UNAVAILABLE}
            return await _account_template(request, user, errors=errors, status=409)
        stored = await reminders.reminder_of(user.id)
        typed, errors = reminder_actions.read_form(await request.form(), stored)
        if errors:
            return await _account_template(
                request, user, errors=errors, status=422, reminder_form=typed
            )
        saved = await reminder_actions.change_reminder(
            request,
            user,
            enabled=typed.enabled,
            minute=typed.minute,
            weekdays=typed.weekdays,
            now=now,
        )
        flash(request, reminder_actions.saved_message(saved, user.time_zone), category="success")
        return Redirect("/account", status_code=303)

    @post("/alert-emails", name="account_alert_emails", guards=[therapists_only])
    async def alert_emails(
        self, request: Request[Any, Any, Any], user: SignedInUser, now: RequestTime
    ) -> Template | Redirect:
        """A therapist turns the e-mails about their patients' alerts on or off (audited)."""
        choice = str((await request.form()).get("emails", ""))
        if choice not in {"on", "off"}:
            errors = {"emails": "Choose to turn alert e-mails on or off."}
            return await _account_template(request, user, errors=errors, status=422)
        if await accounts.set_alert_emails(user, choice == "on"):
            await record_action(
                request,
                "alert_emails_changed",
                target_type="user",
                target_id=user.id,
                detail=choice,
                now=now,
            )
        message = (
            "Alert e-mails are on."
            if choice == "on"
            else "Alert e-mails are off; alerts still show on your dashboard."
        )
        flash(request, message, category="success")
        return Redirect("/account", status_code=303)

    @post("/password", name="account_password")
    async def change_password(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        now: RequestTime,
        data: URLEncodedBody[ChangePasswordForm],
    ) -> Template | Redirect:
        try:
            refreshed = await accounts.change_own_password(
                user, data.current_password, data.new_password
            )
        except accounts.AccountError as problem:
            errors = {problem.field: problem.message}
            return await _account_template(request, user, errors=errors, status=422)
        await audit.record(
            "password_changed",
            now=now,
            actor_id=user.id,
            target_type="user",
            target_id=user.id,
            client=client_address(request),
        )
        # The change ended every session; this browser continues with a fresh one.
        start_session(request, refreshed)
        flash(
            request, "Your password is changed; other devices were signed out.", category="success"
        )
        return Redirect("/account", status_code=303)


async def _account_template(
    request: Request[Any, Any, Any],
    user: User,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
    typed_zone: str | None = None,
    reminder_form: ReminderForm | None = None,
) -> Template:
    """The account page; a refused time zone or reminder stays in its fields as it was typed."""
    is_patient = permissions.is_patient(user.role)
    reminder = await reminders.reminder_of(user.id) if is_patient else reminders.OFF
    return Template(
        "account/account.html",
        context={
            "user": user,
            "errors": errors or {},
            "is_patient": is_patient,
            "takes_alert_emails": permissions.can_see_caseload(user.role),
            "clinic_emails": _clinic_emails(web_context(request).settings),
            "time_zone_value": user.time_zone if typed_zone is None else typed_zone,
            "reminder": reminder,
            "reminder_form": reminder_form or ReminderForm.showing(reminder),
            "weekdays": reminder_actions.WEEKDAYS,
            "themes": list(Theme),
        },
        status_code=status,
    )


def _clinic_emails(settings: Settings) -> bool:
    """Whether the clinic sends alert e-mails at all (WELLNESS_SMTP_URL is set)."""
    return settings.mail is not None
