"""50 concurrent patients writing check-ins with Idempotency-Key retries: none lost, none doubled.

Targets (from issue 4): 50 concurrent clients writing check-ins, with retries of the same
Idempotency-Key mixed in, on SQLite and on PostgreSQL, end with exactly the expected rows:
none lost, none duplicated. Throughput is printed beside a baseline but has no target.

Usage: .venv/bin/python bench/checkins.py [--database sqlite|postgres|both] [--clients 50]
       [--per-client 20] [--retry-share 0.3]

What it does, per database, in a temporary folder (PostgreSQL: a throwaway database):
1. creates --clients patient accounts with the real CLI (`wellness users create`) and starts
   `wellness serve` (one worker, as in production); each client signs in as its own patient;
2. baseline: every client sends --per-client `GET /api/v1/me` one after another, all clients at
   once (same server, same cookies, a read of the session and the user and nothing else);
3. load: every client writes --per-client check-ins one after another (a phone emptying its
   offline queue), each `POST /api/v1/checkins` with its own Idempotency-Key and a note naming
   it, at a level drawn from 0-10 (so about a quarter of them also write an alert in the same
   transaction). A --retry-share of them are sent twice with the same key and payload: half
   of those both at once (a retry racing the original), half once the first answer is back
   (a late retry);
4. checks, through the API (`GET /api/v1/checkins`, each patient's own pages) and directly in
   the database (rows in `checkins` and `idempotent_requests`): each key's note stored exactly
   once, every answer 201, and every copy of a request answered with the same check-in id;
5. prints req/s, p50 and p99 for both phases, the ratio to the baseline, expected vs actual
   rows, and PASS/MISS per target. Exits 0 on MISS (a benchmark reports, it does not fail).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import (
    HOST,
    PASSWORD,
    BenchError,
    add_database_options,
    cpu_seconds,
    create_account,
    for_each_database,
    free_port,
    machine_note,
    run_cli,
    running_server,
    sign_in,
)

TAGS = ["craving", "cant-sleep", "stress", "calm", "panic"]


def patient_email(number: int) -> str:
    return f"bench.patient.{number:03d}@example.org"


# --- measuring -----------------------------------------------------------------------------------


@dataclass
class Phase:
    """Requests of one phase: latencies, statuses, and wall time from first to last."""

    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # the server's
    client_cpu_seconds: float = 0.0  # this process's (the clients')

    async def send(self, request: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = await request()
        except httpx.HTTPError:
            self.statuses[0] += 1
            raise
        self.latencies.append(time.perf_counter() - started)
        self.statuses[response.status_code] += 1
        return response

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] * 1000


@dataclass
class Ledger:
    """What the clients sent and what came back, per Idempotency-Key."""

    expected: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    answered_ids: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    replayed: int = 0
    retries: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


# --- the clients ---------------------------------------------------------------------------------


async def read_me(client: httpx.AsyncClient, cookie: str, times: int, phase: Phase) -> None:
    for _ in range(times):
        response = await phase.send(lambda: client.get("/api/v1/me", headers={"cookie": cookie}))
        if response.status_code != 200:
            raise BenchError(f"GET /api/v1/me answered {response.status_code}: {response.text}")


async def post(
    client: httpx.AsyncClient, phase: Phase, payload: dict[str, object], headers: dict[str, str]
) -> httpx.Response:
    return await phase.send(lambda: client.post("/api/v1/checkins", json=payload, headers=headers))


async def write_checkins(
    client: httpx.AsyncClient,
    email: str,
    cookie: str,
    *,
    count: int,
    retry_share: float,
    rng: random.Random,
    phase: Phase,
    ledger: Ledger,
) -> None:
    run = secrets.token_hex(3)
    for number in range(count):
        key = f"bench-{email.split('@')[0]}-{number}-{run}"
        note = f"queued {key}"
        payload = {"level": rng.randint(0, 10), "note": note, "tags": rng.sample(TAGS, 2)}
        headers = {"cookie": cookie, "idempotency-key": key}
        ledger.expected[email].add(note)

        request = (client, phase, payload, headers)
        draw = rng.random()
        if draw < retry_share / 2:
            ledger.retries["at once"] += 1
            answers = list(await asyncio.gather(post(*request), post(*request)))
        elif draw < retry_share:
            ledger.retries["late"] += 1
            answers = [await post(*request), await post(*request)]
        else:
            answers = [await post(*request)]
        for response in answers:
            if response.status_code != 201:
                ledger.failures.append(f"{key}: {response.status_code} {response.text[:200]}")
                continue
            ledger.replayed += response.headers.get("idempotent-replayed") == "true"
            ledger.answered_ids[key].add(int(response.json()["checkin"]["id"]))


async def stored_notes(client: httpx.AsyncClient, cookie: str) -> tuple[int, list[str]]:
    """A patient's own check-ins through the API: the total it reports, and every note."""
    notes: list[str] = []
    page, pages, total = 1, 1, 0
    while page <= pages:
        response = await client.get(
            "/api/v1/checkins", params={"page": page, "per_page": 100}, headers={"cookie": cookie}
        )
        if response.status_code != 200:
            raise BenchError(f"GET /api/v1/checkins answered {response.status_code}")
        body = response.json()
        notes += [item["note"] for item in body["items"]]
        pages, total = body["pages"], body["total"]
        page += 1
    return total, notes


