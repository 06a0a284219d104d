"""The Saved list's rules (pure): how a saved session is shown, the list's limit, and the Saved
tab's address with the library's filters."""

from __future__ import annotations

import pytest

from wellness.catalog.kinds import Kind, Status
from wellness.catalog.rules import CatalogConflict
from wellness.catalog.saved_rules import MAX_SAVED, Standing, check_room, standing_of
from wellness.web.pages.catalog_forms import BrowseFilters, parse_browse


@pytest.mark.parametrize(
    ("status", "skip", "standing"),
    [
        (Status.PUBLISHED, False, Standing.AVAILABLE),
        (Status.PUBLISHED, True, Standing.SKIP),
        (Status.ARCHIVED, False, Standing.GONE),
        (Status.ARCHIVED, True, Standing.GONE),  # gone wins: it cannot be opened at all
        (Status.DRAFT, False, Standing.GONE),
    ],
)
def test_a_saved_session_is_shown_by_its_status_and_the_care_teams_mark(
    status: Status, skip: bool, standing: Standing
) -> None:
    assert standing_of(status, skip=skip) is standing


def test_only_an_available_session_has_no_words_of_its_own() -> None:
    assert Standing.GONE.label == "No longer in the library"
    assert Standing.SKIP.label == "Your care team has asked you to skip this one for now"


def test_a_list_may_hold_500_and_no_more() -> None:
    check_room(MAX_SAVED - 1)

    with pytest.raises(CatalogConflict) as refused:
        check_room(MAX_SAVED)

    assert refused.value.code == "saved_limit"
    assert refused.value.message.startswith("You can keep at most 500 saved sessions.")


def test_the_saved_tab_takes_the_librarys_filters_and_keeps_them_in_its_links() -> None:
    filters, errors = parse_browse(
        {"saved": "1", "q": "calm", "kind": "yoga", "tag": "sleep", "page": "2"},
        may_filter_status=False,
        may_save=True,
    )

    assert errors == {}
    assert filters == BrowseFilters(q="calm", kind=Kind.YOGA, tag="sleep", saved=True, page=2)
    assert filters.active
    assert filters.chosen  # a filter besides the words
    assert filters.link() == "/sessions?q=calm&kind=yoga&tag=sleep&saved=1&page=2"
    assert filters.page_links([1, 3]) == {
        1: "/sessions?q=calm&kind=yoga&tag=sleep&saved=1",
        3: "/sessions?q=calm&kind=yoga&tag=sleep&saved=1&page=3",
    }
    assert filters.link(saved=False, page=1) == "/sessions?q=calm&kind=yoga&tag=sleep"


def test_on_the_saved_tab_a_patients_status_is_ignored_and_the_words_alone_are_no_filter() -> None:
    filters, errors = parse_browse(
        {"saved": "1", "q": "calm", "status": "archived"},
        may_filter_status=False,
        may_save=True,
    )

    assert errors == {}
    assert filters == BrowseFilters(q="calm", saved=True)
    assert (filters.active, filters.chosen) == (True, False)
    assert not BrowseFilters(saved=True, page=3).active


def test_bad_filters_on_the_saved_tab_are_named_as_in_the_library() -> None:
    params = {"kind": "karaoke", "length": "7", "posture": "x", "guidance": "y", "page": "0"}

    on_tab = parse_browse({"saved": "1", **params}, may_filter_status=False, may_save=True)
    in_library = parse_browse(params, may_filter_status=False, may_save=True)

    assert set(on_tab[1]) == {"kind", "length", "posture", "guidance", "page"}
    assert on_tab[1] == in_library[1]
    assert on_tab[0].saved


@pytest.mark.parametrize("raw", ["yes", "2", "\uff11"])  # the last a fullwidth 1
def test_a_saved_value_other_than_1_is_named(raw: str) -> None:
    _, errors = parse_browse({"saved": raw}, may_filter_status=False, may_save=True)

    assert errors == {"saved": "Use saved=1 for your saved sessions."}


def test_staff_who_keep_no_list_get_the_library_for_the_saved_tabs_address() -> None:
    filters, errors = parse_browse({"saved": "1"}, may_filter_status=True, may_save=False)

    assert (filters, errors) == (BrowseFilters(), {})
    assert (
        parse_browse({"saved": "0"}, may_filter_status=False, may_save=True)[0] == BrowseFilters()
    )
