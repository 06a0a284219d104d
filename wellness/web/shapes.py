"""Building the web layer's msgspec shapes from the records they describe."""

from __future__ import annotations

from typing import Any, Protocol, Self, TypeVar

import msgspec

S = TypeVar("S", bound=msgspec.Struct)


def copied(shape: type[S], source: object, **given: Any) -> S:
    """A `shape` whose fields are the same-named attributes of `source`, but those in `given`.

    For an output shape that mirrors a record: the shape still names every field it sends, so
    nothing it does not name leaves, as it would if `source` itself were serialised."""
    read = {name: getattr(source, name) for name in shape.__struct_fields__ if name not in given}
    return shape(**read, **given)


class Paged(Protocol):
    """Where a page stands in a longer list (`lib.paging.Page`, `catalog.search.SearchPage`)."""

    @property
    def page(self) -> int: ...
    @property
    def pages(self) -> int: ...
    @property
    def total(self) -> int: ...


class PageOut(msgspec.Struct):
    """One page of a longer list, as the API answers it. Each list is a subclass that narrows
    `items` (which keeps its place, first): the OpenAPI document names and types it; fields a
    subclass adds come after `total`."""

    items: list[Any]
    page: int
    pages: int
    total: int

    @classmethod
    def paged(cls, items: list[Any], found: Paged, **more: Any) -> Self:
        return cls(items, found.page, found.pages, found.total, **more)
