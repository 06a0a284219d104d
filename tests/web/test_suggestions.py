"""Suggestions through HTTP: the JSON API, the patient's home cards, the session page, the
practice that follows a suggestion, and who may see what."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import PERSONAS, TEST_NOW, Client, count
from tests.suggestion_app_cases import (
    CATALOG,
    NEVER_OFFERED,
    SUPPORT_SAFE,
    store_catalog,
    store_checkin,
)
from wellness.accounts.models import User
from wellness.checkins.models import Checkin
from wellness.lib.clock import FixedClock
from wellness.practice.models import PracticeLog
from wellness.suggestions.engine import ENGINE_VERSION
from wellness.suggestions.logs import LastSuggestions, last_suggestions_for
from wellness.suggestions.logs.models import SuggestionFollow, SuggestionLog
from wellness.suggestions.services.clinic import CLINIC_FITS

TITLES = {item.title for item in CATALOG}


@pytest.fixture
def catalog(client: Client, personas: dict[str, User]) -> dict[str, int]:
    return client.run(lambda: store_catalog(TEST_NOW))


def rate(client: Client, persona: str, level: int, ago: timedelta = timedelta(minutes=2)) -> None:
    user = client.user(PERSONAS[persona].email)
    client.run(lambda: store_checkin(user.id, level, client.now() - ago))


def logs_of(client: Client, persona: str) -> list[SuggestionLog]:
    user = client.user(PERSONAS[persona].email)

    async def load() -> list[SuggestionLog]:
        return list(await SuggestionLog.filter(patient_id=user.id).order_by("id"))

    return client.run(load)


def card_titles(page: str) -> list[str]:
    section = page.split('id="suggestions-heading"', 1)[1].split("</section>", 1)[0]
    return [
        html.unescape(title)
        for title in re.findall(
            r'<h3 class="suggestion__title"><a href="[^"]+">([^<]+)</a>', section
        )
    ]


# --- the API -----------------------------------------------------------------------------------


def test_it_answers_the_patients_suggestions_with_reasons_and_context(
    client: Client, catalog: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    rate(client, "patient", 4)

    response = client.get("/api/v1/suggestions")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"suggestion_id", "items", "context"}
    assert 3 <= len(body["items"]) <= 5
    for item in body["items"]:
        assert set(item) == {
            "session_id",
            "title",
            "kind",
            "minutes",
            "reasons",
            "probability",
            "assignment_id",
        }
        assert item["title"] in TITLES
        assert item["title"] not in NEVER_OFFERED
        assert catalog[item["title"]] == item["session_id"]
        assert isinstance(item["minutes"], int)
        assert item["minutes"] > 0
        assert 0 < item["probability"] <= 1
        assert item["reasons"]
        assert all(isinstance(reason, str) and reason for reason in item["reasons"])
    context = body["context"]
    assert context["anxiety"] == 4
    assert context["rated_at"] == (TEST_NOW - timedelta(minutes=2)).isoformat().replace(
        "+00:00", "Z"
    )
    assert context["tier"] == "everyday"
    assert context["engine_version"] == ENGINE_VERSION
    logs = logs_of(client, "patient")
    assert [log.id for log in logs] == [body["suggestion_id"]]
    assert [item["session_id"] for item in logs[0].items] == [
        item["session_id"] for item in body["items"]
    ]


def test_without_a_recent_rating_the_context_says_so(
    client: Client, catalog: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    rate(client, "patient", 3, ago=timedelta(hours=20))

    body = client.get("/api/v1/suggestions").json()

    assert body["context"]["anxiety"] is None
    assert body["context"]["rated_at"] is None
    assert body["context"]["tier"] == "gentle"
    assert body["items"]


def test_at_a_high_rating_the_api_offers_only_support_panel_sessions(
    client: Client, catalog: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    rate(client, "patient", 9)

    body = client.get("/api/v1/suggestions").json()

    assert body["context"]["tier"] == "support"
    assert {item["title"] for item in body["items"]} <= SUPPORT_SAFE
    assert body["items"]


@pytest.mark.parametrize(
    ("utc", "local_hour", "today"),
    [
        (datetime(2026, 11, 24, 1, 30, tzinfo=UTC), 2, "2026-11-23"),  # before the rollover
        (datetime(2026, 11, 24, 2, 30, tzinfo=UTC), 3, "2026-11-24"),
        (datetime(2026, 11, 24, 22, 59, tzinfo=UTC), 23, "2026-11-24"),
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), 1, "2026-03-28"),  # Berlin's DST night
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 3, "2026-03-29"),
    ],
)
def test_the_part_of_day_is_the_patients_local_hour(
    client: Client, clock: FixedClock, catalog: dict[str, int], utc: datetime, local_hour: int,
    today: str,
) -> None:  # fmt: skip
    clock.set(utc)
    client.login_as(PERSONAS["patient"])  # Europe/Berlin

    context = client.get("/api/v1/suggestions").json()["context"]

    assert (context["local_hour"], context["today"]) == (local_hour, today)


def test_a_patient_west_of_utc_gets_their_own_part_of_day(
    client: Client, clock: FixedClock, catalog: dict[str, int]
) -> None:
    clock.set(datetime(2026, 11, 24, 4, 0, tzinfo=UTC))
    client.login_as(PERSONAS["other_patient"])  # America/New_York

    context = client.get("/api/v1/suggestions").json()["context"]

    assert (context["local_hour"], context["today"]) == (23, "2026-11-23")


def test_each_patient_gets_a_list_from_their_own_ratings(
    client: Client, catalog: dict[str, int]
) -> None:
    rate(client, "patient", 9)
    client.login_as(PERSONAS["other_patient"])

    body = client.get("/api/v1/suggestions").json()

    assert body["context"]["anxiety"] is None
    assert logs_of(client, "patient") == []
    assert [log.id for log in logs_of(client, "other_patient")] == [body["suggestion_id"]]


@pytest.mark.parametrize("persona", ["therapist", "other_therapist", "coordinator", "admin"])
def test_staff_are_refused_suggestions(
    client: Client, catalog: dict[str, int], persona: str
) -> None:
    client.login_as(PERSONAS[persona])

    response = client.get("/api/v1/suggestions")

    assert response.status_code == 403
    assert count(client, SuggestionLog) == 0


def test_anonymous_visitors_are_refused_suggestions(
    client: Client, catalog: dict[str, int]
) -> None:
    client.login_as(None)

    response = client.get("/api/v1/suggestions")

    assert response.status_code == 401
    assert count(client, SuggestionLog) == 0


# --- the patient's home ------------------------------------------------------------------------


def test_the_home_page_shows_three_to_five_cards_with_reasons(
    client: Client, catalog: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    rate(client, "patient", 3)

    page = client.get("/patient")

    assert page.status_code == 200
    assert "Suggested for you now" in page.text
    cards = card_titles(page.text)
    assert 3 <= len(cards) <= 5
    assert set(cards) <= TITLES - NEVER_OFFERED
    (log,) = logs_of(client, "patient")
    for item in log.items:
        assert f'/sessions/{item["session_id"]}?suggestion={log.id}"' in page.text
        assert html.escape(item["reasons"][0], quote=False) in page.text
        for reason in item["reasons"][1:]:
            assert html.escape(reason, quote=False) in page.text
    assert "<details" in page.text
    assert "Why else" in page.text
    # The check-in comes first, then the suggestions.
    assert page.text.index('id="checkin-heading"') < page.text.index('id="suggestions-heading"')


def test_at_a_high_rating_the_home_cards_are_only_support_panel_sessions(
    client: Client, catalog: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    rate(client, "patient", 8)

    cards = card_titles(client.get("/patient").text)

    assert cards
    assert set(cards) <= SUPPORT_SAFE


def test_a_check_in_changes_the_cards_at_once(client: Client, catalog: dict[str, int]) -> None:
    client.login_as(PERSONAS["patient"])
    rate(client, "patient", 1)
    client.get("/patient")

    saved = client.submit("/checkins", {"level": "9"})
    after = client.get("/patient")

    assert saved.status_code == 303
    assert set(card_titles(after.text)) <= SUPPORT_SAFE
    first, second = logs_of(client, "patient")
    assert (first.context["tier"], second.context["tier"]) == ("everyday", "support")


def test_reloading_shows_the_same_cards_and_the_api_the_same_list(
    client: Client, catalog: dict[str, int], clock: FixedClock
) -> None:
    client.login_as(PERSONAS["patient"])
    rate(client, "patient", 4)

    first = client.get("/patient")
    clock.advance(timedelta(minutes=5))
    again = client.get("/patient")
    through_api = client.get("/api/v1/suggestions").json()

    (log,) = logs_of(client, "patient")
    assert card_titles(again.text) == card_titles(first.text)
    assert through_api["suggestion_id"] == log.id
    assert [item["session_id"] for item in through_api["items"]] == [
        item["session_id"] for item in log.items
    ]


def test_an_empty_catalog_says_nothing_is_suggested_yet(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["patient"])

    page = client.get("/patient")

    assert page.status_code == 200
    assert "Nothing to suggest right now." in page.text


# --- the session page and the practice that follows ----------------------------------------


def shown_list(client: Client) -> dict[str, Any]:
    response = client.get("/api/v1/suggestions")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def two_patients_lists(
    client: Client, catalog: dict[str, int]
) -> tuple[dict[str, Any], dict[str, Any], int]:
    """(other_patient's list, patient's list, a session the patient's list did not offer),
    signed in as `patient` afterwards."""
    client.login_as(PERSONAS["other_patient"])
    theirs = shown_list(client)
    client.login_as(PERSONAS["patient"])
    mine = shown_list(client)
    offered = {item["session_id"] for item in mine["items"]}
    not_offered = next(session_id for session_id in catalog.values() if session_id not in offered)
    return theirs, mine, not_offered


def test_the_session_page_carries_the_patients_own_suggestion(
    client: Client, catalog: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    shown = shown_list(client)
    session_id = shown["items"][0]["session_id"]

    page = client.get(f"/sessions/{session_id}?suggestion={shown['suggestion_id']}")

    assert page.status_code == 200
    assert f'name="suggestion_id" value="{shown["suggestion_id"]}"' in page.text
    assert f'data-suggestion="{shown["suggestion_id"]}"' in page.text


def test_the_session_page_drops_a_strangers_or_unrelated_suggestion(
    client: Client, catalog: dict[str, int]
) -> None:
    theirs, mine, unrelated = two_patients_lists(client, catalog)

    stranger = client.get(
        f"/sessions/{theirs['items'][0]['session_id']}?suggestion={theirs['suggestion_id']}"
    )
    elsewhere = client.get(f"/sessions/{unrelated}?suggestion={mine['suggestion_id']}")

    for page in (stranger, elsewhere):
        assert page.status_code == 200
        assert "suggestion_id" not in page.text
        assert "data-suggestion" not in page.text


def test_starting_from_a_suggestion_with_the_form_links_the_practice(
    client: Client, catalog: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    shown = shown_list(client)
    session_id = shown["items"][0]["session_id"]

    response = client.submit(
        "/practice/start",
        {"session_id": str(session_id), "suggestion_id": str(shown["suggestion_id"])},
    )

    assert response.status_code == 303
    (follow,) = client.run(lambda: SuggestionFollow.all())
    assert (follow.suggestion_id, follow.session_id) == (shown["suggestion_id"], session_id)
    practice = client.run(lambda: PracticeLog.get(id=follow.practice_id))
    assert practice.patient_id == client.user(PERSONAS["patient"].email).id


def logged_practice(session_id: int, suggestion_id: int, at: datetime) -> dict[str, Any]:
    """A practice that already happened (an offline player's queue), rated before and after."""
    return {
        "session_id": session_id,
        "suggestion_id": suggestion_id,
        "started_at": at.isoformat(),
        "listened_seconds": 300,
        "anxiety_before": 6,
        "anxiety_after": 3,
    }


@pytest.mark.parametrize("path", ["/api/v1/practice/playback", "/api/v1/practice"])
def test_a_practice_started_or_logged_afterwards_through_the_api_links_to_its_suggestion(
    client: Client, catalog: dict[str, int], path: str
) -> None:
    client.login_as(PERSONAS["patient"])
    shown = shown_list(client)
    session_id = shown["items"][1]["session_id"]
    body = logged_practice(session_id, shown["suggestion_id"], client.now())
    if path.endswith("/playback"):
        body = {"session_id": session_id, "suggestion_id": shown["suggestion_id"]}

    response = client.post(path, json=body, headers={"Idempotency-Key": "from-suggestion-1"})

    assert response.status_code == 201, response.text
    practice_id = response.json()["practice"]["id"]
    follow = client.run(lambda: SuggestionFollow.get(practice_id=practice_id))
    assert (follow.suggestion_id, follow.session_id) == (shown["suggestion_id"], session_id)


def unnamed_practice(session_id: int, at: datetime) -> dict[str, Any]:
    """A practice logged by a client that does not send `suggestion_id`."""
    return {
        key: value
        for key, value in logged_practice(session_id, 0, at).items()
        if key != "suggestion_id"
    }


def follows_of(client: Client) -> list[tuple[int, int, int, bool]]:
    async def load() -> list[tuple[int, int, int, bool]]:
        rows = await SuggestionFollow.all().order_by("id")
        return [(row.suggestion_id, row.practice_id, row.session_id, row.named) for row in rows]

    return client.run(load)


@pytest.mark.parametrize("path", ["/api/v1/practice/playback", "/api/v1/practice"])
def test_a_practice_naming_no_list_follows_the_latest_list_that_offered_it_just_before(
    client: Client, catalog: dict[str, int], clock: FixedClock, path: str
) -> None:
    client.login_as(PERSONAS["patient"])
    shown = shown_list(client)
    session_id = shown["items"][1]["session_id"]
    clock.advance(timedelta(minutes=20))
    body: dict[str, Any] = unnamed_practice(session_id, client.now() - timedelta(minutes=5))
    if path.endswith("/playback"):
        body = {"session_id": session_id}

    response = client.post(path, json=body)

    assert response.status_code == 201, response.text
    practice_id = response.json()["practice"]["id"]
    assert follows_of(client) == [(shown["suggestion_id"], practice_id, session_id, False)]


def shown_now(client: Client, persona: str, items: list[dict[str, Any]]) -> None:
    """Log a list of `items` as shown to `persona` now, as the app would."""
    patient = client.user(PERSONAS[persona].email)
    client.run(
        lambda: SuggestionLog.create(
            patient_id=patient.id,
            shown_at=client.now(),
            engine_version=ENGINE_VERSION,
            context={},
            items=items,
        )
    )


@pytest.mark.parametrize(
    "case",
    [
        "not offered",
        "an hour too late",
        "a newer list without it",
        "already followed",
        "offered to someone else",
    ],
)
def test_a_practice_naming_no_list_is_linked_to_none_but_the_latest_fitting_one(
    client: Client, catalog: dict[str, int], clock: FixedClock, case: str
) -> None:
    _, mine, not_offered = two_patients_lists(client, catalog)
    offered = mine["items"][0]["session_id"]
    session_id = not_offered if case in ("not offered", "offered to someone else") else offered
    if case == "offered to someone else":  # their newest list offers it; the patient's does not
        shown_now(client, "other_patient", [{**mine["items"][0], "session_id": not_offered}])
    if case == "an hour too late":
        clock.advance(timedelta(hours=1, minutes=1))
    if case == "a newer list without it":
        shown_now(client, "patient", [i for i in mine["items"] if i["session_id"] != offered])
    if case == "already followed":
        named = client.post(
            "/api/v1/practice", json=logged_practice(offered, mine["suggestion_id"], client.now())
        )
        assert named.status_code == 201, named.text
    before = follows_of(client)

    response = client.post("/api/v1/practice", json=unnamed_practice(session_id, client.now()))

    assert response.status_code == 201, response.text
    assert follows_of(client) == before


def test_a_logged_practice_is_refused_whole_when_its_suggestion_cannot_be_linked(
    client: Client, catalog: dict[str, int]
) -> None:
    theirs, mine, not_offered = two_patients_lists(client, catalog)
    now = client.now()

    attempts = [
        logged_practice(theirs["items"][0]["session_id"], theirs["suggestion_id"], now),
        logged_practice(not_offered, mine["suggestion_id"], now),
        logged_practice(mine["items"][0]["session_id"], 2**31 - 1, now),
        {**logged_practice(0, mine["suggestion_id"], now), "session_id": None, "kind": "yoga"},
    ]
    answers = [client.post("/api/v1/practice", json=attempt) for attempt in attempts]

    for answer in answers:
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["field"] == "suggestion_id"
    assert count(client, PracticeLog) == 0
    assert count(client, SuggestionFollow) == 0
    assert count(client, Checkin, practice_id__isnull=False) == 0


def test_a_burst_of_ratings_through_the_api_reaches_the_next_list_without_waiting(
    client: Client, catalog: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The clinic is counted at every request here instead of every 5 s, so the test need not
    # sleep; the 10-minute timer is not involved: the burst itself makes the refit due.
    monkeypatch.setattr(CLINIC_FITS, "check_after", 0.0)
    client.login_as(PERSONAS["patient"])
    rate(client, "patient", 4, ago=timedelta(minutes=30))
    before_the_burst = shown_list(client)
    client.login_as(PERSONAS["other_patient"])
    for hours_ago in range(6, 0, -1):
        started = client.now() - timedelta(hours=hours_ago)
        response = client.post(
            "/api/v1/practice",
            json={
                "session_id": catalog["Slow exhale"],
                "started_at": started.isoformat(),
                "listened_seconds": 300,
                "anxiety_before": 7,
                "anxiety_after": 3,
            },
        )
        assert response.status_code == 201, response.text

    client.login_as(PERSONAS["patient"])
    rate(client, "patient", 4)  # their own context moves on, so a new list is chosen
    after_the_burst = shown_list(client)

    fitted_on = {log.id: log.context["clinic_ratings"] for log in logs_of(client, "patient")}
    assert fitted_on[before_the_burst["suggestion_id"]] == 0
    assert fitted_on[after_the_burst["suggestion_id"]] == 6


def test_a_patient_cannot_link_a_practice_to_another_patients_suggestion(
    client: Client, catalog: dict[str, int]
) -> None:
    client.login_as(PERSONAS["other_patient"])
    theirs = shown_list(client)
    session_id = theirs["items"][0]["session_id"]
    client.login_as(PERSONAS["patient"])

    through_api = client.post(
        "/api/v1/practice/playback",
        json={"session_id": session_id, "suggestion_id": theirs["suggestion_id"]},
    )
    through_form = client.submit(
        "/practice/start",
        {"session_id": str(session_id), "suggestion_id": str(theirs["suggestion_id"])},
    )

    assert through_api.status_code == 422
    assert through_api.json()["errors"][0]["field"] == "suggestion_id"
    # The form goes back to the session's page, which says why; nothing started.
    assert through_form.status_code == 303
    assert through_form.headers["location"] == f"/sessions/{session_id}"
    page = client.get(through_form.headers["location"])
    assert through_api.json()["errors"][0]["message"] in page.text
    assert count(client, PracticeLog) == 0
    assert count(client, SuggestionFollow) == 0


@pytest.mark.parametrize("value", ["0", "-3", "abc", "99999999999999999999", "١٢"])
def test_a_malformed_suggestion_id_in_the_form_is_refused_and_nothing_starts(
    client: Client, catalog: dict[str, int], value: str
) -> None:
    client.login_as(PERSONAS["patient"])

    response = client.submit(
        "/practice/start", {"session_id": str(catalog["Slow exhale"]), "suggestion_id": value}
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/sessions/{catalog['Slow exhale']}"
    assert count(client, PracticeLog) == 0


def test_a_malformed_suggestion_query_is_refused(client: Client, catalog: dict[str, int]) -> None:
    client.login_as(PERSONAS["patient"])

    response = client.get(f"/sessions/{catalog['Slow exhale']}?suggestion=abc")

    assert response.status_code == 422
    assert "suggestion" in response.text


def test_the_session_page_notes_a_session_outside_the_safe_set_at_high_distress(
    client: Client, catalog: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    rate(client, "patient", 8)

    long_one = client.get(f"/sessions/{catalog['Chair yoga']}")
    calming = client.get(f"/sessions/{catalog['Slow exhale']}")

    assert "Go gently right now" in long_one.text
    assert "You rated your anxiety 8 out of 10" in long_one.text
    assert 'href="/support"' in long_one.text
    assert "Go gently right now" not in calming.text


def test_the_session_page_has_no_note_at_moderate_distress(
    client: Client, catalog: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    rate(client, "patient", 5)

    page = client.get(f"/sessions/{catalog['Silent sit']}")

    assert "Go gently right now" not in page.text


def test_staff_see_no_distress_note_on_a_session_page(
    client: Client, catalog: dict[str, int]
) -> None:
    rate(client, "patient", 9)
    client.login_as(PERSONAS["therapist"])

    page = client.get(f"/sessions/{catalog['Silent sit']}?suggestion=1")

    assert page.status_code == 200
    assert "Go gently right now" not in page.text
    assert "data-suggestion" not in page.text


# --- what the care team sees -------------------------------------------------------------------


def render_last_suggestions(client: Client, shown: LastSuggestions | None) -> str:
    engine = client.app.template_engine
    assert engine is not None
    template = engine.get_template("care/_last_suggestions.html")
    return str(template.module.last_suggestions(shown, "Europe/Berlin"))


def follow_a_suggestion_at_9(client: Client) -> tuple[dict[str, Any], dict[str, Any]]:
    """The patient rates 9/10, is shown a list and starts its first session from it."""
    client.login_as(PERSONAS["patient"])
    rate(client, "patient", 9)
    shown = shown_list(client)
    followed = shown["items"][0]
    client.post(
        "/api/v1/practice/playback",
        json={"session_id": followed["session_id"], "suggestion_id": shown["suggestion_id"]},
    )
    return shown, followed


def test_the_care_partial_shows_what_was_last_suggested_and_why(
    client: Client, catalog: dict[str, int]
) -> None:
    shown, followed = follow_a_suggestion_at_9(client)
    patient = client.user(PERSONAS["patient"].email)

    last = client.run(lambda: last_suggestions_for(patient.id))
    text = html.unescape(render_last_suggestions(client, last))

    assert "Last suggested" in text
    assert "latest rating 9/10" in text
    assert "short calming sessions only (high distress)" in text
    assert "First shown 24 Nov 2026, 15:30" in text  # Berlin time (shown again until it changes)
    for item in shown["items"]:
        assert item["title"] in text
        for reason in item["reasons"]:
            assert reason in text
    assert text.count("Started from this list") == 1
    assert text.index(followed["title"]) < text.index("Started from this list")


@pytest.mark.parametrize(
    ("level", "words"),
    [
        (7, "latest rating 7/10 · gentle sessions only (raised anxiety)"),
        (None, "no recent rating · gentle sessions only, until they rate how they feel"),
    ],
)
def test_the_care_partial_says_why_only_gentle_sessions_were_offered(
    client: Client, catalog: dict[str, int], level: int | None, words: str
) -> None:
    client.login_as(PERSONAS["patient"])
    if level is not None:
        rate(client, "patient", level)
    assert shown_list(client)["context"]["tier"] == "gentle"
    patient = client.user(PERSONAS["patient"].email)

    last = client.run(lambda: last_suggestions_for(patient.id))
    text = " ".join(html.unescape(render_last_suggestions(client, last)).split())

    assert words in text
    assert f"chosen by {ENGINE_VERSION}" in text
    assert "The chance of being shown is how likely the engine was" in text
    if level is None:
        assert "raised anxiety" not in text  # the filter chose gentle for want of a rating


def test_the_care_partial_says_when_nothing_was_suggested_yet(
    client: Client, personas: dict[str, User]
) -> None:
    last = client.run(lambda: last_suggestions_for(personas["patient"].id))

    text = render_last_suggestions(client, last)

    assert last is None
    assert "No suggestions shown yet." in text


def test_the_therapist_sees_the_last_suggestions_on_the_patients_page(
    client: Client, catalog: dict[str, int], personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["patient"])
    rate(client, "patient", 4)
    shown = shown_list(client)
    client.login_as(PERSONAS["therapist"])

    page = client.get(f"/care/patients/{personas['patient'].id}")

    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Last suggested" in text
    assert "latest rating 4/10" in text
    for item in shown["items"]:
        assert item["title"] in text
        assert item["reasons"][0] in text


def test_the_record_api_answers_the_last_suggestions_and_what_was_started(
    client: Client, catalog: dict[str, int], personas: dict[str, User]
) -> None:
    shown, followed = follow_a_suggestion_at_9(client)
    client.login_as(PERSONAS["therapist"])

    last = client.get(f"/api/v1/patients/{personas['patient'].id}").json()["last_suggested"]

    assert last["suggestion_id"] == shown["suggestion_id"]
    assert (last["anxiety"], last["tier"]) == (9, "support")
    assert last["shown_at"].startswith("2026-11-24T15:30:00")  # Berlin time
    assert last["shown_at"].endswith("+01:00")
    assert [item["session_id"] for item in last["items"]] == [
        item["session_id"] for item in shown["items"]
    ]
    assert [item["reasons"] for item in last["items"]] == [
        item["reasons"] for item in shown["items"]
    ]
    assert [item["followed"] for item in last["items"]] == [
        item["session_id"] == followed["session_id"] for item in shown["items"]
    ]
    assert all(0 < item["probability"] <= 1 for item in last["items"])


def test_the_record_api_says_null_before_any_suggestion(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])

    body = client.get(f"/api/v1/patients/{personas['patient'].id}").json()

    assert body["last_suggested"] is None


def test_another_therapist_cannot_see_the_last_suggestions(
    client: Client, catalog: dict[str, int], personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["patient"])
    shown = shown_list(client)
    client.login_as(PERSONAS["other_therapist"])

    page = client.get(f"/care/patients/{personas['patient'].id}")

    assert page.status_code == 404
    assert shown["items"][0]["reasons"][0] not in html.unescape(page.text)
    record = client.get(f"/api/v1/patients/{personas['patient'].id}")
    assert record.status_code == 404
    assert shown["items"][0]["reasons"][0] not in record.text
