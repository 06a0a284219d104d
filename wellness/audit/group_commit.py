"""Audit rows of concurrent requests committed together.

Every staff view is audited before it is answered, and on SQLite each commit waits for the disk
(`synchronous = FULL`): one commit per row cost the dashboard about 1 ms of CPU per view and
held the database connection for every other request meanwhile. Rows that arrive while a commit
is under way wait for the next one, which writes them all in one transaction; each caller still
returns only once its own row is committed, so no answered view lacks its row.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Sequence
from typing import Any

MAX_BATCH = 500  # rows per statement: well under SQLite's limit of 32,766 parameters


class GroupCommit:
    """Inserts batched per database connection, each batch one multi-row INSERT statement
    (`statement_for(rows)` writes it): one round trip, and atomic on its own."""

    def __init__(self, statement_for: Callable[[int], str]) -> None:
        self.statement_for = statement_for
        self._batches: weakref.WeakKeyDictionary[Any, _Batches] = weakref.WeakKeyDictionary()

    async def insert(self, connection: Any, values: Sequence[Any]) -> None:
        """Insert `values` through `connection`, returning once they are committed (raising
        what the commit raised if it failed)."""
        batches = self._batches.get(connection)
        if batches is None:
            batches = self._batches[connection] = _Batches(connection, self.statement_for)
        await batches.add(list(values))


class _Batches:
    def __init__(self, connection: Any, statement_for: Callable[[int], str]) -> None:
        self.connection = connection
        self.statement_for = statement_for
        self.waiting: list[tuple[list[Any], asyncio.Future[None]]] = []
        self.writing: list[tuple[list[Any], asyncio.Future[None]]] = []
        self.writer: asyncio.Task[None] | None = None

    async def add(self, values: list[Any]) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.append((values, future))
        if self.writer is None:
            self.writer = asyncio.create_task(self._write_while_waiting())
            self.writer.add_done_callback(self._stopped)
        await future

    async def _write_while_waiting(self) -> None:
        while self.waiting:
            self.writing, self.waiting = self.waiting[:MAX_BATCH], self.waiting[MAX_BATCH:]
            values = [value for row, _ in self.writing for value in row]
            try:
                await self.connection.execute_query(self.statement_for(len(self.writing)), values)
            except Exception as problem:  # every caller hears of it, as with its own insert
                for _, future in self.writing:
                    if not future.done():
                        future.set_exception(problem)
            else:
                for _, future in self.writing:
                    if not future.done():  # a caller that went away was cancelled
                        future.set_result(None)
            self.writing = []
        self.writer = None

    def _stopped(self, task: asyncio.Task[None]) -> None:
        """A writer stopped before its rows were written (cancelled when the server shuts down)
        cancels its callers instead of leaving them waiting."""
        if self.writer is task:
            self.writer = None
        if task.cancelled():
            for _, future in self.writing + self.waiting:
                future.cancel()
            self.writing, self.waiting = [], []
