"""Audit rows of concurrent requests share a commit (wellness.audit.group_commit), against a
stand-in connection: every caller returns once its own row is committed, or raises what the
commit raised."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from wellness.audit.group_commit import MAX_BATCH, STATEMENT_ROWS, GroupCommit


class SlowConnection:
    """Commits each batch after `delay` seconds; fails the batches whose rows hold `poison`.
    Keeps each batch's rows: a multi-row statement's flat list of values cut back into rows of
    one value (every row sent that way here has one), or `execute_many`'s rows as they are;
    and in `calls` which of the two wrote it."""

    def __init__(self, delay: float = 0.01, poison: object = None) -> None:
        self.delay = delay
        self.poison = poison
        self.batches: list[list[list[Any]]] = []
        self.calls: list[str] = []

    async def execute_query(self, statement: str, values: list[Any]) -> None:
        assert statement == f"INSERT {len(values)} rows"
        await asyncio.sleep(self.delay)
        if self.poison in values:
            raise RuntimeError("the disk is full")
        self.batches.append([[value] for value in values])
        self.calls.append("one statement")

    async def execute_many(self, statement: str, rows: list[list[Any]]) -> None:
        """The one-row statement once per row, in one transaction."""
        assert statement == "INSERT 1 rows"
        await asyncio.sleep(self.delay)
        if any(self.poison in row for row in rows):
            raise RuntimeError("the disk is full")
        self.batches.append([list(row) for row in rows])
        self.calls.append("execute_many")


def test_rows_arriving_during_a_commit_share_the_next_one() -> None:
    connection = SlowConnection()
    writer = GroupCommit(lambda rows: f"INSERT {rows} rows")

    async def scenario() -> None:
        first = asyncio.create_task(writer.insert(connection, [0]))
        await asyncio.sleep(0)  # its commit is under way
        await asyncio.gather(first, *(writer.insert(connection, [n]) for n in range(1, 12)))
        await asyncio.gather(*(writer.insert(connection, [n]) for n in range(12, 15)))

    asyncio.run(scenario())

    # The first row is written at once; the eleven that came meanwhile go in one commit, and
    # rows sent together go in one commit.
    assert connection.batches == [
        [[0]],
        [[number] for number in range(1, 12)],
        [[12], [13], [14]],
    ]


def test_a_callers_rows_stay_together_in_one_transaction() -> None:
    """Rows of one caller (a view of many patients) are never split between two commits;
    callers whose rows would take a batch over MAX_BATCH wait for the next one."""
    connection = SlowConnection()
    writer = GroupCommit(lambda rows: f"INSERT {rows} rows")
    first_rows = [[n] for n in range(MAX_BATCH - 3)]
    second_rows = [[n] for n in range(10_000, 10_005)]  # three more would fit, five do not

    async def scenario() -> None:
        first = asyncio.create_task(writer.insert(connection, ["before"]))
        await asyncio.sleep(0)  # its commit is under way; the next callers wait together
        await asyncio.gather(
            first,
            writer.insert_rows(connection, first_rows),
            writer.insert_rows(connection, second_rows),
            writer.insert_rows(connection, []),  # nothing to write: returns at once
        )

    asyncio.run(scenario())

    assert connection.batches == [[["before"]], first_rows, second_rows]
    assert connection.calls == ["one statement", "execute_many", "one statement"]


def test_a_batch_of_more_rows_than_one_statement_takes_is_one_execute_many() -> None:
    """Past STATEMENT_ROWS a batch is the one-row statement run for each row, in one
    transaction, and every caller returns once it is committed."""
    connection = SlowConnection()
    writer = GroupCommit(lambda rows: f"INSERT {rows} rows")
    views = [[[f"view {view}", n] for n in range(STATEMENT_ROWS // 2)] for view in range(3)]
    seen_at_return: list[int] = []

    async def one(rows: list[list[Any]]) -> None:
        await writer.insert_rows(connection, rows)
        seen_at_return.append(sum(len(batch) for batch in connection.batches))

    async def scenario() -> None:
        await asyncio.gather(*(one(rows) for rows in views))

    asyncio.run(scenario())

    assert connection.calls == ["execute_many"]
    assert connection.batches == [[row for rows in views for row in rows]]
    assert seen_at_return == [STATEMENT_ROWS // 2 * 3] * 3


def test_a_caller_returns_only_once_its_row_is_committed() -> None:
    connection = SlowConnection()
    writer = GroupCommit(lambda rows: f"INSERT {rows} rows")
    seen_at_return: list[int] = []

    async def one(number: int) -> None:
        await writer.insert(connection, [number])
        seen_at_return.append(sum(len(batch) for batch in connection.batches))

    async def scenario() -> None:
        await asyncio.gather(*(one(number) for number in range(5)))
        await one(5)  # alone, after the others: a commit of its own

    asyncio.run(scenario())

    assert seen_at_return == [5, 5, 5, 5, 5, 6]
    assert [len(batch) for batch in connection.batches] == [5, 1]


def test_a_failed_commit_fails_each_of_its_callers_and_the_next_batch_is_written() -> None:
    connection = SlowConnection(poison="bad")
    writer = GroupCommit(lambda rows: f"INSERT {rows} rows")

    async def scenario() -> list[BaseException | None]:
        first = asyncio.create_task(writer.insert(connection, ["fine"]))
        await asyncio.sleep(0)  # the first commit is under way; the next two wait for another
        doomed = [writer.insert(connection, ["bad"]), writer.insert(connection, ["with it"])]
        outcomes = await asyncio.gather(first, *doomed, return_exceptions=True)
        await writer.insert(connection, ["after"])
        return list(outcomes)

    outcomes = asyncio.run(scenario())

    assert outcomes[0] is None
    assert [str(outcome) for outcome in outcomes[1:]] == ["the disk is full"] * 2
    assert connection.batches == [[["fine"]], [["after"]]]


def test_a_caller_that_goes_away_does_not_stop_the_others_rows() -> None:
    connection = SlowConnection()
    writer = GroupCommit(lambda rows: f"INSERT {rows} rows")

    async def scenario() -> None:
        first = asyncio.create_task(writer.insert(connection, [1]))
        await asyncio.sleep(0)
        leaving = asyncio.create_task(writer.insert(connection, [2]))
        staying = asyncio.create_task(writer.insert(connection, [3]))
        await asyncio.sleep(0)
        leaving.cancel()
        await asyncio.gather(first, staying)
        with pytest.raises(asyncio.CancelledError):
            await leaving

    asyncio.run(scenario())

    # The row was already on its way: it is written, as an insert already sent would be.
    assert connection.batches == [[[1]], [[2], [3]]]


def test_each_connection_has_its_own_batches() -> None:
    first, second = SlowConnection(), SlowConnection()
    writer = GroupCommit(lambda rows: f"INSERT {rows} rows")

    async def scenario() -> None:
        await asyncio.gather(
            *(
                writer.insert(connection, [name])
                for connection, name in [(first, "a"), (second, "b")] * 3
            )
        )

    asyncio.run(scenario())

    assert [row for batch in first.batches for row in batch] == [["a"]] * 3
    assert [row for batch in second.batches for row in batch] == [["b"]] * 3


def test_callers_are_cancelled_when_the_writer_is_stopped_rather_than_left_waiting() -> None:
    connection = SlowConnection(delay=10)
    writer = GroupCommit(lambda rows: f"INSERT {rows} rows")

    async def scenario(cancel_after: int) -> list[bool]:
        callers = [asyncio.create_task(writer.insert(connection, [n])) for n in range(3)]
        for _ in range(cancel_after):
            await asyncio.sleep(0)
        for task in asyncio.all_tasks():
            if task.get_coro().__qualname__ == "_Batches._write_while_waiting":  # type: ignore[union-attr]
                task.cancel()
        await asyncio.wait(callers, timeout=1)
        return [caller.cancelled() for caller in callers]

    # Stopped before it began, and in the middle of its commit.
    for cancel_after in (1, 3):
        assert asyncio.run(scenario(cancel_after)) == [True, True, True]
    assert connection.batches == []
