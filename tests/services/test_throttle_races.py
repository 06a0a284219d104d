"""The sign-in throttle holds on several workers at once: parallel attempts at one account,
spread over four workers that share the throttle's store, are admitted no more often than its
limits allow, with the lock the app gives that store (`system/locks.py`): Redis across hosts, a
lock file on one host. Before the shared lock, four workers sharing Redis admitted 35 parallel
attempts at an account allowed 10.

Each "worker" is a `LoginThrottle` of its own (its own lock object and connection) over the
same store, as each app process builds one; they run on one event loop, so their store calls
interleave as those of processes do.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from litestar.stores.base import Store
from litestar.stores.redis import RedisStore
from redis.asyncio import Redis

from tests.services.servers import delete_redis_keys, require_redis
from wellness.accounts.throttle import CAP, LoginThrottle
from wellness.system.locks import FileLock, LockUnavailable, RedisLock, SharedLock
from wellness.web.file_store import LocalFileStore

WORKERS = 4
PER_ACCOUNT = 10
Locks = Callable[[], SharedLock]


@pytest.fixture
def redis_namespace() -> Iterator[str]:
    """A key prefix of this test's own; every key under it is deleted afterwards."""
    namespace = f"wellness-test-{secrets.token_hex(6)}"
    yield namespace
    delete_redis_keys(require_redis(), f"{namespace}*")


def redis_setup(namespace: str) -> tuple[Store, Locks]:
    url = require_redis()
    store = RedisStore(Redis.from_url(url), namespace=namespace, handle_client_shutdown=True)
    return store, lambda: RedisLock(Redis.from_url(url), f"{namespace}:throttle-lock")


def file_setup(folder: Path) -> tuple[Store, Locks]:
    store = LocalFileStore(folder / "throttle", create_directories=True)
    return store, lambda: FileLock(folder / "throttle.lock")


def workers(store: Store, locks: Locks) -> list[LoginThrottle]:
    return [
        LoginThrottle(
            store=store,
            per_account=PER_ACCOUNT,
            per_device=10,
            per_client=10_000,
            window_seconds=3600,
            lock=locks(),
        )
        for _ in range(WORKERS)
    ]


async def close(throttles: list[LoginThrottle]) -> None:
    for throttle in throttles:
        await throttle.lock.aclose()
    store = throttles[0].store
    if isinstance(store, RedisStore):
        await store.__aexit__(None, None, None)


async def admitted_at_once(throttles: list[LoginThrottle], attempts: int, *, devices: int) -> int:
    """`attempts` attempts at one account at once, dealt round the workers, each from an
    address of its own; with `devices`, from that many browsers known to the account."""

    async def attempt(number: int) -> bool:
        device = f"device-{number % devices}" if devices else None
        admission = await throttles[number % len(throttles)].admit(
            email="victim@example.org",
            client=f"10.0.{number // 250}.{number % 250}",
            device=device,
            now=1_000.0 + number / 1_000,
        )
        return admission.allowed

    try:
        return sum(await asyncio.gather(*(attempt(number) for number in range(attempts))))
    finally:
        await close(throttles)


@pytest.mark.redis
def test_workers_sharing_redis_admit_no_more_than_an_accounts_allowance(
    redis_namespace: str,
) -> None:
    throttles = workers(*redis_setup(redis_namespace))
    assert asyncio.run(admitted_at_once(throttles, 200, devices=0)) == PER_ACCOUNT


@pytest.mark.redis
def test_workers_sharing_redis_admit_no_more_than_the_hourly_cap_from_known_browsers(
    redis_namespace: str,
) -> None:
    # 40 browsers with 10 attempts each of their own would make 400: the cap holds at 100.
    throttles = workers(*redis_setup(redis_namespace))
    assert asyncio.run(admitted_at_once(throttles, 400, devices=40)) == CAP


def test_workers_sharing_files_on_one_host_admit_no_more_than_an_accounts_allowance(
    tmp_path: Path,
) -> None:
    throttles = workers(*file_setup(tmp_path))
    assert asyncio.run(admitted_at_once(throttles, 60, devices=0)) == PER_ACCOUNT


def test_an_attempt_that_cannot_have_the_lock_is_refused_for_a_second_not_let_through(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store, _ = file_setup(tmp_path)

    async def while_held() -> tuple[bool, int | None]:
        holder = FileLock(tmp_path / "throttle.lock")
        waiting = FileLock(tmp_path / "throttle.lock", wait_seconds=0.05)
        throttle = workers(store, lambda: waiting)[0]
        try:
            async with holder():
                admission = await throttle.admit(
                    email="victim@example.org", client="10.0.0.1", device=None, now=1_000.0
                )
            return admission.allowed, admission.retry_after
        finally:
            await holder.aclose()
            await waiting.aclose()

    with caplog.at_level(logging.WARNING, logger="wellness.accounts"):
        assert asyncio.run(while_held()) == (False, 1)
    assert "the throttle's lock is busy" in caplog.text


def test_a_redis_lock_that_cannot_be_reached_is_unavailable() -> None:
    async def take() -> None:
        lock = RedisLock.from_url("redis://127.0.0.1:1/0", "x")
        try:
            async with lock():
                pass
        finally:
            await lock.aclose()

    with pytest.raises(LockUnavailable):
        asyncio.run(take())


def test_a_file_lock_lets_one_holder_in_at_a_time(tmp_path: Path) -> None:
    inside: list[str] = []
    overlaps: list[str] = []

    async def hold(lock: FileLock, name: str) -> None:
        for _ in range(5):
            async with lock():
                if inside:
                    overlaps.append(name)
                inside.append(name)
                await asyncio.sleep(0.001)
                inside.remove(name)

    async def both() -> None:
        first, second = FileLock(tmp_path / "x.lock"), FileLock(tmp_path / "x.lock")
        try:
            await asyncio.gather(hold(first, "first"), hold(second, "second"), hold(first, "third"))
        finally:
            await first.aclose()
            await second.aclose()

    asyncio.run(both())
    assert overlaps == []


def test_without_flock_a_worker_goes_on_with_its_own_lock_rather_than_refuse_everyone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def unsupported(fd: int, operation: int) -> None:
        raise OSError(95, "Operation not supported")

    monkeypatch.setattr(fcntl, "flock", unsupported)
    store, file_lock = file_setup(tmp_path)
    with caplog.at_level(logging.WARNING, logger="wellness.locks"):
        admitted = asyncio.run(admitted_at_once(workers(store, file_lock)[:1], 30, devices=0))
    assert admitted == PER_ACCOUNT
    assert "this worker's own lock only" in caplog.text
