from __future__ import annotations

import asyncio

from litestar.stores.memory import MemoryStore

from wellness.accounts.throttle import (
    CAP,
    CAP_SECONDS,
    Admission,
    FailureNotice,
    FailureWindow,
    LoginThrottle,
)

WINDOW = 3600


def throttle(store: MemoryStore | None = None) -> LoginThrottle:
    return LoginThrottle(
        store=store or MemoryStore(),
        per_account=3,
        per_device=4,
        per_client=5,
        window_seconds=WINDOW,
    )


async def admit(
    limiter: LoginThrottle,
    *,
    email: str = "a@x.org",
    client: str = "1.2.3.4",
    device: str | None = None,
    now: float = 0.0,
) -> Admission:
    return await limiter.admit(email=email, client=client, device=device, now=now)


def test_it_locks_untrusted_clients_of_an_account_until_the_window_closes() -> None:
    async def scenario() -> list[int | None]:
        limiter = throttle()
        waits = []
        for minute in range(4):
            address = f"10.0.0.{minute}"
            admission = await admit(limiter, email="A@x.org ", client=address, now=minute * 60.0)
            waits.append(admission.retry_after)
        waits.append((await admit(limiter, client="9.9.9.9", now=WINDOW + 1.0)).retry_after)
        return waits

    assert asyncio.run(scenario()) == [None, None, None, WINDOW - 180, None]


def test_a_known_device_keeps_its_own_allowance_while_untrusted_clients_are_locked() -> None:
    async def scenario() -> tuple[list[bool], list[bool], bool]:
        limiter = throttle()
        for _ in range(3):
            await admit(limiter)
        device = [(await admit(limiter, device="nonce-1")).allowed for _ in range(5)]
        other_device = await admit(limiter, device="nonce-2")
        untrusted = [(await admit(limiter, client=f"10.0.0.{n}")).allowed for n in range(2)]
        return device, untrusted, other_device.trusted

    device, untrusted, other_is_trusted = asyncio.run(scenario())
    assert device == [True, True, True, True, False]  # its own 4, then untrusted: locked
    assert untrusted == [False, False]
    assert other_is_trusted is True


def test_a_device_with_its_allowance_spent_is_treated_as_untrusted() -> None:
    async def scenario() -> list[tuple[bool, bool]]:
        limiter = throttle()
        answers = [await admit(limiter, device="stolen") for _ in range(4 + 3 + 1)]
        return [(answer.allowed, answer.trusted) for answer in answers]

    assert asyncio.run(scenario()) == [(True, True)] * 4 + [(True, False)] * 3 + [(False, False)]


def test_known_devices_are_not_held_back_by_their_address() -> None:
    async def scenario() -> tuple[bool, bool]:
        limiter = throttle()
        for number in range(5):
            await admit(limiter, email=f"guess{number}@x.org", client="ward")
        stranger = await admit(limiter, email="b@x.org", client="ward")
        known = await admit(limiter, email="b@x.org", client="ward", device="tablet")
        return stranger.allowed, known.allowed

    assert asyncio.run(scenario()) == (False, True)


def test_no_account_takes_more_than_the_cap_in_any_hour_whatever_the_devices() -> None:
    async def scenario() -> tuple[int, int | None, bool, bool]:
        limiter = LoginThrottle(
            store=MemoryStore(), per_account=3, per_device=10, per_client=50, window_seconds=WINDOW
        )
        admitted = 0
        refused: Admission | None = None
        for second in range(200):  # 3 untrusted + 20 devices of 10: 203 allowed without the cap
            device = None if second < 3 else f"device-{(second - 3) // 10}"
            answer = await admit(limiter, device=device, now=float(second))
            if not answer.allowed:
                refused = answer
                break
            admitted += 1
        assert refused is not None
        later = await admit(limiter, device="device-19", now=CAP_SECONDS - 1.0)
        after_an_hour = await admit(limiter, device="device-19", now=float(CAP_SECONDS))
        return admitted, refused.retry_after, later.allowed, after_an_hour.allowed

    admitted, wait, later, after_an_hour = asyncio.run(scenario())
    assert admitted == CAP == 100
    assert wait == CAP_SECONDS - 100  # the oldest failure, at second 0, leaves the hour then
    assert later is False
    assert after_an_hour is True


