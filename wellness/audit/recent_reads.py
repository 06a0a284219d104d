"""Which staff reads of patients' data this process recorded lately, so that a page shown again
and again (the caseload dashboard, refreshed by a therapist or kept open) records each patient
it shows once per window, not once per view, while every view still leaves a row.

A process forgets only towards more rows: a restart, another worker, or a clock set back records
the patients again. Pure: the caller says when.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

READ_WINDOW = timedelta(minutes=5)
MAX_REMEMBERED = 50_000  # (viewer, patient, action) triples; past it, everything is recorded again


class RecentReads:
    def __init__(self, window: timedelta = READ_WINDOW, limit: int = MAX_REMEMBERED) -> None:
        self.window = window
        self.limit = limit
        self._recorded: dict[tuple[int, int, str], datetime] = {}

    def due(
        self, viewer_id: int, action: str, patient_ids: Iterable[int], now: datetime
    ) -> list[int]:
        """The patients (each once, in order) whose read by `viewer_id` is not recorded within
        the window before `now`."""
        due = []
        for patient_id in dict.fromkeys(patient_ids):
            last = self._recorded.get((viewer_id, patient_id, action))
            if last is None or not now - self.window < last <= now:
                due.append(patient_id)
        return due

    def recorded(
        self, viewer_id: int, action: str, patient_ids: Iterable[int], now: datetime
    ) -> None:
        """Note reads as written to the audit trail (after the write, so a failed one is not)."""
        fresh = [(viewer_id, patient_id, action) for patient_id in patient_ids]
        if len(self._recorded) + len(fresh) > self.limit:
            self._recorded.clear()
        self._recorded.update(dict.fromkeys(fresh, now))
