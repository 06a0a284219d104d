"""The per-process catalog cache (kept by change token) and the browse page's ready-made links."""

from __future__ import annotations

import pytest

from wellness.catalog.cache import MAX_AGE_SECONDS, TokenCache
from wellness.catalog.kinds import Kind, Status
from wellness.web.pages.catalog_forms import BrowseFilters


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_it_answers_only_under_the_token_a_value_was_stored_with() -> None:
    cache: TokenCache[str, int] = TokenCache(10)
    cache.put("t1", "a", 1)
    assert cache.get("t1", "a") == 1
    assert cache.get("t2", "a") is None
    assert cache.get(None, "a") is None


def test_a_new_token_drops_everything_kept_under_the_old_one() -> None:
    cache: TokenCache[str, int] = TokenCache(10)
    cache.put("t1", "a", 1)
    cache.put("t2", "b", 2)
    assert cache.get("t1", "a") is None
    assert cache.entries.keys() == {"b"}


def test_nothing_is_kept_without_a_token() -> None:
    cache: TokenCache[str, int] = TokenCache(10)
    cache.put(None, "a", 1)
    assert not cache.entries


def test_it_evicts_the_least_recently_used_beyond_its_weight() -> None:
    cache: TokenCache[str, list[int]] = TokenCache(5, weigh=len)
    cache.put("t", "a", [1, 2])
    cache.put("t", "b", [1, 2])
    assert cache.get("t", "a") == [1, 2]  # now b is the least recently used
    cache.put("t", "c", [1, 2])
    assert cache.entries.keys() == {"a", "c"}
    assert cache.weight == 4
    cache.put("t", "huge", list(range(6)))
    assert "huge" not in cache.entries


def test_entries_expire_even_under_the_same_token() -> None:
    clock = Clock()
    cache: TokenCache[str, int] = TokenCache(10, clock=clock)
    cache.put("t", "a", 1)
    clock.now += MAX_AGE_SECONDS + 1
    assert cache.get("t", "a") is None
    assert cache.weight == 0


FILTERS = [
    BrowseFilters(),
    BrowseFilters(q="deep breath & more", page=3),
    BrowseFilters(q="calm", kind=Kind.BREATHING, length=10, tag="sleep", status=Status.DRAFT),
    BrowseFilters(tag="relapse prevention", page=2),
]


@pytest.mark.parametrize("filters", FILTERS)
def test_ready_made_links_equal_the_general_link(filters: BrowseFilters) -> None:
    tags = ["calm", "relapse prevention", "ä&b"]
    assert filters.tag_links(tags) == {tag: filters.link(tag=tag, page=1) for tag in tags}
    numbers = [1, 2, 7]
    assert filters.page_links(numbers) == {number: filters.link(page=number) for number in numbers}
