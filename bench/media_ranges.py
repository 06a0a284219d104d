"""Media serving against nginx: 64 KiB range reads (req/s) and whole-file downloads (MB/s).

Usage: .venv/bin/python bench/media_ranges.py [--duration 10] [--rounds 3] [--megabytes 20]
                [--servers uvicorn,uvicorn-quiet,granian,nginx-accel,nginx-auth]

What it does, all on 127.0.0.1 and inside one temporary folder that is removed afterwards:
1. creates a database with the app's own code: a patient account, a WAV file of --megabytes MB
   in the media store, and a published session that uses it;
2. starts nginx (one worker, sendfile on) serving the same file straight from the media store,
   and the app under each of --servers (one worker each; `uvicorn` is `wellness serve`), and
   signs the patient in to each app for a session cookie; `nginx-accel` and `nginx-auth` put a
   second nginx server in front of `wellness serve` (X-Accel-Redirect on every request, or
   docs/nginx-media.conf: auth_request with cached answers), and every server's first answer is
   checked (status, bytes, headers; refusals without a cookie for `nginx-auth`);
3. in each of --rounds rounds, runs wrk (one thread) against nginx and then each app for
   --duration seconds: GETs of random 64 KiB ranges with the cookie, then whole-file GETs;
4. prints requests/s and MB/s of every run, then each app's median ratio to nginx over the
   rounds next to the target ratio.

The baseline is measured alternately with the app on the same machine, so only the ratios are
meant to be compared between machines, and other load on the machine shows as a spread between
rounds. Needs nginx and wrk: `apt-get install -y nginx-light wrk`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import http.cookiejar
import importlib.util
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from statistics import median

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PASSWORD = "bench-password-long-enough-1"
EMAIL = "bench.patient@example.org"
RANGE_BYTES = 64 * 1024
TARGETS = {"range": 0.5, "whole": 0.7}
NGINX_MEDIA_CONF = REPO / "docs" / "nginx-media.conf"


# --- tools --------------------------------------------------------------------------------


def find_tool(name: str) -> str | None:
    return shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/sbin") / name) if p.exists()), None
    )


def require_tools() -> tuple[str, str]:
    nginx, wrk = find_tool("nginx"), find_tool("wrk")
    missing = [name for name, path in (("nginx", nginx), ("wrk", wrk)) if path is None]
    if missing:
        sys.exit(
            f"error: {' and '.join(missing)} not found. This benchmark compares the app with nginx "
            "and drives both with wrk.\nInstall them from Debian: "
            "apt-get install -y nginx-light wrk"
        )
    assert nginx is not None
    assert wrk is not None
    return nginx, wrk


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"error: {process.args!r} exited early; its log:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    sys.exit(f"error: nothing answered {url} within {timeout:.0f} s; log:\n{log.read_text()}")


@contextmanager
def running(
    command: list[str], log: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


# --- the data -----------------------------------------------------------------------------


def wav_file(path: Path, megabytes: int) -> None:
    """A mono 16-bit 44.1 kHz WAV of pseudo-random samples (so no layer can compress it)."""
    data_size = megabytes * 1_000_000 // 2 * 2
    fmt = struct.pack("<HHIIHH", 1, 1, 44_100, 88_200, 2, 16)
    header = b"RIFF" + struct.pack("<I", 36 + data_size) + b"WAVE"
    header += b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", data_size)
    block = os.urandom(1 << 20)
    with path.open("wb") as out:
        out.write(header)
        remaining = data_size
        while remaining:
            out.write(block[: min(remaining, len(block))])
            remaining -= min(remaining, len(block))


@dataclass(frozen=True)
class Seeded:
    asset_id: int
    file: Path
    size: int


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    file: Path


def store_file(media_dir: Path, source: Path) -> Stored:
    """Put the file in the media store the way the app does: under its content hash."""
    from wellness.catalog.storage import LocalMediaStore

    digest = hashlib.sha256()
    with source.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    store = LocalMediaStore(media_dir)
    incoming = store.new_incoming()
    shutil.copyfile(source, incoming)
    key = f"{digest.hexdigest()}.wav"
    store.commit(incoming, key)
    return Stored(digest.hexdigest(), source.stat().st_size, store.local_path(key))


async def seed(database_url: str, stored: Stored) -> Seeded:
    """A patient account, and a published session playing the stored file."""
    from wellness import db
    from wellness.accounts import passwords
    from wellness.accounts import services as accounts
    from wellness.accounts.roles import Role
    from wellness.catalog.kinds import Kind, Status
    from wellness.catalog.models import MediaAsset, PracticeSession

    await db.upgrade(database_url)
    await db.open_database(database_url)
    try:
        await accounts.create_user(
            email=EMAIL,
            display_name="Bench Patient",
            role=Role.PATIENT,
            password_hash=passwords.hash_password(PASSWORD),
        )
        now = datetime.now(UTC)
        asset = await MediaAsset.create(
            sha256=stored.sha256,
            size_bytes=stored.size,
            container="wav",
            codec="pcm_s16le",
            mime_type="audio/wav",
            extension="wav",
            duration_seconds=stored.size / 88_200,
            uploaded_at=now,
        )
        await PracticeSession.create(
            title="Bench session",
            kind=Kind.MEDITATION,
            status=Status.PUBLISHED,
            primary_asset=asset,
            created_at=now,
            updated_at=now,
            published_at=now,
        )
        return Seeded(asset.id, stored.file, stored.size)
    finally:
        await db.close_database()


def sign_in(base: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    request = urllib.request.Request(
        f"{base}/api/v1/auth/login",
        data=json.dumps({"email": EMAIL, "password": PASSWORD}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with opener.open(request, timeout=10) as response:
        assert response.status == 200
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def check(url: str, cookie: str, seeded: Seeded) -> None:
    """One ranged request before measuring: a wrong answer would make the figures meaningless."""
    start = seeded.size // 3
    end = start + RANGE_BYTES - 1
    headers = {"range": f"bytes={start}-{end}"}
    if cookie:
        headers["cookie"] = cookie
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as reply:
        body = reply.read()
        if reply.status != 206 or len(body) != RANGE_BYTES:
            sys.exit(f"error: {url} answered {reply.status} with {len(body)} bytes, not a 206")
        with seeded.file.open("rb") as stored:
            stored.seek(start)
            if body != stored.read(RANGE_BYTES):
                sys.exit(f"error: {url} sent other bytes than the file holds at {start}")
        if reply.headers["content-range"] != f"bytes {start}-{end}/{seeded.size}":
            sys.exit(f"error: {url} sent Content-Range {reply.headers['content-range']}")
        if not cookie:
            return
        expected = {
            "content-type": "audio/wav",
            "x-content-type-options": "nosniff",
            "content-disposition": f'inline; filename="session-{seeded.asset_id}.wav"',
            "cache-control": "private, no-cache",
        }
        for name, value in expected.items():
            if reply.headers.get_all(name) != [value]:
                sys.exit(f"error: {url} sent {name}: {reply.headers.get_all(name)}, not {value!r}")


def check_refusals(url: str) -> None:
    """Without a session cookie, or with a made-up one, nginx-auth must answer 401 and no bytes."""
    for cookie in ("", "wellness_session=made-up"):
        request = urllib.request.Request(url, headers={"cookie": cookie} if cookie else {})
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                sys.exit(f"error: {url} answered {reply.status} to cookie {cookie!r}, not 401")
        except urllib.error.HTTPError as refusal:
            if refusal.code != 401 or len(refusal.read()) > 100:
                sys.exit(f"error: {url} answered {refusal.code} to cookie {cookie!r}, not 401")


# --- nginx --------------------------------------------------------------------------------


ACCEL_PREFIX = "/_media/"


def accel_server(port: int, app_port: int, media_dir: Path) -> str:
    """nginx in front of the app: the app authorises, nginx sends the file (X-Accel-Redirect).

    The same blocks serve as the deployment example in the README.
    """
    return f"""
                upstream wellness_accel_app {{
                    server 127.0.0.1:{app_port};
                    keepalive 64;
                }}
                server {{
                    listen 127.0.0.1:{port};
                    location {ACCEL_PREFIX} {{
                        internal;
                        alias {media_dir}/;
                        add_header X-Content-Type-Options nosniff always;
                    }}
                    location / {{
                        proxy_pass http://wellness_accel_app;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $host;
                        proxy_set_header X-Forwarded-For $remote_addr;
                    }}
                }}"""


def auth_server(port: int, app_port: int, media_dir: Path, cache_dir: Path) -> str:
    """nginx in front of the app as docs/nginx-media.conf has it: the app answers nginx's
    auth_request, nginx caches each "yes" for a second or two and sends the files itself.

    The file is used as it is documented, with only its placeholders replaced.
    """
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{port};",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "/srv/wellness/media/": f"{media_dir}/",
        "/var/cache/nginx/wellness-media-auth": str(cache_dir),
    }
    return "\n" + fill_placeholders(NGINX_MEDIA_CONF.read_text(), replacements)


def fill_placeholders(text: str, replacements: Mapping[str, str]) -> str:
    for placeholder, value in replacements.items():
        if placeholder not in text:
            sys.exit(f"error: {NGINX_MEDIA_CONF} no longer contains {placeholder!r}")
        text = text.replace(placeholder, value)
    return text


def nginx_config(root: Path, port: int, file: Path, extra: str = "") -> Path:
    user = "user root;" if os.geteuid() == 0 else ""
    temp = root / "nginx-temp"
    temp.mkdir()
    config = root / "nginx.conf"
    config.write_text(
        textwrap.dedent(
            f"""
            {user}
            worker_processes 1;
            error_log {root / "nginx-error.log"} warn;
            pid {root / "nginx.pid"};
            events {{ worker_connections 1024; }}
            http {{
                access_log off;
                sendfile on;
                keepalive_requests 1000000;
                client_body_temp_path {temp};
                proxy_temp_path {temp};
                fastcgi_temp_path {temp};
                uwsgi_temp_path {temp};
                scgi_temp_path {temp};
                server {{
                    listen 127.0.0.1:{port};
                    location = /media/file {{
                        default_type audio/wav;
                        alias {file};
                    }}
                }}{extra}
            }}
            """
        )
    )
    return config


# --- wrk ----------------------------------------------------------------------------------

WRK_SCRIPT = """
local path, size, span, cookie, ranged = "{path}", {size}, {span}, "{cookie}", {ranged}
local counter = 0
function setup(thread) thread:set("seed", math.random(1, 1000000)) end
function init(args) math.randomseed(seed) end
function request()
  local headers = {{}}
  if cookie ~= "" then headers["Cookie"] = cookie end
  if ranged then
    local start = math.random(0, size - span)
    headers["Range"] = "bytes=" .. start .. "-" .. (start + span - 1)
  end
  return wrk.format("GET", path, headers)
