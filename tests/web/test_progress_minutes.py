"""The progress page states its minutes once: "Minutes in all", the calendar's caption, the
minutes per week and the streak API all come from one rounding rule (`lib.durations.
whole_minutes`: half a minute or more rounds up), applied to each practice day and summed."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from tests.conftest import PERSONAS, Client
from wellness.accounts.models import User

# 0 + 1 + 1 + 2 minutes a day apart; 229 s (3.8 minutes) on one day. Either way: 4 minutes.
SECONDS = (20, 30, 89, 90)


def log_practice(client: Client, seconds: int, *, days_ago: int, hour: int) -> None:
    started = client.now() - timedelta(days=days_ago, hours=hour)
    answer = client.post(
        "/api/v1/practice",
        json={
            "kind": "breathing",
            "started_at": started.isoformat(),
            "listened_seconds": seconds,
            "completed": True,
        },
    )
    assert answer.status_code == 201, answer.text


def minutes_in_all(page: str) -> int:
    found = re.search(r"<dt>Minutes in all</dt><dd>(\d+)</dd>", page)
    assert found, "no 'Minutes in all' on the page"
    return int(found.group(1))


@pytest.mark.parametrize("same_day", [False, True], ids=["a-day-apart", "on-one-day"])
def test_minutes_in_all_and_the_calendar_say_the_same_rounded_total(
    as_patient: Client, personas: dict[str, User], same_day: bool
) -> None:
    for index, seconds in enumerate(SECONDS):
        if same_day:
            log_practice(as_patient, seconds, days_ago=1, hour=index + 1)
        else:
            log_practice(as_patient, seconds, days_ago=index + 1, hour=1)

    page = as_patient.get("/progress")
    streak = as_patient.get("/api/v1/me/streak")

    assert (page.status_code, streak.status_code) == (200, 200)
    assert streak.json()["total_minutes"] == 4
    assert minutes_in_all(page.text) == 4
    assert re.search(
        r"Practice calendar for the 26 weeks from [^:]+: practised on \d+ days?, "
        r"4 minutes in all\.",
        page.text,
    )
    weekly = re.search(
        r"Minutes of practice per week over 12 weeks \(weeks starting [^:]+\): (\d+) in all",
        page.text,
    )
    assert weekly
    assert weekly.group(1) == "4"


def test_half_a_minute_shows_as_a_minute_on_the_calendar(as_patient: Client) -> None:
    log_practice(as_patient, 30, days_ago=1, hour=1)

    page = as_patient.get("/progress")

    assert page.status_code == 200
    assert minutes_in_all(page.text) == 1
    assert "1 minute in all." in page.text
    assert "practised, 1 minute" in page.text  # the day's square


def test_practice_that_rounds_to_no_minute_is_called_under_a_minute_not_none(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["patient"])
    for days_ago in (1, 2, 3):  # 20 s a day: practice days, each rounding to 0 minutes
        log_practice(client, 20, days_ago=days_ago, hour=1)

    page = html.unescape(client.get("/progress").text)

    assert re.search(r"<dt>Minutes in all</dt><dd>under 1</dd>", page)
    assert re.search(r"practised on 3 days, under a minute in all\.", page)
    assert "Your practice so far comes to under a minute" in page
    assert "No practice minutes yet" not in page
    assert re.search(r"(?<!\d)0 minutes", page) is None
    client.login_as(PERSONAS["therapist"])
    record = html.unescape(client.get(f"/care/patients/{personas['patient'].id}").text)
    assert "Practice in the last 12 weeks comes to under a minute." in record
    assert "No practice minutes in the last" not in record


def test_a_new_patient_still_reads_that_there_is_no_practice_yet(as_patient: Client) -> None:
    page = html.unescape(as_patient.get("/progress").text)

    assert "No practice minutes yet. Each week's minutes will show here once you practise." in page
    assert "under a minute" not in page


def test_a_replayed_practice_counts_once_in_every_total(as_patient: Client) -> None:
    # The same practice sent twice (an offline queue that replayed it without its key): two
    # rows equal in every field. The streak takes them once; the calendar and weeks must too.
    for _ in range(2):
        log_practice(as_patient, 600, days_ago=1, hour=1)

    page = as_patient.get("/progress")
    streak = as_patient.get("/api/v1/me/streak")

    assert streak.json()["total_minutes"] == 10
    assert minutes_in_all(page.text) == 10
    assert "10 minutes in all." in page.text
    assert "practised, 10 minutes" in page.text
    weekly = re.search(r"Minutes of practice per week over [^:]+: (\d+) in all", page.text)
    assert weekly
    assert weekly.group(1) == "10"


def test_the_next_milestone_says_what_it_is_a_milestone_of(as_patient: Client) -> None:
    log_practice(as_patient, 300, days_ago=0, hour=1)

    page = as_patient.get("/progress").text

    assert re.search(r'<p class="hint">\d+ more days? to a \d+-day streak\.</p>', page)
