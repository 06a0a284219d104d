"""Practice around a session on its page (a rating before, a rating after), and hiding streaks.

`patient` practises; `other_patient` is the outsider whose requests must change nothing.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import PERSONAS, TEST_NOW, Client, count, text_of
from tests.web.test_practice_api import make_session, started_ago
from wellness.accounts.models import User
from wellness.care.models import Alert
from wellness.catalog.kinds import Status
from wellness.checkins.models import Checkin
from wellness.lib.clock import FixedClock
from wellness.practice.models import PracticeLog

START = "/practice/start"


def newest_practice(client: Client) -> PracticeLog:
    async def load() -> PracticeLog:
        found = await PracticeLog.all().order_by("-id").first()
        assert found is not None
        return found

    return client.run(load)


def after_form(practice_id: int) -> str:
    return f'action="/practice/{practice_id}/after"'


def after_card(page: str) -> str:
    """The opening tag of the "After your practice" card."""
    start = page.index('<section class="after-rating"')
    return page[start : page.index(">", start) + 1]


def played(client: Client, practice_id: int, seconds: int) -> None:
    """The player reports `seconds` played through the API (the playback began long enough
    ago for the server to vouch for them)."""
    started_ago(client, practice_id, seconds)
    response = client.post(
        f"/api/v1/practice/{practice_id}/progress", json={"listened_seconds": seconds}
    )
    assert response.status_code == 200, response.text


def left_alone(client: Client, practice_id: int, minutes: float) -> None:
    """Nothing was heard from the player for `minutes`."""

    async def move() -> None:
        await PracticeLog.filter(id=practice_id).update(
            updated_at=TEST_NOW - timedelta(minutes=minutes)
        )

    client.run(move)


def what_helped(page: str) -> tuple[str, str]:
    """The "What has helped you" charts of the progress page: by session, by kind."""
    section = page[page.index('id="helped-heading"') :]
    by_kind = section.index('id="change-by-kind"')
    return section[:by_kind], section[by_kind:]


@pytest.fixture
def session_id(client: Client, personas: dict[str, User]) -> int:
    """A published ten-minute breathing session with its media."""
    return make_session(client)


def start(client: Client, session: int, before: str | None = None) -> int:
    """The patient presses "Save and start" on the session page; answers the practice id."""
    form = {"session_id": str(session)}
    if before is not None:
        form["anxiety_before"] = before
    response = client.submit(START, form)
    assert response.status_code == 303, response.text
    return int(newest_practice(client).id)


# --- before the session -----------------------------------------------------------------------


def test_a_patient_sees_the_before_rating_form_on_the_session_page(
    as_patient: Client, session_id: int
) -> None:
    page = as_patient.get(f"/sessions/{session_id}")

    assert page.status_code == 200
    assert f'action="{START}"' in page.text
    assert f'name="session_id" value="{session_id}"' in page.text
    assert "Before you start: how anxious do you feel right now?" in page.text
    # The after card waits, hidden, for the player to reveal it; it has nowhere to post yet.
    assert "data-after-rating hidden" in page.text
    assert "/after" not in page.text


@pytest.mark.parametrize("persona", ["therapist", "coordinator", "admin"])
def test_staff_see_no_rating_forms_on_the_session_page(
    client: Client, personas: dict[str, User], session_id: int, persona: str
) -> None:
    client.login_as(PERSONAS[persona])

    page = client.get(f"/sessions/{session_id}")

    assert page.status_code == 200
    assert START not in page.text
    assert "anxiety_before" not in page.text
    assert 'id="after-heading"' not in page.text


def test_starting_with_a_rating_records_the_practice_and_the_rating(
    as_patient: Client, personas: dict[str, User], session_id: int
) -> None:
    response = as_patient.submit(START, {"session_id": str(session_id), "anxiety_before": "5"})

    assert response.status_code == 303
    practice = newest_practice(as_patient)
    assert response.headers["location"].startswith(f"/sessions/{session_id}?practice={practice.id}")
    assert practice.patient_id == personas["patient"].id
    assert practice.session_id == session_id
    assert practice.evidence == "observed_playback"
    assert (practice.listened_seconds, practice.completed) == (0, False)
    assert count(as_patient, Checkin, practice_id=practice.id, context="before_session") == 1
    assert count(as_patient, Checkin, practice_id=practice.id, level=5) == 1
    assert count(as_patient, Alert) == 0


def test_a_started_practice_not_yet_played_keeps_its_after_rating_for_the_player_to_reveal(
    as_patient: Client, session_id: int
) -> None:
    practice_id = start(as_patient, session_id, before="5")

    page = as_patient.get(f"/sessions/{session_id}", params={"practice": practice_id})

    assert page.status_code == 200
    assert f'data-practice-id="{practice_id}"' in page.text
    assert f'action="{START}"' not in page.text
    # Hidden until playback starts; without JavaScript noscript.css shows it (the form is there).
    assert after_card(page.text).endswith("data-after-rating data-after-pending hidden>")
    assert after_form(practice_id) in page.text
    assert "How anxious do you feel now?" in page.text
    assert '<noscript><link rel="stylesheet" href="/static/noscript.css"></noscript>' in page.text


def test_the_page_of_a_practice_that_has_played_offers_the_after_rating(
    as_patient: Client, session_id: int
) -> None:
    practice_id = start(as_patient, session_id, before="5")
    played(as_patient, practice_id, 30)

    page = as_patient.get(f"/sessions/{session_id}", params={"practice": practice_id})

    assert page.status_code == 200
    assert after_card(page.text).endswith("data-after-rating>")
    assert after_form(practice_id) in page.text


def test_starting_without_a_rating_records_only_the_practice(
    as_patient: Client, session_id: int
) -> None:
    practice_id = start(as_patient, session_id)

    assert count(as_patient, PracticeLog, id=practice_id) == 1
    assert count(as_patient, Checkin) == 0


def test_a_high_rating_before_the_session_shows_support(
    as_patient: Client, session_id: int
) -> None:
    response = as_patient.submit(START, {"session_id": str(session_id), "anxiety_before": "9"})

    assert response.status_code == 303
    assert response.headers["location"] == "/support"
    practice = newest_practice(as_patient)
    assert count(as_patient, Alert, reason="high_distress", value=9) == 1
    panel = as_patient.get("/support")
    assert "Thank you for telling us" in panel.text
    # "Continue where you were" leads back to the session, where the practice goes on.
    assert f'href="/sessions/{session_id}?practice={practice.id}' in panel.text


@pytest.mark.parametrize("rating", ["11", "-1", "five", "4.5"])
def test_a_bad_before_rating_is_refused_and_nothing_is_written(
    as_patient: Client, session_id: int, rating: str
) -> None:
    response = as_patient.submit(START, {"session_id": str(session_id), "anxiety_before": rating})

    assert response.status_code == 303
    assert response.headers["location"] == f"/sessions/{session_id}"
    assert count(as_patient, PracticeLog) == 0
    assert count(as_patient, Checkin) == 0
    assert "Choose a number from 0 to 10." in as_patient.get(f"/sessions/{session_id}").text


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ARCHIVED])
def test_a_session_patients_cannot_see_cannot_be_started(
    as_patient: Client, status: Status
) -> None:
    hidden = make_session(as_patient, status=status)

    response = as_patient.submit(START, {"session_id": str(hidden), "anxiety_before": "4"})

    assert response.status_code == 422
    assert "No session you can see has that id." in text_of(response)
    assert "Six breaths a minute" not in response.text
    assert count(as_patient, PracticeLog) == 0
    assert count(as_patient, Checkin) == 0


@pytest.mark.parametrize("persona", ["therapist", "coordinator", "admin"])
def test_staff_cannot_start_a_practice(
    client: Client, personas: dict[str, User], session_id: int, persona: str
) -> None:
    client.login_as(PERSONAS[persona])

    response = client.submit(START, {"session_id": str(session_id), "anxiety_before": "4"})

    assert response.status_code == 403
    assert count(client, PracticeLog) == 0


# --- after the session ------------------------------------------------------------------------


def test_an_after_rating_is_saved_and_leads_to_progress(
    as_patient: Client, session_id: int
) -> None:
    practice_id = start(as_patient, session_id, before="6")

    response = as_patient.submit(f"/practice/{practice_id}/after", {"anxiety_after": "3"})

    assert response.status_code == 303
    assert response.headers["location"] == "/progress"
    assert count(as_patient, Checkin, practice_id=practice_id, context="after_session", level=3)
    assert count(as_patient, Alert) == 0
    assert "Your rating is saved." in as_patient.get("/progress").text
    page = as_patient.get(f"/sessions/{session_id}", params={"practice": practice_id})
    assert "Thank you, your rating is saved." in page.text
    assert after_form(practice_id) not in page.text


def test_feeling_markedly_worse_after_a_session_shows_support_and_alerts(
    as_patient: Client, personas: dict[str, User], session_id: int
) -> None:
    practice_id = start(as_patient, session_id, before="2")

    response = as_patient.submit(f"/practice/{practice_id}/after", {"anxiety_after": "5"})

    assert response.status_code == 303
    assert response.headers["location"] == "/support"
    assert count(as_patient, Checkin, practice_id=practice_id, context="after_session") == 1
    alerts = as_patient.run(lambda: Alert.filter(patient_id=personas["patient"].id))
    assert [(alert.reason, alert.value) for alert in alerts] == [("worse_after_session", 5)]
    assert "Thank you for telling us" in as_patient.get("/support").text
    as_patient.login_as(PERSONAS["therapist"])
    assert "Markedly worse after a session" in as_patient.get("/therapist").text


def test_a_little_worse_after_a_session_raises_no_alert(
    as_patient: Client, session_id: int
) -> None:
    practice_id = start(as_patient, session_id, before="2")

    response = as_patient.submit(f"/practice/{practice_id}/after", {"anxiety_after": "4"})

    assert response.headers["location"] == "/progress"
    assert count(as_patient, Alert) == 0


def test_a_second_after_rating_is_refused(as_patient: Client, session_id: int) -> None:
    practice_id = start(as_patient, session_id, before="6")
    as_patient.submit(f"/practice/{practice_id}/after", {"anxiety_after": "3"})

    again = as_patient.submit(f"/practice/{practice_id}/after", {"anxiety_after": "9"})

    assert again.status_code == 422
    assert count(as_patient, Checkin, practice_id=practice_id, context="after_session") == 1
    assert count(as_patient, Checkin, level=9) == 0
    assert count(as_patient, Alert) == 0
    assert "This session already has an after rating." in again.text


@pytest.mark.parametrize("rating", ["", "11", "calm"])
def test_a_missing_or_bad_after_rating_is_named_and_nothing_is_written(
    as_patient: Client, session_id: int, rating: str
) -> None:
    practice_id = start(as_patient, session_id, before="6")

    response = as_patient.submit(f"/practice/{practice_id}/after", {"anxiety_after": rating})

    assert response.status_code == 422
    assert count(as_patient, Checkin, context="after_session") == 0
    assert "Choose a number from 0" in response.text
    assert after_form(practice_id) in response.text
    assert 'id="anxiety_after-error"' in response.text


def test_another_patient_cannot_rate_someone_elses_practice(
    client: Client, personas: dict[str, User], session_id: int
) -> None:
    client.login_as(PERSONAS["patient"])
    practice_id = start(client, session_id, before="2")
    client.login_as(PERSONAS["other_patient"])

    response = client.submit(f"/practice/{practice_id}/after", {"anxiety_after": "9"})

    assert response.status_code == 404
    assert count(client, Checkin, context="after_session") == 0
    assert count(client, Checkin, patient_id=personas["other_patient"].id) == 0
    assert count(client, Alert) == 0


def test_another_patients_practice_in_the_address_shows_no_after_form(
    client: Client, personas: dict[str, User], session_id: int
) -> None:
    client.login_as(PERSONAS["patient"])
    practice_id = start(client, session_id, before="2")
    client.login_as(PERSONAS["other_patient"])

    page = client.get(f"/sessions/{session_id}", params={"practice": practice_id})

    assert page.status_code == 200
    assert after_form(practice_id) not in page.text
    assert f'data-practice-id="{practice_id}"' not in page.text
    assert f'action="{START}"' in page.text  # they can start their own practice instead


def test_a_practice_of_another_session_in_the_address_is_ignored(
    as_patient: Client, session_id: int
) -> None:
    practice_id = start(as_patient, session_id, before="5")
    elsewhere = make_session(as_patient)

    page = as_patient.get(f"/sessions/{elsewhere}", params={"practice": practice_id})

    assert page.status_code == 200
    assert after_form(practice_id) not in page.text
    assert f'action="{START}"' in page.text


@pytest.mark.parametrize("persona", ["therapist", "coordinator", "admin"])
def test_staff_cannot_rate_a_practice(
    client: Client, personas: dict[str, User], session_id: int, persona: str
) -> None:
    client.login_as(PERSONAS["patient"])
    practice_id = start(client, session_id, before="2")
    client.login_as(PERSONAS[persona])

    response = client.submit(f"/practice/{practice_id}/after", {"anxiety_after": "9"})

    assert response.status_code == 403
    assert count(client, Checkin, context="after_session") == 0


def test_anonymous_visitors_cannot_start_or_rate_practice(
    client: Client, personas: dict[str, User], session_id: int
) -> None:
    client.login_as(PERSONAS["patient"])
    practice_id = start(client, session_id)
    client.login_as(None)

    started = client.submit(START, {"session_id": str(session_id)})
    rated = client.submit(f"/practice/{practice_id}/after", {"anxiety_after": "3"})

    for response in (started, rated):
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
    assert count(client, PracticeLog) == 1
    assert count(client, Checkin) == 0


# --- an open practice resumes ------------------------------------------------------------------


def test_an_open_practice_resumes_on_the_session_page_with_its_after_rating(
    as_patient: Client, session_id: int
) -> None:
    practice_id = start(as_patient, session_id, before="6")
    played(as_patient, practice_id, 130)

    page = as_patient.get(f"/sessions/{session_id}")  # a reload: no practice in the address

    assert page.status_code == 200
    assert newest_practice(as_patient).listened_seconds == 130
    assert f'data-practice-id="{practice_id}"' in page.text
    assert 'data-resume-at="130"' in page.text
    assert 'value="130" aria-label="Position"' in page.text
    assert after_card(page.text).endswith("data-after-rating>")
    assert after_form(practice_id) in page.text
    assert f'action="{START}"' not in page.text  # no second practice from a "before" form


def test_an_open_practice_played_to_the_end_starts_again_from_the_beginning(
    as_patient: Client, session_id: int
) -> None:
    practice_id = start(as_patient, session_id, before="6")
    played(as_patient, practice_id, 595)

    page = as_patient.get(f"/sessions/{session_id}")

    assert page.status_code == 200
    assert f'data-practice-id="{practice_id}"' in page.text
    assert "data-resume-at" not in page.text
    assert after_form(practice_id) in page.text


def test_a_practice_left_alone_for_over_an_hour_is_no_longer_resumed(
    as_patient: Client, session_id: int
) -> None:
    practice_id = start(as_patient, session_id, before="6")
    played(as_patient, practice_id, 130)
    left_alone(as_patient, practice_id, 61)

    page = as_patient.get(f"/sessions/{session_id}")

    assert page.status_code == 200
    assert count(as_patient, PracticeLog, id=practice_id, listened_seconds=130) == 1
    assert f'data-practice-id="{practice_id}"' not in page.text
    assert "data-resume-at" not in page.text
    assert f'action="{START}"' in page.text
    assert after_card(page.text).endswith(" hidden>")


def test_a_practice_rated_after_is_closed_and_the_before_form_is_back(
    as_patient: Client, session_id: int
) -> None:
    practice_id = start(as_patient, session_id, before="6")
    played(as_patient, practice_id, 130)
    as_patient.submit(f"/practice/{practice_id}/after", {"anxiety_after": "3"})

    page = as_patient.get(f"/sessions/{session_id}")

    assert page.status_code == 200
    assert count(as_patient, Checkin, practice_id=practice_id, context="after_session") == 1
    assert f'data-practice-id="{practice_id}"' not in page.text
    assert f'action="{START}"' in page.text
    assert after_form(practice_id) not in page.text


def test_an_open_practice_of_another_session_is_not_resumed_here(
    as_patient: Client, session_id: int
) -> None:
    practice_id = start(as_patient, session_id, before="6")
    played(as_patient, practice_id, 130)
    elsewhere = make_session(as_patient)

    page = as_patient.get(f"/sessions/{elsewhere}")

    assert page.status_code == 200
    assert f'data-practice-id="{practice_id}"' not in page.text
    assert "data-resume-at" not in page.text
    assert f'action="{START}"' in page.text


def test_another_patients_open_practice_is_not_resumed_on_their_page(
    client: Client, personas: dict[str, User], session_id: int
) -> None:
    client.login_as(PERSONAS["patient"])
    practice_id = start(client, session_id, before="6")
    played(client, practice_id, 130)
    client.login_as(PERSONAS["other_patient"])

    page = client.get(f"/sessions/{session_id}")

    assert page.status_code == 200
    assert count(client, PracticeLog, id=practice_id, listened_seconds=130) == 1
    assert count(client, Checkin, context="after_session") == 0
    assert f'data-practice-id="{practice_id}"' not in page.text
    assert "data-resume-at" not in page.text
    assert after_form(practice_id) not in page.text
    assert f'action="{START}"' in page.text


@pytest.mark.parametrize("persona", ["therapist", "coordinator", "admin"])
def test_staff_are_shown_no_patients_open_practice(
    client: Client, personas: dict[str, User], session_id: int, persona: str
) -> None:
    client.login_as(PERSONAS["patient"])
    practice_id = start(client, session_id, before="6")
    played(client, practice_id, 130)
    client.login_as(PERSONAS[persona])

    page = client.get(f"/sessions/{session_id}")

    assert page.status_code == 200
    assert "data-practice-id" not in page.text
    assert "data-resume-at" not in page.text
    assert 'id="after-heading"' not in page.text


# --- what has helped: completed practice only ---------------------------------------------------


def rate_after(client: Client, practice_id: int, level: str) -> None:
    response = client.submit(f"/practice/{practice_id}/after", {"anxiety_after": level})
    assert response.status_code == 303, response.text


def test_a_session_never_played_says_nothing_about_what_helped(
    as_patient: Client, session_id: int
) -> None:
    practice_id = start(as_patient, session_id, before="4")
    rate_after(as_patient, practice_id, "1")

    page = as_patient.get("/progress")

    assert page.status_code == 200
    assert count(as_patient, Checkin, practice_id=practice_id) == 2  # both ratings are kept
    by_session, by_kind = what_helped(page.text)
    assert "Nothing to compare yet" in by_session
    assert "Nothing to compare yet" in by_kind
    assert "4 before, 1 after" in page.text  # still on the anxiety timeline
    assert "Sessions count once you have played at least 80&nbsp;% of them." in page.text


def test_half_a_minute_of_a_six_minute_session_says_nothing_about_what_helped(
    as_patient: Client,
) -> None:
    six_minutes = make_session(as_patient, seconds=360)
    practice_id = start(as_patient, six_minutes, before="4")
    played(as_patient, practice_id, 30)
    rate_after(as_patient, practice_id, "1")

    page = as_patient.get("/progress")

    assert page.status_code == 200
    assert count(as_patient, PracticeLog, id=practice_id, listened_seconds=30) == 1
    by_session, by_kind = what_helped(page.text)
    assert "Nothing to compare yet" in by_session
    assert "Nothing to compare yet" in by_kind


def test_a_completed_session_counts_in_what_helped(as_patient: Client, session_id: int) -> None:
    practice_id = start(as_patient, session_id, before="4")
    played(as_patient, practice_id, 480)  # 80 % of ten minutes
    never_played = start(as_patient, session_id, before="9")
    rate_after(as_patient, never_played, "0")
    rate_after(as_patient, practice_id, "1")

    page = as_patient.get("/progress")

    assert page.status_code == 200
    by_session, by_kind = what_helped(page.text)
    assert "Six breaths a minute" in by_session
    assert "Breathing" in by_kind
    # Only the completed practice: 4 to 1 is -3 (with the unplayed 9 to 0 it would be -6).
    assert "anxiety 3 points lower" in by_session
    assert "6 points" not in by_session


def test_practice_logged_as_done_elsewhere_counts_in_what_helped(as_patient: Client) -> None:
    response = as_patient.post(
        "/api/v1/practice",
        json={
            "kind": "yoga",
            "started_at": (TEST_NOW - timedelta(hours=2)).isoformat(),
            "listened_seconds": 1800,
            "completed": True,
            "anxiety_before": 6,
            "anxiety_after": 4,
        },
    )
    assert response.status_code == 201, response.text

    page = as_patient.get("/progress")

    assert page.status_code == 200
    _, by_kind = what_helped(page.text)
    assert "Yoga" in by_kind
    assert "anxiety 2 points lower" in by_kind


# --- hiding streaks ---------------------------------------------------------------------------


def log_yoga(client: Client) -> None:
    an_hour_ago = (TEST_NOW - timedelta(hours=1)).astimezone(ZoneInfo("Europe/Berlin"))
    response = client.submit(
        "/practice/log",
        {"kind": "yoga", "minutes": "20", "started_at": an_hour_ago.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 303


def hides_streaks(client: Client, email: str) -> bool:
    return client.user(email).hide_streaks


def test_a_patient_hides_their_streaks_from_their_pages(as_patient: Client) -> None:
    log_yoga(as_patient)
    assert "Current streak" in as_patient.get("/patient").text

    response = as_patient.submit("/account/streaks", {"hide": "true"})

    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    assert hides_streaks(as_patient, PERSONAS["patient"].email) is True
    account = as_patient.get("/account")
    assert "Streaks are hidden." in account.text
    assert "Show streaks" in account.text
    home = as_patient.get("/patient")
    assert "Current streak" not in home.text
    assert "Streaks are hidden, as you asked." in home.text
    progress = as_patient.get("/progress")
    assert progress.status_code == 200
    assert "Current streak" not in progress.text
    assert "Longest streak" not in progress.text


def test_hidden_streaks_are_still_kept_and_answered_by_the_api(as_patient: Client) -> None:
    log_yoga(as_patient)
    as_patient.submit("/account/streaks", {"hide": "true"})

    response = as_patient.get("/api/v1/me/streak")

    assert response.status_code == 200
    figures = response.json()
    assert figures["hidden_on_pages"] is True
    assert (figures["current"], figures["total_days"], figures["total_minutes"]) == (1, 1, 20)


def test_a_patient_shows_their_streaks_again(as_patient: Client) -> None:
    log_yoga(as_patient)
    as_patient.submit("/account/streaks", {"hide": "true"})

    response = as_patient.submit("/account/streaks", {"hide": "false"})

    assert response.status_code == 303
    assert hides_streaks(as_patient, PERSONAS["patient"].email) is False
    assert "Streaks are shown again." in as_patient.get("/account").text
    assert "Current streak" in as_patient.get("/patient").text
    assert "Current streak" in as_patient.get("/progress").text
    assert as_patient.get("/api/v1/me/streak").json()["hidden_on_pages"] is False


@pytest.mark.parametrize("choice", ["", "yes", "TRUE"])
def test_an_unclear_streak_choice_is_refused(as_patient: Client, choice: str) -> None:
    response = as_patient.submit("/account/streaks", {"hide": choice})

    assert response.status_code == 422
    assert hides_streaks(as_patient, PERSONAS["patient"].email) is False
    assert "Choose to show or hide streaks." in text_of(response)


@pytest.mark.parametrize("persona", ["therapist", "coordinator", "admin"])
def test_only_patients_may_hide_streaks(
    client: Client, personas: dict[str, User], persona: str
) -> None:
    client.login_as(PERSONAS[persona])

    response = client.submit("/account/streaks", {"hide": "true"})

    assert response.status_code == 403
    assert hides_streaks(client, PERSONAS[persona].email) is False
    assert "/account/streaks" not in client.get("/account").text


def test_hiding_streaks_needs_the_csrf_token(as_patient: Client) -> None:
    response = as_patient.post("/account/streaks", data={"hide": "true"}, follow_redirects=False)

    assert response.status_code == 403
    assert hides_streaks(as_patient, PERSONAS["patient"].email) is False


def test_hiding_streaks_is_only_for_the_patients_own_pages(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["other_patient"])
    client.submit("/account/streaks", {"hide": "true"})
    client.login_as(PERSONAS["patient"])
    log_yoga(client)

    assert hides_streaks(client, PERSONAS["patient"].email) is False
    assert "Current streak" in client.get("/patient").text


@pytest.mark.parametrize(
    ("minutes", "hint", "adopted"),
    [
        (3, "Optional. Leave it empty and your check-in of 7/10 (3 min ago) counts as this", 1),
        (16, "Optional. Rate again afterwards to see what helps you.", 0),
    ],
    ids=["minutes-ago", "too-long-ago"],
)
def test_a_recent_check_in_is_named_beside_the_before_scale_and_counts_for_it(
    as_patient: Client, session_id: int, clock: FixedClock, minutes: int, hint: str, adopted: int
) -> None:
    assert as_patient.post("/api/v1/checkins", json={"level": 7}).status_code == 201
    clock.advance(timedelta(minutes=minutes))

    page = as_patient.get(f"/sessions/{session_id}")
    practice_id = start(as_patient, session_id)

    assert hint in page.text
    assert count(as_patient, Checkin, practice_id=practice_id, context="quick") == adopted


def test_the_home_page_says_a_check_in_counted_before_a_session(
    as_patient: Client, session_id: int
) -> None:
    assert as_patient.post("/api/v1/checkins", json={"level": 6}).status_code == 201
    start(as_patient, session_id)

    page = as_patient.get("/patient")

    assert "counted before a session" in page.text


def test_a_check_in_after_a_finished_session_counts_as_its_after_rating_and_says_so(
    as_patient: Client, session_id: int, clock: FixedClock
) -> None:
    practice_id = start(as_patient, session_id, before="7")
    played(as_patient, practice_id, 600)
    # It began at TEST_NOW, so its ten minutes end at +10: four minutes after that.
    clock.advance(timedelta(minutes=14))
    assert after_form(practice_id) in as_patient.get(f"/sessions/{session_id}").text

    response = as_patient.submit("/checkins", {"level": "4"})
    assert response.status_code == 303, response.text
    home = as_patient.get(response.headers["location"])

    assert "It counts as your rating after the session you just finished." in text_of(home)
    assert "counted after a session" in home.text
    assert count(as_patient, Checkin, practice_id=practice_id, context="after_session") == 1
    # The session page no longer asks for an after rating the patient has given.
    assert after_form(practice_id) not in as_patient.get(f"/sessions/{session_id}").text


def test_a_check_in_after_an_unfinished_session_is_just_a_check_in(
    as_patient: Client, session_id: int, clock: FixedClock
) -> None:
    practice_id = start(as_patient, session_id, before="7")
    played(as_patient, practice_id, 60)
    clock.advance(timedelta(minutes=4))

    response = as_patient.submit("/checkins", {"level": "4"})
    home = as_patient.get(response.headers["location"])

    assert "It counts as your rating after" not in text_of(home)
    assert "counted after a session" not in home.text
    assert count(as_patient, Checkin, practice_id=practice_id, context="after_session") == 0


@pytest.mark.parametrize("level", ["11", ""])
def test_a_refused_after_rating_of_a_logged_practice_names_the_field(
    as_patient: Client, level: str
) -> None:
    """A practice logged as done elsewhere has no session page to go back to."""
    when = (TEST_NOW - timedelta(hours=1)).astimezone(ZoneInfo("Europe/Berlin"))
    logged = {"kind": "yoga", "minutes": "20", "started_at": when.strftime("%Y-%m-%dT%H:%M")}
    assert as_patient.submit("/practice/log", logged).status_code == 303
    practice_id = newest_practice(as_patient).id
    before = count(as_patient, Checkin)

    refused = as_patient.submit(f"/practice/{practice_id}/after", {"anxiety_after": level})

    assert refused.status_code == 422
    assert "Choose a number from 0" in refused.text
    assert count(as_patient, Checkin) == before
