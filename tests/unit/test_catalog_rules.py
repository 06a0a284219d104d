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


def test_only_a_draft_never_published_may_be_deleted() -> None:
    rules.check_session_deletable("Calm", Status.DRAFT, ever_published=False)
    for status, published, says in [
        (Status.PUBLISHED, True, "“Calm” is published. Archive it instead"),
        (Status.ARCHIVED, True, "“Calm” is archived: patients no longer see it"),
        (Status.ARCHIVED, False, "“Calm” is archived"),
        (Status.DRAFT, True, "“Calm” was published before. Archive it instead"),
    ]:
        with pytest.raises(rules.CatalogConflict) as refused:
            rules.check_session_deletable("Calm", status, ever_published=published)
        assert refused.value.code == "session_published"
        assert refused.value.message.startswith("Only a draft that was never published can be")
        assert says in refused.value.message


@pytest.mark.parametrize(
    ("titles", "words"),
    [
        (["A"], "“A”"),
        (["A", "B"], "“A” and “B”"),
        (["A", "B", "C"], "“A”, “B” and “C”"),
        (["A", "B", "C", "D", "E"], "“A”, “B”, “C” and 2 more"),
    ],
)
def test_refusals_name_a_few_sessions_and_count_the_rest(titles: list[str], words: str) -> None:
    assert rules.titles_in_words(titles) == words
    verb = "uses" if len(titles) == 1 else "use"
    assert f"{words} {verb} it." in rules.media_in_use(titles).message


def test_a_draft_referred_to_names_what_refers_to_it() -> None:
    refused = rules.session_in_use("Calm", ["2 practice records", "1 assignment"])

    assert refused.code == "session_in_use"
    assert refused.message.startswith(
        "“Calm” can't be deleted: 2 practice records and 1 assignment refer to it. Archive it"
    )
