"""What the request limit costs a served request, and what a refused one costs, against the same
app with the limit off, in the same run.

Targets: with the limit on, a signed-in `GET /api/v1/me` (the cheapest signed-in answer) keeps
≥ 0.9x the req/s of the same server with the limit off, counted in memory (sessions in files,
the embedded default) and counted in Redis (sessions in Redis too); a refused request costs
the server no more CPU than that cheapest answer, whatever page it asked for.

Usage: .venv/bin/python bench/request_limit.py [--duration 5] [--rounds 3]
       [--redis-url redis://127.0.0.1:6379/0]

What it does, all on 127.0.0.1 inside one temporary folder that is removed afterwards:
1. starts `wellness serve` (one worker, SQLite) up to five times, each with its own data: the
   limit off and on (1,000,000 a minute, so nothing is refused and only the counting costs)
   with sessions in files and counts in memory; the same two with `WELLNESS_REDIS_URL`
   (sessions and counts in Redis; left out if Redis cannot be reached); and the limit at 60 a
   minute, so nearly every request is refused;
2. signs a patient in on each and runs `wrk -t2 -c16 -d<duration>s --latency` on
   `/api/v1/me` against the first four in turn, `--rounds` times (interleaved, so drift of the
   machine's speed falls on all alike), then once against the refusing one on `/patient` (the
   home page, which costs several times more to serve);
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
    results: dict[str, Measured], lineup: list[tuple[Server, Server]], refused: Measured
) -> bool:
    floor = results[lineup[0][0].name]
    print(
        f"\n{'server':<26} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'vs off':>7} "
        f"{'CPU ms/req':>10}"
    )
    passed = True
    verdicts = []
    for off, on in lineup:
        for server in (off, on):
            result = results[server.name]
            ratio = result.requests_per_second / results[off.name].requests_per_second
            print(
                f"{server.name:<26} {result.requests_per_second:>7.0f} {result.p50_ms:>7.2f} "
                f"{result.p99_ms:>7.2f} {ratio:>6.3f}x {result.cpu_ms_per_request:>10.3f}"
                f"{'  ' + result.errors if result.errors else ''}"
            )
        ratio = results[on.name].requests_per_second / results[off.name].requests_per_second
        ok = ratio >= SERVED_RATIO_TARGET and not results[on.name].errors
        passed &= ok
        verdicts.append(
            f"{'PASS' if ok else 'MISS'}  {on.name}: {ratio:.3f}x the req/s of {off.name} "
            f"(target ≥ {SERVED_RATIO_TARGET}), CPU {results[on.name].cpu_ms_per_request:.3f} "
            f"against {results[off.name].cpu_ms_per_request:.3f} ms per answer"
        )
    print(
        f"{refused.endpoint.name:<26} {refused.requests_per_second:>7.0f} "
        f"{refused.p50_ms:>7.2f} {refused.p99_ms:>7.2f} {'':>7} "
        f"{refused.cpu_ms_per_request:>10.3f}  ({refused.requests:,} answers, nearly all 429)"
    )
    cheap = refused.cpu_ms_per_request <= floor.cpu_ms_per_request
    passed &= cheap
    verdicts.append(
        f"{'PASS' if cheap else 'MISS'}  a refused /patient: {refused.cpu_ms_per_request:.3f} "
        f"CPU ms, the cheapest served answer ({floor.endpoint.name} /api/v1/me) "
        f"{floor.cpu_ms_per_request:.3f} (target: no more)"
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
        started: list[tuple[Server, subprocess.Popen[bytes], str, str]] = []
        try:
            for server in [*measured, refusing]:
                started.append((server, *start(root, server)))
            runs: dict[str, list[Measured]] = {server.name: [] for server in measured}
            for _ in range(args.rounds):
                for server, process, base_url, cookie in started[:-1]:
                    endpoint = Endpoint(server.name, ["/api/v1/me"], cookie, "floor")
                    runs[server.name].append(
                        run_wrk(wrk, base_url, endpoint, args.duration, root, process.pid)
                    )
            _, process, base_url, cookie = started[-1]
            endpoint = Endpoint(refusing.name, ["/patient"], cookie, "refused")
            refused = run_wrk(wrk, base_url, endpoint, args.duration, root, process.pid)
        finally:
            for _, process, _, _ in started:
                stop_server(process, timeout=5)
    if "non-2xx" not in refused.errors:
        raise BenchError(f"the refusing server refused nothing: {refused}")
    results = {name: median_of(name, each) for name, each in runs.items()}
    print_table(results, lineup, refused)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        sys.exit(1)
