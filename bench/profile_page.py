"""Where one page spends its time, in process: the therapist's dashboard (`--page therapist`,
bench/dashboard.py's caseload of 200 patients x 90 days), the patient's home page
(`--page patient`, bench/home.py's patient with two years of history, followed collections and
saved sessions, in a clinic of 120), the patient's progress page (`--page progress`,
bench/progress.py's patient with five years of daily practice) or the coordinators' library
usage page (`--page usage` for the default 28 days, `--page usage-year` for 365 days:
bench/usage.py's 300 sessions and a year of practice by 100 patients). A tool for working on
those pages, not a benchmark with a target.

Usage: .venv/bin/python bench/profile_page.py [--page therapist|patient|progress|usage|usage-year]
       [--requests 50]
       [--parts] [--sql] [--profile cprofile|pyinstrument|none] [--top 35] [--keep DIR]

What it does, inside one temporary folder (or `--keep DIR`, seeded once and reused later for
the same page):
1. creates the database with `wellness db upgrade` and the page's account, and seeds as
   bench/dashboard.py, bench/home.py, bench/progress.py or bench/usage.py does (their `seed`);
2. builds the app as bench/bench_app.py does, runs its lifespan in this process, signs in
   through `POST /api/v1/auth/login` and sends requests straight to the ASGI app (httpx's
   ASGITransport: no sockets, no server, one request at a time): the first page (nothing
   cached), then `--requests` more: median, p90, max wall ms and CPU ms per request;
3. with `--parts`, the same again with the handler's calls (for the dashboard: rows and open
   alerts, audit row, library preview; for the home page: streak, plan, recent check-ins,
   suggestions, collections, library preview, saved count, alert watch; for the progress
   page: the figures, the charts, the practice history list; for the usage page: its
   statements, the rows and totals built from them, the audit row) and each template
   render timed in CPU ms of the process (the database thread included); with `--sql`, the
   same again with every statement timed (the statement's first words, its count and total ms
   per request);
4. profiles `--requests` more with cProfile (top functions by cumulative and own time) or
   pyinstrument (`pip install pyinstrument`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import inspect
import io
import logging
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dashboard
import home
import progress
import usage
from _server import PASSWORD, BenchError, bench_env, create_account, run_cli, workspace

EXECUTE = ("execute_query", "execute_query_dict", "execute_insert", "execute_many")


@dataclass(frozen=True)
class Page:
    path: str
    email: str
    name: str
    role: str
    seed: Callable[[str, datetime], Coroutine[Any, Any, dict[str, int]]]
    check: Callable[[bytes], str | None]  # what is wrong with the page's body, if anything
    parts: Callable[[], list[tuple[Any, str]]]  # (module, function) the handler calls through


def _dashboard_rows(body: bytes) -> str | None:
    rows = body.count(b'<th role="rowheader"')
    return None if rows == dashboard.PATIENTS else f"{rows} rows, not {dashboard.PATIENTS}"


def _dashboard_parts() -> list[tuple[Any, str]]:
    from wellness.caseload import dashboard as view
    from wellness.catalog import services as catalog
    from wellness.web.pages import dashboard as page

    return [(view, "dashboard_view"), (catalog, "library_preview"), (page, "record_action")]


def _home_suggested(body: bytes) -> str | None:
    return None if b"Suggested for you now" in body else "no suggestions on it"


def _home_parts() -> list[tuple[Any, str]]:
    from wellness.care import services as care
    from wellness.caseload import daily_plan
    from wellness.catalog import saved
    from wellness.catalog import services as catalog
    from wellness.checkins import services as checkins
    from wellness.practice import services as practice
    from wellness.suggestions import services as suggestions
    from wellness.web.pages import home as page

    return [
        (practice, "streak_for"),
        (daily_plan, "todays_plan_for"),
        (checkins, "recent_checkins"),
        (suggestions, "suggestions_for"),
        (page, "progress_of"),
        (catalog, "library_preview"),
        (saved, "saved_count"),
        (care, "sees_alerts"),
    ]


def _progress_charted(body: bytes) -> str | None:
    return None if b"<svg" in body and b"practice-heading" in body else "no charts or history"


def _progress_parts() -> list[tuple[Any, str]]:
    from wellness.caseload import record
    from wellness.practice import progress as figures
    from wellness.web.pages import wellbeing as page

    return [
        (figures, "progress_for"),
        (page, "progress_charts"),
        (record, "practice_history"),
    ]


def _usage_rows(body: bytes) -> str | None:
    rows = body.count(b'scope="row"')
    return None if rows else "no rows in the table"


def _usage_parts() -> list[tuple[Any, str]]:
    from wellness.caseload import usage as figures
    from wellness.web import usage_access as access

    return [
        (figures, "_sessions"),
        (figures, "_figures"),
        (figures, "patients_assigned_by_session"),
        (figures, "_usage"),
        (figures, "library_usage"),
        (access, "record_action"),
    ]


def _usage_page(path: str) -> Page:
    return Page(
        path,
        usage.COORDINATOR,
        "Bench Coordinator",
        "coordinator",
        lambda url, now: usage.seed(url, 300, 100, now),
        _usage_rows,
        _usage_parts,
    )


def _usage_year() -> str:
    today = datetime.now(UTC).date()  # the clinic's zone is UTC in the bench's settings
    first = today - timedelta(days=364)
    return f"/library/usage?from={first.isoformat()}&to={today.isoformat()}"


PAGES = {
    "therapist": Page(
        "/therapist",
        dashboard.THERAPIST,
        "Bench Therapist",
        "therapist",
        dashboard.seed,
        _dashboard_rows,
        _dashboard_parts,
    ),
    "patient": Page(
        "/patient",
        home.PATIENT,
        "Bench Patient",
        "patient",
        lambda url, now: home.seed(url, 120, 60, now),
        _home_suggested,
        _home_parts,
    ),
    "progress": Page(
        "/progress",
        progress.PATIENT,
        "Bench Patient",
        "patient",
        lambda url, now: progress.seed(url, progress.YEARS, now),
        _progress_charted,
        _progress_parts,
    ),
    "usage": _usage_page("/library/usage"),
    "usage-year": _usage_page(_usage_year()),
}


def prepare(folder: Path, page: Page) -> dict[str, str]:
    """The environment for a seeded database in `folder` (seeded now unless it already is)."""
    env = bench_env(folder, WELLNESS_AUTO_MIGRATE="false")
    marker = folder / f"seeded-{page.role}"
    if not marker.exists():
        started = time.perf_counter()
        run_cli(env, "db", "upgrade")
        create_account(env, page.email, page.name, page.role)
        counts = asyncio.run(page.seed(env["WELLNESS_DATABASE_URL"], datetime.now(UTC)))
        marker.write_text(repr(counts))
        print(f"seeded {counts} in {time.perf_counter() - started:.0f} s")
    return env


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """Run an ASGI app's lifespan (start-up now, shut-down on leaving) in this event loop."""
    inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    task = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}}, inbox.get, outbox.put)
    )
    await inbox.put({"type": "lifespan.startup"})
    answer = await outbox.get()
    if answer["type"] != "lifespan.startup.complete":
        raise BenchError(f"start-up failed: {answer}")
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task


