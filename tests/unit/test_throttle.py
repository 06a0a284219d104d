from __future__ import annotations

import asyncio

from litestar.stores.memory import MemoryStore

from wellness.accounts.throttle import FailureWindow, LoginThrottle

WINDOW = 3600


def throttle(store: MemoryStore) -> LoginThrottle:
    return LoginThrottle(store=store, per_account=3, per_client=5, window_seconds=WINDOW)


def test_it_blocks_an_account_after_the_limit_until_the_window_closes() -> None:
    async def scenario() -> list[int | None]:
        limiter = throttle(MemoryStore())
        waits = []
        for minute in range(3):
            waits.append(
                await limiter.retry_after(email="a@x.org", client="1.2.3.4", now=minute * 60.0)
            )
            await limiter.record_failure(email="A@x.org ", client="1.2.3.4", now=minute * 60.0)
        waits.append(await limiter.retry_after(email="a@x.org", client="9.9.9.9", now=180.0))
        waits.append(await limiter.retry_after(email="a@x.org", client="9.9.9.9", now=WINDOW + 1.0))
        return waits

    assert asyncio.run(scenario()) == [None, None, None, WINDOW - 180, None]


def test_clearing_an_account_lifts_its_block() -> None:
    async def scenario() -> int | None:
        limiter = throttle(MemoryStore())
        for _ in range(3):
            await limiter.record_failure(email="a@x.org", client="c", now=0.0)
        await limiter.clear_account("a@x.org")
        return await limiter.retry_after(email="a@x.org", client="other", now=1.0)

    assert asyncio.run(scenario()) is None


def test_the_store_never_holds_the_email_address() -> None:
    async def scenario() -> list[str]:
        store = MemoryStore()
        await throttle(store).record_failure(email="secret.person@x.org", client="c", now=0.0)
        return list(store._store)

    keys = asyncio.run(scenario())
    assert len(keys) == 2
    assert all("secret" not in key for key in keys)


def test_failure_windows_survive_encoding_and_reject_garbage() -> None:
    window = FailureWindow(count=4, opened_at=12.5)
    assert FailureWindow.decode(window.encode().encode()) == window
    assert FailureWindow.decode(b"garbage") is None
    assert FailureWindow.decode(None) is None
