"""The audit CSV: one header line, then one line per row. Pure: stdlib only.

Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a formula;
such a cell is written with a leading apostrophe, which they show as text (OWASP "CSV
Injection"). Times are in the clinic's zone with their offset, and in UTC.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

HEADER = (
    "id",
    "time",
    "time_utc",
    "person_id",
    "person",
    "person_email",
    "action",
    "patient_id",
    "patient",
    "target_type",
    "target_id",
    "route",
    "client",
    "detail",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def line(cells: Sequence[object]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()


class Row(Protocol):
    """What a line is made of (`audit.browse.AuditRow` has it)."""

    @property
    def id(self) -> int: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def actor_name(self) -> str: ...
    @property
    def actor_email(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def patient_id(self) -> int | None: ...
    @property
    def patient_name(self) -> str: ...
    @property
    def target_type(self) -> str: ...
    @property
    def target_id(self) -> str: ...
    @property
    def route(self) -> str: ...
    @property
    def client(self) -> str: ...
    @property
    def detail(self) -> str: ...


def row_cells(row: Row, zone: str) -> list[object]:
    moment = row.occurred_at
    return [
        row.id,
        moment.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds"),
        moment.astimezone(UTC).isoformat(timespec="seconds"),
        row.actor_id,
        row.actor_name,
        row.actor_email,
        row.action,
        row.patient_id,
        row.patient_name,
        row.target_type,
        row.target_id,
        row.route,
        row.client,
        row.detail,
    ]


def lines(rows: Iterable[Row], zone: str) -> Iterator[str]:
    yield line(HEADER)
    for row in rows:
        yield line(row_cells(row, zone))
