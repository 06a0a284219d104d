"""Counting pages and clamping a requested page. Pure."""

from __future__ import annotations

import pytest

from wellness.lib.paging import Page, page_bounds, page_count, page_numbers


@pytest.mark.parametrize(
    ("total", "per_page", "pages"),
    [(0, 10, 1), (1, 10, 1), (10, 10, 1), (11, 10, 2), (25, 24, 2), (48, 24, 2), (49, 24, 3)],
)
def test_the_page_count_rounds_up_and_an_empty_list_has_one_page(
    total: int, per_page: int, pages: int
) -> None:
    assert page_count(total, per_page) == pages
    assert Page.of([], page=1, per_page=per_page, total=total).pages == pages


@pytest.mark.parametrize(
    ("page", "expected"),
    [(1, (1, 3, 0)), (2, (2, 3, 10)), (3, (3, 3, 20)), (4, (3, 3, 20)), (0, (1, 3, 0))],
)
def test_a_requested_page_is_clamped_to_those_that_exist(
    page: int, expected: tuple[int, int, int]
) -> None:
    assert page_bounds(25, page, 10) == expected


def test_an_empty_result_has_its_one_page() -> None:
    assert page_bounds(0, 5, 10) == (1, 1, 0)


@pytest.mark.parametrize(
    ("page", "pages", "numbers"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 10, [1, 2, 3, None, 10]),
        (4, 10, [1, 2, 3, 4, 5, 6, None, 10]),  # 1 joins the window: no gap of one page
        (5, 10, [1, None, 3, 4, 5, 6, 7, None, 10]),
        (10, 10, [1, None, 8, 9, 10]),
    ],
)
def test_the_pager_shows_the_ends_and_two_either_side_with_gaps_marked(
    page: int, pages: int, numbers: list[int | None]
) -> None:
    assert page_numbers(page, pages) == numbers
