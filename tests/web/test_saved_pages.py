"""The Saved list on the pages: a patient saves a session from its page or a library card
without JavaScript (a form that comes back to the same place), sees the Saved tab newest first
with what has left the library greyed and what their care team asked them to skip marked, and
finds it from their home page. Staff have no toggles, no tab and no list."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.conftest import PERSONAS, Client, text_of
from tests.web.saved_data import ban_for, save_as, saved_audit, saved_rows
from wellness.accounts.models import User
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession, SavedSession

TABS = re.compile(r'<nav class="library-tabs" aria-label="Library">(.*?)</nav>', re.S)


def toggle_of(page: str, session_id: int) -> str:
    """The Save / Saved form of one session on a page."""
    found = re.search(
        rf'<form method="post" action="/sessions/{session_id}/(?:un)?save".*?</form>', page, re.S
    )
    assert found, f"session {session_id} has a toggle"
    return found[0]


def card_of(page: str, session_id: int) -> str:
    found = re.search(
        rf'<li class="session-card[^"]*" id="session-{session_id}">.*?</li>', page, re.S
    )
    assert found, f"session {session_id} has a card"
    return found[0]


def test_a_patient_saves_from_a_library_card_and_comes_back_to_that_card(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    scan = library["Body scan"]
    before = client.get("/sessions?kind=body_scan").text
    form = toggle_of(before, scan)
    back = re.search(r'name="back" value="([^"]*)"', form)
    assert back is not None
    assert 'aria-pressed="false"' in form
    assert ">Save<" in form

    answer = client.submit(f"/sessions/{scan}/save", {"back": back[1].replace("&amp;", "&")})

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/sessions?kind=body_scan#session-{scan}"
    assert saved_rows(client) == [(personas["patient"].id, scan)]
    after = client.get(answer.headers["location"])
    assert 'aria-pressed="true"' in toggle_of(after.text, scan)
    assert f'action="/sessions/{scan}/unsave"' in after.text
    assert "“Body scan” is saved: find it under Saved in the library." in text_of(after)
    assert saved_audit(client) == [
        ("session_saved", personas["patient"].id, "session", str(scan), None)
    ]


def test_saving_twice_stores_one_row_and_one_audit_row(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    scan = library["Body scan"]

    first = client.submit(f"/sessions/{scan}/save")
    again = client.submit(f"/sessions/{scan}/save")

    assert (first.status_code, again.status_code) == (303, 303)
    assert first.headers["location"] == f"/sessions/{scan}"
    assert saved_rows(client) == [(personas["patient"].id, scan)]
    assert len(saved_audit(client)) == 1


def test_a_patient_saves_and_unsaves_on_the_session_page(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    walk = library["Slow breathing"]
    page = client.get(f"/sessions/{walk}").text
    back = re.search(r'name="back" value="([^"]*)"', toggle_of(page, walk))
    assert back is not None
    assert back[1] == f"/sessions/{walk}#save"

    saved = client.submit(f"/sessions/{walk}/save", {"back": back[1]})
    shown = client.get(f"/sessions/{walk}").text
    unsaved = client.submit(f"/sessions/{walk}/unsave", {"back": back[1]})

    assert saved.headers["location"] == f"/sessions/{walk}#save"
    assert 'aria-pressed="true"' in toggle_of(shown, walk)
    assert unsaved.status_code == 303
    assert saved_rows(client) == []
    assert [row[0] for row in saved_audit(client)] == ["session_saved", "session_unsaved"]
    again = client.get(f"/sessions/{walk}")
    assert "“Slow breathing” is no longer saved." in text_of(again)


@pytest.mark.parametrize("title", ["Unreleased draft", "Older walk"])
def test_a_session_the_patient_may_not_open_cannot_be_saved(
    client: Client, personas: dict[str, User], library: dict[str, int], title: str
) -> None:
    client.login_as(PERSONAS["patient"])

    answer = client.submit(f"/sessions/{library[title]}/save")

    assert answer.status_code == 404
    assert client.get(f"/sessions/{library[title]}").status_code == 404  # as its page
    assert saved_rows(client) == []
    assert saved_audit(client) == []


def test_a_place_to_go_back_to_off_this_site_is_ignored(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    scan = library["Body scan"]

    for back in ("https://evil.example/", "//evil.example/", "/x\\y", "/" + "a" * 2_001):
        answer = client.submit(f"/sessions/{scan}/save", {"back": back})
        assert answer.headers["location"] == f"/sessions/{scan}", back


def test_a_toggle_without_the_pages_token_is_refused_and_stores_nothing(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])

    answer = client.post(f"/sessions/{library['Body scan']}/save", follow_redirects=False)

    assert answer.status_code == 403
    assert saved_rows(client) == []


@pytest.mark.parametrize("persona", ["therapist", "coordinator", "admin"])
def test_staff_have_no_toggle_no_tab_and_may_not_save(
    client: Client, personas: dict[str, User], library: dict[str, int], persona: str
) -> None:
    client.login_as(PERSONAS[persona])
    scan = library["Body scan"]

    browse = client.get("/sessions")
    asked_for_saved = client.get("/sessions?saved=1")
    page = client.get(f"/sessions/{scan}")
    answer = client.submit(f"/sessions/{scan}/save")
    removed = client.submit(f"/sessions/{scan}/unsave")

    assert "/save" not in browse.text
    assert ">Saved<" not in TABS.findall(browse.text)[0]
    assert asked_for_saved.status_code == 200  # the library: staff keep no list to show
    assert "Practice sessions" in text_of(asked_for_saved)
    assert f"/sessions/{scan}/save" not in page.text
    assert (answer.status_code, removed.status_code) == (403, 403)
    assert saved_rows(client) == []


def test_the_library_has_a_saved_tab_for_patients_on_every_library_list(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])

    for path in ("/sessions", "/collections"):
        assert '<a href="/sessions?saved=1">Saved</a>' in TABS.findall(client.get(path).text)[0]
    saved_tab = client.get("/sessions?saved=1").text
    assert '<a href="/sessions?saved=1" aria-current="page">Saved</a>' in saved_tab
    assert '<a href="/sessions" aria-current="page">Library</a>' in saved_tab  # the main menu


def test_the_saved_tab_says_how_to_save_one_when_there_is_none(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])

    page = text_of(client.get("/sessions?saved=1"))

    assert "Nothing saved yet." in page
    assert re.sub(r"<[^>]+>", "", page).count("Press Save on a session in the library") == 1


def test_the_saved_tab_lists_newest_first_greys_what_left_and_marks_what_to_skip(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    patient = personas["patient"]
    save_as(client, patient.id, library["Older walk"], library["Five senses"], library["Body scan"])

    ban_for(client, patient.id, library["Five senses"])
    client.login_as(PERSONAS["patient"])

    response = client.get("/sessions?saved=1")
    page = response.text

    titles = re.findall(r'<h3 class="session-card__title">(?:<a[^>]*>)?([^<]+)', page)
    assert titles == ["Body scan", "Five senses", "Older walk"]
    gone = card_of(page, library["Older walk"])
    assert "session-card--gone" in gone
    assert "No longer in the library" in gone
    assert f'href="/sessions/{library["Older walk"]}"' not in gone
    assert "data-save-toggle" not in gone  # a plain form: removing it reloads the list
    skipped = card_of(page, library["Five senses"])
    assert "Your care team has asked you to skip this one for now" in skipped
    assert "session-card--skip" in skipped
    assert skipped.count("<button") == 1  # no start button: only the toggle
    assert 'class="save-toggle__button"' in skipped
    assert "care-mark" not in card_of(page, library["Body scan"])
    assert "3 saved sessions." in text_of(response)


def test_a_session_no_longer_in_the_library_is_taken_off_the_list(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    patient = personas["patient"]
    save_as(client, patient.id, library["Older walk"], library["Body scan"])
    client.login_as(PERSONAS["patient"])
    back = "/sessions?saved=1#session-" + str(library["Older walk"])

    answer = client.submit(f"/sessions/{library['Older walk']}/unsave", {"back": back})

    assert answer.headers["location"] == back
    assert saved_rows(client) == [(patient.id, library["Body scan"])]


def test_the_saved_tab_pages_as_the_library_does(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    patient = personas["patient"]

    async def many() -> list[int]:
        base = await PracticeSession.get(id=library["Body scan"])
        made = []
        for number in range(25):
            copy = await PracticeSession.create(
                title=f"Extra {number:02}",
                kind=base.kind,
                status=Status.PUBLISHED,
                duration_seconds=300,
                created_at=base.created_at,
                updated_at=base.updated_at,
                published_at=base.published_at,
            )
            made.append(copy.id)
        return made

    extra = client.run(many)
    save_as(client, patient.id, *extra)
    client.login_as(PERSONAS["patient"])

    first = client.get("/sessions?saved=1")
    second = client.get("/sessions?saved=1&page=2")
    wrong = client.get("/sessions?saved=yes")

    assert "25 saved sessions · page 1 of 2." in text_of(first)
    assert 'href="/sessions?saved=1&amp;page=2"' in first.text
    assert re.findall(r'<h3 class="session-card__title"><a[^>]*>([^<]+)', second.text) == [
        "Extra 00"
    ]
    assert 'name="back" value="/sessions?saved=1&amp;page=2#session-' in second.text
    assert wrong.status_code == 400
    assert "Use saved=1 for your saved sessions." in text_of(wrong)


def test_each_patients_cards_carry_their_own_saves_and_their_own_token(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    """The library's cards are rendered once and kept: neither a save nor a form's token may
    reach another patient's page."""
    save_as(client, personas["patient"].id, library["Body scan"])
    pages, tokens = {}, {}
    for persona in ("patient", "other_patient", "patient"):
        client.login_as(PERSONAS[persona])
        tokens[persona] = client.csrf_token()
        pages[persona] = client.get("/sessions").text

    mine = toggle_of(pages["patient"], library["Body scan"])
    theirs = toggle_of(pages["other_patient"], library["Body scan"])
    assert 'aria-pressed="true"' in mine
    assert 'aria-pressed="false"' in theirs
    for persona, page in pages.items():
        found = set(re.findall(r'name="_csrf_token" value="([^"]+)"', page))
        assert found == {tokens[persona]}, persona
    assert "<!--csrf-->" not in pages["patient"] + pages["other_patient"]


def test_the_home_page_links_to_the_saved_tab_once_something_is_saved(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    before = client.get("/patient").text
    save_as(client, personas["patient"].id, library["Body scan"], library["Five senses"])

    after = client.get("/patient")

    assert "/sessions?saved=1" not in before
    assert '<a href="/sessions?saved=1">Your saved sessions (2)</a>' in after.text


def test_the_patients_care_team_never_sees_their_saved_list(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    """A private preference: not on the therapist's page of the patient, their report, the
    patient record's API or the FHIR export."""
    patient = personas["patient"]

    async def rename() -> None:
        await PracticeSession.filter(id=library["Body scan"]).update(title="Marker-5a7e scan")

    client.run(rename)
    save_as(client, patient.id, library["Body scan"])
    client.login_as(PERSONAS["therapist"])

    views = [
        client.get(f"/care/patients/{patient.id}"),
        client.get(f"/care/patients/{patient.id}/report"),
        client.get(f"/api/v1/patients/{patient.id}"),
        client.get(f"/api/v1/patients/{patient.id}/fhir"),
    ]

    assert [view.status_code for view in views] == [200, 200, 200, 200]
    assert all("Marker-5a7e" not in view.text for view in views)


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("patient", "Saved 1 Mar 2026, 00:30"),  # Berlin, UTC+1 in winter
        ("other_patient", "Saved 28 Feb 2026, 18:30"),  # New York, UTC-5
    ],
)
def test_when_it_was_saved_is_shown_in_the_patients_own_time_zone(
    client: Client, personas: dict[str, User], library: dict[str, int], persona: str, shown: str
) -> None:
    async def late_in_the_utc_day() -> None:
        await SavedSession.create(
            patient_id=personas[persona].id,
            session_id=library["Body scan"],
            saved_at=datetime(2026, 2, 28, 23, 30, tzinfo=UTC),
        )

    client.run(late_in_the_utc_day)
    client.login_as(PERSONAS[persona])

    assert shown in text_of(client.get("/sessions?saved=1"))
