"""Load with wrk against a server started by _server.py, and the figures the benchmarks print.

Import from a script in bench/ after `sys.path.insert(0, str(Path(__file__).parent))`:

    rps, p50, p99, total, errors, cpu_ms = wrk_get(
        wrk, base_url, "/patient", cookie, 10, tmp, server.pid, clients=16
    )
    table = WrkTable(24)
    table.header(clients=16, duration=10)
    table.row("/patient", rps, p50, p99, cpu_ms, errors)  # the first row is the /ping baseline

Nothing here runs on import.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from _server import BenchError, cpu_seconds

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _milliseconds(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if match is None:
        raise BenchError(f"unreadable wrk latency {value!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> tuple[float, float, float, int, str]:
    """(req/s, p50 ms, p99 ms, requests, problems) from `wrk --latency` output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    total = re.search(r"(\d+) requests in", output)
    if not (rps and p50 and p99 and total):
        raise BenchError(f"unreadable wrk output:\n{output}")
    problems = []
    if int(total.group(1)) == 0:
        problems.append("no request completed")
    if bad := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        problems.append(f"{bad.group(1)} non-2xx")
    if socket_errors := re.search(r"Socket errors: (.*)", output):
        problems.append(f"socket errors: {socket_errors.group(1).strip()}")
    return (
        float(rps.group(1)),
        _milliseconds(p50.group(1)),
        _milliseconds(p99.group(1)),
        int(total.group(1)),
        "; ".join(problems),
    )


def wrk_get(
    wrk: str,
    base_url: str,
    path: str,
    cookie: str | None,
    duration: int,
    tmp: Path,
    pid: int,
    *,
    clients: int,
    timeout: str = "5s",
) -> tuple[float, float, float, int, str, float]:
    """`wrk -t2 -c<clients> -d<duration>s --latency` on one GET, with `cookie` (or none):
    (req/s, p50 ms, p99 ms, requests, problems, the server's CPU ms per answer)."""
    script = tmp / "cookie.lua"
    script.write_text(f'wrk.headers["Cookie"] = "{cookie}"\n' if cookie else "\n")
    command = [wrk, "-t2", f"-c{clients}", f"-d{duration}s", "--latency", "--timeout", timeout]
    command += ["-s", str(script), base_url + path]
    cpu_before = cpu_seconds(pid)
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 30, check=False
    )
    cpu = cpu_seconds(pid) - cpu_before
    if result.returncode != 0:
        raise BenchError(f"wrk failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    rps, p50, p99, total, errors = parse_wrk(result.stdout)
    return rps, p50, p99, total, errors, cpu * 1000 / max(total, 1)


def percentile(samples: list[float], share: float) -> float:
    """The sample at `share` (0.99: the p99) of the sorted samples, nearest rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class WrkTable:
    """The printed table of wrk figures, each row's req/s also as a ratio to the first row's
    (the /ping baseline)."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.ping_rps: float | None = None

    def header(self, *, clients: int, duration: int) -> None:
        print(f"\nwrk -t2 -c{clients} -d{duration}s --latency:")
        print(
            f"{'endpoint':<{self.width}} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'vs /ping':>8} {'CPU ms/req':>10}"
        )

    def row(
        self, name: str, rps: float, p50: float, p99: float, cpu_ms: float, errors: str
    ) -> None:
        self.ping_rps = self.ping_rps or rps
        print(
            f"{name:<{self.width}} {rps:>7.0f} {p50:>7.1f} {p99:>7.1f} "
            f"{rps / self.ping_rps:>7.3f}x {cpu_ms:>10.2f}" + (f"  ({errors})" if errors else "")
        )
