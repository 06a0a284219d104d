"""The alert e-mail's words and its retry schedule (pure rules)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import aiosmtplib
import pytest

from wellness.notifications import rules
from wellness.notifications.rules import Audience, compose, local_moment

# A Saturday evening in Berlin (20:14 UTC is 21:14 CET).
SATURDAY_EVENING = datetime(2026, 11, 28, 20, 14, tzinfo=UTC)
LINK = "https://wellness.clinic.example.org/therapist"


def test_one_alert_says_when_in_the_readers_time_and_where_to_sign_in() -> None:
    text = compose(
        Audience.CARE_TEAM,
        [SATURDAY_EVENING],
        patients=1,
        now=SATURDAY_EVENING + timedelta(seconds=3),
        time_zone="Europe/Berlin",
        link=LINK,
    )

    assert text.subject == "Wellness: a patient on your caseload needs attention"
    assert text.body.startswith(
        "A patient on your caseload reported high distress at 21:14 (your time).\n\n"
        f"Sign in to see who and respond: {LINK}\n\n"
    )
    assert "names no one and holds none of their answers" in text.body


def test_several_alerts_say_how_many_and_the_latest_time() -> None:
    moments = [SATURDAY_EVENING - timedelta(hours=2), SATURDAY_EVENING]
    text = compose(
        Audience.CARE_TEAM,
        moments,
        patients=1,
        now=SATURDAY_EVENING,
        time_zone="Europe/Berlin",
        link=LINK,
    )
    several = compose(
        Audience.CARE_TEAM,
        [*moments, SATURDAY_EVENING],
        patients=2,
        now=SATURDAY_EVENING,
        time_zone="Europe/Berlin",
        link=LINK,
    )

    assert "A patient on your caseload reported high distress 2 times, most recently at 21:14" in (
        text.body
    )
    assert several.subject == "Wellness: patients on your caseload need attention"
    assert several.body.startswith("2 patients on your caseload reported high distress 3 times")


def test_the_admins_message_explains_why_it_reached_them() -> None:
    text = compose(
        Audience.ADMINS,
        [SATURDAY_EVENING],
        patients=1,
        now=SATURDAY_EVENING,
        time_zone="UTC",
        link="https://wellness.clinic.example.org/admin",
    )

    assert text.subject == "Wellness: a patient without a therapist needs attention"
    assert "A patient who has no active therapist in the app reported high distress at 20:14" in (
        text.body
    )
    assert "give them a therapist: https://wellness.clinic.example.org/admin" in text.body


@pytest.mark.parametrize(
    ("zone", "delay", "expected"),
    [
        ("Europe/Berlin", timedelta(minutes=5), "at 21:14"),
        ("America/Los_Angeles", timedelta(minutes=5), "at 12:14"),
        ("Asia/Tokyo", timedelta(minutes=5), "at 05:14"),  # already Sunday there
        # Sent after midnight (a retry): the day is named.
        ("Europe/Berlin", timedelta(hours=3), "yesterday at 21:14"),
        ("Europe/Berlin", timedelta(days=3), "on Saturday 28 November at 21:14"),
    ],
)
def test_the_moment_is_told_in_the_readers_zone(zone: str, delay: timedelta, expected: str) -> None:
    assert local_moment(SATURDAY_EVENING, now=SATURDAY_EVENING + delay, time_zone=zone) == expected


@pytest.mark.parametrize("hour", range(24))
def test_every_hour_of_a_dst_change_day_reads_as_the_local_clock(hour: int) -> None:
    """29 March 2026: Berlin moves from UTC+1 to UTC+2 at 01:00 UTC."""
    moment = datetime(2026, 3, 29, hour, 5, tzinfo=UTC)
    local_hour = (hour + (1 if hour < 1 else 2)) % 24

    assert local_moment(moment, now=moment, time_zone="Europe/Berlin") == f"at {local_hour:02d}:05"


def test_an_email_needs_an_alert() -> None:
    with pytest.raises(ValueError, match="at least one alert"):
        compose(Audience.CARE_TEAM, [], patients=1, now=SATURDAY_EVENING, time_zone="UTC", link="")


def test_retries_back_off_and_then_stop() -> None:
    delays = [rules.retry_delay(failures) for failures in range(1, rules.MAX_ATTEMPTS + 1)]

    assert delays[:-1] == [timedelta(minutes=minutes) for minutes in rules.RETRY_MINUTES]
    assert delays[-1] is None
    waits = [delay for delay in delays if delay is not None]
    assert all(later > earlier for earlier, later in itertools.pairwise(waits))
    assert sum(rules.RETRY_MINUTES) <= 3 * 60  # given up within hours, not days
    with pytest.raises(ValueError, match="from 1"):
        rules.retry_delay(0)


def test_a_failure_is_kept_by_its_class_only() -> None:
    problem = aiosmtplib.SMTPRecipientsRefused(
        [aiosmtplib.SMTPRecipientRefused(550, "no such user", "bob@clinic.example.org")]
    )

    assert rules.error_name(problem) == "SMTPRecipientsRefused"
