"""What the request limit costs a served request, and what a refused one costs, against the same
app with the limit off, in the same run.

Targets: with the limit on, a signed-in `GET /api/v1/me` (the cheapest signed-in answer) keeps
≥ 0.9x the req/s of the same server with the limit off, counted in memory (sessions in files,
the embedded default) and counted in Redis (sessions in Redis too); a refused `/patient` (the
home page) costs the server less CPU than a served one.

Usage: .venv/bin/python bench/request_limit.py [--duration 5] [--rounds 3]
       [--redis-url redis://127.0.0.1:6379/0]

What it does, all on 127.0.0.1 inside one temporary folder that is removed afterwards:
1. starts `wellness serve` (one worker, SQLite) up to five times, each with its own data: the
   limit off and on (1,000,000 a minute, so nothing is refused and only the counting costs)
   with sessions in files and counts in memory; the same two with `WELLNESS_REDIS_URL`
   (sessions and counts in Redis; left out if Redis cannot be reached); and the limit at 60 a
   minute, so nearly every request is refused;
2. signs a patient in on each and runs `wrk -t2 -c16 -d<duration>s --latency` on
   `/api/v1/me` against the first four in turn and on `/patient` against the first,
   `--rounds` times (interleaved, so drift of the machine's speed falls on all alike), then
   on `/patient` against the refusing one, once a round;
3. prints per server the median over the rounds of req/s, p50, p99 and the server's CPU ms per
   answer, the ratio of req/s to the same server with the limit off, and PASS/MISS per target.
The Redis keys it writes expire within two minutes (sessions with the session lifetime).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import (
    HOST,
    BenchError,
    bench_env,
    create_account,
    free_port,
    machine_note,
    require_tools,
    run_cli,
    sign_in,
    start_server,
    stop_server,
    workspace,
)
from catalog import Endpoint, Measured, run_wrk

PATIENT = "bench.patient@example.org"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
SERVED_RATIO_TARGET = 0.9
REFUSING_LIMIT = 60


@dataclass(frozen=True)
class Server:
    name: str
    environment: dict[str, str]


def redis_reachable(url: str) -> str | None:
    """None if Redis at `url` answers, else why not."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        return str(error)
    finally:
        client.close()  # type: ignore[no-untyped-call]  # redis-py 5 leaves Redis.close unannotated
    return None


ON = {"WELLNESS_REQUESTS_PER_MINUTE": "1000000"}
OFF = {"WELLNESS_REQUESTS_PER_MINUTE": "0"}


def pairs(redis_url: str) -> list[tuple[Server, Server]]:
    """(limit off, limit on) servers, alike but for the limit."""
    every = [(Server("files, limit off", OFF), Server("files, counted in memory", ON))]
    unreachable = redis_reachable(redis_url)
    if unreachable is None:
        redis = {"WELLNESS_REDIS_URL": redis_url}
        every.append(
            (
                Server("Redis, limit off", {**OFF, **redis}),
                Server("Redis, counted in Redis", {**ON, **redis}),
            )
        )
    else:
        print(f"Redis at {redis_url} is unreachable ({unreachable}): measured without it")
    return every


def start(root: Path, server: Server) -> tuple[subprocess.Popen[bytes], str, str]:
    """Start `server` in its own folder under `root`; (process, base URL, cookie)."""
    folder = root / re.sub(r"[^a-z0-9]+", "-", server.name.lower())
    folder.mkdir()
    env = bench_env(folder, **server.environment)
    run_cli(env, "db", "upgrade")
    create_account(env, PATIENT, "Bench Patient", "patient")
    port = free_port()
    process = start_server(env, port, log=folder / "server.log")
    base_url = f"http://{HOST}:{port}"
    return process, base_url, sign_in(base_url, PATIENT)


def median_of(name: str, runs: list[Measured]) -> Measured:
    """The median of each figure over `runs` (errors joined)."""
    return Measured(
        Endpoint(name, runs[0].endpoint.paths, runs[0].endpoint.cookie, runs[0].endpoint.kind),
        statistics.median(run.requests_per_second for run in runs),
        statistics.median(run.p50_ms for run in runs),
        statistics.median(run.p99_ms for run in runs),
        sum(run.requests for run in runs),
        "; ".join(sorted({run.errors for run in runs if run.errors})),
        statistics.median(run.cpu_ms_per_request for run in runs),
    )


