"""Audit rows of concurrent requests share a commit (wellness.audit.group_commit), against a
stand-in connection: every caller returns once its own row is committed, or raises what the
commit raised."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from wellness.audit.group_commit import GroupCommit


class SlowConnection:
    """Commits each batch after `delay` seconds; fails the batches whose rows hold `poison`.
    Keeps each batch's rows, as the statement's flat list of values cut back into rows of
    one value (every row here has one)."""

    def __init__(self, delay: float = 0.01, poison: object = None) -> None:
        self.delay = delay
        self.poison = poison
        self.batches: list[list[list[Any]]] = []

    async def execute_query(self, statement: str, values: list[Any]) -> None:
        assert statement == f"INSERT {len(values)} rows"
        await asyncio.sleep(self.delay)
        if self.poison in values:
            raise RuntimeError("the disk is full")
        self.batches.append([[value] for value in values])


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
