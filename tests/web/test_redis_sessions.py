"""Two app instances sharing Redis behave like two workers: sessions, sign-in throttling and
the request limit are the same on both.

Each worker gets its own `create_app` (own Redis client, own data folder, so no file store can
be shared behind Redis's back) on the same database. Both run on one event loop and are
started from one task: Tortoise keeps a single global context per process, and both apps'
lifespans initialise the same one. The Redis namespace (`wellness.app.REDIS_NAMESPACE` and the
names built from it) is one of the test's own, so parallel runs never see each other's keys;
the test deletes its keys afterwards.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any, TypeVar, cast

import httpx
import pytest
import redis
from redis.asyncio import Redis as AsyncRedis

import wellness.app
from tests.conftest import BASE_URL, PERSONA_PASSWORD, PERSONAS, persona_password_hash
from tests.services.servers import delete_redis_keys, require_redis
from wellness.accounts import devices
from wellness.accounts import services as accounts
from wellness.app import SESSION_COOKIE, create_app
from wellness.lib.clock import Clock, FixedClock
from wellness.lib.rate_window import FixedWindow
from wellness.settings import Settings, load_settings
from wellness.web.request_counters import RedisCounters, RequestBudget

pytestmark = pytest.mark.redis

T = TypeVar("T")
FAILURES_PER_ACCOUNT = 3
PATIENT = PERSONAS["patient"]


@pytest.fixture
def redis_url() -> str:
    return require_redis()


@pytest.fixture
def namespace(monkeypatch: pytest.MonkeyPatch, redis_url: str) -> Iterator[str]:
    """The Redis key prefix of this test's workers; every key under it is deleted afterwards."""
    isolated = f"wellness-test-{secrets.token_hex(6)}"
    monkeypatch.setattr(wellness.app, "REDIS_NAMESPACE", isolated)
    monkeypatch.setattr(wellness.app, "REQUEST_COUNTERS_NAMESPACE", f"{isolated}_requests")
    monkeypatch.setattr(wellness.app, "THROTTLE_LOCK_NAME", f"{isolated}_throttle_lock")
    yield isolated
    delete_redis_keys(redis_url, f"{isolated}*")


def worker_settings(
    tmp_path: Path, name: str, database_url: str, redis_url: str, **environment: str
) -> Settings:
    return load_settings(
        {
            **environment,
            "WELLNESS_DATA_DIR": str(tmp_path / name / "data"),
            "WELLNESS_MEDIA_DIR": str(tmp_path / "media"),
            "WELLNESS_DATABASE_URL": database_url,
            "WELLNESS_SECRET_KEY": "test-secret-key-that-is-long-enough-to-pass",
            "WELLNESS_AUTO_MIGRATE": "true",
            "WELLNESS_REDIS_URL": redis_url,
            "WELLNESS_LOGIN_FAILURES_PER_ACCOUNT": str(FAILURES_PER_ACCOUNT),
        }
    )


Workers = tuple[httpx.AsyncClient, httpx.AsyncClient]


def _no_cookie_jar() -> CookieJar:
    """Clients keep no cookies: every request names its session explicitly (see `cookie`)."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


@pytest.fixture
def run_on_two_workers(
    tmp_path: Path, database_url: str, redis_url: str, namespace: str
) -> Callable[[Callable[[httpx.AsyncClient, httpx.AsyncClient], Awaitable[None]]], None]:
    """Run `scenario(a, b)` with both workers up and the patient persona in the database (on
    the wall clock unless given one; `environment`: more settings for both)."""

    @asynccontextmanager
    async def workers(settings: list[Settings], clock: Clock | None) -> AsyncIterator[Workers]:
        async with AsyncExitStack() as stack:
            clients = []
            for worker in settings:
                app = create_app(worker, clock=clock)
                await stack.enter_async_context(app.lifespan())
                # httpx types the app with plain mappings, Litestar with its own scope types:
                # the same calls (as in bench/profile_page.py)
                transport = httpx.ASGITransport(app=cast(Any, app))
                client = httpx.AsyncClient(
                    transport=transport, base_url=BASE_URL, cookies=_no_cookie_jar()
                )
                clients.append(await stack.enter_async_context(client))
            yield clients[0], clients[1]

    def run(
        scenario: Callable[[httpx.AsyncClient, httpx.AsyncClient], Awaitable[None]],
        clock: Clock | None = None,
        **environment: str,
    ) -> None:
        settings = [
            worker_settings(tmp_path, name, database_url, redis_url, **environment)
            for name in ("a", "b")
        ]
        assert all(s.redis_url == redis_url and not s.memory_stores for s in settings)

        async def main() -> None:
            async with workers(settings, clock) as (a, b):
                await accounts.create_user(
                    email=PATIENT.email,
                    display_name=PATIENT.display_name,
                    role=PATIENT.role,
                    password_hash=persona_password_hash(),
                )
                await scenario(a, b)

        asyncio.run(main())

    return run


def cookie(session_id: str) -> dict[str, str]:
    return {"cookie": f"{SESSION_COOKIE}={session_id}"}


def device_cookie(value: str) -> dict[str, str]:
    return {"cookie": f"{devices.COOKIE}={value}"}


async def sign_in(
    worker: httpx.AsyncClient,
    password: str = PERSONA_PASSWORD,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return await worker.post(
        "/api/v1/auth/login", json={"email": PATIENT.email, "password": password}, headers=headers
    )


def session_of(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    session_id = response.cookies[SESSION_COOKIE]
    assert len(session_id) >= 22  # at least 128 random bits
    return session_id


def redis_keys(redis_url: str, pattern: str) -> list[str]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        return sorted(client.scan_iter(match=pattern))
    finally:
        client.close()  # type: ignore[no-untyped-call]  # redis-py 5 leaves Redis.close unannotated


def test_it_accepts_a_session_started_on_one_worker_on_the_other(
    run_on_two_workers: Any, redis_url: str, namespace: str
) -> None:
    async def scenario(a: httpx.AsyncClient, b: httpx.AsyncClient) -> None:
        session_id = session_of(await sign_in(a))
        assert redis_keys(redis_url, f"{namespace}_sessions:*") == [
            f"{namespace}_sessions:{session_id}"
        ]

        on_b = await b.get("/api/v1/me", headers=cookie(session_id))
        assert on_b.status_code == 200, on_b.text
        assert on_b.json()["email"] == PATIENT.email
        assert (await b.get("/api/v1/me")).status_code == 401
        assert (await b.get("/api/v1/me", headers=cookie("not-a-session"))).status_code == 401

    run_on_two_workers(scenario)


def test_it_ends_the_session_on_every_worker_when_signing_out_on_one(
    run_on_two_workers: Any, redis_url: str, namespace: str
) -> None:
    async def scenario(a: httpx.AsyncClient, b: httpx.AsyncClient) -> None:
        session_id = session_of(await sign_in(a))
        assert (await a.get("/api/v1/me", headers=cookie(session_id))).status_code == 200

        logout = await b.post("/api/v1/auth/logout", headers=cookie(session_id))
        assert logout.status_code == 204, logout.text

        assert (await a.get("/api/v1/me", headers=cookie(session_id))).status_code == 401
        assert (await b.get("/api/v1/me", headers=cookie(session_id))).status_code == 401
        assert f"{namespace}_sessions:{session_id}" not in redis_keys(
            redis_url, f"{namespace}_sessions:*"
        )

    run_on_two_workers(scenario)


def test_it_counts_failed_sign_ins_across_workers(
    run_on_two_workers: Any, redis_url: str, namespace: str
) -> None:
    async def scenario(a: httpx.AsyncClient, b: httpx.AsyncClient) -> None:
        for worker in (a, b, a):  # 2 on A and 1 on B: neither alone reaches the limit of 3
            assert (await sign_in(worker, "a wrong password")).status_code == 401
        assert redis_keys(redis_url, f"{namespace}_throttle:login-fail:account:*")

        for worker in (b, a):
            refused = await sign_in(worker)  # the right password, too late
            assert refused.status_code == 429, refused.text
            assert int(refused.headers["retry-after"]) > 0
            assert SESSION_COOKIE not in refused.cookies

    run_on_two_workers(scenario)


def test_a_browser_known_on_one_worker_signs_in_on_the_other_while_strangers_are_locked(
    run_on_two_workers: Any, redis_url: str, namespace: str
) -> None:
    async def scenario(a: httpx.AsyncClient, b: httpx.AsyncClient) -> None:
        signed_in = await sign_in(a)
        assert signed_in.status_code == 200, signed_in.text
        device = signed_in.cookies[devices.COOKIE]
        for worker in (a, b, a):
            assert (await sign_in(worker, "a wrong password")).status_code == 401
        assert (await sign_in(b)).status_code == 429  # a new browser, the right password

        known = await sign_in(b, headers=device_cookie(device))
        assert known.status_code == 200, known.text
        assert known.json()["failed_sign_ins"] == 4  # 3 wrong passwords, 1 refused
        session_id = session_of(known)
        assert (await a.get("/api/v1/me", headers=cookie(session_id))).status_code == 200
        assert redis_keys(redis_url, f"{namespace}_throttle:login-fail:total:*")
        stored = " ".join(redis_keys(redis_url, f"{namespace}_throttle:*"))
        assert PATIENT.email not in stored
        assert device.split(".")[0] not in stored

    run_on_two_workers(scenario)


def test_a_device_cookies_own_allowance_is_shared_by_every_worker(
    run_on_two_workers: Any, redis_url: str, namespace: str
) -> None:
    async def scenario(a: httpx.AsyncClient, b: httpx.AsyncClient) -> None:
        signed_in = await sign_in(a)
        device = device_cookie(signed_in.cookies[devices.COOKIE])
        # The default 10 for the device, then 3 as a stranger, alternating workers.
        for number in range(10 + FAILURES_PER_ACCOUNT):
            worker = (a, b)[number % 2]
            guess = await sign_in(worker, "a wrong password", headers=device)
            assert guess.status_code == 401, (number, guess.text)
        for worker in (a, b):
            assert (await sign_in(worker, headers=device)).status_code == 429

    run_on_two_workers(scenario)


def test_every_worker_spends_the_same_request_allowance(
    run_on_two_workers: Any, redis_url: str, namespace: str
) -> None:
    limit = 5

    async def scenario(a: httpx.AsyncClient, b: httpx.AsyncClient) -> None:
        session = cookie(session_of(await sign_in(a)))
        for worker in (a, b, a, b, a):  # 3 on A and 2 on B: neither alone reaches 5
            assert (await worker.get("/api/v1/me", headers=session)).status_code == 200
        for worker in (b, a):
            refused = await worker.get("/api/v1/me", headers=session)
            assert refused.status_code == 429, refused.text
            assert refused.json()["code"] == "rate_limited"
            assert refused.headers["retry-after"] == "30"
        assert redis_keys(redis_url, f"{namespace}_requests:user:*")

    half_past = FixedClock(datetime(2026, 11, 24, 14, 30, 30, tzinfo=UTC))
    run_on_two_workers(scenario, half_past, WELLNESS_REQUESTS_PER_MINUTE=str(limit))


def counted(redis_url: str, work: Callable[[AsyncRedis], Awaitable[T]]) -> T:
    async def run() -> T:
        client = AsyncRedis.from_url(redis_url)
        try:
            return await work(client)
        finally:
            await client.aclose()

    return asyncio.run(run())


@pytest.mark.parametrize("block", [1, 10])
def test_requests_counted_at_once_in_redis_each_get_a_number_of_their_own(
    redis_url: str, namespace: str, block: int
) -> None:
    async def at_once(client: AsyncRedis) -> list[int]:
        counters = RedisCounters(client, namespace=namespace, block=block)
        return list(await asyncio.gather(*(counters.add("user:1", 7) for _ in range(50))))

    numbers = counted(redis_url, at_once)
    assert len(set(numbers)) == 50
    if block == 1:
        assert sorted(numbers) == list(range(1, 51))


def test_a_worker_claims_a_block_of_numbers_and_hands_them_out_in_turn(
    redis_url: str, namespace: str
) -> None:
    async def one_by_one(client: AsyncRedis) -> tuple[list[int], int]:
        counters = RedisCounters(client, namespace=namespace, block=10)
        numbers = [await counters.add("user:1", 7) for _ in range(25)]
        return numbers, int(await client.get(f"{namespace}:user:1:7") or 0)

    numbers, claimed = counted(redis_url, one_by_one)
    assert numbers == list(range(1, 26))
    assert claimed == 30  # three blocks asked for, not 25 round trips


def test_workers_claiming_blocks_never_let_more_than_the_limit_through(
    redis_url: str, namespace: str
) -> None:
    limit, block = 100, 10
    budget_of = FixedWindow(limit, 60)

    async def alternate(client: AsyncRedis) -> int:
        workers = [
            RequestBudget(budget_of, RedisCounters(client, namespace=namespace, block=block))
            for _ in range(3)
        ]
        admitted = 0
        for number in range(3 * limit):
            if await workers[number % 3].spend("user:1", 0.0) is None:
                admitted += 1
        return admitted

    admitted = counted(redis_url, alternate)
    # Each worker may hold up to block - 1 numbers it never hands out.
    assert limit - 3 * (block - 1) <= admitted <= limit


def test_past_its_capacity_a_worker_asks_redis_for_each_request_and_still_counts_it(
    redis_url: str, namespace: str
) -> None:
    async def two_people(client: AsyncRedis) -> tuple[list[int], int]:
        counters = RedisCounters(client, namespace=namespace, block=10, capacity=1)
        await counters.add("user:1", 7)  # holds the one place
        numbers = [await counters.add("user:2", 7) for _ in range(3)]
        return numbers, int(await client.get(f"{namespace}:user:2:7") or 0)

    numbers, claimed = counted(redis_url, two_people)
    assert numbers == [1, 2, 3]
    assert claimed == 3


def test_a_request_is_let_through_and_logged_when_redis_cannot_be_reached(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def spend() -> int | None:
        unreachable = AsyncRedis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
        budget = RequestBudget(FixedWindow(1, 60), RedisCounters(unreachable, namespace="x"))
        try:
            return await budget.spend("user:1", 0.0)
        finally:
            await budget.counters.aclose()

    with caplog.at_level("WARNING", logger="wellness.web"):
        assert asyncio.run(spend()) is None
    assert "request limit not checked" in caplog.text
