"""The library's usage page, API and CSV against /ping on the same server.

Target: `GET /library/usage` (the default 28 days) at p99 < 100 ms with 4 concurrent clients, on
a library of 300 sessions with a year of practice by 100 patients. A coordinator's page that a
few people open now and then, not a patient's hot path: 4 clients, not 16.

Usage: .venv/bin/python bench/usage.py [--sessions 300] [--patients 100] [--wrk-duration 10]
       [--database sqlite|postgres|both] [--postgres-url postgres://...]

What it does, all on 127.0.0.1 inside one temporary folder that is removed afterwards:
1. creates the database with `wellness db upgrade`, the benchmark coordinator with
   `wellness users create`, and seeds through the ORM: --sessions sessions (every kind, one in
   fifteen archived), --patients patients each practising about 1.3 times a day for a year
   (sessions drawn with Zipf weights, 70% played to the end, 60% rated before and after), and
   one assignment in force per patient naming a session;
2. in this process, without HTTP: `library_usage` for the default 28 days and for the whole
   year, --runs times each: median and p99 wall ms, and its statements counted;
3. starts bench/bench_app.py (the production app plus `GET /ping`) under uvicorn with one
   worker, signs the coordinator in, checks each endpoint's first answer, then
   `wrk -t2 -c4 -d<wrk-duration>s --latency` on `/ping`, the page for 28 days and for 365,
   `GET /api/v1/library/usage` and the CSV: req/s, p50, p99, ratio to /ping, server CPU ms per
   answer; and how many audit rows the load wrote (one per view);
4. prints PASS/MISS for the target.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import (
    PASSWORD,
    BenchError,
    add_database_options,
    create_account,
    for_each_database,
    get_status,
    machine_note,
    print_seeded,
    run_cli,
    sign_in,
    start_bench_app,
    stop_server,
)
from _wrk import WrkTable, percentile, wrk_get

TARGET_P99_MS = 100.0
CLIENTS = 4
WARM_UP_SECONDS = 2
WRK_TIMEOUT = "10s"
COORDINATOR = "bench.usage@example.org"
KINDS = ("breathing", "grounding", "body_scan", "yoga", "meditation", "sleep")
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo")


# --- seeding -------------------------------------------------------------------------------------


async def _catalog(count: int, now: datetime, chance: random.Random) -> list[Any]:
    from wellness.catalog.kinds import Kind, Status
    from wellness.catalog.models import PracticeSession

    sessions = [
        PracticeSession(
            title=f"{Kind(KINDS[number % len(KINDS)]).label} {number + 1:03}",
            kind=Kind(KINDS[number % len(KINDS)]),
            status=Status.ARCHIVED if number % 15 == 14 else Status.PUBLISHED,
            duration_seconds=60.0 * chance.choice((3, 5, 6, 8, 10, 12, 15, 20, 30, 45)),
            created_at=now,
            updated_at=now,
            published_at=now,
        )
        for number in range(count)
    ]
    await PracticeSession.bulk_create(sessions, batch_size=500)
    return list(await PracticeSession.all().order_by("id"))


async def _patients(count: int, chance: random.Random) -> list[Any]:
    from wellness.accounts import passwords
    from wellness.accounts.models import User
    from wellness.accounts.roles import Role

    dummy = passwords.dummy_hash()
    users = [
        User(
            email=f"usage.patient.{number}@example.org",
            display_name=f"Usage Patient {number}",
            role=Role.PATIENT,
            time_zone=chance.choice(ZONES),
            password_hash=dummy,
        )
        for number in range(count)
    ]
    await User.bulk_create(users, batch_size=500)
    return list(await User.filter(email__startswith="usage.patient.").order_by("id"))


async def _practice(
    patients: list[Any], sessions: list[Any], now: datetime, chance: random.Random
) -> tuple[int, int]:
    from wellness.checkins.models import Checkin
    from wellness.checkins.scoring import CheckinContext
    from wellness.practice.models import PracticeLog
    from wellness.practice.rules import Evidence

    weights = [1 / (rank + 1) for rank in range(len(sessions))]
    plan: list[tuple[Any, Any, datetime, bool, bool]] = []
    for patient in patients:
        for days_ago in range(365, 0, -1):
            for _ in range(chance.choice((0, 1, 1, 1, 2, 2))):
                session = chance.choices(sessions, weights)[0]
                started = now - timedelta(days=days_ago, minutes=chance.randrange(24 * 60))
                plan.append(
                    (patient, session, started, chance.random() < 0.7, chance.random() < 0.6)
                )
    logs = [
        PracticeLog(
            patient_id=patient.id,
            session_id=session.id,
            kind=session.kind,
            evidence=Evidence.OBSERVED_PLAYBACK,
            started_at=started,
            time_zone=patient.time_zone,
            listened_seconds=int(session.duration_seconds * (1 if full else chance.random() * 0.7)),
            duration_seconds=session.duration_seconds,
            completed=full,
            created_at=started,
            updated_at=started,
        )
        for patient, session, started, full, _ in plan
    ]
    await PracticeLog.bulk_create(logs, batch_size=1000)
    ids = await PracticeLog.all().order_by("id").values_list("id", flat=True)
    ratings = []
    for practice_id, (patient, _, started, _, rated) in zip(ids, plan, strict=True):
        if not rated:
            continue
        before = chance.randint(2, 9)
        after = max(0, min(10, before - chance.choice((-1, 0, 1, 1, 2, 3))))
        for level, context in (
            (before, CheckinContext.BEFORE_SESSION),
            (after, CheckinContext.AFTER_SESSION),
        ):
            ratings.append(
                Checkin(
                    patient_id=patient.id,
                    level=level,
                    context=context,
                    practice_id=practice_id,
                    occurred_at=started,
                    recorded_at=started,
                )
            )
    await Checkin.bulk_create(ratings, batch_size=1000)
    return len(logs), len(ratings) // 2


async def _assignments(patients: list[Any], sessions: list[Any], now: datetime) -> int:
    from wellness.care.models import AssignmentVersion, PracticeAssignment

    start = now.date() - timedelta(days=30)
    for number, patient in enumerate(patients):
        assignment = await PracticeAssignment.create(patient_id=patient.id, created_at=now)
        await AssignmentVersion.create(
            assignment_id=assignment.id,
            effective_from=start,
            session_id=sessions[number % 12].id,
            frequency="daily",
            start=start,
            created_at=now,
        )
    return len(patients)


async def seed(database_url: str, sessions: int, patients: int, now: datetime) -> dict[str, int]:
    from wellness import db

    chance = random.Random(20_261_205)
    await db.open_database(database_url)
    try:
        catalog = await _catalog(sessions, now, chance)
        people = await _patients(patients, chance)
        practices, rated = await _practice(people, catalog, now, chance)
        assigned = await _assignments(people, catalog, now)
        return {
            "sessions": len(catalog),
            "patients": len(people),
            "practices": practices,
            "rated practices": rated,
            "assignments": assigned,
        }
    finally:
        await db.close_database()


# --- in process ----------------------------------------------------------------------------------


async def breakdown(
    database_url: str, runs: int, today: date
) -> list[tuple[str, float, float, int]]:
    """(what, median ms, p99 ms, statements) of `library_usage` in this process."""
    from tortoise import connections

    from wellness import db
    from wellness.caseload.usage import library_usage
    from wellness.caseload.usage_rules import Period, UsageQuery
    from wellness.settings import CarePolicy

    now = datetime.now(UTC)
    await db.open_database(database_url)
    try:
        client = connections.get("default")
        original = client.execute_query
        statements: list[str] = []

        async def counted(query: str, *args: Any, **kwargs: Any) -> Any:
            statements.append(query)
            return await original(query, *args, **kwargs)

        client.execute_query = counted
        results = []
        for name, days in (("library_usage, 28 days", 28), ("library_usage, 365 days", 365)):
            query = UsageQuery(Period(today - timedelta(days=days - 1), today))
            samples = []
            for _ in range(runs):
                statements.clear()
                began = time.perf_counter()
                await library_usage(query, zone="UTC", policy=CarePolicy(), now=now)
                samples.append((time.perf_counter() - began) * 1000)
            results.append(
                (name, statistics.median(samples), percentile(samples, 0.99), len(statements))
            )
        return results
    finally:
        await db.close_database()


# --- HTTP ----------------------------------------------------------------------------------------


async def audit_rows(database_url: str) -> int:
    from wellness import db
    from wellness.audit.models import AuditEvent

    await db.open_database(database_url)
    try:
        return int(
            await AuditEvent.filter(
                action__in=["library_usage_viewed", "library_usage_exported"]
            ).count()
        )
    finally:
        await db.close_database()


def run_database(
    label: str, env: dict[str, str], args: argparse.Namespace, wrk: str, tmp: Path
) -> bool:
    print(f"\n== {label}, 1 worker ==")
    started = time.perf_counter()
    run_cli(env, "db", "upgrade")
    create_account(env, COORDINATOR, "Bench Coordinator", "coordinator")
    url = env["WELLNESS_DATABASE_URL"]
    now = datetime.now(UTC)
    counts = asyncio.run(seed(url, args.sessions, args.patients, now))
    print_seeded(started, counts)
    if "postgres" in url:
        from _server import postgres_admin

        postgres_admin(url, "VACUUM ANALYZE")  # as autovacuum would have, after a bulk load
    today = now.date()
    print(f"\nin this process, no HTTP ({args.runs} runs each):")
    print(f"{'part':<28} {'median ms':>9} {'p99 ms':>7} {'statements':>10}")
    for name, median, p99, statements in asyncio.run(breakdown(url, args.runs, today)):
        print(f"{name:<28} {median:>9.1f} {p99:>7.1f} {statements:>10}")

    server, _, base_url = start_bench_app(env, tmp)
    year = f"/library/usage?from={(today - timedelta(days=364)).isoformat()}&to={today.isoformat()}"
    endpoints = (
        ("/ping (baseline)", "/ping", False),
        ("/library/usage (28 days)", "/library/usage", True),
        ("/library/usage (365 days)", year, True),
        ("/api/v1/library/usage", "/api/v1/library/usage", True),
        ("/library/usage.csv", "/library/usage.csv", True),
    )
    page_p99 = float("inf")
    try:
        cookie = sign_in(base_url, COORDINATOR, PASSWORD)
        for _, path, signed in endpoints[1:]:
            status, body = get_status(f"{base_url}{path}", cookie if signed else None)
            if status != 200 or not body:
                raise BenchError(f"GET {path} answered {status}: {body[:300]!r}")
        wrk_get(
            wrk,
            base_url,
            "/library/usage",
            cookie,
            WARM_UP_SECONDS,
            tmp,
            server.pid,
            clients=CLIENTS,
            timeout=WRK_TIMEOUT,
        )
        before = asyncio.run(audit_rows(url))
        table = WrkTable(28)
        table.header(clients=CLIENTS, duration=args.wrk_duration)
        answers = 0
        for name, path, signed in endpoints:
            rps, p50, p99, total, errors, cpu_ms = wrk_get(
                wrk,
                base_url,
                path,
                cookie if signed else None,
                args.wrk_duration,
                tmp,
                server.pid,
                clients=CLIENTS,
                timeout=WRK_TIMEOUT,
            )
            if signed:
                answers += total
            if path == "/library/usage":
                page_p99 = p99
            table.row(name, rps, p50, p99, cpu_ms, errors)
    finally:
        stop_server(server, timeout=5)
    written = asyncio.run(audit_rows(url)) - before
    print(
        f"audit rows written during the load: {written:,} (signed-in answers counted: {answers:,})"
    )
    passed = page_p99 < TARGET_P99_MS
    print(
        f"{'PASS' if passed else 'MISS'}  GET /library/usage p99 {page_p99:.1f} ms at {CLIENTS} "
        f"clients against the {TARGET_P99_MS:.0f} ms target"
    )
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=300, choices=range(5, 5001))
    parser.add_argument("--patients", type=int, default=100, choices=range(1, 1001))
    parser.add_argument("--runs", type=int, default=30, choices=range(3, 1001))
    parser.add_argument("--wrk-duration", type=int, default=10, choices=range(1, 61))
    add_database_options(parser)
    args = parser.parse_args()
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk is needed: apt-get install -y wrk")
        return 1
    print(
        f"library usage benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {args.sessions} "
        f"sessions, {args.patients} patients, a year of practice\n{machine_note()}"
    )
    for_each_database(
        args.database,
        args.postgres_url,
        "usage",
        lambda label, env, tmp: run_database(label, env, args, wrk, tmp),
    )
    print(f"\n{machine_note()} (at the end)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