def test_the_attempt_that_uses_up_an_allowance_names_it() -> None:
    async def scenario() -> list[tuple[str, ...]]:
        limiter = throttle()
        untrusted = [(await admit(limiter)).exhausts for _ in range(3)]
        device = [(await admit(limiter, device="d")).exhausts for _ in range(4)]
        return untrusted + device

    assert asyncio.run(scenario()) == [(), (), ("untrusted clients",), (), (), (), ("device",)]


def test_parallel_attempts_cannot_slip_past_a_limit() -> None:
    async def scenario() -> int:
        limiter = throttle()
        answers = await asyncio.gather(*(admit(limiter) for _ in range(10)))
        return sum(answer.allowed for answer in answers)

    assert asyncio.run(scenario()) == 3


def test_a_right_password_gives_its_attempt_back() -> None:
    async def scenario() -> tuple[bool, bool]:
        limiter = throttle()
        for _ in range(2):
            await admit(limiter)
        success = await admit(limiter)
        await limiter.succeeded(success, email="a@x.org", now=0.0)
        still_open = await admit(limiter)
        for _ in range(3):
            await admit(limiter, device="d")
        device_success = await admit(limiter, device="d")
        await limiter.succeeded(device_success, email="a@x.org", now=0.0)
        forgiven = [(await admit(limiter, device="d")).trusted for _ in range(4)]
        return still_open.allowed, all(forgiven)

    assert asyncio.run(scenario()) == (True, True)


def test_the_next_sign_in_hears_of_the_failures_once() -> None:
    async def scenario() -> tuple[FailureNotice | None, FailureNotice | None]:
        limiter = throttle()
        await limiter.failed(email="a@x.org", account_exists=True, now=10.0)
        await limiter.failed(email="A@x.org", account_exists=True, now=20.0)
        first = await limiter.succeeded(await admit(limiter, now=30.0), email="a@x.org", now=30.0)
        second = await limiter.succeeded(await admit(limiter, now=40.0), email="a@x.org", now=40.0)
        return first, second

    assert asyncio.run(scenario()) == (FailureNotice(2, 20.0), None)


def test_clearing_an_account_lifts_its_locks() -> None:
    async def scenario() -> bool:
        limiter = throttle()
        for _ in range(3):
            await admit(limiter, client="c")
        await limiter.clear_account("a@x.org")
        return (await admit(limiter, client="other", now=1.0)).allowed

    assert asyncio.run(scenario()) is True


def test_the_store_never_holds_the_email_address_or_the_device_nonce() -> None:
    async def scenario() -> list[str]:
        store = MemoryStore()
        limiter = throttle(store)
        await admit(limiter, email="secret.person@x.org")
        await admit(limiter, email="secret.person@x.org", device="nonce-secret")
        await limiter.failed(email="secret.person@x.org", account_exists=True, now=0.0)
        return list(store._store)

    keys = asyncio.run(scenario())
    assert len(keys) == 5  # untrusted, client, total, device, notice
    assert all("secret" not in key for key in keys)


def test_failure_windows_survive_encoding_and_reject_garbage() -> None:
    window = FailureWindow(count=4, opened_at=12.5)
    assert FailureWindow.decode(window.encode().encode()) == window
    assert FailureWindow.decode(b"garbage") is None
    assert FailureWindow.decode(None) is None
    assert FailureNotice.decode(FailureNotice(3, 9.5).encode().encode()) == FailureNotice(3, 9.5)
    assert FailureNotice.decode(b"3:x") is None
