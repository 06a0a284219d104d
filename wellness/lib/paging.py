"""One page of a longer list. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    pages: int
    total: int

    @classmethod
    def of(cls, items: list[T], *, page: int, per_page: int, total: int) -> Page[T]:
        return cls(items, page, page_count(total, per_page), total)


def page_count(total: int, per_page: int) -> int:
    """The pages `total` items fill (an empty list has one)."""
    return max(1, -(-total // per_page))


def page_bounds(total: int, page: int, per_page: int) -> tuple[int, int, int]:
    """(page, pages, offset): the page clamped to those that exist (an empty result has one)."""
    pages = page_count(total, per_page)
    page = min(max(1, page), pages)
    return page, pages, (page - 1) * per_page


def page_numbers(page: int, pages: int, *, around: int = 2) -> list[int | None]:
    """Page links to show: the first, the last, and a window around the current one.

    None marks a gap (rendered as an ellipsis).
    """
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers
