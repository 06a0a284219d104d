"""The progress page for a patient with five years of daily practice, against /ping and the
patient's home page on the same server.

Target: the whole progress page (`GET /progress`) for a patient with five years of daily
practice under 50 ms: the median of sequential requests decides, the p99 is stated beside it.

Usage: .venv/bin/python bench/progress.py [--requests 200] [--database sqlite|postgres|both]
       [--postgres-url postgres://postgres@127.0.0.1:5432/test]

What it does, all on 127.0.0.1 inside one temporary folder that is removed afterwards:
1. creates the database with `wellness db upgrade` (SQLite in the folder; for PostgreSQL a
   throwaway database `wellness_bench_progress_<pid>` on the --postgres-url server, dropped
   afterwards),
   a patient (Europe/Berlin) with `wellness users create`, then seeds through the ORM: 8
   published catalog sessions, and five years (1,826 days, up to yesterday) of practice: every
   evening an observed playback of one of those sessions, on about a quarter of the days a
   second practice (an unfinished playback or a self-reported yoga class), before/after
   ratings around about 70% of the playbacks, a quick check-in every day and a GAD-7 every
   2 weeks;
2. in this process, without HTTP: times `progress_for` kept (nothing changed: what a repeat
   view costs), with only the ratings read again (another patient wrote: the clinic's care
   token is new, the patient's practice token is not) and computed (nothing kept), and each
   of its parts (the practice rows as the driver gives them, and the same rows converted by
   Tortoise for comparison; building the events, `compute_streak`, the ratings, the GAD-7
   query), the practice history list kept and computed, the chart geometry
   (`progress_charts`), rendering the charts (`wellbeing/_progress_charts.html`, kept as HTML
   with the figures) and the page around them with the app's Jinja setup, so the HTTP figure
   can be split into where the time goes; then `progress_for` computed again with the cyclic
   garbage collector off, since its full collections make most of the p95 and p99;
3. starts bench/bench_app.py (the production app plus `GET /ping`) under uvicorn with one
   worker, as `wellness serve` does, signs the patient in, and requests `/ping`, `/patient`
   and `/progress` in turn, one at a time over a keep-alive connection, --requests times each
   (interleaved, so load from other processes hits all three alike): median, p95, p99;
4. with wrk (if installed): `wrk -t2 -c4 -d<wrk-duration>s --latency` on each of the three:
   req/s, p50, p99 and the server's CPU ms per answer;
5. prints ratios to /ping and PASS/MISS for the target.

/ping is the baseline: same process and middleware, no cookie, no database, no template.
/patient is a second baseline: a signed-in template page with a few small queries.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import http.client
import random
import secrets
import shutil
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import (
    HOST,
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
from _wrk import WrkTable, wrk_get

TARGET_MS = 50.0
WRK_CLIENTS = 4
YEARS = 5
PATIENT = "bench.progress@example.org"
TIME_ZONE = "Europe/Berlin"
SESSION_TITLES = [
    ("Evening Body Scan", "body_scan", 900),
    ("Box Breathing for Anxious Moments", "breathing", 300),
    ("Gentle Chair Yoga", "yoga", 1200),
    ("Five Senses Grounding", "grounding", 600),
    ("Sleep Wind-Down", "sleep", 1200),
    ("Loving Kindness", "meditation", 900),
    ("Urge Surfing", "meditation", 600),
    ("Ocean Breath", "breathing", 180),
]


# --- seeding -------------------------------------------------------------------------------------


async def seed(database_url: str, years: int, now: datetime) -> dict[str, int]:
    """Five years of daily practice for the patient, written straight to the models (as
    wellness/demo/history.py does; the services would refuse entries this old)."""
    from wellness import db
    from wellness.accounts.models import User
    from wellness.catalog.kinds import Guidance, Kind, Level, Posture, Status
    from wellness.catalog.models import MediaAsset, PracticeSession
    from wellness.checkins.models import Checkin, Gad7Response
    from wellness.checkins.scoring import CheckinContext, ContextTag
    from wellness.practice.models import PracticeLog
    from wellness.practice.rules import Evidence

    chance = random.Random(20_251_125)
    zone = ZoneInfo(TIME_ZONE)
    today = now.astimezone(zone).date()
    days = round(years * 365.25)
    await db.open_database(database_url)
    try:
        patient = await User.get(email=PATIENT)
        patient.time_zone = TIME_ZONE
        await patient.save(update_fields=["time_zone"])
        sessions = []
        for number, (title, kind, seconds) in enumerate(SESSION_TITLES):
            asset = await MediaAsset.create(
                sha256=secrets.token_hex(32),
                size_bytes=seconds * 16_000,
                container="mp3",
                codec="mp3",
                mime_type="audio/mpeg",
                extension="mp3",
                duration_seconds=float(seconds),
                bitrate=128_000,
                sample_rate=44_100,
                channels=2,
                original_filename=f"session-{number}.mp3",
                uploaded_at=now,
            )
            sessions.append(
                await PracticeSession.create(
                    title=title,
                    kind=Kind(kind),
                    description=f"{title}: a practice for the progress benchmark.",
                    instructor="Bench Instructor",
                    level=Level.BEGINNER if number % 2 else Level.INTERMEDIATE,
                    posture=chance.choice(list(Posture)),
                    guidance=chance.choice(list(Guidance)),
                    transcript="",
                    contraindications=[],
                    status=Status.PUBLISHED,
                    primary_asset=asset,
                    duration_seconds=float(seconds),
                    created_at=now,
                    updated_at=now,
                    published_at=now,
                )
            )
        favourites = sessions[:4]  # most practice is a few favourite sessions
        logs: list[PracticeLog] = []
        ratings: list[tuple[int, int, int, datetime, datetime]] = []  # log index, before, after
        quick: list[Checkin] = []
        for days_ago in range(days, 0, -1):
            day = today - timedelta(days=days_ago)
            progress_share = (days - days_ago) / days
            baseline = round(7 - 4 * progress_share) + chance.choice((-1, 0, 0, 1))
            morning = datetime(day.year, day.month, day.day, 8, chance.randrange(60), tzinfo=zone)
            quick.append(
                Checkin(
                    patient_id=patient.id,
                    level=max(0, min(10, baseline)),
                    tags=[chance.choice(list(ContextTag)).value] if chance.random() < 0.3 else [],
                    context=CheckinContext.QUICK,
                    occurred_at=morning,
                    recorded_at=morning,
                )
            )
            session = chance.choice(favourites if chance.random() < 0.8 else sessions)
            evening = datetime(
                day.year, day.month, day.day, chance.choice((19, 20, 21)), chance.randrange(60),
                tzinfo=zone,
            )  # fmt: skip
            seconds = int(session.duration_seconds)
            logs.append(_log(PracticeLog, patient.id, session, evening, seconds, True))
            if chance.random() < 0.7:
                after = max(0, baseline - chance.choice((0, 1, 1, 2, 2, 3)))
                ended = evening + timedelta(seconds=seconds)
                ratings.append((len(logs) - 1, max(0, baseline), after, evening, ended))
            if chance.random() < 0.25:
                noon = evening - timedelta(hours=chance.randrange(6, 10))
                if chance.random() < 0.5:
                    other = chance.choice(sessions)
                    listened = int(other.duration_seconds * chance.uniform(0.1, 0.6))
                    logs.append(_log(PracticeLog, patient.id, other, noon, listened, False))
                else:
                    logs.append(
                        PracticeLog(
                            patient_id=patient.id,
                            session_id=None,
                            kind=Kind.YOGA,
                            evidence=Evidence.SELF_REPORT,
                            started_at=noon,
                            time_zone=TIME_ZONE,
                            listened_seconds=chance.choice((30, 45, 60)) * 60,
                            duration_seconds=None,
                            completed=True,
                            note="Group yoga",
                            created_at=noon,
                            updated_at=noon,
                        )
                    )
        await PracticeLog.bulk_create(logs, batch_size=500)
        # bulk_create keeps the list's order, so ids ascend in it.
        ids = (
            await PracticeLog.filter(patient_id=patient.id)
            .order_by("id")
            .values_list("id", flat=True)
        )
        around = []
        for index, before, after, started, ended in ratings:
            for context, level, moment in (
                (CheckinContext.BEFORE_SESSION, before, started),
                (CheckinContext.AFTER_SESSION, after, ended),
            ):
                around.append(
                    Checkin(
                        patient_id=patient.id,
                        level=level,
                        context=context,
                        practice_id=ids[index],
                        occurred_at=moment,
                        recorded_at=moment,
                    )
                )
        await Checkin.bulk_create(quick + around, batch_size=500)
        gad7 = []
        for days_ago in range(days, 0, -14):
            moment = now - timedelta(days=days_ago)
            total_wanted = round(14 - 10 * (days - days_ago) / days)
            answers = [min(3, max(0, (total_wanted + i) // 7)) for i in range(7)]
            gad7.append(Gad7Response.scored(patient.id, answers, occurred_at=moment))
        await Gad7Response.bulk_create(gad7, batch_size=500)
        return {
            "days": days,
            "practice logs": len(logs),
            "before/after check-ins": len(around),
            "quick check-ins": len(quick),
            "GAD-7": len(gad7),
        }
    finally:
        await db.close_database()


def _log(
    model: Any, patient_id: int, session: Any, started: datetime, listened: int, completed: bool
) -> Any:
    from wellness.practice.rules import Evidence

    return model(
        patient_id=patient_id,
        session_id=session.id,
        kind=session.kind,
        evidence=Evidence.OBSERVED_PLAYBACK,
        started_at=started,
        time_zone=TIME_ZONE,
        listened_seconds=listened,
        duration_seconds=session.duration_seconds,
        completed=completed,
        created_at=started,
        updated_at=started + timedelta(seconds=listened),
    )


# --- in-process breakdown ------------------------------------------------------------------------


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    return statistics.median(ordered), at(0.95), at(0.99)


async def breakdown(database_url: str, runs: int) -> list[tuple[str, float, float]]:
    """(part, median ms, p95 ms) of progress_for, its parts, the charts and the template."""
    from litestar.plugins.jinja import JinjaTemplateEngine
    from markupsafe import Markup

    from wellness import db
    from wellness.accounts.models import User
    from wellness.caseload import record
    from wellness.checkins.models import Gad7Response
    from wellness.db import KeyedCache
    from wellness.practice import history, progress, streaks
    from wellness.practice.models import PracticeLog
    from wellness.practice.services import streak_policy
    from wellness.resources import package_folder
    from wellness.settings import CarePolicy
    from wellness.web.pages.wellbeing import CHARTS_TEMPLATE, progress_charts
    from wellness.web.templating import _configure

    policy = CarePolicy()
    now = datetime.now(UTC)
    engine = JinjaTemplateEngine(directory=package_folder("templates"))
    _configure(engine)
    template = engine.get_template("wellbeing/progress.html")
    charts_template = engine.get_template(CHARTS_TEMPLATE)
    await db.open_database(database_url)
    try:
        patient = await User.get(email=PATIENT)
        events, practices, _ = await history.read_practice(patient.id, policy)
        found = await progress.progress_for(patient, policy=policy, now=now)
        built = progress_charts(found)
        listing = await record.practice_history(patient, policy=policy)
        zone = ZoneInfo(patient.time_zone)
        since = datetime.combine(found.start, datetime.min.time(), zone)
        fake_request = SimpleNamespace(
            scope={"user": patient}, url=SimpleNamespace(path="/progress")
        )

        def render_charts() -> str:
            return str(
                charts_template.render(charts=built, completion_percent=policy.completion_percent)
            )

        charts_html = Markup(render_charts())

        def render() -> str:
            context = {
                "user": patient,
                "progress": found,
                "charts_html": charts_html,
                "practice": listing,
                "export": SimpleNamespace(values={}, errors={}),
                "today": found.today,
                "max_days": 366,
            }
            return str(
                template.render(request=fake_request, csrf_input="", get_flashes=list, **context)
            )

        def practice_rows() -> Any:
            return PracticeLog.filter(patient_id=patient.id).values_list(
                "id", "started_at", "listened_seconds", "duration_seconds", "completed",
                "evidence", "time_zone", "session_id", "kind",
            )  # fmt: skip

        async def practice_converted() -> object:
            return await practice_rows()

        async def practice_raw() -> object:
            return await history.raw_rows(practice_rows())

        async def gad7_query() -> object:
            return (
                await Gad7Response.filter(patient_id=patient.id, occurred_at__gte=since)
                .order_by("occurred_at")
                .values_list("occurred_at", "total")
            )

        def streak() -> object:
            return streaks.compute_streak(
                events, now=now, time_zone=patient.time_zone, policy=streak_policy(policy)
            )

        def whole() -> Awaitable[object]:
            return progress.progress_for(patient, policy=policy, now=now)

        async def computed() -> object:
            # What a view computes when nothing is kept (a new worker, or the patient's own
            # practice changed): the caches emptied first, as a write's new token would.
            progress._kept, progress._kept_practice = KeyedCache(), KeyedCache()
            return await whole()

        async def ratings_again() -> object:
            # After someone else's write (the clinic's care token renewed): the practice part is
            # still kept under the patient's own practice token, only the ratings are read.
            progress._kept = KeyedCache()
            return await whole()

        def history_kept() -> Awaitable[object]:
            return record.practice_history(patient, policy=policy)

        async def history_computed() -> object:
            record._kept_history = KeyedCache()
            return await record.practice_history(patient, policy=policy)

        parts: list[tuple[str, Callable[[], Awaitable[object]] | Callable[[], object]]] = [
            ("progress_for, kept (nothing changed)", whole),
            ("progress_for, ratings again (others wrote)", ratings_again),
            ("progress_for, computed (nothing kept)", computed),
            ("  practice rows, as the driver gives them", practice_raw),
            ("  (the same, converted by Tortoise)", practice_converted),
            ("  read_practice (query + events + minutes)",
             lambda: history.read_practice(patient.id, policy)),
            ("  compute_streak", streak),
            ("  _ratings (query + pairs + averages)",
             lambda: progress._ratings(patient, practices, since, zone)),
            ("  GAD-7 query", gad7_query),
            ("practice history, one page, kept", history_kept),
            ("practice history, one page, computed", history_computed),
            ("progress_charts (geometry; kept as HTML)", lambda: progress_charts(found)),
            ("charts render (kept as HTML)", render_charts),
            ("page render, charts HTML given", render),
        ]  # fmt: skip
        results = []
        page_bytes = len(render().encode())
        # The last row repeats the first with the cyclic garbage collector off: the objects a
        # call keeps alive trigger full collections, which are most of its p95.
        parts.append(("progress_for computed, cyclic GC off", computed))
        for name, function in parts:
            samples = []
            if name.endswith("GC off"):
                gc.collect()
                gc.disable()
            try:
                for _ in range(runs):
                    started = time.perf_counter()
                    outcome = function()
                    if asyncio.iscoroutine(outcome):
                        await outcome
                    samples.append((time.perf_counter() - started) * 1000)
            finally:
                gc.enable()
            median, p95, _ = _percentiles(samples)
            results.append((name, median, p95))
        results.append((f"(page: {page_bytes / 1024:.0f} KiB of HTML)", 0.0, 0.0))
        return results
    finally:
        await db.close_database()


# --- HTTP ----------------------------------------------------------------------------------------


def sequential(
    port: int, paths: list[tuple[str, str, str | None]], requests: int
) -> dict[str, list[float]]:
    """{name: [ms, ...]}: each path in turn, one request at a time, over keep-alive
    connections (one per path, so no request waits for another's connection)."""
    connections = {name: http.client.HTTPConnection(HOST, port, timeout=30) for name, _, _ in paths}
    samples: dict[str, list[float]] = {name: [] for name, _, _ in paths}
    try:
        for _ in range(requests):
            for name, path, cookie in paths:
                connection = connections[name]
                headers = {"Cookie": cookie} if cookie else {}
                started = time.perf_counter()
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
                samples[name].append((time.perf_counter() - started) * 1000)
                if response.status != 200:
                    raise BenchError(f"GET {path} answered {response.status}: {body[:300]!r}")
    finally:
        for connection in connections.values():
            connection.close()
    return samples


# --- the run -------------------------------------------------------------------------------------


def run_database(
    label: str, env: dict[str, str], args: argparse.Namespace, wrk: str | None, tmp: Path
) -> bool:
    print(f"\n== {label} ==")
    started = time.perf_counter()
    run_cli(env, "db", "upgrade")
    create_account(env, PATIENT, "Bench Patient", "patient")
    counts = asyncio.run(seed(env["WELLNESS_DATABASE_URL"], args.years, datetime.now(UTC)))
    print_seeded(started, counts)
    print(f"\nin this process, no HTTP ({args.runs} runs each, after one warm-up):")
    print(f"{'part':<42} {'median ms':>9} {'p95 ms':>7}")
    for name, median, p95 in asyncio.run(breakdown(env["WELLNESS_DATABASE_URL"], args.runs)):
        if median == 0.0:
            print(name)
        else:
            print(f"{name:<42} {median:>9.2f} {p95:>7.2f}")

    server, port, base_url = start_bench_app(env, tmp)
    try:
        cookie = sign_in(base_url, PATIENT, PASSWORD)
        status, body = get_status(f"{base_url}/progress", cookie)
        if status != 200:
            raise BenchError(f"GET /progress answered {status}: {body[:300]!r}")
        paths = [
            ("/ping (baseline)", "/ping", None),
            ("/patient (home page)", "/patient", cookie),
            ("/progress", "/progress", cookie),
        ]
        sequential(port, paths, 10)  # warm-up
        samples = sequential(port, paths, args.requests)
        ping_median = statistics.median(samples["/ping (baseline)"])
        print(f"\nsequential, {args.requests} requests each over keep-alive, interleaved:")
        print(f"{'endpoint':<22} {'median':>8} {'p95':>8} {'p99':>8} {'vs /ping':>9}")
        for name, values in samples.items():
            median, p95, p99 = _percentiles(values)
            print(
                f"{name:<22} {median:>6.1f}ms {p95:>6.1f}ms {p99:>6.1f}ms "
                f"{median / ping_median:>8.1f}x"
            )
        progress_median, _, progress_p99 = _percentiles(samples["/progress"])
        if wrk is not None:
            table = WrkTable(22)
            table.header(clients=WRK_CLIENTS, duration=args.wrk_duration)
            for name, path, path_cookie in paths:
                rps, p50, p99, _total, errors, cpu_ms = wrk_get(
                    wrk,
                    base_url,
                    path,
                    path_cookie,
                    args.wrk_duration,
                    tmp,
                    server.pid,
                    clients=WRK_CLIENTS,
                )
                table.row(name, rps, p50, p99, cpu_ms, errors)
    finally:
        stop_server(server, timeout=5)
    passed = progress_median < TARGET_MS
    print(
        f"{'PASS' if passed else 'MISS'}  GET /progress median {progress_median:.1f} ms "
        f"(p99 {progress_p99:.1f} ms{', also under' if progress_p99 < TARGET_MS else ', over'} "
        f"{TARGET_MS:.0f} ms) against the {TARGET_MS:.0f} ms target"
    )
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, choices=range(10, 2001))
    parser.add_argument("--runs", type=int, default=60, choices=range(3, 501))
    parser.add_argument("--wrk-duration", type=int, default=5, choices=range(1, 31))
    parser.add_argument("--years", type=int, default=YEARS, choices=range(1, 11))
    add_database_options(parser)
    args = parser.parse_args()
    wrk = shutil.which("wrk")
    print(
        f"progress page benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{args.years} years of daily practice\n{machine_note()}"
    )
    if wrk is None:
        print("note: wrk not found, so no concurrent figures (apt-get install -y wrk)")
    for_each_database(
        args.database,
        args.postgres_url,
        "progress",
        lambda label, env, tmp: run_database(label, env, args, wrk, tmp),
    )
    print(f"\n{machine_note()} (at the end)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
