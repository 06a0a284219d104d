"""The Saved list's rules (pure): how a saved session is shown, the list's limit, and the Saved
tab's address among the library's filters."""

from __future__ import annotations

import pytest

from wellness.catalog.kinds import Status
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


def test_the_saved_tab_is_its_own_list_and_keeps_its_page_in_links() -> None:
    filters, errors = parse_browse(
        {"saved": "1", "q": "calm", "kind": "yoga", "page": "2"},
        may_filter_status=False,
        may_save=True,
    )

    assert errors == {}
    assert filters == BrowseFilters(saved=True, page=2)
    assert not filters.active  # the other filters are not applied on it
    assert filters.link() == "/sessions?saved=1&page=2"
    assert filters.page_links([1, 3]) == {1: "/sessions?saved=1", 3: "/sessions?saved=1&page=3"}


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
