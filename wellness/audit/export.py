"""The audit CSV: one header line, then one line per row. Pure: stdlib only.

Cells that a spreadsheet would run as a formula are written as text (`lib.spreadsheet`). Times
are in the clinic's zone with their offset, and in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from wellness.lib.spreadsheet import line as line
from wellness.lib.spreadsheet import safe_cell as safe_cell

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
