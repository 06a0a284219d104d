"""The patient's own pages: check in, GAD-7, support, practice around a session, progress."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import BASE_URL, PERSONAS, TEST_NOW, Client, count, persona_password_hash
from tests.web.test_practice_api import make_session
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.app import create_app
from wellness.care.models import Alert
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import PracticeSession
from wellness.checkins.models import Checkin, Gad7Response
from wellness.checkins.scoring import GAD7_ITEMS
from wellness.practice.models import PracticeLog
from wellness.settings import Settings


def test_the_home_page_offers_a_checkin(as_patient: Client) -> None:
    page = as_patient.get("/patient")

    assert page.status_code == 200
    assert 'action="/checkins"' in page.text
    assert "0 · calm" in page.text
    assert "No check-ins yet" in page.text


def test_it_saves_a_checkin_from_the_form(as_patient: Client, personas: dict[str, User]) -> None:
    response = as_patient.submit(
        "/checkins", {"level": "3", "tags": ["craving", "stress"], "note": "long day"}
    )

    assert response.status_code == 303
    # Home, scrolled to the suggestions chosen again for this rating.
    assert response.headers["location"] == "/patient#suggestions"
    assert count(as_patient, Checkin, patient_id=personas["patient"].id, level=3) == 1
    page = as_patient.get("/patient")
    assert "You rated 3 out of 10" in page.text
    assert "long day" in page.text
    recent = page.text.split('id="recent-heading"', 1)[1].split("</section>", 1)[0]
    assert '<li class="tag">Craving</li><li class="tag">Stress</li>' in recent
    assert 'id="suggestions"' in page.text
    assert "For your rating of 3/10 (just now)." in page.text


def test_before_any_rating_the_suggestions_say_a_check_in_shapes_them(
    as_patient: Client,
) -> None:
    page = as_patient.get("/patient")

    assert "Check in above and these will follow how you feel." in page.text
    assert "For your rating of" not in page.text


def test_a_missing_rating_is_named_and_nothing_is_saved(as_patient: Client) -> None:
    response = as_patient.submit("/checkins", {"note": "kept"})

    assert response.status_code == 422
    assert "Choose a number from 0" in response.text
    assert "kept" in response.text
    assert count(as_patient, Checkin) == 0


def test_a_high_rating_shows_the_support_panel(as_patient: Client) -> None:
    response = as_patient.submit("/checkins", {"level": "9"})

    assert response.status_code == 303
    assert response.headers["location"] == "/support"
    panel = as_patient.get("/support")
    assert "Thank you for telling us" in panel.text
    assert "<script" not in panel.text.split("<main", 1)[1]
    assert count(as_patient, Alert, reason="high_distress") == 1


def test_gad7_form_scores_and_shows_band(as_patient: Client) -> None:
    answers = {f"q{index}": "1" for index in range(7)}
    response = as_patient.submit("/gad7", answers)

    assert response.status_code == 303
    assert count(as_patient, Gad7Response, total=7) == 1
    assert "7 of 21 (mild anxiety)" in as_patient.get("/progress").text


def test_gad7_form_names_unanswered_questions(as_patient: Client) -> None:
    response = as_patient.submit("/gad7", {"q0": "1"})

    assert response.status_code == 422
    assert "Choose an answer for question 2" in response.text
    assert count(as_patient, Gad7Response) == 0


def test_progress_page_shows_empty_states_for_a_new_patient(as_patient: Client) -> None:
    page = as_patient.get("/progress")

    assert page.status_code == 200
    assert "Practice calendar" in page.text
    assert page.text.count("chart--empty") == 6


def test_logging_a_practice_done_elsewhere(as_patient: Client, personas: dict[str, User]) -> None:
    an_hour_ago = (TEST_NOW - timedelta(hours=1)).astimezone(ZoneInfo("Europe/Berlin"))
    response = as_patient.submit(
        "/practice/log",
        {"kind": "yoga", "minutes": "30", "started_at": an_hour_ago.strftime("%Y-%m-%dT%H:%M")},
    )

    assert response.status_code == 303
    logged = as_patient.run(lambda: PracticeLog.get(patient_id=personas["patient"].id))
    assert (logged.kind, logged.listened_seconds, logged.evidence) == ("yoga", 1800, "self_report")
    assert abs((logged.started_at - an_hour_ago).total_seconds()) < 60
    assert "1 day" in as_patient.get("/progress").text


@pytest.mark.parametrize(
    ("minutes", "said"), [("1", "Logged 1 minute of yoga."), ("30", "Logged 30 minutes of yoga.")]
)
def test_the_confirmation_counts_minutes_in_words(
    as_patient: Client, minutes: str, said: str
) -> None:
    an_hour_ago = (TEST_NOW - timedelta(hours=1)).astimezone(ZoneInfo("Europe/Berlin"))
    form = {
        "kind": "yoga",
        "minutes": minutes,
        "started_at": an_hour_ago.strftime("%Y-%m-%dT%H:%M"),
    }

    response = as_patient.submit("/practice/log", form)

    assert response.status_code == 303
    assert said in as_patient.get(response.headers["location"]).text


def an_hour_ago_typed() -> str:
    return (
        (TEST_NOW - timedelta(hours=1))
        .astimezone(ZoneInfo("Europe/Berlin"))
        .strftime("%Y-%m-%dT%H:%M")
    )


def ratings_of(client: Client, practice: PracticeLog) -> dict[str, int]:
    found = client.run(lambda: Checkin.filter(practice_id=practice.id).values("context", "level"))
    return {str(row["context"]): int(row["level"]) for row in found}


def test_a_logged_practice_keeps_the_anxiety_before_and_after_it(
    as_patient: Client, personas: dict[str, User]
) -> None:
    page = as_patient.get("/practice/log")
    response = as_patient.submit(
        "/practice/log",
        {
            "kind": "yoga",
            "minutes": "30",
            "started_at": an_hour_ago_typed(),
            "anxiety_before": "7",
            "anxiety_after": "4",
        },
    )

    assert 'name="anxiety_before"' in page.text
    assert "Right after it: how anxious were you? (optional)" in page.text
    assert response.status_code == 303
    assert response.headers["location"] == "/progress"
    logged = as_patient.run(lambda: PracticeLog.get(patient_id=personas["patient"].id))
    assert ratings_of(as_patient, logged) == {"before_session": 7, "after_session": 4}
    assert count(as_patient, Alert) == 0
    assert "Logged 30 minutes of yoga." in as_patient.get("/progress").text


def test_a_logged_practice_needs_no_ratings(as_patient: Client, personas: dict[str, User]) -> None:
    form = {"kind": "yoga", "minutes": "30", "started_at": an_hour_ago_typed()}

    response = as_patient.submit(
        "/practice/log", {**form, "anxiety_before": "", "anxiety_after": ""}
    )

    assert response.status_code == 303
    logged = as_patient.run(lambda: PracticeLog.get(patient_id=personas["patient"].id))
    assert ratings_of(as_patient, logged) == {}


def test_a_high_rating_after_a_logged_practice_leads_to_the_support_panel(
    as_patient: Client,
) -> None:
    form = {"kind": "breathing", "minutes": "10", "started_at": an_hour_ago_typed()}

    response = as_patient.submit("/practice/log", {**form, "anxiety_after": "9"})

    assert response.status_code == 303
    assert response.headers["location"] == "/support"
    assert count(as_patient, Alert, reason="high_distress") == 1
    assert count(as_patient, PracticeLog) == 1
    assert "Thank you for telling us" in as_patient.get("/support").text


@pytest.mark.parametrize("level", ["11", "-1", "seven", "7.5"])
@pytest.mark.parametrize("field", ["anxiety_before", "anxiety_after"])
def test_a_bad_rating_on_the_log_form_is_named_and_nothing_is_saved(
    as_patient: Client, field: str, level: str
) -> None:
    form = {"kind": "yoga", "minutes": "30", "started_at": an_hour_ago_typed(), field: level}

    response = as_patient.submit("/practice/log", form)

    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert "Choose a number from 0 to 10." in response.text
    assert 'value="30"' in response.text  # what was typed is kept
    assert count(as_patient, PracticeLog) == 0
    assert count(as_patient, Checkin) == 0


def control_value(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/Los_Angeles"])
def test_the_log_form_starts_at_now_in_the_patients_zone(
    as_patient: Client, personas: dict[str, User], zone: str
) -> None:
    patient_id = personas["patient"].id
    as_patient.run(lambda: User.filter(id=patient_id).update(time_zone=zone))
    before = TEST_NOW
    page = as_patient.get("/practice/log")
    after = TEST_NOW

    assert page.status_code == 200
    found = re.search(
        r'id="started_at" name="started_at" type="datetime-local" '
        r'value="([^"]+)" min="([^"]+)" max="([^"]+)"',
        page.text,
    )
    assert found is not None
    value, earliest, latest = found.groups()
    # The page was rendered between `before` and `after`: one of their minutes.
    assert value in {control_value(before, zone), control_value(after, zone)}
    assert latest == value
    back = timedelta(days=14) - timedelta(seconds=59)
    assert earliest in {control_value(before - back, zone), control_value(after - back, zone)}
    assert f"Your local time ({zone}), filled in with now" in page.text


def test_the_prefilled_log_form_is_accepted_as_it_is(
    as_patient: Client, personas: dict[str, User]
) -> None:
    page = as_patient.get("/practice/log")
    found = re.search(r'type="datetime-local" value="([^"]+)"', page.text)
    assert found is not None

    response = as_patient.submit(
        "/practice/log", {"kind": "yoga", "minutes": "20", "started_at": found.group(1)}
    )

    assert response.status_code == 303
    logged = as_patient.run(lambda: PracticeLog.get(patient_id=personas["patient"].id))
    assert abs((TEST_NOW - logged.started_at).total_seconds()) < 120


def test_a_practice_log_from_years_ago_is_refused(as_patient: Client) -> None:
    response = as_patient.submit(
        "/practice/log", {"kind": "yoga", "minutes": "30", "started_at": "2020-01-01T10:00"}
    )

    assert response.status_code == 422
    assert "back-dated by at most 14 days" in response.text
    assert count(as_patient, PracticeLog) == 0


def test_a_note_too_long_is_named_beside_the_note_and_kept(as_patient: Client) -> None:
    page = as_patient.get("/practice/log")
    found = re.search(r'type="datetime-local" value="([^"]+)"', page.text)
    assert found is not None
    note = "n" * 600

    response = as_patient.submit(
        "/practice/log",
        {"kind": "yoga", "minutes": "20", "started_at": found.group(1), "note": note},
    )

    assert response.status_code == 422
    assert 'id="note-error"' in response.text
    textarea = re.search(r'<textarea id="note"[^>]*>([^<]*)</textarea>', response.text)
    assert textarea is not None
    assert 'aria-invalid="true"' in textarea.group(0)
    assert 'aria-describedby="note-error"' in textarea.group(0)
    assert textarea.group(1) == note
    assert count(as_patient, PracticeLog) == 0


def test_staff_cannot_use_patient_pages(client: Client, personas: dict[str, User]) -> None:
    for persona in ("therapist", "coordinator", "admin"):
        client.login_as(PERSONAS[persona])
        assert client.get("/progress").status_code == 403
        assert client.submit("/checkins", {"level": "3"}).status_code == 403
        assert client.submit("/gad7", {f"q{i}": "1" for i in range(7)}).status_code == 403
    assert count(client, Checkin) == 0
    assert count(client, Gad7Response) == 0


# --- the support panel ------------------------------------------------------------------------


def test_the_support_panel_reached_directly_offers_contacts(as_patient: Client) -> None:
    panel = as_patient.get("/support")

    assert panel.status_code == 200
    assert "Support and contacts" in panel.text
    assert "Thank you for telling us" not in panel.text
    assert "not watching around the clock" in panel.text
    # No clinic numbers configured: general advice, never a made-up number.
    assert "call your local emergency number" in panel.text
    assert "Crisis line:" not in panel.text
    assert 'href="/patient">Continue where you were' in panel.text
    assert "<script" not in panel.text.split("<main", 1)[1]


def test_the_thank_you_shows_once_after_the_alert(as_patient: Client) -> None:
    as_patient.submit("/checkins", {"level": "9"})

    first = as_patient.get("/support")
    again = as_patient.get("/support")

    assert "Thank you for telling us" in first.text
    assert "Your care team will see your answer." in first.text
    assert "Support and contacts" in again.text
    assert count(as_patient, Alert) == 1


@pytest.fixture
def clinic_client(settings: Settings) -> Iterator[Client]:
    """The patient signed in to an app whose clinic has set its contact and crisis line."""
    care = dataclasses.replace(
        settings.care, crisis_line="0800 111 222", clinic_contact="Ward 3 desk, +49 30 1234 567"
    )
    with Client(create_app(settings.replace(care=care)), base_url=BASE_URL) as client:
        persona = PERSONAS["patient"]

        async def create() -> None:
            await accounts.create_user(
                email=persona.email,
                display_name=persona.display_name,
                role=persona.role,
                time_zone=persona.time_zone,
                password_hash=persona_password_hash(),
            )

        client.run(create)
        client.login_as(persona)
        yield client


def test_the_support_panel_shows_the_clinics_numbers(clinic_client: Client) -> None:
    response = clinic_client.submit("/checkins", {"level": "10"})
    assert response.headers["location"] == "/support"

    panel = clinic_client.get("/support")

    assert panel.status_code == 200
    assert "Thank you for telling us" in panel.text
    assert "0800 111 222" in panel.text
    assert "Ward 3 desk, +49 30 1234 567" in panel.text
    assert "call your local emergency number" not in panel.text
    assert "0800 111 222" in clinic_client.get("/support").text


def published_session(client: Client, title: str, **fields: Any) -> int:
    """A published session (media included), with `fields` set on it."""
    session_id = make_session(client, seconds=float(fields.pop("seconds", 300)))

    async def change() -> None:
        await PracticeSession.filter(id=session_id).update(title=title, **fields)

    client.run(change)
    return session_id


def test_the_support_panel_offers_only_short_guided_calming_sessions(
    client: Client, personas: dict[str, User]
) -> None:
    calm = published_session(client, "Five calm minutes", kind=Kind.BREATHING)
    ground = published_session(client, "Feet on the floor", kind=Kind.GROUNDING, seconds=420)
    unsuitable = [
        published_session(client, "Twenty breathing minutes", kind=Kind.BREATHING, seconds=1200),
        published_session(client, "Silent grounding", kind=Kind.GROUNDING, guidance="silent"),
        published_session(
            client, "Box breathing", kind=Kind.BREATHING, contraindications=["breath_hold"]
        ),
        published_session(client, "Gentle yoga", kind=Kind.YOGA),
        published_session(client, "Draft breathing", kind=Kind.BREATHING, status=Status.DRAFT),
    ]
    client.login_as(PERSONAS["patient"])

    panel = client.get("/support")

    assert panel.status_code == 200
    assert f'href="/sessions/{calm}"' in panel.text
    assert f'href="/sessions/{ground}"' in panel.text
    assert "Five calm minutes" in panel.text
    for session_id in unsuitable:
        assert f'href="/sessions/{session_id}"' not in panel.text
    for title in ("Twenty breathing", "Silent grounding", "Box breathing", "Gentle yoga", "Draft"):
        assert title not in panel.text
    assert "<script" not in panel.text.split("<main", 1)[1]


def test_without_a_calming_session_the_panel_guides_slow_breathing(
    client: Client, personas: dict[str, User]
) -> None:
    published_session(client, "Twenty breathing minutes", kind=Kind.BREATHING, seconds=1200)
    client.login_as(PERSONAS["patient"])

    panel = client.get("/support")

    assert "breathe in gently for 4, out for 6" in panel.text
    assert "Twenty breathing minutes" not in panel.text


def test_anonymous_visitors_are_sent_to_sign_in_from_the_support_panel(
    client: Client, personas: dict[str, User]
) -> None:
    response = client.get("/support", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fsupport"


# --- GAD-7 when due ---------------------------------------------------------------------------

GAD7_DUE = "A short questionnaire is due"


def gad7_answered(client: Client, patient: User, days_ago: float) -> None:
    moment = TEST_NOW - timedelta(days=days_ago)

    async def create() -> None:
        await Gad7Response.create(
            patient_id=patient.id,
            answers=[1] * 7,
            total=7,
            band="mild",
            occurred_at=moment,
            recorded_at=moment,
        )

    client.run(create)


def test_the_gad7_is_offered_on_the_home_page_until_answered(as_patient: Client) -> None:
    assert GAD7_DUE in as_patient.get("/patient").text
    assert 'href="/gad7"' in as_patient.get("/patient").text

    response = as_patient.submit("/gad7", {f"q{index}": "0" for index in range(7)})

    assert response.status_code == 303
    assert count(as_patient, Gad7Response, total=0) == 1
    assert GAD7_DUE not in as_patient.get("/patient").text


@pytest.mark.parametrize(("days_ago", "due"), [(13.9, False), (14.1, True), (40, True)])
def test_the_gad7_is_due_again_after_two_weeks(
    as_patient: Client, personas: dict[str, User], days_ago: float, due: bool
) -> None:
    gad7_answered(as_patient, personas["patient"], days_ago)

    page = as_patient.get("/patient")

    assert page.status_code == 200
    assert (GAD7_DUE in page.text) is due


def test_the_gad7_page_lists_the_seven_questions(as_patient: Client) -> None:
    page = as_patient.get("/gad7")

    assert page.status_code == 200
    for index in range(7):
        assert f'name="q{index}"' in page.text
    for item in GAD7_ITEMS:
        assert item in page.text


def test_severe_gad7_answers_show_support_and_alert_the_care_team(
    as_patient: Client, personas: dict[str, User]
) -> None:
    response = as_patient.submit("/gad7", {f"q{index}": "3" for index in range(7)})

    assert response.status_code == 303
    assert response.headers["location"] == "/support"
    assert count(as_patient, Gad7Response, total=21) == 1
    alerts = as_patient.run(lambda: Alert.filter(patient_id=personas["patient"].id))
    assert [(alert.reason, alert.value) for alert in alerts] == [("severe_gad7", 21)]
    panel = as_patient.get("/support")
    assert "Thank you for telling us" in panel.text
    assert 'href="/progress">Continue where you were' in panel.text
    as_patient.login_as(PERSONAS["therapist"])
    assert "GAD-7 in the severe range" in as_patient.get("/therapist").text


def test_a_gad7_just_below_severe_raises_no_alert(as_patient: Client) -> None:
    answers = {f"q{index}": "2" for index in range(7)}  # 14: moderate

    response = as_patient.submit("/gad7", answers)

    assert response.headers["location"] == "/progress"
    assert count(as_patient, Gad7Response, total=14) == 1
    assert count(as_patient, Alert) == 0
    assert "14 of 21 (moderate anxiety)" in as_patient.get("/progress").text
