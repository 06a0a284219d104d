"""`wellness serve --workers 4` on PostgreSQL, as a clinic scales out: 120 wrong passwords sent
at once at one account reach four worker processes, and exactly the account's allowance (10)
is let through, whether the workers share the throttle's counts through files on one host or
through Redis. Before the shared lock (`system/locks.py`), the same storm let 16 through with
files and 12 with Redis. Likewise the request limit, counted in Redis: exactly the limit of
120 requests at once gets through the four workers.

Runs in the PostgreSQL pass only (SQLite allows one worker). The account's address is new in
every run, and the per-address allowance is lifted, so runs sharing one Redis never meet.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

from tests.conftest import POSTGRES_URL
from tests.live_servers import free_port, running_server
from tests.services.servers import delete_redis_keys, require_redis, throwaway_postgres_database
from wellness.accounts.throttle import _account_key, _notice_key, _total_key
from wellness.app import REQUEST_COUNTERS_NAMESPACE

PER_ACCOUNT = 10
ATTEMPTS = 120
WORKERS = 4

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL,
        reason="runs in the PostgreSQL pass: several workers need PostgreSQL (SQLite allows one)",
    ),
]


def wellness_command() -> list[str]:
    beside = Path(sys.executable).with_name("wellness")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "wellness.cli"]


@pytest.fixture
def database() -> Iterator[str]:
    with throwaway_postgres_database() as url:
        yield url


def environment(tmp_path: Path, database: str, **more: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("WELLNESS_")}
    env.update(
        WELLNESS_DATA_DIR=str(tmp_path / "data"),
        WELLNESS_MEDIA_DIR=str(tmp_path / "media"),
        WELLNESS_DATABASE_URL=database,
        WELLNESS_SECRET_KEY="test-secret-key-that-is-long-enough-to-pass",
        WELLNESS_LOGIN_FAILURES_PER_ACCOUNT=str(PER_ACCOUNT),
        WELLNESS_LOGIN_FAILURES_PER_CLIENT="10000",
        WELLNESS_REQUESTS_PER_MINUTE="0",
        **more,
    )
    return env


def storm(base_url: str, email: str) -> Counter[int]:
    async def all_at_once() -> list[int]:
        limits = httpx.Limits(max_connections=64)
        async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:

            async def attempt(number: int) -> int:
                answer = await client.post(
                    "/api/v1/auth/login",
                    json={"email": email, "password": f"a wrong password {number}"},
                )
                return answer.status_code

            return list(await asyncio.gather(*(attempt(number) for number in range(ATTEMPTS))))

    return Counter(asyncio.run(all_at_once()))


def serving(tmp_path: Path, env: dict[str, str]) -> AbstractContextManager[object]:
    port = free_port()
    env["TEST_URL"] = f"http://127.0.0.1:{port}"
    serve = [*wellness_command(), "serve", "--port", str(port), "--workers", str(WORKERS)]
    return running_server(
        serve,
        url=env["TEST_URL"],
        cwd=tmp_path,
        env=env,
        log_path=tmp_path / "serve.log",
        what="wellness serve --workers 4",
        timeout=60,
    )


def let_through(tmp_path: Path, env: dict[str, str]) -> Counter[int]:
    email = f"victim-{secrets.token_hex(6)}@example.org"
    for command in (
        ["db", "upgrade"],
        [
            "users",
            "create",
            "--role",
            "patient",
            "--email",
            email,
            "--name",
            "Victim",
            "--password-stdin",
        ],
    ):
        subprocess.run(
            [*wellness_command(), *command],
            env=env,
            input="correct horse battery staple\n",
            text=True,
            capture_output=True,
            check=True,
            timeout=120,
        )
    with serving(tmp_path, env):
        answers = storm(env["TEST_URL"], email)
    forget_in_redis(env, email)
    return answers


def forget_in_redis(env: dict[str, str], email: str) -> None:
    """The account's throttle keys, deleted from the shared Redis (they would expire in an
    hour)."""
    url = env.get("WELLNESS_REDIS_URL")
    if url is None:
        return
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = [
            f"wellness_throttle:{key(email)}" for key in (_account_key, _total_key, _notice_key)
        ]
        client.delete(*keys)
    finally:
        client.close()  # type: ignore[no-untyped-call]  # redis-py 5 leaves Redis.close unannotated


def test_four_workers_sharing_files_let_through_exactly_an_accounts_allowance(
    tmp_path: Path, database: str
) -> None:
    answers = let_through(tmp_path, environment(tmp_path, database))

    assert answers == Counter({401: PER_ACCOUNT, 429: ATTEMPTS - PER_ACCOUNT})


@pytest.mark.redis
def test_four_workers_sharing_redis_let_through_exactly_an_accounts_allowance(
    tmp_path: Path, database: str
) -> None:
    env = environment(tmp_path, database, WELLNESS_REDIS_URL=require_redis())

    answers = let_through(tmp_path, env)

    assert answers == Counter({401: PER_ACCOUNT, 429: ATTEMPTS - PER_ACCOUNT})


@pytest.mark.redis
def test_four_workers_counting_in_redis_let_through_exactly_the_request_limit(
    tmp_path: Path, database: str
) -> None:
    limit = 50  # under 200 a minute, a worker claims one number at a time: exact
    env = environment(tmp_path, database, WELLNESS_REDIS_URL=require_redis())
    env["WELLNESS_REQUESTS_PER_MINUTE"] = str(limit)
    subprocess.run(
        [*wellness_command(), "db", "upgrade"],
        env=env,
        capture_output=True,
        check=True,
        timeout=120,
    )
    with serving(tmp_path, env):
        # The server runs on the wall clock: the storm (about a second) must not straddle two
        # minutes, and an earlier run's count of this address must not be in this one.
        seconds_into_minute = time.time() % 60
        if seconds_into_minute > 45:
            time.sleep(61 - seconds_into_minute)
        forget_address_counts(env)
        answers = Counter(asyncio.run(gets(env["TEST_URL"], "/login", ATTEMPTS)))
    forget_address_counts(env)

    assert answers == Counter({200: limit, 429: ATTEMPTS - limit})


def forget_address_counts(env: dict[str, str]) -> None:
    pattern = f"{REQUEST_COUNTERS_NAMESPACE}:client:127.0.0.1:*"
    delete_redis_keys(env["WELLNESS_REDIS_URL"], pattern)


async def gets(base_url: str, path: str, count: int) -> list[int]:
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        answers = await asyncio.gather(*(client.get(path) for _ in range(count)))
    return [answer.status_code for answer in answers]
