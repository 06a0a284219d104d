"""The clinic-wide model, fitted from every patient's ratings and kept in memory per worker.

Fitting reads every rated practice of the clinic (tens of thousands of rows) and runs EM: some
tenths of a second, far too much for every page. Per-patient personalisation (a few ms) is done
per request instead, so a patient's own newest rating counts at once; only the clinic-wide layer
(what sessions do for people in general, and how much people differ) waits for the next fit.

A fit is kept for `REFIT_AFTER_SECONDS` and for one catalog change token (a published or edited
session starts a new fit). When it is due, one request refits, starting EM from the old fit,
while the others keep answering from the old one; only the very first fit of a worker is waited
for. The numpy work runs in a worker thread so the event loop keeps serving.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wellness.suggestions.engine import fit_clinic
from wellness.suggestions.inputs import SessionFacts
from wellness.suggestions.model import ClinicModel
from wellness.suggestions.services.context import rated_practices

REFIT_AFTER_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class Fit:
    model: ClinicModel
    token: str | None
    fitted_at: float  # monotonic seconds
    generation: int  # counts fits in this worker


class ClinicFits:
    """One worker's current fit. `clock` is monotonic time (tests pass their own)."""

    def __init__(
        self,
        *,
        refit_after: float = REFIT_AFTER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.refit_after = refit_after
        self.clock = clock
        self.current: Fit | None = None
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    def _lock(self) -> asyncio.Lock:
        # One lock per event loop: a lock waited on in one loop cannot be used from another.
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            self._locks = {loop: (lock := asyncio.Lock())}
        return lock

    def fresh(self, fit: Fit | None, token: str | None) -> bool:
        return (
            fit is not None
            and token is not None
            and fit.token == token
            and self.clock() - fit.fitted_at < self.refit_after
        )

    async def model(self, token: str | None, catalog: Sequence[SessionFacts]) -> Fit:
        """The fit to use now for the catalog under `token` (None: uncacheable, fit now)."""
        fit = self.current
        if self.fresh(fit, token):
            assert fit is not None
            return fit
        lock = self._lock()
        if fit is not None and lock.locked():
            return fit  # another request is refitting: answer from the old fit meanwhile
        async with lock:
            fit = self.current
            if self.fresh(fit, token):
                assert fit is not None
                return fit
            ratings = await rated_practices()
            start = fit.model if fit is not None else None
            model = await asyncio.to_thread(fit_clinic, ratings, catalog, start=start)
            generation = fit.generation + 1 if fit is not None else 1
            fitted = Fit(model, token, self.clock(), generation)
            if token is not None:
                self.current = fitted
            return fitted

    def forget(self) -> None:
        self.current = None


# The worker's fits. Each worker process fits on its own; nothing is shared between them.
CLINIC_FITS = ClinicFits()
