"""The pure rules of collections: their fields, the order of their sessions, and which session
a patient does next."""

from __future__ import annotations

import pytest

from wellness.catalog import collection_rules as rules
from wellness.catalog.kinds import Status
from wellness.catalog.rules import CatalogConflict, CatalogError


def test_a_title_is_one_line_of_at_most_120_characters() -> None:
    assert rules.clean_title("  First\n week\u202e ") == "First week"
    assert rules.clean_title("x" * 120) == "x" * 120
    for bad, message in (("   ", "Enter a title."), ("x" * 121, "Use at most 120 characters")):
        with pytest.raises(CatalogError) as refused:
            rules.clean_title(bad)
        assert refused.value.field == "title"
        assert message in refused.value.message


def test_titles_that_differ_only_in_case_share_a_key() -> None:
    assert rules.title_key("Evening Wind-Down") == rules.title_key("EVENING wind-down")
    assert rules.title_key("Straße") == rules.title_key("STRASSE")


def test_a_description_keeps_its_lines_up_to_two_thousand_characters() -> None:
    assert rules.clean_description(" One.\r\nTwo.\x00 ") == "One.\nTwo."
    with pytest.raises(CatalogError) as refused:
        rules.clean_description("x" * 2001)
    assert refused.value.errors == {"description": "Use at most 2,000 characters."}


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ([], "Add at least one session."),
        (list(range(1, 52)), "at most 50 sessions; it has 51"),
        ([3, 4, 3], "Each session can be in a collection once: 3 is listed more than once."),
        ([3, 4, 3, 4], "3 and 4 are listed more than once."),
    ],
)
def test_a_list_holds_one_to_fifty_sessions_each_once(ids: list[int], message: str) -> None:
    with pytest.raises(CatalogError) as refused:
        rules.clean_session_ids(ids)

    assert refused.value.field == "session_ids"
    assert message in refused.value.message


def test_a_list_within_the_rules_keeps_its_order() -> None:
    assert rules.clean_session_ids([9, 2, 5]) == [9, 2, 5]
    assert rules.clean_session_ids(list(range(1, 51))) == list(range(1, 51))


def test_unknown_ids_are_named_a_few_at_a_time() -> None:
    assert rules.unknown_sessions([7]).message == "No session has the id 7."
    assert rules.unknown_sessions([7, 9]).message == "No sessions have the ids 7 and 9."
    many = rules.unknown_sessions(list(range(1, 9))).message
    assert many == "No sessions have the ids 1, 2, 3, 4, 5 and 3 more."


def test_archived_sessions_are_named_when_refused() -> None:
    refused = rules.archived_added(["Walk", "Sit"])
    assert refused.field == "session_ids"
    assert refused.message == "“Walk” and “Sit” are archived: add draft or published sessions only."


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (Status.DRAFT, Status.PUBLISHED, True),
        (Status.DRAFT, Status.ARCHIVED, True),
        (Status.PUBLISHED, Status.ARCHIVED, True),
        (Status.ARCHIVED, Status.PUBLISHED, True),
        (Status.PUBLISHED, Status.DRAFT, False),
        (Status.ARCHIVED, Status.DRAFT, False),
    ],
)
def test_a_collection_moves_between_statuses_as_a_session_does(
    current: Status, target: Status, allowed: bool
) -> None:
    if allowed:
        rules.check_transition(current, target)
        return
    with pytest.raises(CatalogError) as refused:
        rules.check_transition(current, target)
    assert refused.value.field == "status"


def test_publishing_needs_a_published_session() -> None:
    rules.check_publishable(1)
    with pytest.raises(CatalogError) as refused:
        rules.check_publishable(0)
    assert refused.value.field == "status"


def test_only_a_draft_never_published_may_be_deleted() -> None:
    rules.check_deletable("Week", Status.DRAFT, ever_published=False)
    for status, published in (
        (Status.PUBLISHED, True),
        (Status.ARCHIVED, True),
        (Status.DRAFT, True),
    ):
        with pytest.raises(CatalogConflict) as refused:
            rules.check_deletable("Week", status, ever_published=published)
        assert refused.value.code == "collection_published"


@pytest.mark.parametrize(
    ("index", "step", "expected"),
    [
        (1, -1, [2, 1, 3]),
        (1, 1, [1, 3, 2]),
        (0, -1, [1, 2, 3]),
        (2, 1, [1, 2, 3]),
        (7, -1, [1, 2, 3]),
        (-1, 1, [1, 2, 3]),
    ],
)
def test_moving_a_session_swaps_it_with_its_neighbour_within_the_list(
    index: int, step: int, expected: list[int]
) -> None:
    assert rules.moved([1, 2, 3], index, step) == expected


def test_next_is_the_first_session_not_done_and_not_to_be_skipped() -> None:
    assert rules.next_session([5, 6, 7, 8], done={5}, skip={6}) == 7
    assert rules.next_session([5, 6, 7], done={6}, skip=set()) == 5
    assert rules.next_session([5, 6], done={5}, skip={6}) is None
    assert rules.next_session([], done=set(), skip=set()) is None


def test_progress_counts_what_was_done_of_all_shown_and_names_the_next() -> None:
    found = rules.progress([5, 6, 7, 8], done={5, 7}, skip={6})

    assert (found.done, found.total, found.next_session_id) == (2, 4, 8)
    assert not found.finished


def test_a_session_to_skip_that_was_done_still_counts_as_done() -> None:
    found = rules.progress([5, 6], done={5, 6}, skip={6})

    assert (found.done, found.total, found.next_session_id, found.finished) == (2, 2, None, True)


def test_nothing_next_when_only_sessions_to_skip_are_left_is_not_finished() -> None:
    found = rules.progress([5, 6, 7], done={5}, skip={6, 7})

    assert (found.done, found.total, found.next_session_id) == (1, 3, None)
    assert not found.finished


def test_practice_of_sessions_outside_the_collection_does_not_count() -> None:
    found = rules.progress([5, 6], done={9, 10}, skip=set())

    assert (found.done, found.next_session_id) == (0, 5)


def test_a_collection_showing_no_session_is_never_finished() -> None:
    found = rules.progress([], done={1}, skip=set())

    assert (found.done, found.total, found.next_session_id, found.finished) == (0, 0, None, False)
