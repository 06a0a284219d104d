"""A sortable table's order as its `?sort=` parameter writes it. Pure: stdlib only.

`sort=name` sorts by a column ascending, `sort=-name` descending. Each table subclasses
`SortOrder` to name its columns and the direction each takes first when its heading is chosen
(counts largest first, names A to Z).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Self


@dataclass(frozen=True, slots=True)
class SortOrder:
    column: str
    descending: bool

    # Column -> whether it sorts descending first: set by each table's subclass.
    FIRST_DESCENDING: ClassVar[Mapping[str, bool]] = {}

    @property
    def param(self) -> str:
        return f"-{self.column}" if self.descending else self.column

    def link_for(self, column: str) -> str:
        """The `sort` value of a column heading's link: the other direction when the table is
        sorted by that column already, else the column's own first direction."""
        if column == self.column:
            return column if self.descending else f"-{column}"
        return f"-{column}" if self.FIRST_DESCENDING[column] else column

    def aria_for(self, column: str) -> str | None:
        if column != self.column:
            return None
        return "descending" if self.descending else "ascending"

    @classmethod
    def parse(cls, value: str | None, default: Self) -> Self | None:
        """The order `sort=` names (`column`, `-column`); `default` for none; None for a
        column the table does not sort by."""
        if not value:
            return default
        descending = value.startswith("-")
        column = value[1:] if descending else value
        if column not in cls.FIRST_DESCENDING:
            return None
        return cls(column, descending)