end
function done(summary, latency, requests)
  io.write(string.format(
    "RESULT {{\\"requests\\": %d, \\"bytes\\": %d, \\"micros\\": %d, \\"bad_status\\": %d, "
    .. "\\"socket_errors\\": %d, \\"p99_ms\\": %.2f}}\\n",
    summary.requests, summary.bytes, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(99) / 1000))
end
"""


@dataclass(frozen=True)
class Figures:
    requests_per_second: float
    megabytes_per_second: float
    p99_ms: float


def run_wrk(
    wrk: str,
    root: Path,
    url: str,
    *,
    cookie: str,
    size: int,
    ranged: bool,
    duration: int,
    connections: int,
) -> Figures:
    base, _, path = url.partition("://")[2].partition("/")
    script = root / f"wrk-{'range' if ranged else 'whole'}-{abs(hash(url))}.lua"
    script.write_text(
        WRK_SCRIPT.format(
            path="/" + path,
            size=size,
            span=RANGE_BYTES,
            cookie=cookie,
            ranged="true" if ranged else "false",
        )
    )
    command = [
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://{base}/",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next((line for line in output.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        sys.exit(f"error: wrk printed no result:\n{output}")
    result = json.loads(line.removeprefix("RESULT "))
    if result["bad_status"] or result["socket_errors"]:
        sys.exit(
            f"error: {url}: {result['bad_status']} bad statuses, {result['socket_errors']} "
            f"socket errors during the run:\n{output}"
        )
    seconds = result["micros"] / 1e6
    return Figures(
        requests_per_second=result["requests"] / seconds,
        megabytes_per_second=result["bytes"] / seconds / 1e6,
        p99_ms=result["p99_ms"],
    )


# --- main ---------------------------------------------------------------------------------


def wellness_command() -> list[str]:
    beside = Path(sys.executable).with_name("wellness")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "wellness.cli"]


FACTORY = "wellness.app:create_app_from_environment"
# How to start the app on a port (the port is appended). All run one worker process.
SERVERS = {
    # What ships: `wellness serve`, uvicorn with its access log.
    "uvicorn": lambda: [*wellness_command(), "serve", "--port"],
    # The same without the access log, to show what the log costs.
    "uvicorn-quiet": lambda: [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        FACTORY,
        "--no-access-log",
        "--port",
    ],
    # `wellness serve` behind nginx, which sends the bytes (X-Accel-Redirect).
    "nginx-accel": lambda: [*wellness_command(), "serve", "--port"],
    # `wellness serve` behind docs/nginx-media.conf: nginx asks the app (auth_request), keeps
    # its "yes" for a second or two, and sends the bytes.
    "nginx-auth": lambda: [*wellness_command(), "serve", "--port"],
    # granian (`pip install granian`), the server stack.md measured faster.
    "granian": lambda: [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "asgi",
        "--host",
        "127.0.0.1",
        "--workers",
        "1",
        "--no-ws",
        "--factory",
        FACTORY,
        "--port",
    ],
}
KINDS = (("range", "64 KiB ranges, requests/s"), ("whole", "whole file, MB/s"))


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; medians shown")
    parser.add_argument("--megabytes", type=int, default=20, help="size of the media file")
    parser.add_argument("--range-connections", type=int, default=32)
    parser.add_argument("--whole-connections", type=int, default=4)
    parser.add_argument(
        "--servers",
        default="uvicorn",
        help=f"comma-separated, from: {', '.join(SERVERS)} (granian needs `pip install granian`)",
    )
    args = parser.parse_args()
    args.servers = [name.strip() for name in args.servers.split(",") if name.strip()]
    unknown = [name for name in args.servers if name not in SERVERS]
    if unknown:
        parser.error(f"unknown servers: {', '.join(unknown)}")
    if "granian" in args.servers and importlib.util.find_spec("granian") is None:
        parser.error("granian is not installed in this Python: pip install granian")
    if not 1 <= args.duration <= 60 or not 1 <= args.rounds <= 10:
        parser.error("--duration must be 1..60 seconds and --rounds 1..10")
    return args


Results = dict[str, dict[str, list[Figures]]]


def main() -> None:
    args = parse_arguments()
    nginx, wrk = require_tools()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory(prefix="wellness-bench-") as tmp, ExitStack() as processes:
        root = Path(tmp)
        os.chmod(root, 0o755)
        data_dir, media_dir = root / "data", root / "media"
        data_dir.mkdir()
        database_url = f"sqlite://{data_dir / 'wellness.sqlite3'}"
        source = root / "source.wav"
        wav_file(source, args.megabytes)
        seeded = asyncio.run(seed(database_url, store_file(media_dir, source)))
        source.unlink()
        env = {k: v for k, v in os.environ.items() if not k.startswith("WELLNESS_")}
        env.update(
            WELLNESS_DATA_DIR=str(data_dir),
            WELLNESS_MEDIA_DIR=str(media_dir),
            WELLNESS_DATABASE_URL=database_url,
            WELLNESS_AUTO_MIGRATE="false",
            # One patient's ranges at thousands a second: counted, never refused (see _server).
            WELLNESS_REQUESTS_PER_MINUTE="1000000",
        )
        # Every server is started first and left idle while another is measured.
        targets: dict[str, tuple[str, str]] = {}
        ports = {server: free_port() for server in args.servers}
        nginx_port = free_port()
        nginx_url = f"http://127.0.0.1:{nginx_port}/media/file"
        extra = ""
        proxy_ports = {name: free_port() for name in ("nginx-accel", "nginx-auth") if name in ports}
        if "nginx-accel" in ports:
            extra += accel_server(proxy_ports["nginx-accel"], ports["nginx-accel"], media_dir)
        if "nginx-auth" in ports:
            cache_dir = root / "media-auth-cache"
            extra += auth_server(
                proxy_ports["nginx-auth"], ports["nginx-auth"], media_dir, cache_dir
            )
        config = nginx_config(root, nginx_port, seeded.file, extra)
        nginx_command = [nginx, "-p", str(root), "-c", str(config), "-g", "daemon off;"]
        web = processes.enter_context(running(nginx_command, root / "nginx.log"))
        wait_for(nginx_url, web, root / "nginx.log")
        check(nginx_url, "", seeded)
        targets["nginx"] = (nginx_url, "")
        for server in args.servers:
            base = f"http://127.0.0.1:{ports[server]}"
            log = root / f"{server}.log"
            server_env = env
            if server == "nginx-accel":
                server_env = {**env, "WELLNESS_MEDIA_ACCEL_PREFIX": ACCEL_PREFIX}
            command = [*SERVERS[server](), str(ports[server])]
            app = processes.enter_context(running(command, log, server_env))
            wait_for(f"{base}/healthz", app, log)
            if server in proxy_ports:
                base = f"http://127.0.0.1:{proxy_ports[server]}"
            url = f"{base}/media/{seeded.asset_id}"
            if server == "nginx-auth":
                check_refusals(url)
            cookie = sign_in(base)
            check(url, cookie, seeded)
            targets[server] = (url, cookie)

        results: Results = {name: {kind: [] for kind, _ in KINDS} for name in targets}
        for round_number in range(1, args.rounds + 1):
            print(f"round {round_number} of {args.rounds}:", flush=True)
            for kind, _ in KINDS:
                connections = args.range_connections if kind == "range" else args.whole_connections
                for name, (url, cookie) in targets.items():
                    # A short warm-up, then the measured run.
                    for seconds in (2, args.duration):
                        figures = run_wrk(
                            wrk,
                            root,
                            url,
                            cookie=cookie,
                            size=seeded.size,
                            ranged=kind == "range",
                            duration=seconds,
                            connections=connections,
                        )
                    results[name][kind].append(figures)
                    print(
                        f"  {kind:<5} {name:<14} {figures.requests_per_second:8.0f} req/s "
                        f"{figures.megabytes_per_second:8.1f} MB/s  p99 {figures.p99_ms:6.1f} ms",
                        flush=True,
                    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print_report(results, args)


def print_report(results: Results, args: argparse.Namespace) -> None:
    baseline = results.pop("nginx")
    print(
        f"\nApp / nginx, median of {args.rounds} round(s) measured alternately "
        f"({args.megabytes} MB file, {args.duration} s runs):"
    )
    for kind, label in KINDS:
        attribute = "requests_per_second" if kind == "range" else "megabytes_per_second"
        nginx_values = [getattr(figures, attribute) for figures in baseline[kind]]
        print(f"  {label} (target {TARGETS[kind]}x); nginx median {median(nginx_values):.0f}")
        for server, by_kind in results.items():
            ours = [getattr(figures, attribute) for figures in by_kind[kind]]
            ratios = [a / b if b else 0.0 for a, b in zip(ours, nginx_values, strict=True)]
            ratio = median(ratios)
            verdict = "PASS" if ratio >= TARGETS[kind] else "MISS"
            print(
                f"    {server:<14} {median(ours):8.0f}  ratio {ratio:.2f}x "
                f"(rounds {min(ratios):.2f}-{max(ratios):.2f})  {verdict}"
            )


if __name__ == "__main__":
    main()
