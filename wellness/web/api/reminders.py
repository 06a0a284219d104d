"""JSON API for a patient's own daily practice reminder (`notifications.reminders`)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, put
from litestar.exceptions import HTTPException
from litestar.params import JSONBody

from wellness.lib.validation import FieldError
from wellness.notifications import reminder_rules as rules
from wellness.notifications import reminders
from wellness.settings import Settings
from wellness.web import reminder_actions
from wellness.web.api.reminders_schemas import ReminderIn, ReminderOut
from wellness.web.dependencies import AppSettings, RequestTime, SignedInUser
from wellness.web.guards import patients_only
from wellness.web.idempotency import respond_once
from wellness.web.openapi import answers


class ReminderApi(Controller):
    path = "/api/v1/account/reminder"
    guards = [patients_only]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["accounts"]  # noqa: RUF012

    @get("/", name="api_reminder")
    async def reminder(self, user: SignedInUser, settings: AppSettings) -> ReminderOut:
        """The patient's daily practice reminder: off, at 09:00 every day, until they choose.
        `available` is false where the clinic has not set up e-mail."""
        return _out(await reminders.reminder_of(user.id), user.time_zone, settings)

    @put(
        "/",
        name="api_reminder_set",
        responses=answers(ReminderOut, 200),
        opt={"refusals": (409,)},
    )
    async def set_reminder(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        now: RequestTime,
        settings: AppSettings,
        data: JSONBody[ReminderIn],
    ) -> Response[bytes]:
        """Replace the setting. It goes at `time` in the patient's time zone on the `weekdays`
        chosen, only if they have not practised yet that day. 409 where the clinic has not set
        up e-mail: nothing is stored."""
        if not reminder_actions.available(settings):
            raise HTTPException(status_code=409, detail=reminder_actions.UNAVAILABLE)
        minute = rules.parse_time(data.time)  # the schema's pattern has checked it
        weekdays = _weekdays(data)

        async def write() -> tuple[int, ReminderOut]:
            stored = await reminder_actions.change_reminder(
                request, user, enabled=data.enabled, minute=minute, weekdays=weekdays, now=now
            )
            return 200, _out(stored, user.time_zone, settings)

        return await respond_once(request, data, write)


def _weekdays(data: ReminderIn) -> int:
    if len(set(data.weekdays)) != len(data.weekdays):
        raise FieldError("weekdays", "Name each day at most once.")
    return rules.weekday_mask(day.value for day in data.weekdays)


def _out(reminder: reminders.Reminder, time_zone: str, settings: Settings) -> ReminderOut:
    available = reminder_actions.available(settings)
    message = "" if available else reminder_actions.NOT_AVAILABLE
    return ReminderOut.of(reminder, time_zone=time_zone, available=available, message=message)