def print_table(
    results: dict[str, Measured],
    lineup: list[tuple[Server, Server]],
    served_page: Measured,
    refused_page: Measured,
) -> bool:
    print(
        f"\n{'server':<26} {'path':<12} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'vs off':>7} "
        f"{'CPU ms/req':>10}"
    )
    passed = True
    verdicts = []
    for off, on in lineup:
        for server in (off, on):
            result = results[server.name]
            ratio = result.requests_per_second / results[off.name].requests_per_second
            print(
                f"{server.name:<26} {'/api/v1/me':<12} {result.requests_per_second:>7.0f} "
                f"{result.p50_ms:>7.2f} {result.p99_ms:>7.2f} {ratio:>6.3f}x "
                f"{result.cpu_ms_per_request:>10.3f}{'  ' + result.errors if result.errors else ''}"
            )
        ratio = results[on.name].requests_per_second / results[off.name].requests_per_second
        ok = ratio >= SERVED_RATIO_TARGET and not results[on.name].errors
        passed &= ok
        verdicts.append(
            f"{'PASS' if ok else 'MISS'}  {on.name}: {ratio:.3f}x the req/s of {off.name} "
            f"(target ≥ {SERVED_RATIO_TARGET}), CPU {results[on.name].cpu_ms_per_request:.3f} "
            f"against {results[off.name].cpu_ms_per_request:.3f} ms per answer"
        )
    for result, note in ((served_page, ""), (refused_page, "  (nearly all 429)")):
        print(
            f"{result.endpoint.name:<26} {'/patient':<12} {result.requests_per_second:>7.0f} "
            f"{result.p50_ms:>7.2f} {result.p99_ms:>7.2f} {'':>7} "
            f"{result.cpu_ms_per_request:>10.3f}{note}"
        )
    ratio = refused_page.cpu_ms_per_request / served_page.cpu_ms_per_request
    cheaper = ratio < 1
    passed &= cheaper
    refused_cpu, served_cpu = refused_page.cpu_ms_per_request, served_page.cpu_ms_per_request
    verdicts.append(
        f"{'PASS' if cheaper else 'MISS'}  a refused /patient: {refused_cpu:.3f} CPU ms, "
        f"{ratio:.2f}x a served one ({served_cpu:.3f}; target < 1)"
    )
    print("\n".join(verdicts))
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, choices=range(1, 31))
    parser.add_argument("--rounds", type=int, default=3, choices=range(1, 11))
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()
    wrk = require_tools({"wrk": "wrk"})["wrk"]
    print(machine_note())
    refusing = Server(
        f"refusing ({REFUSING_LIMIT}/min)",
        {"WELLNESS_REQUESTS_PER_MINUTE": str(REFUSING_LIMIT)},
    )
    lineup = pairs(args.redis_url)
    measured = [server for pair in lineup for server in pair]
    with workspace() as root:
        started: dict[str, tuple[subprocess.Popen[bytes], str, str]] = {}
        try:
            for server in [*measured, refusing]:
                started[server.name] = start(root, server)

            def measure(server: Server, path: str) -> Measured:
                process, base_url, cookie = started[server.name]
                endpoint = Endpoint(server.name, [path], cookie, "measured")
                return run_wrk(wrk, base_url, endpoint, args.duration, root, process.pid)

            runs: dict[str, list[Measured]] = {server.name: [] for server in measured}
            pages: dict[str, list[Measured]] = {"served": [], "refused": []}
            for _ in range(args.rounds):
                for server in measured:
                    runs[server.name].append(measure(server, "/api/v1/me"))
                pages["served"].append(measure(lineup[0][0], "/patient"))
                pages["refused"].append(measure(refusing, "/patient"))
        finally:
            for process, _, _ in started.values():
                stop_server(process, timeout=5)
    if any("non-2xx" not in run.errors for run in pages["refused"]):
        raise BenchError(f"the refusing server did not refuse: {pages['refused']}")
    results = {name: median_of(name, each) for name, each in runs.items()}
    served = median_of(lineup[0][0].name, pages["served"])
    refused = median_of(refusing.name, pages["refused"])
    print_table(results, lineup, served, refused)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        sys.exit(1)
