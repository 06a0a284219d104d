"""The library's usage figures as coordinators read them: which period, in which order, and
which figures may be shown at all. Pure: stdlib only.

The period is whole local days in the clinic's time zone, both ends included, from midnight
to midnight (not the patients' practice days: a coordinator reads the clinic's calendar, and a
session played at 23:30 on the last day is in, one at 00:30 the next day is out). A local day
may be 23 or 25 hours long across a DST change; `Period.bounds` gives the UTC instants.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlencode

from wellness.lib import sorting
from wellness.lib.days import local_midnight, read_day

# Small-cell suppression. These are health data in aggregate: a count of 1-4 patients, or the
# mean anxiety change of 1-4 patients, lets a reader who knows who attends a group or who was
# on the ward that week work out one person's use or distress. 5 is the smallest cell size that
# NHS England's and CMS's publication rules allow (both suppress 1-4; CMS uses 1-10), and the
# clinic's staff are few and know the patients, so the rule is applied to every count of
# patients and every mean shown here, totals included. 0 is shown: it describes nobody.
MIN_PATIENTS = 5
# What a suppressed figure reads, on the page and in the CSV.
FEWER_THAN = f"fewer than {MIN_PATIENTS}"
TOO_FEW = "too few to show"
DEFAULT_DAYS = 28
MAX_DAYS = 366
PER_PAGE = 50
MAX_PAGE = 100_000
_PAGE = re.compile(r"[0-9]{1,6}")
FIELDS = ("from", "to", "kind", "sort", "page")

# Column -> (heading, whether it sorts descending first). Mean change sorts calmest first.
SORTS: dict[str, tuple[str, bool]] = {
    "title": ("Session", False),
    "starts": ("Starts", True),
    "completions": ("Completions", True),
    "completion_rate": ("Completion rate", True),
    "patients": ("Patients", True),
    "change": ("Mean change", False),
}
DEFAULT_SORT = "starts"


@dataclass(frozen=True, slots=True)
class Period:
    """Local days `first`..`last` in the clinic's zone, both included."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def bounds(self, zone: str) -> tuple[datetime, datetime]:
        """[start, end) in UTC: `first`'s local midnight to the midnight after `last`."""
        return local_midnight(self.first, zone), local_midnight(self.last + timedelta(days=1), zone)


def default_period(today: date) -> Period:
    """The last DEFAULT_DAYS days, ending today."""
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)


class SortOrder(sorting.SortOrder):
    __slots__ = ()
    FIRST_DESCENDING: ClassVar[Mapping[str, bool]] = {
        column: first for column, (_, first) in SORTS.items()
    }

    @property
    def heading(self) -> str:
        return SORTS[self.column][0]


def sort_choices() -> list[tuple[str, str]]:
    """(`sort` value, label) for the order menu: each column in its first direction."""
    return [
        (f"-{column}" if descending else column, heading)
        for column, (heading, descending) in SORTS.items()
    ]


DEFAULT_ORDER = SortOrder(DEFAULT_SORT, SORTS[DEFAULT_SORT][1])


@dataclass(frozen=True, slots=True)
class UsageQuery:
    period: Period
    order: SortOrder = DEFAULT_ORDER
    kind: str = ""  # a catalog kind's value, or "" for every kind
    page: int = 1

    def pairs(self, **changes: object) -> list[tuple[str, str]]:
        """The query's parameters (with `changes`), leaving out the page when it is the first."""
        chosen = replace(self, **changes)  # type: ignore[arg-type]
        pairs = [
            ("from", chosen.period.first.isoformat()),
            ("to", chosen.period.last.isoformat()),
        ]
        if chosen.kind:
            pairs.append(("kind", chosen.kind))
        pairs.append(("sort", chosen.order.param))
        if chosen.page > 1:
            pairs.append(("page", str(chosen.page)))
        return pairs

    def link(self, **changes: object) -> str:
        return urlencode(self.pairs(**changes))

    def described(self) -> str:
        """The query for its audit row: dates, a kind and an order, nothing typed by people."""
        return ";".join(f"{key}={value}" for key, value in self.pairs())


def parse_query(
    params: Mapping[str, str], *, today: date, kinds: Collection[str]
) -> tuple[UsageQuery, dict[str, str]]:
    """The query `params` ask for (missing ones take their defaults: the last DEFAULT_DAYS days
    ending `today`, most starts first, every kind, the first page), and the problems by
    parameter name ({} when all is well)."""
    errors: dict[str, str] = {}
    text = {key: str(params.get(key, "")).strip() for key in FIELDS}
    last = read_day(text["to"], "to", errors) or today
    first = read_day(text["from"], "from", errors) or last - timedelta(days=DEFAULT_DAYS - 1)
    if "from" not in errors and "to" not in errors:
        if first > last:
            errors["to"] = "The end date is before the start date."
        elif (last - first).days + 1 > MAX_DAYS:
            errors["from"] = f"Choose a period of at most {MAX_DAYS} days."
    kind = text["kind"]
    if kind and kind not in kinds:
        errors["kind"] = "Choose one of the listed kinds."
        kind = ""
    order = parse_sort(text["sort"])
    if order is None:
        errors["sort"] = "Choose one of the listed orders."
        order = DEFAULT_ORDER
    page = 1
    if text["page"]:
        if _PAGE.fullmatch(text["page"]) and 1 <= int(text["page"]) <= MAX_PAGE:
            page = int(text["page"])
        else:
            errors["page"] = f"Give a page number from 1 to {MAX_PAGE}."
    period = Period(first, last) if first <= last else default_period(today)
    return UsageQuery(period, order, kind, page), errors


