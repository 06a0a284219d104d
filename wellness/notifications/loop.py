"""The background task that sends e-mails, one per app (so per worker process).

It runs one round of each of its jobs (alert e-mails, `delivery.deliver_due`; practice
reminders, `reminder_delivery.reminder_job`, which the app adds), then sleeps until the next
poll or until an alert written in this process wakes it (`wake_all`, called by the outbox). A
woken loop waits `settle_seconds` first: the alert's transaction commits meanwhile, and alerts
raised together (a rating and a worse-than-before) leave as one message. Rows written by other
workers, retries and reminders falling due are found by the poll (every 30 s). It never spins:
between rounds it only waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from wellness.lib.clock import Clock
from wellness.notifications.delivery import deliver_due
from wellness.notifications.mailer import Mailer
from wellness.settings import MailSettings

log = logging.getLogger(__name__)
POLL_SECONDS = 30.0
SETTLE_SECONDS = 1.0
STOP_GRACE_SECONDS = 10.0

_running: weakref.WeakSet[DeliveryLoop] = weakref.WeakSet()


class Job(Protocol):
    """One round of one kind of e-mail; `stop` says to stop between messages."""

    def __call__(
        self, mailer: Mailer, mail: MailSettings, clock: Clock, *, stop: Callable[[], bool]
    ) -> Awaitable[object]: ...


def wake_all() -> None:
    """Every running loop of this process looks at the outbox soon (from any thread)."""
    for running in list(_running):
        running.wake()


class DeliveryLoop:
    def __init__(
        self,
        mailer: Mailer,
        mail: MailSettings,
        clock: Clock,
        *,
        jobs: Sequence[Job] = (deliver_due,),
        poll_seconds: float = POLL_SECONDS,
        settle_seconds: float = SETTLE_SECONDS,
        stop_grace_seconds: float = STOP_GRACE_SECONDS,
    ) -> None:
        self.mailer = mailer
        self.mail = mail
        self.clock = clock
        self.jobs = tuple(jobs)
        self.poll_seconds = poll_seconds
        self.settle_seconds = settle_seconds
        self.stop_grace_seconds = stop_grace_seconds
        self.rounds = 0  # finished rounds, for tests and logs
        self._task: asyncio.Task[None] | None = None
        self._event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False

    @property
    def task(self) -> asyncio.Task[None] | None:
        return self._task

    def start(self) -> None:
        """Start the task on the running event loop."""
        if self._task is not None:
            raise RuntimeError("the delivery loop is running already")
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="email-delivery")
        _running.add(self)

    def wake(self) -> None:
        loop, event = self._loop, self._event
        if loop is None or event is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            event.set()
        else:
            loop.call_soon_threadsafe(event.set)

    async def stop(self) -> None:
        """Let a message being sent finish (for up to `stop_grace_seconds`: cut off mid-send,
        its rows would be sent again once their claim lapses), then end the task."""
        task = self._task
        _running.discard(self)
        if task is None:
            return
        self._stopping = True
        if self._event is not None:
            self._event.set()
        _, pending = await asyncio.wait({task}, timeout=self.stop_grace_seconds)
        if pending:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            for job in self.jobs:
                if self._stopping:
                    break
                try:
                    await job(self.mailer, self.mail, self.clock, stop=lambda: self._stopping)
                except Exception:  # the database away for a moment: the next round tries again
                    log.exception("e-mail delivery round failed; trying again later")
            self.rounds += 1
            await self._wait()

    async def _wait(self) -> None:
        assert self._event is not None  # set by start
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout=self.poll_seconds)
        if not self._stopping and self._event.is_set():
            await asyncio.sleep(self.settle_seconds)
        self._event.clear()
