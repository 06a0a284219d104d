"""Audit rows of concurrent requests committed together.

Every staff view is audited before it is answered, and on SQLite each commit waits for the disk
(`synchronous = FULL`): one commit per row cost the dashboard about 1 ms of CPU per view and
held the database connection for every other request meanwhile. Rows that arrive while a commit
is under way wait for the next one, which writes them all in one transaction; each caller still
returns only once its own rows are committed, so no answered view lacks its rows.

A batch of up to STATEMENT_ROWS rows is one multi-row INSERT (the cheapest way to write a few
rows). A larger one, as when views write a row per patient shown, is a one-row INSERT run for
each row through the connection's `execute_many`, in one transaction: a multi-row INSERT is a
compiled statement per row count, cached per connection (about 1 MB each for 1,000 rows on
SQLite), and bound by the database's limit on parameters.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Sequence
from typing import Any

STATEMENT_ROWS = 100  # at most 900 parameters, within even SQLite's old limit of 999
# Rows per transaction: when more are waiting, the rest go in the next one. A caller's rows
# are never split (one with more than this goes alone).
MAX_BATCH = 5_000


class GroupCommit:
    """Inserts batched per database connection, each batch one transaction: one INSERT of
    all its rows (`statement_for(rows)` writes it), or `statement_for(1)` once per row through
    `execute_many` when there are more than STATEMENT_ROWS."""

    def __init__(self, statement_for: Callable[[int], str]) -> None:
        self.statement_for = statement_for
        self._batches: weakref.WeakKeyDictionary[Any, _Batches] = weakref.WeakKeyDictionary()

    async def insert(self, connection: Any, values: Sequence[Any]) -> None:
        """Insert one row, `values`, through `connection`, returning once it is committed
        (raising what the commit raised if it failed)."""
        await self.insert_rows(connection, [values])

    async def insert_rows(self, connection: Any, rows: Sequence[Sequence[Any]]) -> None:
        """Insert `rows` through `connection` in one transaction, returning once they are
        committed (raising what the commit raised if it failed)."""
        if not rows:
            return
        batches = self._batches.get(connection)
        if batches is None:
            batches = self._batches[connection] = _Batches(connection, self.statement_for)
        await batches.add(list(rows))


class _Batches:
    def __init__(self, connection: Any, statement_for: Callable[[int], str]) -> None:
        self.connection = connection
        self.statement_for = statement_for
        # One entry per caller: its rows, and the future it waits on.
        self.waiting: list[tuple[list[Sequence[Any]], asyncio.Future[None]]] = []
        self.writing: list[tuple[list[Sequence[Any]], asyncio.Future[None]]] = []
        self.writer: asyncio.Task[None] | None = None

    async def add(self, rows: list[Sequence[Any]]) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.append((rows, future))
        if self.writer is None:
            self.writer = asyncio.create_task(self._write_while_waiting())
            self.writer.add_done_callback(self._stopped)
        await future

    async def _write_while_waiting(self) -> None:
        while self.waiting:
            taken = _callers_fitting(self.waiting)
            self.writing, self.waiting = self.waiting[:taken], self.waiting[taken:]
            rows = [row for caller_rows, _ in self.writing for row in caller_rows]
            try:
                await self._write(rows)
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

    async def _write(self, rows: list[Sequence[Any]]) -> None:
        if len(rows) > STATEMENT_ROWS:
            await self.connection.execute_many(self.statement_for(1), [list(row) for row in rows])
        else:
            values = [value for row in rows for value in row]
            await self.connection.execute_query(self.statement_for(len(rows)), values)

    def _stopped(self, task: asyncio.Task[None]) -> None:
        """A writer stopped before its rows were written (cancelled when the server shuts down)
        cancels its callers instead of leaving them waiting."""
        if self.writer is task:
            self.writer = None
        if task.cancelled():
            for _, future in self.writing + self.waiting:
                future.cancel()
            self.writing, self.waiting = [], []


def _callers_fitting(waiting: list[tuple[list[Sequence[Any]], asyncio.Future[None]]]) -> int:
    """How many of the first callers' rows fit in one batch (at least one caller)."""
    taken = count = 0
    for rows, _ in waiting:
        if taken and count + len(rows) > MAX_BATCH:
            break
        taken, count = taken + 1, count + len(rows)
    return taken
