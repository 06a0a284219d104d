"""What an alert e-mail says, and when a failed one is tried again. Pure: stdlib only.

E-mail is not a secure channel, so the message carries no health data: no name, no initials, no
rating, no note, not even which scale raised the alert. It says that someone needs attention,
when (in the reader's own time), and where to sign in to see who.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class EmailStatus(StrEnum):
    PENDING = "pending"  # to be sent, now or at `next_attempt_at`
    SENT = "sent"
    FAILED = "failed"  # every attempt failed (MAX_ATTEMPTS)
    CANCELLED = "cancelled"  # not sent: the recipient no longer takes alert e-mails


# Statuses a row never leaves: nothing more will be done with it.
FINISHED = frozenset({EmailStatus.SENT, EmailStatus.FAILED, EmailStatus.CANCELLED})
# How long a finished row is kept (the admin overview reads the last 7 days of failures).
KEEP_FINISHED = timedelta(days=90)


class Audience(StrEnum):
    CARE_TEAM = "care_team"  # a therapist on the patient's care team
    ADMINS = "admins"  # an administrator: no active therapist sees the patient's alerts


# Minutes to wait after the 1st, 2nd, ... failure; after the last, the e-mail has failed (about
# two hours after the alert: later than that, the dashboard has long been the better channel).
RETRY_MINUTES = (1, 2, 5, 10, 20, 30, 60)
MAX_ATTEMPTS = len(RETRY_MINUTES) + 1
# How long a worker holds the rows it claimed: longer than any one delivery (at most
# SMTP_TIMEOUT_SECONDS for each of the eight or so exchanges with the server), so only a worker
# that died lets its claim lapse.
CLAIM = timedelta(minutes=5)
SMTP_TIMEOUT_SECONDS = 20


def retry_delay(failures: int) -> timedelta | None:
    """How long to wait after `failures` failed attempts; None: give up."""
    if failures < 1:
        raise ValueError(f"failures counts from 1, got {failures}")
    if failures > len(RETRY_MINUTES):
        return None
    return timedelta(minutes=RETRY_MINUTES[failures - 1])


@dataclass(frozen=True, slots=True)
class MessageText:
    subject: str
    body: str


def compose(
    audience: Audience,
    raised_at: Sequence[datetime],
    *,
    patients: int,
    now: datetime,
    time_zone: str,
    link: str,
) -> MessageText:
    """One e-mail for every alert waiting for one reader: `raised_at` are the alerts' moments,
    `patients` how many people raised them, `time_zone` the reader's."""
    if not raised_at or patients < 1:
        raise ValueError("an alert e-mail needs at least one alert")
    when = local_moment(max(raised_at), now=now, time_zone=time_zone)
    times = len(raised_at)
    if audience is Audience.ADMINS:
        return _to_admins(patients, times, when, link)
    who = "A patient on your caseload" if patients == 1 else f"{patients} patients on your caseload"
    subject = (
        "Wellness: a patient on your caseload needs attention"
        if patients == 1
        else "Wellness: patients on your caseload need attention"
    )
    opening = f"{who} reported high distress {_how_often(times, when)} (your time)."
    body = "\n\n".join(
        [
            opening,
            f"Sign in to see who and respond: {link}",
            _PRIVACY,
            "You get these e-mails because alert e-mails are on in your account. You can turn "
            "them off on your account page; alerts still show on your dashboard.",
        ]
    )
    return MessageText(subject, body + "\n")


def _to_admins(patients: int, times: int, when: str, link: str) -> MessageText:
    who = (
        "A patient who has no active therapist in the app"
        if patients == 1
        else f"{patients} patients who have no active therapist in the app"
    )
    body = "\n\n".join(
        [
            f"{who} reported high distress {_how_often(times, when)} (your time).",
            "No therapist receives these alerts, so they come to the clinic's administrators.",
            f"Sign in to see who and give them a therapist: {link}",
            _PRIVACY,
        ]
    )
    return MessageText("Wellness: a patient without a therapist needs attention", body + "\n")


_PRIVACY = "For privacy, this e-mail names no one and holds none of their answers."


def _how_often(times: int, when: str) -> str:
    return when if times == 1 else f"{times} times, most recently {when}"


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)


def local_moment(moment: datetime, *, now: datetime, time_zone: str) -> str:
    """ "at 21:14", "yesterday at 21:14" or "on Saturday 28 November at 21:14", in `time_zone`
    (24-hour clock; the words do not depend on the machine's locale)."""
    zone = ZoneInfo(time_zone)
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    clock = f"at {local:%H:%M}"
    if local.date() == today:
        return clock
    if local.date() == today - timedelta(days=1):
        return f"yesterday {clock}"
    return f"on {_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {clock}"


def error_name(problem: BaseException) -> str:
    """What the outbox keeps of a failure: its class, never its message (which may quote an
    address or the server's words about one)."""
    return type(problem).__name__[:64]