@contextlib.contextmanager
def timed_statements(totals: dict[str, list[float]]) -> Iterator[None]:
    """Every statement on the default connection, timed, by its first 60 characters."""
    from tortoise import connections

    client = connections.get("default")
    originals = {name: getattr(client, name) for name in EXECUTE}

    def wrap(original: Any) -> Any:
        async def execute(query: str, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(query, *args, **kwargs)
            finally:
                totals[" ".join(query.split())[:60]].append(time.perf_counter() - started)

        return execute

    for name, original in originals.items():
        setattr(client, name, wrap(original))
    try:
        yield
    finally:
        for name in originals:
            delattr(client, name)


@contextlib.contextmanager
def timed_parts(spent: dict[str, list[float]], page: Page) -> Iterator[None]:
    """The page handler's calls and the template rendering, timed (CPU of the process) by name."""
    import jinja2

    def timed(name: str, original: Any) -> Any:
        async def call(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return await original(*args, **kwargs)
            finally:
                spent[name].append(time.process_time() - started)

        def call_sync(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent[name].append(time.process_time() - started)

        return call if inspect.iscoroutinefunction(original) else call_sync

    render = jinja2.Template.render

    def timed_render(self: Any, *args: Any, **kwargs: Any) -> str:
        started = time.process_time()
        try:
            return render(self, *args, **kwargs)
        finally:
            spent[f"render {self.name}"].append(time.process_time() - started)

    # the same module objects the page calls through
    saved = [(owner, name, getattr(owner, name)) for owner, name in page.parts()]
    for owner, name, original in saved:
        setattr(owner, name, timed(name, original))
    jinja2.Template.render = timed_render  # type: ignore[method-assign]
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
        jinja2.Template.render = render  # type: ignore[method-assign]


async def run(args: argparse.Namespace, page: Page) -> None:
    import httpx
    from bench_app import create_app

    logging.getLogger("httpx").setLevel(logging.WARNING)
    app = create_app()
    async with lifespan(app):
        # httpx types the app with plain mappings, Litestar with its own scope types: same calls
        transport = httpx.ASGITransport(app=cast(Any, app))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            login = await client.post(
                "/api/v1/auth/login", json={"email": page.email, "password": PASSWORD}
            )
            if login.status_code != 200:
                raise BenchError(f"sign-in answered {login.status_code}: {login.text[:300]}")

            async def one() -> bytes:
                response = await client.get(page.path)
                if response.status_code != 200:
                    raise BenchError(f"{page.path} answered {response.status_code}")
                return response.content

            started = time.perf_counter()
            body = await one()
            print(f"first {page.path}: {(time.perf_counter() - started) * 1000:.0f} ms")
            if (wrong := page.check(body)) is not None:
                raise BenchError(f"{page.path}: {wrong}")

            wall, cpu = [], []
            for _ in range(args.requests):
                started, used = time.perf_counter(), time.process_time()
                await one()
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - used) * 1000)
            wall.sort()
            print(
                f"{args.requests} more, one at a time: median {statistics.median(wall):.1f} ms, "
                f"p90 {wall[int(len(wall) * 0.9)]:.1f} ms, max {wall[-1]:.1f} ms; "
                f"CPU median {statistics.median(cpu):.1f} ms ({len(body):,} bytes)"
            )

            if args.sql:
                totals: dict[str, list[float]] = defaultdict(list)
                with timed_statements(totals):
                    for _ in range(args.requests):
                        await one()
                print("\nstatements per request (count, ms):")
                for text, times in sorted(totals.items(), key=lambda item: -sum(item[1])):
                    print(
                        f"  {len(times) / args.requests:4.1f}x "
                        f"{sum(times) * 1000 / args.requests:7.2f} ms  {text}"
                    )

            if args.parts:
                spent: dict[str, list[float]] = defaultdict(list)
                with timed_parts(spent, page):
                    for _ in range(args.requests):
                        await one()
                print("\nparts per request (median CPU ms):")
                for name, times in spent.items():
                    print(f"  {statistics.median(times) * 1000:7.2f} ms  {name}")

            if args.profile == "cprofile":
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.requests):
                    await one()
                profiler.disable()
                for order in ("cumulative", "tottime"):
                    out = io.StringIO()
                    pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
                    print(f"\n--- cProfile by {order}, {args.requests} requests ---")
                    print("\n".join(out.getvalue().splitlines()[6:]))
            elif args.profile == "pyinstrument":
                from pyinstrument import Profiler

                profiler = Profiler(async_mode="enabled", interval=0.0005)
                profiler.start()
                for _ in range(args.requests):
                    await one()
                profiler.stop()
                print(profiler.output_text(unicode=False, color=False, show_all=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", choices=sorted(PAGES), default="therapist")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument(
        "--profile", choices=["cprofile", "pyinstrument", "none"], default="cprofile"
    )
    parser.add_argument("--top", type=int, default=35, help="cProfile lines to print")
    parser.add_argument("--sql", action="store_true", help="time every statement")
    parser.add_argument("--parts", action="store_true", help="time the handler's parts")
    parser.add_argument("--keep", type=Path, help="seed into (or reuse) this folder")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            folder = args.keep
        else:
            folder = stack.enter_context(workspace("wellness-profile-"))
        page = PAGES[args.page]
        env = prepare(folder, page)
        os.environ.update(env)
        for key in [key for key in os.environ if key.startswith("WELLNESS_") and key not in env]:
            del os.environ[key]
        asyncio.run(run(args, page))
    return 0


if __name__ == "__main__":
    sys.exit(main())