def parse_sort(value: str) -> SortOrder | None:
    """The order `sort=` names (`starts`, `-starts`, ...); the default for none; None for a
    column we do not sort by."""
    return SortOrder.parse(value, DEFAULT_ORDER)


# --- what may be shown ----------------------------------------------------------------------


def patients_shown(count: int) -> int | None:
    """A count of distinct patients as it may be shown: None (suppressed) for 1 to
    MIN_PATIENTS - 1."""
    return count if count == 0 or count >= MIN_PATIENTS else None


@dataclass(frozen=True, slots=True)
class Figures:
    """What the view shows for a session or for the whole table, suppression applied. A
    suppressed figure is None with its flag set; a figure with nothing to rest on (no starts,
    no rated practice) is None with the flag clear."""

    starts: int
    completions: int
    patients: int | None
    patients_suppressed: bool
    assigned_patients: int | None
    assigned_suppressed: bool
    mean_change: float | None  # mean (after - before) SUDS points: negative is calmer
    change_suppressed: bool

    @property
    def completion_rate(self) -> float | None:
        return self.completions / self.starts if self.starts else None


@dataclass(frozen=True, slots=True)
class Counts:
    """The raw figures of a session or of the table, before suppression: they never leave the
    service that reads them except through `shown`."""

    starts: int = 0
    completions: int = 0
    patients: int = 0
    assigned_patients: int = 0
    rated: int = 0  # practices rated before and after
    rated_patients: int = 0  # distinct patients among them
    change_sum: int = 0  # sum of (after - before) over them

    def shown(self) -> Figures:
        patients = patients_shown(self.patients)
        assigned = patients_shown(self.assigned_patients)
        mean_change = None
        change_suppressed = False
        if self.rated:
            if self.rated_patients >= MIN_PATIENTS:
                mean_change = round(self.change_sum / self.rated, 1)
            else:
                change_suppressed = True
        return Figures(
            starts=self.starts,
            completions=self.completions,
            patients=patients,
            patients_suppressed=patients is None,
            assigned_patients=assigned,
            assigned_suppressed=assigned is None,
            mean_change=mean_change,
            change_suppressed=change_suppressed,
        )


@dataclass(frozen=True, slots=True)
class SessionUsage:
    session_id: int
    title: str
    kind: str  # the catalog kind's value
    status: str  # the catalog status's value
    figures: Figures
    last_played: datetime | None  # the latest start up to the end of the period

    @property
    def archived(self) -> bool:
        return self.status == "archived"


T = TypeVar("T")


def sort_usage(rows: Sequence[SessionUsage], order: SortOrder) -> list[SessionUsage]:
    """`rows` in `order`, ties by title. A suppressed count sorts as one value between 0 and
    MIN_PATIENTS (so the order reveals nothing the cell hides), and rows without a figure
    (nothing to rest on, or a suppressed mean) come last in either direction."""
    key = _SORT_KEYS[order.column]
    by_title = sorted(rows, key=lambda row: (row.title.casefold(), row.session_id))
    present = [row for row in by_title if key(row) is not None]
    missing = [row for row in by_title if key(row) is None]
    ordered = sorted(present, key=key, reverse=order.descending)
    return ordered + missing


def _patients_key(row: SessionUsage) -> float:
    figures = row.figures
    return MIN_PATIENTS / 2 if figures.patients is None else float(figures.patients)


_SORT_KEYS: dict[str, Callable[[SessionUsage], Any]] = {
    "title": lambda row: row.title.casefold(),
    "starts": lambda row: row.figures.starts,
    "completions": lambda row: row.figures.completions,
    "completion_rate": lambda row: row.figures.completion_rate,
    "patients": _patients_key,
    "change": lambda row: row.figures.mean_change,
}


def page_of(items: Sequence[T], page: int, per_page: int = PER_PAGE) -> tuple[list[T], int, int]:
    """(items on the page, the page shown, pages): a page past the end shows the last."""
    pages = max(1, -(-len(items) // per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    return list(items[start : start + per_page]), page, pages


MINUS = "\u2212"  # a true minus sign, which screen readers read as "minus"


def signed_change(value: float) -> str:
    """A mean change as the table writes it: MINUS + "1.8", "+0.4", "0.0"."""
    if round(value, 1) == 0:
        return "0.0"
    return f"{MINUS if value < 0 else '+'}{abs(value):.1f}"


def change_direction(value: float) -> str:
    if round(value, 1) == 0:
        return "no change"
    return "calmer" if value < 0 else "more anxious"
