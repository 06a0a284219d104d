"""The therapist's assignment pages and the patient's "Today's plan" on their home page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.caseload_fixtures import assignment_state, practised, published
from tests.conftest import PERSONAS, TEST_NOW, Client, Persona
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.care import restrictions
from wellness.catalog.models import PracticeSession

KIND_FORM = {
    "target": "kind",
    "kind": "breathing",
    "min_minutes": "5",
    "max_minutes": "10",
    "frequency": "daily",
    "part_of_day": "evening",
    "note": "Breathe out slowly.",
}


@pytest.fixture
def sessions(client: Client, personas: dict[str, User]) -> dict[str, PracticeSession]:
    async def make() -> dict[str, PracticeSession]:
        return {
            "calm": await published("Calm exhale", minutes=7, now=TEST_NOW),
            "holds": await published(
                "Box breathing", minutes=6, contraindications=["breath_hold"], now=TEST_NOW
            ),
        }

    return client.run(make)


def new_path(patient: User) -> str:
    return f"/care/patients/{patient.id}/assignments/new"


def list_path(patient: User) -> str:
    return f"/care/patients/{patient.id}/assignments"


@pytest.fixture
def assigned(client: Client, personas: dict[str, User], sessions: dict[str, Any]) -> int:
    client.login_as(PERSONAS["therapist"])
    response = client.submit(list_path(personas["patient"]), KIND_FORM)
    assert response.status_code == 303, response.text
    return int(assignment_state(client)[0][0][0])


def test_the_form_is_accessible_and_marks_sessions_to_skip(
    client: Client, personas: dict[str, User], sessions: dict[str, Any]
) -> None:
    client.run(
        lambda: restrictions.set_contraindications(
            personas["patient"], ["breath_hold"], by=personas["therapist"], now=TEST_NOW
        )
    )
    client.login_as(PERSONAS["therapist"])

    page = client.get(new_path(personas["patient"]))

    assert page.status_code == 200
    assert 'name="_csrf_token"' in page.text
    for name in ("session_id", "kind", "min_minutes", "max_minutes", "times_a_week", "note"):
        assert f'<label for="{name}">' in page.text
    assert "Box breathing · 6 min · skip for this patient" in page.text
    assert f'href="/care/patients/{personas["patient"].id}"' in page.text


def test_a_therapist_assigns_from_the_form_and_sees_it_listed(
    client: Client, personas: dict[str, User], assigned: int
) -> None:
    [version] = assignment_state(client)[1]
    assert version[1:] == ("Breathe out slowly.", "daily")
    listing = client.get(list_path(personas["patient"]))
    assert listing.status_code == 200
    assert "Any breathing session, 5 to 10 minutes" in listing.text
    assert "Daily · Evening" in listing.text
    assert f'action="/care/assignments/{assigned}/pause"' in listing.text
    actions = [
        e.action for e in client.run(lambda: AuditEvent.filter(patient_id=personas["patient"].id))
    ]
    assert "assignment_created" in actions
    assert "assignments_viewed" in actions


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"target": ""}, "target", "Choose a specific session"),
        ({"min_minutes": "five"}, "min_minutes", "Enter a whole number from 1 to 360"),
        ({"max_minutes": "2"}, "max_minutes", "The longest cannot be shorter"),
        ({"frequency": "times_a_week", "times_a_week": "9"}, "times_a_week", "from 1 to 7"),
        ({"frequency": "weekdays"}, "weekdays", "Choose at least one day"),
        ({"start": "tomorrow"}, "start", "Enter a date like"),
        # Only the ISO form the date picker sends, in ASCII digits (lib/days.iso_day).
        ({"start": "20261201"}, "start", "Enter a date like"),
        ({"end": "\uff12\uff10\uff12\uff16-12-01"}, "end", "Enter a date like"),  # fullwidth
        ({"start": "2026-11-01"}, "start", "The start date cannot be in the past."),
    ],
)
def test_a_bad_form_comes_back_with_the_error_next_to_the_field(
    client: Client,
    personas: dict[str, User],
    sessions: dict[str, Any],
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    client.login_as(PERSONAS["therapist"])

    response = client.submit(list_path(personas["patient"]), {**KIND_FORM, **changes})

    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert message in response.text
    assert 'value="Breathe out slowly."' in response.text or "Breathe out slowly." in response.text
    assert assignment_state(client) == ([], [], [])


def test_every_mistake_the_service_finds_comes_back_in_one_answer(
    client: Client, personas: dict[str, User], sessions: dict[str, Any]
) -> None:
    client.login_as(PERSONAS["therapist"])
    mistakes = {"max_minutes": "2", "start": "2026-11-01", "end": "2026-10-01"}

    response = client.submit(list_path(personas["patient"]), {**KIND_FORM, **mistakes})

    assert response.status_code == 422
    for field, message in (
        ("max_minutes", "The longest cannot be shorter"),
        ("start", "The start date cannot be in the past."),
        ("end", "The end date cannot be before the start date."),
    ):
        assert f'id="{field}-error"' in response.text, field
        assert message in response.text
    assert assignment_state(client) == ([], [], [])


@pytest.mark.parametrize(
    ("start", "said"),
    [
        ({}, "Assigned to Alice Patient from today."),
        ({"start": "2026-11-24"}, "Assigned to Alice Patient from today."),
        ({"start": "2026-12-20"}, "Assigned to Alice Patient from 20 Dec 2026."),
    ],
)
def test_the_confirmation_says_from_when_the_practice_counts(
    client: Client,
    personas: dict[str, User],
    sessions: dict[str, Any],
    start: dict[str, str],
    said: str,
) -> None:
    client.login_as(PERSONAS["therapist"])

    response = client.submit(list_path(personas["patient"]), {**KIND_FORM, **start})

    assert response.status_code == 303
    assert said in client.get(response.headers["location"]).text


def test_a_contraindicated_session_is_refused_with_the_reason(
    client: Client, personas: dict[str, User], sessions: dict[str, Any]
) -> None:
    client.run(
        lambda: restrictions.set_contraindications(
            personas["patient"], ["breath_hold"], by=personas["therapist"], now=TEST_NOW
        )
    )
    client.login_as(PERSONAS["therapist"])
    form = {"target": "session", "session_id": str(sessions["holds"].id), "frequency": "daily"}

    response = client.submit(list_path(personas["patient"]), form)

    assert response.status_code == 422
    assert 'id="session_id-error"' in response.text
    assert "contraindicated for this patient (breath hold)" in response.text
    assert assignment_state(client) == ([], [], [])


def test_change_pause_resume_and_end_from_the_pages(
    client: Client, personas: dict[str, User], assigned: int
) -> None:
    edit = client.get(f"/care/assignments/{assigned}/edit")
    assert edit.status_code == 200
    assert "Breathe out slowly." in edit.text
    changed = client.submit(
        f"/care/assignments/{assigned}/edit",
        {**KIND_FORM, "frequency": "weekdays", "weekdays": ["1", "4"], "note": "Mon and Thu"},
    )
    assert changed.status_code == 303
    for action in ("pause", "resume", "pause", "end"):
        assert client.submit(f"/care/assignments/{assigned}/{action}").status_code == 303
    assert client.submit(f"/care/assignments/{assigned}/pause").status_code == 303
    refused = client.get(list_path(personas["patient"]))

    assert "has ended" in refused.text
    assignments, versions, pauses = assignment_state(client)
    assert [v[1:] for v in versions] == [
        ("Breathe out slowly.", "daily"),
        ("Mon and Thu", "weekdays"),
    ]
    assert len(pauses) == 2
    assert assignments[0][1] is not None
    listing = client.get(list_path(personas["patient"]))
    assert "Ended" in listing.text
    assert f'/care/assignments/{assigned}/edit"' not in listing.text


# --- outsiders --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("other_therapist", 404),
        ("former", 404),
        ("coordinator", 403),
        ("patient", 403),
        ("other_patient", 403),
        (None, 303),
    ],
)
def test_outsiders_are_refused_every_assignment_page_and_nothing_changes(
    client: Client,
    personas: dict[str, User],
    former: Persona,
    assigned: int,
    key: str | None,
    status: int,
) -> None:
    before = assignment_state(client)
    persona = former if key == "former" else (PERSONAS[key] if key else None)
    client.login_as(persona)
    patient = personas["patient"]

    responses = [
        client.get(list_path(patient), follow_redirects=False),
        client.get(new_path(patient), follow_redirects=False),
        client.get(f"/care/assignments/{assigned}/edit", follow_redirects=False),
        client.submit(list_path(patient), KIND_FORM),
        client.submit(f"/care/assignments/{assigned}/edit", {**KIND_FORM, "note": "mine"}),
        *(client.submit(f"/care/assignments/{assigned}/{a}") for a in ("pause", "resume", "end")),
    ]

    assert [r.status_code for r in responses] == [status] * len(responses)
    assert all("Breathe out slowly." not in r.text for r in responses)
    assert assignment_state(client) == before


# --- the patient's home page ------------------------------------------------------------------


def test_todays_plan_is_above_the_check_in_with_the_note_and_one_tap_to_start(
    client: Client, personas: dict[str, User], assigned: int, sessions: dict[str, Any]
) -> None:
    client.login_as(PERSONAS["patient"])

    home = client.get("/patient")

    assert home.status_code == 200
    assert home.text.index("Today's plan") < home.text.index("How are you feeling right now?")
    assert "Breathe out slowly." in home.text
    assert f'href="/sessions/{sessions["calm"].id}"' in home.text  # the allowed match
    assert "Start “Calm exhale”" in home.text  # nearest the middle of 5 to 10 minutes
    assert "Done today" not in home.text


def test_a_done_item_shows_a_tick_and_no_start_button(
    client: Client, personas: dict[str, User], assigned: int, sessions: dict[str, Any]
) -> None:
    client.run(
        lambda: practised(
            personas["patient"].id, TEST_NOW - timedelta(hours=1), session=sessions["calm"]
        )
    )
    client.login_as(PERSONAS["patient"])

    home = client.get("/patient")

    assert "Done today. Well done." in home.text
    assert '<span class="visually-hidden">Done: </span><strong>Any breathing session' in home.text
    assert f'href="/sessions/{sessions["calm"].id}">Start' not in home.text


def test_hidden_streaks_hide_the_weekly_count_but_keep_the_plan(
    client: Client, personas: dict[str, User], sessions: dict[str, Any]
) -> None:
    client.login_as(PERSONAS["therapist"])
    weekly = {**KIND_FORM, "frequency": "times_a_week", "times_a_week": "3"}
    assert client.submit(list_path(personas["patient"]), weekly).status_code == 303
    client.login_as(PERSONAS["patient"])
    assert "0 of 3 this week" in client.get("/patient").text

    async def hide() -> None:
        await User.filter(id=personas["patient"].id).update(hide_streaks=True)

    client.run(hide)
    home = client.get("/patient")

    assert "Today's plan" in home.text
    assert "of 3 this week" not in home.text


def test_nothing_assigned_shows_no_plan_at_all(client: Client, personas: dict[str, User]) -> None:
    client.login_as(PERSONAS["patient"])
    home = client.get("/patient")
    assert home.status_code == 200
    assert "Today's plan" not in home.text


# --- the patient's "My practices" -------------------------------------------------------------


def test_my_practices_lists_the_patients_own_with_encouraging_figures(
    client: Client, personas: dict[str, User], assigned: int, sessions: dict[str, Any]
) -> None:
    client.run(
        lambda: practised(
            personas["patient"].id, TEST_NOW - timedelta(hours=1), session=sessions["calm"]
        )
    )
    client.login_as(PERSONAS["patient"])

    page = client.get("/practice/assigned")

    assert page.status_code == 200
    assert "Any breathing session, 5 to 10 minutes" in page.text
    assert "Breathe out slowly." in page.text
    assert "You have done it 1 time, 1 this week. Well done." in page.text
    assert "Nothing assigned right now" not in page.text
    # A kind rather than a session: it lists the published sessions that count for it.
    assert "Any of these counts:" in page.text
    for session in sessions.values():
        assert f'<a href="/sessions/{session.id}">{session.title}</a>' in page.text

    async def hide() -> None:
        await User.filter(id=personas["patient"].id).update(hide_streaks=True)

    client.run(hide)
    hidden = client.get("/practice/assigned")
    assert "Breathe out slowly." in hidden.text
    assert "You have done it" not in hidden.text


@pytest.mark.parametrize(
    ("key", "status"), [("therapist", 403), ("coordinator", 403), ("admin", 403), (None, 303)]
)
def test_my_practices_is_for_patients_only(
    client: Client, personas: dict[str, User], assigned: int, key: str | None, status: int
) -> None:
    client.login_as(PERSONAS[key] if key else None)
    page = client.get("/practice/assigned", follow_redirects=False)
    assert page.status_code == status
    assert "Breathe out slowly." not in page.text


def test_my_practices_says_when_something_is_still_to_come(
    client: Client, personas: dict[str, User], sessions: dict[str, Any]
) -> None:
    client.login_as(PERSONAS["therapist"])
    assert client.submit(list_path(personas["patient"]), KIND_FORM).status_code == 303
    client.login_as(PERSONAS["patient"])
    assert '<h2 id="current-heading">Now</h2>' in client.get("/practice/assigned").text

    client.login_as(PERSONAS["therapist"])
    later = {**KIND_FORM, "kind": "yoga", "start": "2026-12-20"}
    assert client.submit(list_path(personas["patient"]), later).status_code == 303
    client.login_as(PERSONAS["patient"])
    page = client.get("/practice/assigned").text
    assert '<h2 id="current-heading">Now and coming up</h2>' in page
    assert "Starts 20 Dec 2026" in page


def test_another_patient_sees_only_an_empty_list(
    client: Client, personas: dict[str, User], assigned: int
) -> None:
    client.login_as(PERSONAS["other_patient"])
    page = client.get("/practice/assigned")
    assert page.status_code == 200
    assert "Nothing assigned right now" in page.text
    assert "Breathe out slowly." not in page.text


def test_the_form_shows_every_choices_fields_without_script_each_marked_for_its_choice(
    client: Client, personas: dict[str, User], sessions: dict[str, Any]
) -> None:
    client.login_as(PERSONAS["therapist"])

    page = client.get(new_path(personas["patient"]))

    assert page.status_code == 200
    # Nothing is hidden by the server: shown_when.js hides the fields of choices not made.
    assert " hidden" not in page.text.split("<form", 1)[1].split("</form>", 1)[0]
    assert '<script src="/static/js/shown_when.js" defer></script>' in page.text
    for condition, field in [
        ("target=session", 'id="session_id"'),
        ("target=kind", 'id="kind"'),
        ("target=kind", 'id="min_minutes"'),
        ("frequency=times_a_week", 'id="times_a_week"'),
        ("frequency=weekdays", 'id="weekdays"'),
    ]:
        marked = page.text.split(f'data-shown-when="{condition}"', 1)
        assert len(marked) == 2, condition
        assert field in marked[1].split("</fieldset>", 1)[0].split("data-shown-when", 1)[0]
    assert "(for a number of times a week)" in page.text  # said, for a page without script


def test_fields_of_the_choices_not_made_are_ignored(
    client: Client, personas: dict[str, User], sessions: dict[str, Any]
) -> None:
    client.login_as(PERSONAS["therapist"])
    leftovers = {"kind": "no-such-kind", "min_minutes": "x", "times_a_week": "99"}
    form = {
        **leftovers,
        "target": "session",
        "session_id": str(sessions["calm"].id),
        "frequency": "daily",
        "weekdays": ["9"],
    }

    response = client.submit(list_path(personas["patient"]), form)

    assert response.status_code == 303, response.text
    assignments, versions, _ = assignment_state(client)
    assert len(assignments) == 1
    assert [version[2] for version in versions] == ["daily"]
    listing = client.get(list_path(personas["patient"]))
    assert "Calm exhale" in listing.text


def test_a_refused_form_keeps_every_choice_and_what_was_typed(
    client: Client, personas: dict[str, User], sessions: dict[str, Any]
) -> None:
    client.login_as(PERSONAS["therapist"])
    form = {**KIND_FORM, "frequency": "times_a_week", "times_a_week": "", "min_minutes": "6"}

    response = client.submit(list_path(personas["patient"]), form)

    assert response.status_code == 422
    assert assignment_state(client) == ([], [], [])
    assert '<a href="#times_a_week">Times a week: Enter a whole number from 1 to 7.</a>' in (
        response.text
    )
    assert 'aria-describedby="times_a_week-hint times_a_week-error" aria-invalid="true"' in (
        response.text
    )
    assert 'id="target-kind" name="target" value="kind" checked' in response.text
    assert 'id="frequency-times_a_week" name="frequency" value="times_a_week" checked' in (
        response.text
    )
    assert '<option value="breathing" selected>' in response.text
    assert 'id="min_minutes" name="min_minutes" type="number"' in response.text
    assert 'value="6"' in response.text
    assert ">Breathe out slowly.</textarea>" in response.text
