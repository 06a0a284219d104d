from __future__ import annotations

import pytest

from wellness.catalog import rules
from wellness.catalog.kinds import Status, can_transition


def test_tags_are_normalised_and_deduplicated() -> None:
    assert rules.clean_tags(["Sleep", " sleep ", "Body  Scan", ""]) == ["sleep", "body scan"]


@pytest.mark.parametrize("bad", [["<b>"], ["x" * 49], ["-leading"], [f"t{n}" for n in range(21)]])
def test_unsafe_or_too_many_tags_are_refused(bad: list[str]) -> None:
    with pytest.raises(rules.CatalogError) as refused:
        rules.clean_tags(bad)
    assert refused.value.field == "tags"


def test_titles_are_required_and_capped() -> None:
    assert rules.clean_title("  Calm   start ") == "Calm start"
    for bad in ("   ", "x" * 201):
        with pytest.raises(rules.CatalogError):
            rules.clean_title(bad)


def test_anxiety_ranges_must_be_ordered_and_in_range() -> None:
    rules.check_anxiety_range(0, 10)
    for low, high in ((8, 3), (-1, 4), (2, 11)):
        with pytest.raises(rules.CatalogError):
            rules.check_anxiety_range(low, high)


def test_search_text_becomes_plain_words() -> None:
    assert (
        rules.search_tokens('Body "scan" OR 1=1; -- NEAR(x)*')
        == ["body", "scan", "or", "1", "1", "near", "x"][:8]
    )
    assert rules.search_tokens("***") == []
    assert len(rules.search_tokens("a " * 50)) == rules.MAX_SEARCH_TOKENS


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (Status.DRAFT, Status.PUBLISHED, True),
        (Status.PUBLISHED, Status.ARCHIVED, True),
        (Status.ARCHIVED, Status.PUBLISHED, True),
        (Status.PUBLISHED, Status.DRAFT, False),
        (Status.ARCHIVED, Status.DRAFT, False),
    ],
)
def test_the_session_lifecycle(current: Status, target: Status, allowed: bool) -> None:
    assert can_transition(current, target) is allowed
