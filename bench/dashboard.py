"""The therapist's dashboard for a caseload of 200 patients with 90 days of history each,
against /ping on the same server.

Target: `GET /therapist` at p99 < 50 ms with 16 concurrent clients (wrk -t2 -c16), printed as
a ratio to `GET /ping` measured in the same run, with the server's CPU time per answer.

Usage: .venv/bin/python bench/dashboard.py [--duration 10] [--database sqlite|postgres|both]
       [--postgres-url postgres://postgres@127.0.0.1:5432/test] [--workers 1]
(`--workers N`: uvicorn worker processes on PostgreSQL; SQLite always runs one.)

What it does, all on 127.0.0.1 inside one temporary folder that is removed afterwards:
1. creates the database with `wellness db upgrade` and the therapist with `wellness users
   create`, then seeds through the ORM (as wellness/demo/history.py does; the services would
   refuse entries this old): 200 patients in 6 time zones on the therapist's care team, each
   with 90 days up to now of practice (an evening playback on about 85% of days, a second,
   unfinished one on a fifth of them), a quick check-in every day, before/after ratings around
   half the playbacks, a GAD-7 every 2 weeks; a daily "any breathing session, 5 to 10 minutes"
   assigned to half of them two weeks ago, and an open alert for one in ten. About 22,000
   practice logs and 25,000 check-ins;
2. starts bench/bench_app.py (the production app plus `GET /ping`) under uvicorn with one
   worker, as `wellness serve` does, signs the therapist in and times the first dashboard
   (nothing cached in the new process: every streak computed) and then ten more one at a time;
3. loads /therapist for 3 s with the same wrk command, not counted, so that every worker has
   answered its first dashboard (each worker keeps its own rows);
4. with wrk: `wrk -t2 -c16 -d<duration>s --latency` on /ping, on /api/v1/me (the floor of any
   signed-in answer: session, user, CSRF, headers) and on /therapist: req/s, p50, p99 and the
   server's CPU ms per answer (summed over the worker processes with `--workers`);
5. prints the ratio to /ping and PASS/MISS for the target.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import (
    HOST,
    PASSWORD,
    BenchError,
    add_database_options,
    create_account,
    for_each_database,
    free_port,
    get_status,
    machine_note,
    require_tools,
    run_cli,
    sign_in,
    start_server,
    stop_server,
)
from catalog import Endpoint, Measured, run_wrk

if TYPE_CHECKING:  # imported for real inside the functions, once the settings are in place
    from wellness.accounts.models import User
    from wellness.catalog.models import PracticeSession
    from wellness.practice.models import PracticeLog
    from wellness.practice.rules import Evidence

P99_TARGET_MS = 50.0
PATIENTS = 200
DAYS = 90
THERAPIST = "bench.therapist@example.org"
ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Los_Angeles",
    "UTC",
)


async def seed(database_url: str, now: datetime) -> dict[str, int]:
    from wellness import db
    from wellness.accounts.models import User
    from wellness.accounts.roles import Role
    from wellness.care.models import Alert, CareTeamMember
    from wellness.care.policy import AlertReason
    from wellness.caseload.assignments import AssignmentInput, create_assignment
    from wellness.catalog.kinds import Kind, Status
    from wellness.catalog.models import PracticeSession
    from wellness.checkins.models import Checkin, Gad7Response
    from wellness.checkins.scoring import CheckinContext
    from wellness.practice.models import PracticeLog
    from wellness.practice.rules import Evidence
    from wellness.settings import CarePolicy

    chance = random.Random(20_261_203)
    await db.open_database(database_url)
    try:
        therapist = await User.get(email=THERAPIST)
        sessions = [
            await PracticeSession.create(
                title=title,
                kind=kind,
                status=Status.PUBLISHED,
                duration_seconds=seconds,
                contraindications=[],
                created_at=now,
                updated_at=now,
                published_at=now,
            )
            for title, kind, seconds in (
                ("Slow exhale", Kind.BREATHING, 360.0),
                ("Body scan", Kind.BODY_SCAN, 900.0),
                ("Chair yoga", Kind.YOGA, 1200.0),
            )
        ]
        await User.bulk_create(
            [
                User(
                    email=f"bench.patient{n}@example.org",
                    display_name=f"Patient {n:03}",
                    role=Role.PATIENT,
                    time_zone=ZONES[n % len(ZONES)],
                    password_hash="!",
                )
                for n in range(PATIENTS)
            ]
        )
        patients = await User.filter(email__startswith="bench.patient").order_by("id")
        await CareTeamMember.bulk_create(
            [
                CareTeamMember(
                    therapist_id=therapist.id,
                    patient_id=p.id,
                    started_at=now - timedelta(days=DAYS + 10),
                )
                for p in patients
            ]
        )
        counts = {"practice logs": 0, "check-ins": 0, "GAD-7": 0}
        for number, patient in enumerate(patients):
            zone = ZoneInfo(patient.time_zone)
            today = now.astimezone(zone).date()
            logs, quick, gad7 = [], [], []
            for days_ago in range(DAYS, -1, -1):
                day = today - timedelta(days=days_ago)
                morning = datetime(
                    day.year, day.month, day.day, 8, chance.randrange(60), tzinfo=zone
                )
                if morning < now:
                    level = chance.randrange(1, 10)
                    quick.append(
                        Checkin(
                            patient_id=patient.id,
                            level=level,
                            tags=[],
                            context=CheckinContext.QUICK,
                            occurred_at=morning,
                            recorded_at=morning,
                        )
                    )
                evening = datetime(
                    day.year, day.month, day.day, 20, chance.randrange(60), tzinfo=zone
                )
                if evening < now and chance.random() < 0.85:
                    session = chance.choice(sessions)
                    logs.append(_log(PracticeLog, Evidence, patient, session, evening, 1.0))
                    if chance.random() < 0.2:
                        noon = evening - timedelta(hours=7)
                        logs.append(_log(PracticeLog, Evidence, patient, session, noon, 0.3))
                if days_ago % 14 == 0 and morning < now:
                    answers = [chance.randrange(4) for _ in range(7)]
                    gad7.append(Gad7Response.scored(patient.id, answers, occurred_at=morning))
            await PracticeLog.bulk_create(logs)
            stored = await PracticeLog.filter(
                patient_id=patient.id, listened_seconds__gt=0
            ).values_list("id", "started_at")
            around = []
            for practice_id, started in stored:
                if chance.random() < 0.5:
                    before = chance.randrange(2, 9)
                    for level, context in (
                        (before, CheckinContext.BEFORE_SESSION),
                        (max(0, before - 2), CheckinContext.AFTER_SESSION),
                    ):
                        around.append(
                            Checkin(
                                patient_id=patient.id,
                                level=level,
                                tags=[],
                                context=context,
                                practice_id=practice_id,
                                occurred_at=started,
                                recorded_at=started,
                            )
                        )
            await Checkin.bulk_create(quick + around)
            await Gad7Response.bulk_create(gad7)
            counts["practice logs"] += len(logs)
            counts["check-ins"] += len(quick) + len(around)
            counts["GAD-7"] += len(gad7)
            if number % 10 == 0:
                await Alert.create(
                    patient_id=patient.id,
                    reason=AlertReason.HIGH_DISTRESS,
                    value=9,
                    detail="Rated distress 9/10",
                    source_type="checkin",
                    source_id=0,
                    created_at=now - timedelta(hours=3),
                )
            if number % 2 == 0:
                daily = AssignmentInput(kind="breathing", min_minutes=5, max_minutes=10)
                await create_assignment(
                    patient, daily, by=therapist, policy=CarePolicy(), now=now - timedelta(days=14)
                )
        return counts
    finally:
        await db.close_database()


def _log(
    model: type[PracticeLog],
    evidence: type[Evidence],
    patient: User,
    session: PracticeSession,
    started: datetime,
    share: float,
) -> PracticeLog:
    return model(
        patient_id=patient.id,
        session_id=session.id,
        kind=session.kind,
        evidence=evidence.OBSERVED_PLAYBACK,
        started_at=started,
        time_zone=patient.time_zone,
        listened_seconds=int(session.duration_seconds * share),
        duration_seconds=session.duration_seconds,
        completed=share >= 0.8,
        created_at=started,
        updated_at=started,
    )


def timed_gets(url: str, cookie: str, times: int) -> list[float]:
    elapsed = []
    for _ in range(times):
        started = time.perf_counter()
        status, body = get_status(url, cookie)
        elapsed.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise BenchError(f"GET {url} answered {status}: {body[:300]!r}")
    return elapsed


WARM_UP_SECONDS = 3


def run_database(
    label: str, env: dict[str, str], wrk: str, duration: int, tmp: Path, workers: int
) -> bool:
    if label == "SQLite":
        workers = 1  # `wellness serve` runs one worker on SQLite
    print(f"\n== {label}, {workers} worker{'s' if workers > 1 else ''} ==")
    started = time.perf_counter()
    run_cli(env, "db", "upgrade")
    create_account(env, THERAPIST, "Bench Therapist", "therapist")
    counts = asyncio.run(seed(env["WELLNESS_DATABASE_URL"], datetime.now(UTC)))
    seeded = ", ".join(f"{count:,} {name}" for name, count in counts.items())
    print(
        f"seeded {PATIENTS} patients, {DAYS} days each: {seeded} "
        f"in {time.perf_counter() - started:.0f} s"
    )
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    server_env = {**env, "WELLNESS_AUTO_MIGRATE": "false"}
    server = start_server(
        server_env, port, factory="bench_app:create_app", log=tmp / "server.log", workers=workers
    )
    try:
        cookie = sign_in(base_url, THERAPIST, PASSWORD)
        first = timed_gets(f"{base_url}/therapist", cookie, 1)[0]
        _, body = get_status(f"{base_url}/therapist", cookie)
        rows = body.count(b'<th role="rowheader"')
        if rows != PATIENTS:
            raise BenchError(f"the dashboard shows {rows} rows, not {PATIENTS}")
        after = timed_gets(f"{base_url}/therapist", cookie, 10)
        print(
            f"one at a time: first dashboard {first:.0f} ms (every streak computed), then median "
            f"{statistics.median(after):.1f} ms, max {max(after):.1f} ms over 10 ({rows} rows)"
        )
        ping = Endpoint("/ping (baseline, no cookie)", ["/ping"], None, "baseline")
        # The floor of any signed-in answer: session, user, CSRF and headers, a tiny JSON body.
        me = Endpoint("/api/v1/me (signed in)", ["/api/v1/me"], cookie, "floor")
        page = Endpoint("dashboard /therapist", ["/therapist"], cookie, "page")
        # Each worker keeps its own rows: load every one before measuring (not counted), or a
        # worker's first dashboard lands in the measured p99.
        run_wrk(wrk, base_url, page, WARM_UP_SECONDS, tmp, server.pid)
        results = [
            run_wrk(wrk, base_url, endpoint, duration, tmp, server.pid)
            for endpoint in (ping, me, page)
        ]
    finally:
        stop_server(server, timeout=5)
    return print_table(results)


def print_table(results: list[Measured]) -> bool:
    baseline = results[0].requests_per_second
    print(
        f"{'endpoint':<30} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'vs /ping':>8} "
        f"{'CPU ms/req':>10}"
    )
    for result in results:
        print(
            f"{result.endpoint.name:<30} {result.requests_per_second:>7.0f} {result.p50_ms:>7.1f} "
            f"{result.p99_ms:>7.1f} {result.requests_per_second / baseline:>7.3f}x "
            f"{result.cpu_ms_per_request:>10.2f}{'  ' + result.errors if result.errors else ''}"
        )
    page = results[-1]
    passed = page.p99_ms < P99_TARGET_MS and not page.errors
    print(
        f"{'PASS' if passed else 'MISS'}  dashboard p99 {page.p99_ms:.1f} ms (target < "
        f"{P99_TARGET_MS:.0f} ms at 16 clients), {page.requests_per_second / baseline:.3f}x /ping, "
        f"{page.cpu_ms_per_request:.2f} CPU ms per answer"
    )
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, choices=range(1, 31))
    add_database_options(parser)
    parser.add_argument(
        "--workers", type=int, default=1, choices=range(1, 9), help="uvicorn workers (PostgreSQL)"
    )
    args = parser.parse_args()
    wrk = require_tools({"wrk": "wrk"})["wrk"]
    print(
        f"dashboard benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, wrk -t2 -c16 "
        f"-d{args.duration}s, {PATIENTS} patients x {DAYS} days\n{machine_note()}"
    )
    for_each_database(
        args.database,
        args.postgres_url,
        "dashboard",
        lambda label, env, tmp: run_database(label, env, wrk, args.duration, tmp, args.workers),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