async def database_rows(database_url: str) -> tuple[int, int]:
    """Rows in `checkins` and `idempotent_requests`, read directly (not through the app)."""
    from wellness import db
    from wellness.checkins.models import Checkin
    from wellness.system.models import IdempotentRequest

    await db.open_database(database_url)
    try:
        return await Checkin.all().count(), await IdempotentRequest.all().count()
    finally:
        await db.close_database()


# --- one database ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    clients: int
    per_client: int
    retry_share: float
    seed: int


Found = dict[str, tuple[int, list[str]]]


async def load(
    base_url: str, cookies: dict[str, str], options: Options, pid: int
) -> tuple[Phase, Phase, Ledger, Found]:
    rng = random.Random(options.seed)
    limits = httpx.Limits(max_connections=options.clients * 2 + 10, max_keepalive_connections=None)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        baseline, writes, ledger = Phase("GET /api/v1/me"), Phase("POST /api/v1/checkins"), Ledger()

        async def timed(phase: Phase, work: list[Awaitable[None]]) -> None:
            cpu, client_cpu = cpu_seconds(pid), time.process_time()
            started = time.perf_counter()
            await asyncio.gather(*work)
            phase.seconds = time.perf_counter() - started
            phase.cpu_seconds = cpu_seconds(pid) - cpu
            phase.client_cpu_seconds = time.process_time() - client_cpu

        await timed(
            baseline,
            [read_me(client, cookie, options.per_client, baseline) for cookie in cookies.values()],
        )
        await timed(
            writes,
            [
                write_checkins(
                    client,
                    email,
                    cookie,
                    count=options.per_client,
                    retry_share=options.retry_share,
                    rng=random.Random(rng.random()),
                    phase=writes,
                    ledger=ledger,
                )
                for email, cookie in cookies.items()
            ],
        )
        found = {email: await stored_notes(client, cookie) for email, cookie in cookies.items()}
    return baseline, writes, ledger, found


def sign_in_all(base_url: str, emails: list[str]) -> dict[str, str]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        cookies = pool.map(lambda email: sign_in(base_url, email, PASSWORD), emails)
        return dict(zip(emails, cookies, strict=True))


def run_database(label: str, env: dict[str, str], options: Options, tmp: Path) -> bool:
    print(f"\n== {label} ==")
    started = time.perf_counter()
    run_cli(env, "db", "upgrade")
    emails = [patient_email(number) for number in range(options.clients)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda email: create_account(env, email, "Bench Patient", "patient"), emails))
    print(f"created {len(emails)} patients with the CLI in {time.perf_counter() - started:.1f} s")
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    server_env = {**env, "WELLNESS_AUTO_MIGRATE": "false"}
    with running_server(server_env, port, log=tmp / "server.log") as server:
        cookies = sign_in_all(base_url, emails)
        baseline, writes, ledger, found = asyncio.run(load(base_url, cookies, options, server.pid))
    rows, answers = asyncio.run(database_rows(env["WELLNESS_DATABASE_URL"]))
    return report(baseline, writes, ledger, found, rows, answers)


