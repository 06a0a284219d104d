"""Shared helpers for benchmarks that run a real server on 127.0.0.1.

Import from a script in bench/ with `sys.path.insert(0, str(Path(__file__).parent))`, then:

    with workspace("wellness-bench-") as tmp:
        env = bench_env(tmp)
        create_account(env, "bench@example.org", "Bench", "coordinator", PASSWORD)
        port = free_port()
        with running_server(env, port, log=tmp / "server.log") as server:
            cookie = sign_in(f"http://127.0.0.1:{port}", "bench@example.org", PASSWORD)

`start_server(env, port)` runs `wellness serve` (one uvicorn worker, as in production);
`start_server(env, port, factory="bench_app:create_app")` runs another ASGI factory from bench/
through uvicorn with the same options. Every process started here is stopped by its pid, and
`workspace` removes its folder, also when the benchmark fails or is interrupted.

Nothing here runs on import; running this file directly does nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from http.cookies import SimpleCookie
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO / "bench"
VENV_BIN = REPO / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
SESSION_COOKIE = "wellness_session"
CSRF_COOKIE = "wellness_csrf"
PASSWORD = "bench-password-long-enough-1"
HOST = "127.0.0.1"


class BenchError(RuntimeError):
    """A benchmark could not be set up (a server did not start, sign-in failed, ...)."""


# --- tools and places -------------------------------------------------------------------------


def find_tool(name: str) -> str | None:
    """A program on PATH, or in /usr/sbin and /sbin (where Debian puts nginx)."""
    found = shutil.which(name)
    if found:
        return found
    for folder in ("/usr/sbin", "/sbin"):
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    return None


def require_tools(packages: Mapping[str, str]) -> dict[str, str]:
    """{program: Debian package}; exits naming the `apt-get install` line when any is missing."""
    found = {name: find_tool(name) for name in packages}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        install = " ".join(sorted({packages[name] for name in missing}))
        sys.exit(
            f"error: {', '.join(missing)} not found. Install from Debian (as root): "
            f"apt-get install -y {install}"
        )
    return {name: path for name, path in found.items() if path is not None}


@contextlib.contextmanager
def workspace(prefix: str = "wellness-bench-") -> Iterator[Path]:
    """A temporary folder on the same filesystem as /tmp, removed afterwards whatever happens."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def bench_env(workdir: Path, **overrides: str) -> dict[str, str]:
    """Environment for the app with its data, database and media inside `workdir`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("WELLNESS_")}
    env.update(
        {
            "WELLNESS_ENV": "development",
            "WELLNESS_DATA_DIR": str(workdir / "data"),
            "WELLNESS_DATABASE_URL": f"sqlite://{workdir / 'data' / 'wellness.sqlite3'}",
            "WELLNESS_MEDIA_DIR": str(workdir / "media"),
            "WELLNESS_SECRET_KEY": "bench-secret-key-" + "x" * 40,
            # Load from one account at thousands a second: the request limit still counts every
            # request (its cost is in the figures) but at its highest, so it refuses none.
            "WELLNESS_REQUESTS_PER_MINUTE": "1000000",
            "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        }
    )
    env.update(overrides)
    return env


def run_cli(env: Mapping[str, str], *args: str, stdin: str | None = None) -> str:
    """Run the `wellness` command; raises BenchError with its output when it fails."""
    result = subprocess.run(
        [str(VENV_BIN / "wellness"), *args],
        input=stdin,
        env=dict(env),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"wellness {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def create_account(
    env: Mapping[str, str], email: str, name: str, role: str, password: str = PASSWORD
) -> None:
    """Create an account with the real CLI (which also applies pending migrations)."""
    run_cli(
        env,
        "users",
        "create",
        "--role",
        role,
        "--email",
        email,
        "--name",
        name,
        "--password-stdin",
        stdin=password + "\n",
    )


def machine_note() -> str:
    """Cores and load average, with a warning when other work is competing for the CPU."""
    one, five, _ = os.getloadavg()
    note = f"{os.cpu_count()} cores, load average {one:.1f} (1 min) {five:.1f} (5 min)"
    if one > 0.5:
        note += "; WARNING: other processes are busy, so figures will be lower and noisier"
    return note


# --- servers ----------------------------------------------------------------------------------


def start_server(
    env: Mapping[str, str],
    port: int,
    *,
    factory: str | None = None,
    log: Path | None = None,
    ready_path: str = "/healthz",
    timeout: float = 60.0,
    workers: int = 1,
) -> subprocess.Popen[bytes]:
    """Start a server on 127.0.0.1:`port` and return once it answers HTTP.

    Without `factory`: `wellness serve --port PORT` (migrations, then one uvicorn worker in the
    same process, so the returned pid is the server's). With `factory` ("module:function" of a
    module in bench/): uvicorn runs that factory with the options `wellness serve` uses; the
    caller applies migrations first (`run_cli(env, "db", "upgrade")`), and `workers` > 1 runs
    that many uvicorn worker processes (PostgreSQL only: `wellness serve` refuses more than one
    on SQLite); `cpu_seconds(pid)` counts them too.
    Output goes to `log` (or is discarded). Any HTTP answer at `ready_path` means ready.
    """
    if factory is None:
        command = [str(VENV_BIN / "wellness"), "serve", "--host", HOST, "--port", str(port)]
        command += ["--workers", str(workers)]
    else:
        command = [
            PYTHON,
            "-m",
            "uvicorn",
            factory,
            "--factory",
            "--app-dir",
            str(BENCH_DIR),
            "--host",
            HOST,
            "--port",
            str(port),
            "--proxy-headers",
            "--forwarded-allow-ips",
            HOST,
            "--log-level",
            "info",
            "--workers",
            str(workers),
        ]
    out = log.open("wb") if log is not None else subprocess.DEVNULL
    try:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env),
            cwd=REPO,
        )
    finally:
        if log is not None and not isinstance(out, int):
            out.close()
    try:
        _wait_until_answering(f"http://{HOST}:{port}{ready_path}", process, log, timeout)
    except BaseException:
        stop_server(process)
        raise
    return process


def _wait_until_answering(
    url: str, process: subprocess.Popen[bytes], log: Path | None, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text(errors="replace") if log is not None else "(no log)"
            raise BenchError(f"{process.args!r} exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers, whatever the status
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise BenchError(f"nothing answered {url} within {timeout:.0f} s")


def stop_server(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """SIGINT (uvicorn's graceful stop), then SIGKILL if it is still there; by pid only."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


@contextlib.contextmanager
def running_server(
    env: Mapping[str, str],
    port: int,
    *,
    factory: str | None = None,
    log: Path | None = None,
    ready_path: str = "/healthz",
    stop_timeout: float = 15.0,
) -> Iterator[subprocess.Popen[bytes]]:
    """start_server(...) for the duration of a `with` block; stop_server(...) afterwards."""
    process = start_server(env, port, factory=factory, log=log, ready_path=ready_path)
    try:
        yield process
    finally:
        stop_server(process, timeout=stop_timeout)


def start_bench_app(
    env: Mapping[str, str], tmp: Path, *, workers: int = 1
) -> tuple[subprocess.Popen[bytes], int, str]:
    """bench/bench_app.py (the production app plus `GET /ping`) on a free port, logging to
    `tmp`/server.log, with migrations left to the caller (`run_cli(env, "db", "upgrade")`):
    (process, port, base URL). Stop it with `stop_server`."""
    port = free_port()
    server_env = {**env, "WELLNESS_AUTO_MIGRATE": "false"}
    process = start_server(
        server_env, port, factory="bench_app:create_app", log=tmp / "server.log", workers=workers
    )
    return process, port, f"http://{HOST}:{port}"


def print_seeded(started: float, counts: Mapping[str, int]) -> None:
    """ "seeded in 12.3 s: 300 sessions, ..." since `started` (a time.perf_counter())."""
    print(
        f"seeded in {time.perf_counter() - started:.1f} s: "
        + ", ".join(f"{value:,} {name}" for name, value in counts.items())
    )


# --- signing in -------------------------------------------------------------------------------


def sign_in(base_url: str, email: str, password: str = PASSWORD) -> str:
    """Sign in through `POST /api/v1/auth/login`; returns a Cookie header value.

    The value is `wellness_session=<id>; wellness_csrf=<token>`, ready for a `Cookie:` header
    (wrk, httpx, urllib): the cookies a browser holds after its first page. Without the CSRF
    cookie, every page's answer would set a new one, which no browser makes a server do.
    """
    request = urllib.request.Request(
        f"{base_url}/api/v1/auth/login",
        data=json.dumps({"email": email, "password": password}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            set_cookies = response.headers.get_all("set-cookie") or []
    except urllib.error.HTTPError as error:
        raise BenchError(f"sign-in as {email} failed: {error.code} {error.read()!r}") from None
    session = _cookie(set_cookies, SESSION_COOKIE)
    if session is None:
        raise BenchError(f"sign-in as {email} set no {SESSION_COOKIE} cookie: {set_cookies!r}")
    with urllib.request.urlopen(f"{base_url}/login", timeout=30) as response:
        csrf = _cookie(response.headers.get_all("set-cookie") or [], CSRF_COOKIE)
    if csrf is None:
        raise BenchError(f"the sign-in page set no {CSRF_COOKIE} cookie")
    return f"{SESSION_COOKIE}={session}; {CSRF_COOKIE}={csrf}"


def _cookie(set_cookies: list[str], name: str) -> str | None:
    for header in set_cookies:
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        if name in jar and jar[name].value not in {"", "null"}:
            return jar[name].value
    return None


def get_status(url: str, cookie: str | None = None, timeout: float = 30) -> tuple[int, bytes]:
    """(status, body) of one GET, without following redirects."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read()


# --- memory of a process ----------------------------------------------------------------------


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in KiB, from /proc/<pid>/status."""
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in {"VmRSS", "VmHWM"}:
                values[name] = int(rest.split()[0])
    return values


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process and its live descendants (uvicorn's worker processes)
    have used so far, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(child) for child in _children(pid))


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except OSError:  # the task ended meanwhile
            continue
    return found


def is_busy(pid: int, window: float = 0.5, threshold: float = 0.2) -> bool:
    """True when the process used more than `threshold` of a core over `window` seconds."""
    before = cpu_seconds(pid)
    time.sleep(window)
    return cpu_seconds(pid) - before > threshold * window


def reset_peak_rss(pid: int) -> bool:
    """Reset VmHWM to the current RSS (writes 5 to /proc/<pid>/clear_refs; needs permission)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


if __name__ == "__main__":
    print("bench/_server.py holds helpers for the other benchmarks; nothing to run.")


# --- PostgreSQL throwaway databases -----------------------------------------------------------


def postgres_admin(admin_url: str, statement: str) -> None:
    """Run one statement (CREATE/DROP DATABASE, VACUUM ...) on the server at `admin_url`."""
    import asyncio

    import asyncpg

    async def run() -> None:
        url = admin_url.replace("postgres://", "postgresql://", 1)
        connection = await asyncpg.connect(url, timeout=5)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


def postgres_reachable(admin_url: str) -> str | None:
    """None when the server answers, else why not."""
    try:
        postgres_admin(admin_url, "SELECT 1")
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


@contextlib.contextmanager
def throwaway_postgres(admin_url: str, name: str) -> Iterator[str]:
    """A fresh database `name` on the server at `admin_url`, dropped afterwards; yields its URL."""
    from urllib.parse import urlsplit, urlunsplit

    postgres_admin(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    finally:
        postgres_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/test"


def add_database_options(parser: argparse.ArgumentParser) -> None:
    """`--database sqlite|postgres|both` and `--postgres-url`, as `for_each_database` takes them."""
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)


def for_each_database(
    choice: str, postgres_url: str, name: str, run: Callable[[str, dict[str, str], Path], object]
) -> None:
    """Run `run(label, env, workdir)` on SQLite and/or a throwaway PostgreSQL database, as
    `--database sqlite|postgres|both` asks; an unreachable PostgreSQL is skipped with the reason."""
    if choice in {"sqlite", "both"}:
        with workspace(f"wellness-bench-{name}-") as tmp:
            run("SQLite", bench_env(tmp), tmp)
    if choice not in {"postgres", "both"}:
        return
    reason = postgres_reachable(postgres_url)
    if reason is not None:
        print(f"\nskipping PostgreSQL: {postgres_url} is unreachable ({reason})")
        return
    database = f"wellness_bench_{name}_{os.getpid()}"
    with (
        workspace(f"wellness-bench-{name}-pg-") as tmp,
        throwaway_postgres(postgres_url, database) as url,
    ):
        run(f"PostgreSQL ({database})", bench_env(tmp, WELLNESS_DATABASE_URL=url), tmp)
