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