def report(
    baseline: Phase,
    writes: Phase,
    ledger: Ledger,
    found: Found,
    rows: int,
    answers: int,
) -> bool:
    print(f"{'phase':<22} {'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'vs /me':>7} {'server CPU ms/req':>17} {'client CPU ms/req':>17}")  # fmt: skip
    for phase in (baseline, writes):
        cpu = phase.cpu_seconds * 1000 / max(phase.requests, 1)
        client_cpu = phase.client_cpu_seconds * 1000 / max(phase.requests, 1)
        print(
            f"{phase.name:<22} {phase.requests:>8} {phase.per_second:>6.0f} "
            f"{phase.percentile(0.5):>7.1f} {phase.percentile(0.99):>7.1f} "
            f"{phase.per_second / baseline.per_second:>6.2f}x {cpu:>17.2f} {client_cpu:>17.2f}"
        )
    print(
        "server CPU ms/req: the server process's CPU time per answer, which hardly depends on "
        "the machine's load; when client CPU ms/req is close to it, the Python clients share "
        "the cores and limit req/s as much as the server does."
    )
    expected = sum(len(notes) for notes in ledger.expected.values())
    retries = sum(ledger.retries.values())
    print(
        f"check-ins sent: {expected} distinct keys, {retries} sent twice "
        f"({ledger.retries['at once']} at once, {ledger.retries['late']} late); "
        f"{ledger.replayed} answers marked Idempotent-Replayed; "
        f"statuses {dict(sorted(writes.statuses.items()))}"
    )
    lost = duplicated = 0
    totals_agree = True
    for email, wanted in ledger.expected.items():
        total, notes = found[email]
        stored = Counter(notes)
        lost += len(wanted - stored.keys())
        duplicated += sum(copies - 1 for copies in stored.values())
        totals_agree &= total == len(notes)
    via_api = sum(total for total, _ in found.values())
    print(f"rows through the API: expected {expected}, found {via_api}")
    print(f"rows in the database: checkins {rows}, idempotent_requests {answers} "
          f"(expected {expected} each)")  # fmt: skip
    split = sum(len(ids) > 1 for ids in ledger.answered_ids.values())
    verdicts = [
        (f"none lost ({lost} missing)", lost == 0 and rows >= expected),
        (f"none duplicated ({duplicated} extra)", duplicated == 0 and rows <= expected),
        (f"every copy answered with the same check-in ({split} keys split)", split == 0),
        (f"every request answered 201 ({len(ledger.failures)} did not)", not ledger.failures),
        ("API totals match the rows listed", totals_agree and answers == expected),
    ]
    for name, ok in verdicts:
        print(f"{'PASS' if ok else 'MISS'}  {name}")
    for failure in ledger.failures[:5]:
        print(f"  e.g. {failure}")
    passed = all(ok for _, ok in verdicts)
    print(("PASS" if passed else "MISS") + "  all check-in targets on this database")
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    add_database_options(parser)
    parser.add_argument("--clients", type=int, default=50, choices=range(1, 201), metavar="1-200")
    parser.add_argument("--per-client", type=int, default=20, choices=range(1, 501), metavar="N")
    parser.add_argument("--retry-share", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=20_261_124)
    args = parser.parse_args()
    if not 0 <= args.retry_share <= 1:
        parser.error("--retry-share is a share from 0 to 1")
    options = Options(args.clients, args.per_client, args.retry_share, args.seed)
    print(
        f"check-in benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {options.clients} clients "
        f"x {options.per_client} check-ins, {options.retry_share:.0%} sent twice\n"
        f"{machine_note()}"
    )
    for_each_database(
        args.database,
        args.postgres_url,
        "checkins",
        lambda label, env, tmp: run_database(label, env, options, tmp),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
