"""The Saved list on the pages: a patient saves a session from its page or a library card
without JavaScript (a form that comes back to the same place), sees the Saved tab newest first
with what has left the library greyed and what their care team asked them to skip marked, and
finds it from their home page. The library's search and filters narrow the tab as they do the
library, keep to its pages and its tab links, and say when nothing matches. Staff have no
toggles, no tab and no list."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.conftest import PERSONAS, Client, text_of
from tests.web.saved_data import ban_for, save_as, saved_audit, saved_rows, shelve
from wellness.accounts.models import User
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession, SavedSession

TABS = re.compile(r'<nav class="library-tabs" aria-label="Library">(.*?)</nav>', re.S)


def titles_of(page: str) -> list[str]:
    return re.findall(r'<h3 class="session-card__title">(?:<a[^>]*>)?([^<]+)', page)


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
    assert 'class="pill-toggle save-toggle__button"' in skipped
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


# --- searching the Saved tab ---------------------------------------------------------------------


def test_a_search_on_the_saved_tab_lists_the_saved_sessions_it_matches(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    shelve(client, personas, library)
    client.login_as(PERSONAS["patient"])

    response = client.get("/sessions?saved=1&q=breath")
    page = response.text

    assert response.status_code == 200
    assert titles_of(page) == ["Slow breathing"]  # "Box breathing" is the other patient's
    assert "1 of your 4 saved sessions matches “breath”." in text_of(response)
    assert 'value="breath"' in page  # the form keeps what was typed
    assert '<input type="hidden" name="saved" value="1">' in page
    assert '<a href="/sessions?saved=1">Clear filters</a>' in page
    tabs = TABS.findall(page)[0]
    assert '<a href="/sessions?q=breath">Sessions</a>' in tabs
    assert '<a href="/sessions?q=breath&amp;saved=1" aria-current="page">Saved</a>' in tabs
    assert "<title>“breath” · Saved sessions" in text_of(response)
    assert 'name="back" value="/sessions?q=breath&amp;saved=1#session-' in page


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("q=walk", ["Older walk"]),  # no longer in the library: found by its title
        ("q=five+sen", ["Five senses"]),
        ("kind=grounding", ["Five senses"]),
        ("length=5", ["Five senses"]),
        ("length=10", ["Slow breathing", "Body scan", "Five senses", "Older walk"]),
        ("posture=lying", ["Body scan"]),
        ("guidance=silent", ["Older walk"]),
        ("tag=sleep", ["Body scan"]),
        ("kind=breathing&length=5", []),  # "Box breathing" is not hers
        ("status=archived", ["Slow breathing", "Body scan", "Five senses", "Older walk"]),
    ],
)
def test_each_filter_narrows_the_saved_tab_newest_saved_first(
    client: Client,
    personas: dict[str, User],
    library: dict[str, int],
    query: str,
    titles: list[str],
) -> None:
    """The status filter is staff's: a patient's is ignored here as in the library."""
    shelve(client, personas, library)
    client.login_as(PERSONAS["patient"])

    response = client.get(f"/sessions?saved=1&{query}")

    assert response.status_code == 200
    assert titles_of(response.text) == titles


def test_a_tag_chosen_on_the_saved_tab_can_be_removed(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    shelve(client, personas, library)
    client.login_as(PERSONAS["patient"])

    page = client.get("/sessions?saved=1&tag=sleep&q=body").text

    assert '<input type="hidden" name="tag" value="sleep">' in page
    assert 'Tagged <span class="tag">sleep</span> <a href="/sessions?q=body&amp;saved=1">' in page


def test_the_saved_tab_pages_its_matches_keeping_the_filters(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    patient = personas["patient"]

    async def many() -> list[int]:
        made = []
        for number in range(30):
            copy = await PracticeSession.create(
                title=f"Extra {number:02}",
                kind="breathing" if number % 10 else "sleep",  # 00, 10 and 20 are not
                status=Status.PUBLISHED,
                duration_seconds=300,
                created_at=client.now(),
                updated_at=client.now(),
                published_at=client.now(),
            )
            made.append(copy.id)
        return made

    save_as(client, patient.id, *client.run(many))
    client.login_as(PERSONAS["patient"])

    first = client.get("/sessions?saved=1&q=extra&kind=breathing")
    second = client.get("/sessions?q=extra&kind=breathing&saved=1&page=2")

    assert "27 of your 30 saved sessions match “extra” · page 1 of 2." in text_of(first)
    assert 'href="/sessions?q=extra&amp;kind=breathing&amp;saved=1&amp;page=2"' in first.text
    assert titles_of(first.text)[:2] == ["Extra 29", "Extra 28"]
    assert titles_of(second.text) == ["Extra 03", "Extra 02", "Extra 01"]
    assert "page 2 of 2" in text_of(second)
    assert 'href="/sessions?q=extra&amp;kind=breathing&amp;saved=1"' in second.text  # page 1
    assert 'name="back" value="/sessions?q=extra&amp;kind=breathing&amp;saved=1&amp;page=2#' in (
        second.text
    )


def test_a_search_that_matches_nothing_says_so_and_offers_to_clear_it(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    shelve(client, personas, library)
    client.login_as(PERSONAS["patient"])

    words = client.get("/sessions?saved=1&q=zzz")
    filtered = client.get("/sessions?saved=1&q=zzz&kind=yoga")

    assert words.status_code == 200
    assert "None of your saved sessions match “zzz”." in text_of(words)
    assert "Nothing saved yet." not in text_of(words)
    assert "None of your saved sessions match “zzz” with these filters." in text_of(filtered)
    assert '<a href="/sessions?saved=1">clear filters</a>' in words.text
    assert '<a href="/sessions?q=zzz">search the whole library</a>' in words.text
    assert titles_of(words.text) == []


def test_a_patient_who_saved_nothing_is_told_how_to_save_whatever_the_search(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])

    plain = client.get("/sessions?saved=1")
    searched = client.get("/sessions?saved=1&q=breath")

    assert "Nothing saved yet." in text_of(plain)
    assert 'role="search"' not in plain.text  # nothing to search yet
    assert "Nothing saved yet." in text_of(searched)
    assert 'value="breath"' in searched.text  # the form stays, to change or clear the words


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("kind=karaoke", "Kind: Choose one of the listed options."),
        ("length=7", "Length: Choose one of the listed lengths."),
        ("posture=upside", "Posture: Choose one of the listed options."),
        ("guidance=loud", "Guidance: Choose one of the listed options."),
        ("q=" + "a" * 201, "Search: Use at most 200 characters."),
        ("tag=" + "t" * 49, "Tag: That tag is too long."),
        ("page=0", "Page: That page number doesn't exist."),
        ("length=%D9%A9", "Length: Choose one of the listed lengths."),  # an Arabic-Indic nine
    ],
)
def test_a_bad_filter_on_the_saved_tab_is_a_400_naming_it(
    client: Client, personas: dict[str, User], library: dict[str, int], query: str, named: str
) -> None:
    shelve(client, personas, library)
    before = saved_rows(client)
    client.login_as(PERSONAS["patient"])

    response = client.get(f"/sessions?saved=1&{query}")

    assert response.status_code == 400
    assert saved_rows(client) == before
    assert named in text_of(response)
    assert "<h1>Saved sessions</h1>" in response.text
    assert titles_of(response.text) == []
    assert '<a href="/sessions?saved=1">Clear filters and show every saved session</a>' in (
        response.text
    )


def test_a_bad_filter_is_tied_to_its_field(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    shelve(client, personas, library)
    client.login_as(PERSONAS["patient"])

    page = client.get("/sessions?saved=1&kind=karaoke").text

    assert '<a href="#filter-kind">Kind: Choose one of the listed options.</a>' in page
    assert (
        'id="filter-kind" name="kind" aria-invalid="true" aria-describedby="filter-kind-error"'
        in page
    )
    assert 'id="filter-kind-error"' in page


def test_the_library_and_the_saved_tab_link_to_each_other_with_the_same_search(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    shelve(client, personas, library)
    client.login_as(PERSONAS["patient"])

    library_page = client.get("/sessions?q=breath&kind=breathing&page=1")
    saved_link = re.search(r'<a href="([^"]+)">Saved</a>', TABS.findall(library_page.text)[0])
    assert saved_link is not None
    assert saved_link[1] == "/sessions?q=breath&amp;kind=breathing&amp;saved=1"
    saved_page = client.get(saved_link[1].replace("&amp;", "&"))

    assert titles_of(saved_page.text) == ["Slow breathing"]
    assert titles_of(library_page.text) == ["Slow breathing", "Box breathing"]
    assert '<a href="/sessions?q=breath&amp;kind=breathing">Sessions</a>' in saved_page.text


@pytest.mark.parametrize("persona", ["therapist", "coordinator", "admin"])
def test_staff_searching_with_saved_get_the_library_and_no_patients_list(
    client: Client, personas: dict[str, User], library: dict[str, int], persona: str
) -> None:
    shelve(client, personas, library)
    client.login_as(PERSONAS[persona])

    response = client.get("/sessions?saved=1&q=breath")

    assert response.status_code == 200
    assert "Practice sessions" in text_of(response)
    assert "Saved sessions" not in text_of(response)
    assert titles_of(response.text) == ["Slow breathing", "Box breathing"]  # the library's
    assert "Saved " not in "".join(re.findall(r"session-card__saved[^<]*<", response.text))


def test_another_patient_searching_their_tab_sees_only_their_own(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    shelve(client, personas, library)
    client.login_as(PERSONAS["other_patient"])

    mine = client.get("/sessions?saved=1&q=breath")
    hers = client.get("/sessions?saved=1&q=walk")

    assert titles_of(mine.text) == ["Box breathing"]
    assert "1 of your 1 saved session matches “breath”." in text_of(mine)
    assert titles_of(hers.text) == []
    assert "Older walk" not in hers.text
