"""The clinic-wide model, fitted from every patient's ratings and kept in memory per worker.

Fitting reads every rated practice of the clinic (tens of thousands of rows) and runs EM: some
tenths of a second, far too much for every page. Per-patient personalisation (a few ms) is done
per request instead, so a patient's own newest rating counts at once; only the clinic-wide layer
(what sessions do for people in general, and how much people differ) waits for the next fit.

A fit is kept for one catalog change token (a published or edited session starts a new fit)
until `refits.refit_due` says the clinic's ratings have moved on: grown by a share, or changed
at all once the fit is `settle_after` seconds old. Whether they have is one aggregate query,
read every `CHECK_AFTER_SECONDS` or every `CHECK_EVERY_LISTS` lists chosen, whichever comes
first: a quiet clinic costs one query in 5 s, and a clinic that runs through days of its own
clock in minutes (a patient simulation driven through the API) is still counted every few dozen
lists. When a refit is due, one request refits, starting EM from the old fit, while the others
keep answering from the old one; only the very first fit of a worker is waited for. The numpy
work runs in a worker thread so the event loop keeps serving.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wellness.suggestions.engine import fit_clinic
from wellness.suggestions.inputs import SessionFacts
from wellness.suggestions.model import ClinicModel
from wellness.suggestions.refits import APP_SCHEDULE, RatingsMark, RefitSchedule, refit_due
from wellness.suggestions.services.context import clinic_ratings_mark, rated_practices

CHECK_AFTER_SECONDS = 5.0
CHECK_EVERY_LISTS = 50


@dataclass(frozen=True, slots=True)
class Fit:
    model: ClinicModel
    token: str | None
    fitted_at: float  # monotonic seconds
    generation: int  # counts fits in this worker
    mark: RatingsMark  # the clinic's ratings it was fitted from


class ClinicFits:
    """One worker's current fit. `clock` is monotonic time (tests pass their own)."""

    def __init__(
        self,
        *,
        schedule: RefitSchedule = APP_SCHEDULE,
        check_after: float = CHECK_AFTER_SECONDS,
        check_every: int = CHECK_EVERY_LISTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.schedule = schedule
        self.check_after = check_after
        self.check_every = check_every
        self.asked = 0  # fits asked for since the ratings were last counted
        self.clock = clock
        self.current: Fit | None = None
        self.checked_at = float("-inf")  # when the ratings were last counted against `current`
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    def _lock(self) -> asyncio.Lock:
        # One lock per event loop: a lock waited on in one loop cannot be used from another.
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            self._locks = {loop: (lock := asyncio.Lock())}
        return lock

    def _serves(self, fit: Fit | None, token: str | None) -> bool:
        return fit is not None and token is not None and fit.token == token

    def _checked_lately(self) -> bool:
        return self.asked < self.check_every and self.clock() - self.checked_at < self.check_after

    def _counted(self, at: float) -> None:
        self.checked_at, self.asked = at, 0

    async def model(self, token: str | None, catalog: Sequence[SessionFacts]) -> Fit:
        """The fit to use now for the catalog under `token` (None: uncacheable, fit now)."""
        self.asked += 1
        fit = self.current
        if self._serves(fit, token) and self._checked_lately():
            assert fit is not None
            return fit
        lock = self._lock()
        if fit is not None and lock.locked():
            return fit  # another request is checking or refitting: answer from the old fit
        async with lock:
            fit = self.current
            if self._serves(fit, token) and self._checked_lately():
                assert fit is not None
                return fit
            mark = await clinic_ratings_mark()
            if self._serves(fit, token):
                assert fit is not None
                self._counted(self.clock())
                if not refit_due(fit.mark, mark, self.clock() - fit.fitted_at, self.schedule):
                    return fit
            ratings = await rated_practices()
            start = fit.model if fit is not None else None
            model = await asyncio.to_thread(fit_clinic, ratings, catalog, start=start)
            generation = fit.generation + 1 if fit is not None else 1
            fitted = Fit(model, token, self.clock(), generation, mark)
            if token is not None:
                self.current = fitted
                self._counted(fitted.fitted_at)
            return fitted

    def forget(self) -> None:
        self.current = None
        self._counted(float("-inf"))


# The worker's fits. Each worker process fits on its own; nothing is shared between them.
CLINIC_FITS = ClinicFits()
