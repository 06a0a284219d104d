"""Catalog browse and search with 10,000 sessions: requests/s and latency against a bare /ping.

Target: catalog search and the browse page with 10,000 sessions: p99 under 50 ms at 16
concurrent clients, with the browse page at >= 0.08x the requests per second of a bare /ping on
the same server.

Usage: .venv/bin/python bench/catalog.py [--duration 10] [--database sqlite|postgres|both]
       [--postgres-url postgres://postgres@127.0.0.1:5432/test]

What it does, all on 127.0.0.1 inside one temporary folder that is removed afterwards:
1. creates the database with `wellness db upgrade` (SQLite in the folder; for PostgreSQL a
   throwaway database `wellness_bench_<pid>` on the --postgres-url server, dropped afterwards),
   a patient with `wellness users create`, then seeds 10,000 published
   sessions through the ORM: varied titles, descriptions and transcripts of a few hundred words
   drawn from a Zipf-weighted vocabulary (so common words match most sessions and rare ones
   few), 3 tags each, and 6 shared media assets;
2. starts bench/bench_app.py (the production app plus `GET /ping`) under uvicorn with one
   worker, as `wellness serve` does, and signs the patient in;
3. runs `wrk -t2 -c16 -d<duration>s --latency` against each endpoint in turn; search rows
   rotate through a fixed list of query words (a wrk Lua request() that also sets the Cookie);
4. prints a table of req/s, p50, p99 and the ratio to /ping, with PASS/MISS per target;
5. times one search at a time per query word, before the load (nothing cached yet: what a
   search costs after each catalog write) and after it (served from the catalog cache).

/ping is the baseline: same process and middleware, no cookie, no database, no template.
Needs wrk: `apt-get install -y wrk`.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote_plus

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
    get_status,
    is_busy,
    machine_note,
    postgres_admin,
    require_tools,
    run_cli,
    sign_in,
    start_server,
    stop_server,
)
from _wrk import parse_wrk

SESSIONS = 10_000
P99_TARGET_MS = 50.0
BROWSE_RATIO_TARGET = 0.08
PATIENT = "bench.patient@example.org"

# --- realistic text ----------------------------------------------------------------------------

VOCABULARY = """
the and you your breath notice body gently let this moment feel now into with as of a in
breathing attention awareness calm rest soft slowly relax settle present allow kind ease
shoulders chest belly release ground feet hands warmth space quiet mind thoughts return
sensation steady rhythm inhale exhale pause count stillness comfort safe support sound
listen open heart weight floor chair back spine jaw face eyes closed softening letting go
craving urge wave passing observe curious without judgement tension anxiety worry sleep
evening morning day night gentle deep long short simple practice minutes session guide
compassion kindness yourself others gratitude hope recovery step small strong resilience
anchor centre center balance posture seated lying standing stretch movement yoga flow arms
legs neck hips knees toes fingers palms forehead scalp muscles warm cool light heavy
noticing naming labelling feeling emotions sadness anger fear joy peace trust patience
forgiveness acceptance change impermanence clouds sky ocean river mountain tree leaves
forest rain sun moon stars garden path walking journey home shelter nourish water drink food
mindful eating tasting smelling seeing hearing touching texture temperature pulse heartbeat
nostrils lips throat ribs lungs diaphragm abdomen pelvis thighs calves ankles heels arches
soles spacious wide boundless vast tiny subtle vivid faint bright dim clear scan sweep
travel rest linger stay explore meet greet welcome honour honor hold cradle soothe comfort
reassure remind encourage invite choose commit begin again restart relapse trigger cue habit
routine ritual intention purpose value meaning connection friend family group therapist
counsellor clinic ward room bed pillow blanket window door morning light box breathing
square four seven eight counting humming sighing yawning smiling laughing tapping grounding
senses five things name colour color shape object detail stone pebble candle flame bell
chime silence noise traffic birds wind waves fire crackling hum
""".split()  # noqa: SIM905  (a word list reads better as prose)

TITLE_OPENERS = [
    "Gentle", "Calm", "Quiet", "Grounded", "Steady", "Soft", "Deep", "Simple", "Kind",
    "Evening", "Morning", "Midday", "Restful", "Slow", "Open", "Warm", "Spacious", "Brief",
]  # fmt: skip
TITLE_CORES = [
    "Breath Awareness", "Body Scan", "Box Breathing", "Urge Surfing", "Loving Kindness",
    "Five Senses Grounding", "Mountain Meditation", "Chair Yoga", "Sleep Wind-Down",
    "Compassion Practice", "Walking Meditation", "Progressive Relaxation", "Noting Thoughts",
    "Gratitude Reflection", "Ocean Breath", "Tree Pose Flow", "Self-Forgiveness", "Safe Place",
    "Leaves on a Stream", "Craving Wave", "Heartbeat Listening", "Candle Gazing",
]  # fmt: skip
TITLE_ENDINGS = [
    "for Anxious Moments", "for Cravings", "for Sleep", "for Beginners", "after Group",
    "before Bed", "for the Ward", "at the Window", "with Counting", "with Sound",
    "in Ten Minutes", "for Early Recovery", "for Difficult Days", "", "", "",
]  # fmt: skip
INSTRUCTORS = [
    "Dr. Amara Rivera", "Jonas Feld", "Priya Natarajan", "Tomás Álvarez", "Mei Chen",
    "Grace Okafor", "Liam O'Connor", "Sofia Rossi", "Hannah Berg", "Yusuf Demir",
    "Ana Kovač", "Noah Williams", "Leila Haddad", "Kenji Sato", "Ingrid Larsen", "",
]  # fmt: skip
TAGS = [
    "anxiety", "cravings", "sleep", "beginner", "short", "long", "evening", "morning",
    "group", "self-compassion", "grounding", "body", "breath", "movement", "silence",
    "nature", "sound", "gratitude", "anger", "sadness", "relapse prevention", "ward",
    "outdoor", "seated", "lying down", "standing", "trauma-informed", "focus", "calm", "hope",
]  # fmt: skip

# Query words of every frequency: very common, common, middling, rare, a prefix, two words.
QUERIES = [
    "breath", "calm", "shoulders", "craving", "ocean", "forgiveness", "candle", "pebble",
    "heartbeat", "bre", "deep breath", "body scan", "sleep evening", "Rivera", "kindness",
    "window light",
]  # fmt: skip


class TextMaker:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        weights = [1 / (rank + 1) ** 1.05 for rank in range(len(VOCABULARY))]
        self.cumulative = []
        total = 0.0
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def words(self, count: int) -> list[str]:
        return self.random.choices(VOCABULARY, cum_weights=self.cumulative, k=count)

    def prose(self, low: int, high: int) -> str:
        words = self.words(self.random.randint(low, high))
        sentences, start = [], 0
        while start < len(words):
            end = start + self.random.randint(6, 16)
            sentence = " ".join(words[start:end])
            sentences.append(sentence[:1].upper() + sentence[1:] + ".")
            start = end
        return " ".join(sentences)

    def title(self) -> str:
        parts = [
            self.random.choice(TITLE_OPENERS),
            self.random.choice(TITLE_CORES),
            self.random.choice(TITLE_ENDINGS),
        ]
        return " ".join(part for part in parts if part)


# --- seeding -----------------------------------------------------------------------------------


async def seed(database_url: str, count: int) -> None:
    """10,000 published sessions, their tags and 6 shared assets, through the ORM."""
    from wellness import db
    from wellness.catalog import rules
    from wellness.catalog.kinds import Contraindication, Guidance, Kind, Level, Posture, Status
    from wellness.catalog.models import MediaAsset, PracticeSession, SessionTag

    text = TextMaker(seed=20_251_124)
    pick = text.random.choice
    now = datetime.now(UTC)
    await db.open_database(database_url)
    try:
        assets = []
        for number in range(6):
            seconds = float(text.random.choice([180, 300, 600, 900, 1200, 2400]))
            asset = MediaAsset(
                sha256=secrets.token_hex(32),
                size_bytes=int(seconds * 16_000),
                container="mp3",
                codec="mp3",
                mime_type="audio/mpeg",
                extension="mp3",
                duration_seconds=seconds,
                bitrate=128_000,
                sample_rate=44_100,
                channels=2,
                cover_sha256=secrets.token_hex(32) if number % 2 == 0 else None,
                cover_mime_type="image/jpeg" if number % 2 == 0 else None,
                original_filename=f"session-{number}.mp3",
                uploaded_at=now,
            )
            await asset.save()
            assets.append(asset)
        sessions = []
        for number in range(count):
            asset = assets[number % len(assets)]
            when = now - timedelta(minutes=number)
            sessions.append(
                PracticeSession(
                    title=text.title(),
                    kind=pick(list(Kind)),
                    description=text.prose(40, 90),
                    instructor=pick(INSTRUCTORS),
                    level=pick(list(Level)),
                    posture=pick(list(Posture)),
                    guidance=pick(list(Guidance)),
                    transcript=text.prose(200, 600),
                    contraindications=sorted(
                        {pick(list(Contraindication)) for _ in range(number % 3)}
                    ),
                    status=Status.PUBLISHED,
                    primary_asset=asset,
                    duration_seconds=asset.duration_seconds,
                    created_at=when,
                    updated_at=when,
                    published_at=when,
                )
            )
        chosen = [text.random.sample(TAGS, 3) for _ in sessions]
        for session, session_tags in zip(sessions, chosen, strict=True):
            session.tag_text = rules.tag_text(session_tags)  # what catalog.editing writes
        await PracticeSession.bulk_create(sessions, batch_size=500)
        ids = await PracticeSession.all().order_by("id").values_list("id", flat=True)
        tags = [
            SessionTag(session_id=session_id, tag=tag)
            for session_id, session_tags in zip(ids, chosen, strict=True)
            for tag in session_tags
        ]
        await SessionTag.bulk_create(tags, batch_size=1000)
    finally:
        await db.close_database()


# --- wrk -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    paths: list[str]
    cookie: str | None
    kind: str  # "baseline", "browse" or "search"


@dataclass(frozen=True)
class Measured:
    endpoint: Endpoint
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: str
    cpu_ms_per_request: float  # the server's user + system CPU time over the run, per answer


def lua_script(endpoint: Endpoint) -> str:
    def lua_string(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    if len(endpoint.paths) == 1:
        lines = [f"wrk.path = {lua_string(endpoint.paths[0])}"]
        if endpoint.cookie:
            lines.append(f'wrk.headers["Cookie"] = {lua_string(endpoint.cookie)}')
        return "\n".join(lines) + "\n"
    paths = ", ".join(lua_string(path) for path in endpoint.paths)
    headers = f'{{["Cookie"] = {lua_string(endpoint.cookie)}}}' if endpoint.cookie else "{}"
    return (
        f"local paths = {{{paths}}}\n"
        f"local headers = {headers}\n"
        "local counter = 0\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        '  return wrk.format("GET", paths[(counter % #paths) + 1], headers)\n'
        "end\n"
    )


def run_wrk(
    wrk: str, base_url: str, endpoint: Endpoint, duration: int, tmp: Path, pid: int
) -> Measured:
    script = tmp / f"{re.sub(r'[^a-z0-9]+', '-', endpoint.name.lower())}.lua"
    script.write_text(lua_script(endpoint))
    command = [wrk, "-t2", "-c16", f"-d{duration}s", "--latency", "--timeout", "5s"]
    command += ["-s", str(script), base_url + endpoint.paths[0]]
    cpu_before = cpu_seconds(pid)
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 30, check=False
    )
    cpu = cpu_seconds(pid) - cpu_before
    if result.returncode != 0:
        raise BenchError(f"wrk failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    rps, p50, p99, total, errors = parse_wrk(result.stdout)
    return Measured(endpoint, rps, p50, p99, total, errors, cpu * 1000 / max(total, 1))


# --- the run -------------------------------------------------------------------------------------


def endpoints(browse_page: bool, patient: str) -> list[Endpoint]:
    """What is measured, in order: searches last, since slow ones leave work behind."""
    search = [f"q={quote_plus(word)}" for word in QUERIES]
    api_browse = Endpoint("API browse /api/v1/sessions", ["/api/v1/sessions"], patient, "search")
    api_search = Endpoint(
        "API search /api/v1/sessions?q=",
        [f"/api/v1/sessions?{query}" for query in search],
        patient,
        "search",
    )
    ping = Endpoint("/ping (baseline, no cookie)", ["/ping"], None, "baseline")
    if not browse_page:
        stand_in = Endpoint(
            f"{api_browse.name} (for the page)", api_browse.paths, patient, "browse"
        )
        return [ping, stand_in, api_search]
    return [
        ping,
        api_browse,
        Endpoint("browse page /sessions", ["/sessions"], patient, "browse"),
        api_search,
        Endpoint(
            "search page /sessions?q=",
            [f"/sessions?{query}" for query in search],
            patient,
            "search",
        ),
    ]


def run_database(label: str, env: dict[str, str], wrk: str, duration: int, tmp: Path) -> bool:
    """Seed, serve, measure one database; returns True when every target passed.

    One server serves every endpoint in turn; when a slow endpoint leaves it still busy with
    abandoned requests, it is restarted before the next measurement.
    """
    print(f"\n== {label} ==")
    started = time.perf_counter()
    run_cli(env, "db", "upgrade")
    create_account(env, PATIENT, "Bench Patient", "patient")
    asyncio.run(seed(env["WELLNESS_DATABASE_URL"], SESSIONS))
    if env["WELLNESS_DATABASE_URL"].startswith("postgres"):
        # What autovacuum does within a minute of a bulk load: move the new rows out of the
        # GIN index's pending list and gather statistics. Straight after the load the planner
        # never uses the search index (it did not in the figures of 2026-11-24).
        postgres_admin(env["WELLNESS_DATABASE_URL"], "VACUUM ANALYZE")
    print(f"seeded {SESSIONS} published sessions in {time.perf_counter() - started:.1f} s")
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    server_env = {**env, "WELLNESS_AUTO_MIGRATE": "false"}
    log = tmp / "server.log"

    def start() -> subprocess.Popen[bytes]:
        return start_server(server_env, port, factory="bench_app:create_app", log=log)

    server = start()
    try:
        patient = sign_in(base_url, PATIENT, PASSWORD)
        page_status, _ = get_status(f"{base_url}/sessions", patient)
        browse_page = page_status == 200
        if not browse_page:
            print(
                f"NOTE: GET /sessions answered {page_status}: the browse page is not there yet, "
                "so /api/v1/sessions stands in for it (run again once it is)."
            )
        # Before any load: each search's cost when nothing is cached (the catalog keeps
        # result pages until the next catalog write, so the wrk runs below mostly hit memory).
        probe_queries(base_url, patient, "cold")
        results = []
        for endpoint in endpoints(browse_page, patient):
            if not settled(server.pid):
                # Abandoned slow requests are still running: start afresh, don't measure them.
                print(
                    f"note: the server was still busy, so it was restarted before {endpoint.name}"
                )
                stop_server(server, timeout=2)
                server = start()
            warm_up(base_url, endpoint)
            results.append(run_wrk(wrk, base_url, endpoint, duration, tmp, server.pid))
        if not settled(server.pid):
            stop_server(server, timeout=2)
            server = start()
        probe_queries(base_url, patient, "cached")
    finally:
        stop_server(server, timeout=5)
    return print_table(results)


def settled(pid: int, within: float = 3.0) -> bool:
    """True once the server is idle (its log and last answers done), waiting at most `within`."""
    deadline = time.perf_counter() + within
    while time.perf_counter() < deadline:
        if not is_busy(pid, window=0.3):
            return True
    return False


def warm_up(base_url: str, endpoint: Endpoint, *, times: int = 3, timeout: float = 3) -> None:
    """GET the first path a few times: it must answer 200 (not a sign-in redirect, no error)."""
    for _ in range(times):
        started = time.perf_counter()
        try:
            status, body = get_status(base_url + endpoint.paths[0], endpoint.cookie, timeout)
        except TimeoutError:
            print(f"note: {endpoint.name}: GET {endpoint.paths[0]} took over {timeout:.0f} s")
            return
        if status != 200:
            raise BenchError(
                f"{endpoint.name}: GET {endpoint.paths[0]} answered {status}: {body[:300]!r}"
            )
        if time.perf_counter() - started > 1:
            return


def probe_queries(base_url: str, cookie: str, label: str, budget: float = 5.0) -> None:
    """One request at a time: how many sessions each query word matches, and how long it takes."""
    import json

    print(f"one search at a time (API, {label}):", end="")
    deadline = time.perf_counter() + budget
    for word in QUERIES:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            print(f" [the rest skipped: over {budget:.0f} s]", end="")
            break
        started = time.perf_counter()
        url = f"{base_url}/api/v1/sessions?q={quote_plus(word)}"
        try:
            status, body = get_status(url, cookie, timeout=remaining)
        except TimeoutError:
            print(f" {word!r}: over {budget:.0f} s, stopped", end="")
            break
        elapsed = time.perf_counter() - started
        total = json.loads(body).get("total", "?") if status == 200 else f"HTTP {status}"
        print(f" {word!r}={total} {elapsed * 1000:.0f} ms;", end="")
    print()


def print_table(results: list[Measured]) -> bool:
    baseline = next(r for r in results if r.endpoint.kind == "baseline").requests_per_second
    print(
        f"{'endpoint':<32} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'vs /ping':>8} "
        f"{'CPU ms/req':>10}  verdict"
    )
    all_passed = True
    for result in results:
        ratio = result.requests_per_second / baseline
        kind = result.endpoint.kind
        verdicts = []
        if kind in {"browse", "search"}:
            verdicts.append(("p99<50ms", result.p99_ms < P99_TARGET_MS))
        if kind == "browse":
            verdicts.append((f">={BROWSE_RATIO_TARGET}x", ratio >= BROWSE_RATIO_TARGET))
        if result.requests == 0:
            verdicts = []
        if result.errors:
            verdicts.append((result.errors, False))
        verdict = " ".join(f"{'PASS' if ok else 'MISS'} {name}" for name, ok in verdicts)
        if kind == "baseline":
            verdict = "baseline"
        all_passed &= all(ok for _, ok in verdicts)
        cpu = f"{result.cpu_ms_per_request:.2f}" if result.requests else "n/a"
        print(
            f"{result.endpoint.name:<32} {result.requests_per_second:>7.0f} "
            f"{result.p50_ms:>7.1f} {result.p99_ms:>7.1f} {ratio:>7.3f}x "
            f"{cpu:>10}  {verdict}"
        )
    print(
        "CPU ms/req: the server process's CPU time (all threads, user + system) per answer; "
        "unlike req/s it hardly depends on what else the machine is doing."
    )
    print(("PASS" if all_passed else "MISS") + "  all catalog targets on this database")
    return all_passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, choices=range(1, 31))
    add_database_options(parser)
    args = parser.parse_args()
    wrk = require_tools({"wrk": "wrk"})["wrk"]
    print(
        f"catalog benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"wrk -t2 -c16 -d{args.duration}s, {SESSIONS} sessions\n{machine_note()}"
    )
    for_each_database(
        args.database,
        args.postgres_url,
        "catalog",
        lambda label, env, tmp: run_database(label, env, wrk, args.duration, tmp),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
