"""The simulated clinic driven through the JSON API, as an outside patient simulation would.

`wellness suggestions evaluate` calls the engine's functions directly and refits them each
simulated night. A clinic judged from outside sees only HTTP: check-ins, `GET /api/v1/suggestions`,
practices logged with their ratings, and whatever the app does between them (the kept list,
the per-worker clinic fit and its refit schedule, the stored catalog and restrictions, the
rating's freshness). This script plays the same synthetic patients (`simulation.world`) through
the app itself, in process, so a 28-day stay takes minutes of wall time, as it would for an
outside simulation. The clinic is set up as such a simulation would have to (`_clinic_setup`):
an administrator made with the CLI creates the therapist and every patient through
`POST /api/v1/users`, and the therapist sets their contraindications and bans through the
care-restrictions API; only the catalog is written through the ORM. For each seed it prints:

- the set-up's requests and those refused;
- the same clinic in process: random within the safe set, the oracle and the engine;
- the engine through the API: true calm per suggestion and the share of the oracle's gain over
  random once a patient has 10-19 and 30+ rated sessions (against the in-process random and
  oracle), safety violations (every list checked against `simulation.clinical_rules` in the
  context the app answered with), requests refused or failed, the clinic fits the app made, and
  wall and CPU milliseconds per request.

Usage: .venv/bin/python bench/api_clinic.py [--patients 100] [--days 28] [--seeds 2]
           [--first-seed 1] [--heterogeneity medium] [--differ-by kind] [--quick]
           [--catalog synthetic|demo]
           [--before rating|checkin]
           [--clock simulated|compressed] [--unnamed] [--database sqlite|postgres|both]
           [--postgres-url postgres://...]

`--before checkin` sends no `anxiety_before` with a practice: the check-in made at the same
moment serves as its before rating (`WELLNESS_CHECKIN_AS_BEFORE_MINUTES`), as it does for a
client that asks for one rating per moment. `--clock simulated` (the default) sets the app's
clock to each simulated moment; `--clock compressed` lets it run on by 3 seconds a chance from
09:00, everything stamped with it, as for an outside simulation that can set neither the
server's clock nor back-date weeks: the whole stay falls within about six hours of one day,
and a patient's next chance comes minutes after their last practice. `--unnamed` sends no
`suggestion_id` with a practice, leaving the app to link it to the list it followed.

`--catalog demo` offers the demo library's published sessions (what `wellness demo` serves, as
an outside simulation run against the demo would meet) instead of each seed's synthetic catalog.

SQLite in a temporary folder, or a throwaway PostgreSQL database, removed afterwards. The four
deliberately malformed sessions of the synthetic catalog (an unknown kind, no length, ...)
cannot be stored through the app and are left out of the API run; the in-process rows keep them.
Exit code 1 if any request failed (of the set-up too) or any list broke a safety rule, else 0.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # see bench/suggestions.py
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from _clinic_setup import PASSWORD, Tally, open_clinic
from _server import (
    add_database_options,
    machine_note,
    postgres_reachable,
    throwaway_postgres,
)
from litestar import Litestar
from litestar.testing import TestClient

from wellness.demo.facts import demo_catalog
from wellness.lib.clock import FixedClock
from wellness.suggestions.inputs import (
    PatientContext,
    Suggestion,
    SuggestionList,
    sessions_by_id,
)
from wellness.suggestions.logs.models import SuggestionFollow, SuggestionLog
from wellness.suggestions.services.context import limits_for, rated_practices
from wellness.suggestions.simulation import clinical_rules
from wellness.suggestions.simulation.clinic import PolicyRun
from wellness.suggestions.simulation.lineup import simulate_seed
from wellness.suggestions.simulation.metrics import (
    SeedMetrics,
    gain_share,
    seed_metrics,
    summarise,
)
from wellness.suggestions.simulation.parameters import Heterogeneity, Trait
from wellness.suggestions.simulation.world import NO_RATING, START, World, build_world

IN_PROCESS = ("random", "oracle", "engine")
MINUTE = timedelta(minutes=1)
COMPRESSED_STEP = timedelta(seconds=3)  # a chance; 100 patients x 28 days is about 6 hours
COMPRESSED_FROM = START + timedelta(hours=9)  # daytime: not the rules' bedtime hours


@dataclass
class ApiRun:
    """The engine through the API on one seed: a `PolicyRun` plus what only HTTP shows."""

    run: PolicyRun
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    set_up: Tally = field(default_factory=Tally)  # the cohort's accounts and restrictions
    set_up_wall: float = 0.0  # with the CLI's administrator account and the catalog stored
    fits: set[int] = field(default_factory=set)
    rated: int = 0  # practices the app holds with a rating before and after: what it learns from
    practices: int = 0  # practices logged
    linked: tuple[int, int] = (0, 0)  # practices linked to their list, by the app of those
    wall: float = 0.0
    cpu: float = 0.0


async def links_made() -> tuple[int, int]:
    """(practices linked to a list, those of them the app linked: the practice named none)."""
    return (
        await SuggestionFollow.all().count(),
        await SuggestionFollow.filter(named=False).count(),
    )


async def fits_logged() -> set[int]:
    # flat=True gives the values themselves, which Tortoise's stubs type as one-value tuples
    rows: list[Any] = list(await SuggestionLog.all().values_list("context", flat=True))
    return {int(context["clinic_fit"]) for context in rows if isinstance(context, dict)}


def drive(
    world: World,
    database_url: str | None = None,
    *,
    before: str = "rating",
    clock_mode: str = "simulated",
    name_lists: bool = True,
) -> ApiRun:
    """Every chance of `world` through the API: check-in, suggestions, the practice. The
    database must be empty (None: a new SQLite file in a temporary folder). `before`: "rating"
    sends the practice's before rating with it; "checkin" leaves it to the check-in just made
    (as a client that asks once per moment would). `clock_mode`: "simulated" sets the app's
    clock to each simulated moment; "compressed" lets it run on from COMPRESSED_FROM by
    COMPRESSED_STEP a chance and stamps everything with it, as an outside simulation that
    cannot set the server's clock (nor back-date weeks) would: the whole stay falls within
    hours of one day. `name_lists`: send each practice's `suggestion_id`, or leave the app to
    link it (`suggestions.following`)."""
    clock = FixedClock(START)
    catalog = world.catalog.sessions
    by_id = sessions_by_id(catalog)
    chances, size = world.chances, world.chances.day.size
    outcome = ApiRun(
        PolicyRun(
            "engine through the API",
            value=np.full(size, np.nan),
            best=np.full(size, np.nan),
            shown=np.zeros(size, dtype=int),
            yesterday=np.zeros(size, dtype=int),
        )
    )
    run = outcome.run
    repeats = np.zeros((world.patients, len(catalog)), dtype=int)
    habituated = world.cohort.base.copy()
    last_day = np.full((world.patients, len(catalog)), -10, dtype=int)
    fading = 1.0 - world.parameters.habituation
    setting_up = time.perf_counter()
    with open_clinic(world, database_url, clock, outcome.set_up) as (client, settings, stored):
        outcome.set_up_wall = time.perf_counter() - setting_up
        if stored is None:  # a set-up request was refused: there is no clinic to play
            return outcome
        limits = limits_for(settings.care)  # the app's own alert level
        cookies = [sign_in(client, email) for email in stored.emails]
        started, cpu_started = time.perf_counter(), time.process_time()

        def call(method: str, path: str, **kwargs: Any) -> Any:
            outcome.requests += 1
            response = client.request(method, path, **kwargs)
            if response.status_code == 401:  # the sign-in ran out: sign in again
                cookies[p] = sign_in(client, stored.emails[p])
                response = client.request(method, path, **kwargs)
            if response.status_code >= 400:
                outcome.failures.append(f"{method} {path}: {response.status_code}")
                return None
            return response.json()

        for c in range(size):
            p, d = int(chances.patient[c]), int(chances.day[c])
            now = (
                START + timedelta(days=d, hours=int(chances.hour[c]))
                if clock_mode == "simulated"
                else COMPRESSED_FROM + c * COMPRESSED_STEP
            )
            clock.set(now)
            client.cookies.clear()
            client.cookies.update(cookies[p])
            rating = int(chances.anxiety[c])
            if rating != NO_RATING:
                call("POST", "/api/v1/checkins", json={"level": rating})
            body = call("GET", "/api/v1/suggestions")
            if body is None:
                continue
            shown = SuggestionList(
                items=tuple(
                    Suggestion(
                        stored.simulated_id[item["session_id"]],
                        item["probability"],
                        tuple(item["reasons"]),
                    )
                    for item in body["items"]
                ),
                engine_version=body["context"]["engine_version"],
            )
            context = PatientContext(
                patient_id=p + 1,
                now=now,
                local_hour=now.hour,
                today=now.date().isoformat(),
                anxiety=body["context"]["anxiety"],
                contraindications=world.cohort.contraindications[p],
                banned=world.cohort.banned[p],
            )
            safe = clinical_rules.safe_ids(catalog, context, limits)
            for violation in clinical_rules.check_list(shown, by_id, context, limits, safe):
                run.violations += 1
                run.examples.append(f"session {violation.session_id}: {violation.rule}")
            picked = [item.session_id - 1 for item in shown.items]  # id == index + 1
            run.shown[c] = len(picked)
            run.suggestions += len(picked)
            if not picked:
                continue
            truth = world.calm_from(p, float(chances.level[c]), habituated[p])
            pool = np.array(sorted(i - 1 for i in safe), dtype=np.intp)
            run.value[c] = float(truth[picked].mean())
            best = np.sort(truth[pool])[-len(picked) :] if pool.size else truth[picked]
            run.best[c] = float(best.mean())
            run.yesterday[c] = int(np.count_nonzero(last_day[p, picked] == d - 1))
            if not chances.follows[c]:
                continue
            session = picked[int(chances.pick[c] * len(picked))]
            calm = world.realised_calm(c, session, int(repeats[p, session]))
            repeats[p, session] += 1
            habituated[p, session] *= fading
            last_day[p, session] = d
            practice: dict[str, Any] = {
                "session_id": stored.stored_id[session + 1],
                "started_at": now.isoformat(),
                "listened_seconds": round(catalog[session].minutes * 60),
            }
            if name_lists:
                practice["suggestion_id"] = body["suggestion_id"]
            if chances.rated[c] and rating != NO_RATING:
                if before == "rating":
                    practice["anxiety_before"] = rating
                practice["anxiety_after"] = world.after_rating(c, calm)
            # Compressed, the practice is logged as begun now, at once: the client has no
            # time to wait for it to end.
            took = timedelta(minutes=catalog[session].minutes)
            if clock_mode == "simulated":
                clock.set(now + took + MINUTE)
            outcome.practices += 1
            call("POST", "/api/v1/practice", json=practice)
        outcome.wall = time.perf_counter() - started
        outcome.cpu = time.process_time() - cpu_started
        outcome.fits = client.blocking_portal.call(fits_logged)
        outcome.rated = len(client.blocking_portal.call(rated_practices))
        outcome.linked = client.blocking_portal.call(links_made)
    return outcome


def sign_in(client: TestClient[Litestar], email: str) -> dict[str, str]:
    client.cookies.clear()
    response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    response.raise_for_status()
    return dict(client.cookies)


def report(seed: int, in_process: Mapping[str, SeedMetrics], through: ApiRun, world: World) -> str:
    set_up = through.set_up
    lines = [
        f"seed {seed}: {world.patients} patients x {world.days} days",
        f"  set-up through the API: {set_up.requests:,} requests, {len(set_up.refused)} refused "
        f"({through.set_up_wall:.1f} s with the CLI's administrator and the catalog stored)",
    ]
    if set_up.refused:  # the stay was not played
        return "\n".join([*lines, *(f"  ! {text}" for text in set_up.refused[:5])])
    api = seed_metrics(through.run, world)
    random, oracle = in_process["random"], in_process["oracle"]
    rows = [*((name, metrics) for name, metrics in in_process.items()), ("engine via API", api)]
    for name, metrics in rows:
        summary = summarise([metrics])
        early = gain_share(summary.early, summarise([random]).early, summarise([oracle]).early)
        late = gain_share(summary.late, summarise([random]).late, summarise([oracle]).late)
        lines.append(
            f"  {name:<16} calm {summary.mean_calm:+.3f}  regret {summary.regret:6.1f}"
            f"  gain@10 {early:5.0%}  gain@30 {late:5.0%}  violations {summary.violations}"
        )
    per = 1000 / max(through.requests, 1)
    lines.append(
        f"  API: {through.requests:,} requests, {len(through.failures)} refused or failed, "
        f"{len(through.fits)} clinic fits, {through.rated:,} practices rated before and after, "
        f"{through.linked[0]:,} of {through.practices:,} practices linked to their list "
        f"({through.linked[1]:,} by the app), "
        f"{through.wall * per:.1f} ms wall and "
        f"{through.cpu * per:.1f} ms CPU per request (app and this driver in one process)"
    )
    lines.extend(f"  ! {text}" for text in through.failures[:5] + through.run.examples[:5])
    return "\n".join(lines)


def main() -> int:
    parse = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parse.add_argument("--patients", type=int, default=100)
    parse.add_argument("--days", type=int, default=28)
    parse.add_argument("--seeds", type=int, default=2)
    parse.add_argument("--first-seed", type=int, default=1)
    parse.add_argument(
        "--heterogeneity", default="medium", choices=[h.value for h in Heterogeneity]
    )
    parse.add_argument(
        "--differ-by",
        default="kind",
        choices=[trait.value for trait in Trait],
        help="what patients respond to in their own ways (wellness suggestions evaluate's option)",
    )
    parse.add_argument(
        "--catalog",
        default="synthetic",
        choices=["synthetic", "demo"],
        help="each seed's synthetic catalog, or the demo library's published sessions",
    )
    parse.add_argument("--quick", action="store_true", help="20 patients x 7 days x 1 seed")
    parse.add_argument(
        "--before",
        default="rating",
        choices=["rating", "checkin"],
        help="send each practice's before rating with it, or leave it to the check-in just made",
    )
    parse.add_argument(
        "--clock",
        default="simulated",
        choices=["simulated", "compressed"],
        help="set the app's clock to each simulated moment, or let the whole stay run within "
        "hours, as a client that cannot set the server's clock would",
    )
    parse.add_argument(
        "--unnamed",
        action="store_true",
        help="send no suggestion_id with a practice: the app links it to the latest list",
    )
    add_database_options(parse)
    arguments = parse.parse_args()
    if arguments.quick:
        arguments.patients, arguments.days, arguments.seeds = 20, 7, 1
    level = Heterogeneity(arguments.heterogeneity)
    for chatty in ("httpx", "tortoise"):  # a line per request, and per database opened
        logging.getLogger(chatty).setLevel(logging.WARNING)
    print(machine_note())
    kinds = ["sqlite", "postgres"] if arguments.database == "both" else [arguments.database]
    if "postgres" in kinds and (reason := postgres_reachable(arguments.postgres_url)):
        print(f"skipping PostgreSQL: {arguments.postgres_url} is unreachable ({reason})")
        kinds.remove("postgres")
    failed = False
    for seed in range(arguments.first_seed, arguments.first_seed + arguments.seeds):
        trait = Trait(arguments.differ_by)
        sessions = demo_catalog() if arguments.catalog == "demo" else None
        shape = {"patients": arguments.patients, "days": arguments.days, "heterogeneity": level}
        in_process = simulate_seed(
            seed, policies=IN_PROCESS, differ_by=trait, sessions=sessions, **shape
        ).metrics
        world = build_world(
            seed, arguments.patients, arguments.days, level, differ_by=trait, sessions=sessions
        )
        for kind in kinds:
            with database(kind, arguments.postgres_url) as url:
                through = drive(
                    world,
                    url,
                    before=arguments.before,
                    clock_mode=arguments.clock,
                    name_lists=not arguments.unnamed,
                )
            print(f"[{kind}] {report(seed, in_process, through, world)}", flush=True)
            failed |= bool(through.set_up.refused or through.failures or through.run.violations)
    return 1 if failed else 0


@contextmanager
def database(kind: str, postgres_url: str) -> Iterator[str | None]:
    """None for SQLite (`drive` makes its own file), else a throwaway PostgreSQL database."""
    if kind == "sqlite":
        yield None
        return
    with throwaway_postgres(postgres_url, f"wellness_bench_api_clinic_{os.getpid()}") as url:
        yield url


if __name__ == "__main__":
    sys.exit(main())
