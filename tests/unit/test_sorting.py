"""A table's order as `?sort=` writes it (wellness.lib.sorting), shared by the caseload
dashboard and the library's usage view: each table names only its columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import pytest

from wellness.lib.sorting import SortOrder


class Order(SortOrder):
    __slots__ = ()
    FIRST_DESCENDING: ClassVar[Mapping[str, bool]] = {"name": False, "count": True}


DEFAULT = Order("name", False)


def test_a_leading_minus_sorts_descending() -> None:
    assert Order.parse("-count", DEFAULT) == Order("count", True)
    assert Order.parse("count", DEFAULT) == Order("count", False)
    assert Order("count", True).param == "-count"
    assert Order("name", False).param == "name"


@pytest.mark.parametrize("value", ["", None])
def test_no_order_is_the_default(value: str | None) -> None:
    assert Order.parse(value, DEFAULT) is DEFAULT


@pytest.mark.parametrize("value", ["-", "--count", "id", "Name", "name "])
def test_a_column_the_table_does_not_sort_by_is_refused(value: str) -> None:
    assert Order.parse(value, DEFAULT) is None


def test_a_heading_link_turns_the_order_round_or_starts_in_its_first_direction() -> None:
    order = Order("count", True)

    assert order.link_for("count") == "count"
    assert Order("count", False).link_for("count") == "-count"
    assert order.link_for("name") == "name"
    assert Order("name", False).link_for("count") == "-count"


def test_only_the_sorted_column_says_its_direction() -> None:
    assert Order("count", True).aria_for("count") == "descending"
    assert Order("count", False).aria_for("count") == "ascending"
    assert Order("count", True).aria_for("name") is None


def test_orders_of_different_tables_are_not_equal() -> None:
    class Other(SortOrder):
        __slots__ = ()
        FIRST_DESCENDING: ClassVar[Mapping[str, bool]] = {"name": False}

    other: SortOrder = Other("name", False)

    assert other != Order("name", False)
