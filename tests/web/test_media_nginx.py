"""docs/nginx-media.conf with real nginx in front of `wellness serve`: nginx asks the app
(`GET /media/{id}/access`), keeps each "yes" for one to two seconds, and sends the bytes itself.

Skipped when nginx is not installed (`apt-get install -y nginx-light`); under CI=true, which
installs it (`.ci/run`), a missing nginx fails instead. The same config is exercised by
`bench/media_ranges.py --servers nginx-auth`. One app and one nginx serve the whole module.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.live_servers import free_port, stop

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "docs" / "nginx-media.conf"
PASSWORD = "nginx-test-password-long-enough"
STARTUP_TIMEOUT = 60.0
# What the config promises: a revoked permission stops playback within 2 s. Polling and a busy
# machine add a little.
REVOCATION_SECONDS = 2.0
SLACK_SECONDS = 0.5


def find_nginx() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return next(
        (str(p) for p in (Path("/usr/sbin/nginx"), Path("/sbin/nginx")) if p.exists()), None
    )


SEED = """
import asyncio, hashlib, json, os, sys
from datetime import UTC, datetime
from pathlib import Path

from wellness import db
from wellness.accounts import passwords, services as accounts
from wellness.accounts.roles import Role
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import MediaAsset, PracticeSession
from wellness.catalog.storage import LocalMediaStore


async def seed(url, media_dir, password):
    await db.upgrade(url)
    await db.open_database(url)
    try:
        hashed = passwords.hash_password(password)
        for email, role in (
            ("patient@example.org", Role.PATIENT),
            ("leaving.patient@example.org", Role.PATIENT),
            ("coordinator@example.org", Role.COORDINATOR),
        ):
            await accounts.create_user(
                email=email, display_name=email, role=role, password_hash=hashed
            )
        store = LocalMediaStore(Path(media_dir))
        now = datetime.now(UTC)
        made = {}
        for name, status in (
            ("published", Status.PUBLISHED),
            ("draft", Status.DRAFT),
            ("archived", Status.ARCHIVED),
            ("to_archive", Status.PUBLISHED),
            ("to_publish", Status.DRAFT),
        ):
            data = os.urandom(300_000)
            sha256 = hashlib.sha256(data).hexdigest()
            store.put_bytes(data, f"{sha256}.mp3")
            asset = await MediaAsset.create(
                sha256=sha256, size_bytes=len(data), container="mp3", mime_type="audio/mpeg",
                extension="mp3", duration_seconds=60, uploaded_at=now,
            )
            session = await PracticeSession.create(
                title=name, kind=Kind.MEDITATION, status=status, primary_asset=asset,
                created_at=now, updated_at=now, published_at=now,
            )
            made[name] = {
                "asset_id": asset.id,
                "session_id": session.id,
                "path": str(store.local_path(f"{sha256}.mp3")),
            }
        return made
    finally:
        await db.close_database()


print(json.dumps(asyncio.run(seed(sys.argv[1], sys.argv[2], sys.argv[3]))))
"""


@dataclass(frozen=True)
class Asset:
    asset_id: int
    session_id: int
    path: Path

    @property
    def url(self) -> str:
        return f"/media/{self.asset_id}"

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()


@dataclass(frozen=True)
class Stack:
    url: str
    app_log: Path
    assets: dict[str, Asset]

    @contextmanager
    def client(self, email: str | None = None) -> Iterator[httpx.Client]:
        """A client through nginx, signed in as `email` if given."""
        with httpx.Client(base_url=self.url, timeout=10) as client:
            if email is not None:
                answer = client.post(
                    "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
                )
                assert answer.status_code == 200, answer.text
            yield client

    def access_checks(self, asset: Asset) -> int:
        """How many access checks for this asset the app has logged so far."""
        time.sleep(0.2)  # let the server flush its log
        return self.app_log.read_text(errors="replace").count(f"GET {asset.url}/access ")


def fill_config(app_port: int, port: int, media_dir: Path, cache_dir: Path) -> str:
    text = CONFIG.read_text()
    for placeholder, value in {
        "listen 80;": f"listen 127.0.0.1:{port};",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "/srv/wellness/media/": f"{media_dir}/",
        "/var/cache/nginx/wellness-media-auth": str(cache_dir),
    }.items():
        assert placeholder in text, f"{CONFIG} no longer contains {placeholder!r}"
        text = text.replace(placeholder, value)
    return text


def nginx_main_config(root: Path, site: str) -> Path:
    temp = root / "nginx-temp"
    temp.mkdir()
    config = root / "nginx.conf"
    config.write_text(
        textwrap.dedent(
            f"""
            {"user root;" if os.geteuid() == 0 else ""}
            worker_processes 1;
            error_log {root / "nginx-error.log"} warn;
            pid {root / "nginx.pid"};
            events {{ worker_connections 256; }}
            http {{
                access_log off;
                client_body_temp_path {temp};
                proxy_temp_path {temp};
                fastcgi_temp_path {temp};
                uwsgi_temp_path {temp};
                scgi_temp_path {temp};
                include {root / "site.conf"};
            }}
            """
        )
    )
    (root / "site.conf").write_text(site)
    return config


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args!r} exited early; its log:\n{log.read_text()}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"nothing answered {url} within {STARTUP_TIMEOUT:.0f} s:\n{log.read_text()}")


def wellness_command() -> list[str]:
    beside = Path(sys.executable).with_name("wellness")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "wellness.cli"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    nginx = find_nginx()
    if nginx is None:
        reason = "nginx is not installed (apt-get install -y nginx-light)"
        if os.environ.get("CI", "").strip().lower() in {"true", "1"}:
            pytest.fail(f"{reason}; CI must run these tests", pytrace=False)
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("nginx-media")
    data_dir, media_dir = root / "data", root / "media"
    data_dir.mkdir()
    database_url = f"sqlite://{data_dir / 'wellness.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WELLNESS_")}
    env.update(
        WELLNESS_DATA_DIR=str(data_dir),
        WELLNESS_MEDIA_DIR=str(media_dir),
        WELLNESS_DATABASE_URL=database_url,
        WELLNESS_AUTO_MIGRATE="false",
        PYTHONUNBUFFERED="1",
    )
    seeded = subprocess.run(
        [sys.executable, "-c", SEED, database_url, str(media_dir), PASSWORD],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert seeded.returncode == 0, seeded.stderr
    assets = {
        name: Asset(made["asset_id"], made["session_id"], Path(made["path"]))
        for name, made in json.loads(seeded.stdout.splitlines()[-1]).items()
    }
    app_port, port = free_port(), free_port()
    config = nginx_main_config(
        root, fill_config(app_port, port, media_dir, root / "media-auth-cache")
    )
    app_log, nginx_log = root / "app.log", root / "nginx.log"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for command, log, command_env in (
            ([*wellness_command(), "serve", "--port", str(app_port)], app_log, env),
            ([nginx, "-p", str(root), "-c", str(config), "-g", "daemon off;"], nginx_log, None),
        ):
            with log.open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        command,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        env=command_env,
                    )
                )
        wait_until_up(f"http://127.0.0.1:{app_port}/healthz", processes[0], app_log)
        wait_until_up(f"http://127.0.0.1:{port}/healthz", processes[1], nginx_log)
        yield Stack(f"http://127.0.0.1:{port}", app_log, assets)
    finally:
        for process in reversed(processes):
            stop(process)


def test_nginx_sends_ranges_with_the_apps_headers(stack: Stack) -> None:
    asset = stack.assets["published"]
    data = asset.data
    with stack.client("patient@example.org") as patient:
        response = patient.get(asset.url, headers={"range": "bytes=1000-1999"})
        assert response.status_code == 206
        assert response.content == data[1000:2000]
        assert response.headers["content-range"] == f"bytes 1000-1999/{len(data)}"
        assert response.headers.get_list("content-type") == ["audio/mpeg"]
        assert response.headers.get_list("content-disposition") == [
            f'inline; filename="session-{asset.asset_id}.mp3"'
        ]
        assert response.headers.get_list("cache-control") == ["private, no-cache"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert not any(name.startswith("x-media-") for name in response.headers)

        suffix = patient.get(asset.url, headers={"range": "bytes=-100"})
        assert suffix.status_code == 206
        assert suffix.content == data[-100:]
        whole = patient.get(asset.url)
        assert whole.status_code == 200
        assert whole.content == data
        assert whole.headers["accept-ranges"] == "bytes"  # nginx says so on 200s only
        head = patient.head(asset.url)
        assert head.status_code == 200
        assert head.headers["content-length"] == str(len(data))
        assert head.content == b""
        beyond = patient.get(asset.url, headers={"range": f"bytes={len(data)}-"})
        assert beyond.status_code == 416
        assert beyond.headers["content-range"] == f"bytes */{len(data)}"
        etag = whole.headers["etag"]
        cached = patient.get(asset.url, headers={"if-none-match": etag})
        assert cached.status_code == 304
        resumed = patient.get(asset.url, headers={"range": "bytes=0-9", "if-range": etag})
        assert resumed.status_code == 206
        assert resumed.content == data[:10]


def test_who_may_not_play_gets_401_or_404_and_no_bytes(stack: Stack) -> None:
    published = stack.assets["published"]
    with stack.client() as anonymous:
        for headers in ({}, {"cookie": "wellness_session=made-up"}):
            refused = anonymous.get(published.url, headers=headers)
            assert refused.status_code == 401
            assert refused.text == "Sign in to continue.\n"
            assert "content-disposition" not in refused.headers
    with stack.client("patient@example.org") as patient:
        for name in ("draft", "archived"):
            asset = stack.assets[name]
            refused = patient.get(asset.url, headers={"range": "bytes=0-99"})
            assert refused.status_code == 404, name
            assert refused.text == "No such media.\n"
            assert "content-disposition" not in refused.headers
            assert asset.data[:100] not in refused.content
        unknown = patient.get("/media/999999")
        assert (unknown.status_code, unknown.text) == (404, "No such media.\n")
        # Ids the app's route refuses (422) would be a 500 from auth_request: the config sends
        # them to the app itself, like any other path it does not serve.
        for odd in ("/media/0", "/media/007", "/media/99999999999", "/media/1x"):
            assert 400 <= patient.get(odd).status_code < 500, odd
    with stack.client("coordinator@example.org") as coordinator:
        for name in ("draft", "archived"):
            allowed = coordinator.get(stack.assets[name].url, headers={"range": "bytes=0-99"})
            assert allowed.status_code == 206, name
            assert allowed.content == stack.assets[name].data[:100]


def test_only_get_and_head_and_the_access_check_is_for_nginx_only(stack: Stack) -> None:
    asset = stack.assets["published"]
    with stack.client("patient@example.org") as patient:
        assert patient.post(asset.url).status_code == 405
        assert patient.get(f"{asset.url}/access").status_code == 404


def test_a_players_repeated_ranges_reach_the_app_about_once_a_second(stack: Stack) -> None:
    asset = stack.assets["published"]
    requests = 40
    with stack.client("patient@example.org") as patient:
        before = stack.access_checks(asset)
        started = time.monotonic()
        for offset in range(requests):
            response = patient.get(asset.url, headers={"range": f"bytes={offset}-{offset + 99}"})
            assert response.status_code == 206
        elapsed = time.monotonic() - started
        checks = stack.access_checks(asset) - before
    # A "yes" lives 1 to 2 s on nginx's whole-second clock, so each second the requests took
    # needs at most one more check, however fast or slow this machine answers them.
    assert 1 <= checks <= math.ceil(elapsed) + 2, (elapsed, checks)
    assert checks < requests, (elapsed, checks)


def wait_for_refusal(client: httpx.Client, url: str, headers: dict[str, str]) -> float:
    """Seconds until `url` stops being served; fails if it takes longer than promised."""
    started = time.monotonic()
    while True:
        status = client.get(url, headers={**headers, "range": "bytes=0-9"}).status_code
        elapsed = time.monotonic() - started
        if status != 206:
            return elapsed
        assert elapsed < REVOCATION_SECONDS + SLACK_SECONDS, "still served after the window"
        time.sleep(0.02)


def test_archiving_a_session_stops_playback_within_two_seconds(stack: Stack) -> None:
    asset = stack.assets["to_archive"]
    with (
        stack.client("patient@example.org") as patient,
        stack.client("coordinator@example.org") as coordinator,
    ):
        assert patient.get(asset.url, headers={"range": "bytes=0-9"}).status_code == 206
        archived = coordinator.post(f"/api/v1/sessions/{asset.session_id}/archive")
        assert archived.status_code == 200, archived.text
        wait_for_refusal(patient, asset.url, {})
        assert patient.get(asset.url).status_code == 404


def test_signing_out_stops_playback_within_two_seconds(stack: Stack) -> None:
    asset = stack.assets["published"]
    with stack.client("leaving.patient@example.org") as patient:
        cookie = "; ".join(f"{name}={value}" for name, value in patient.cookies.items())
        assert patient.get(asset.url, headers={"range": "bytes=0-9"}).status_code == 206
        assert patient.post("/api/v1/auth/logout").status_code == 204
    with stack.client() as old_cookie:
        headers = {"cookie": cookie}
        wait_for_refusal(old_cookie, asset.url, headers)
        assert old_cookie.get(asset.url, headers=headers).status_code == 401


def test_refusals_are_never_cached(stack: Stack) -> None:
    asset = stack.assets["to_publish"]
    with (
        stack.client("patient@example.org") as patient,
        stack.client("coordinator@example.org") as coordinator,
    ):
        assert patient.get(asset.url, headers={"range": "bytes=0-9"}).status_code == 404
        published = coordinator.post(f"/api/v1/sessions/{asset.session_id}/publish")
        assert published.status_code == 200, published.text
        allowed = patient.get(asset.url, headers={"range": "bytes=0-9"})
        assert allowed.status_code == 206
        assert allowed.content == asset.data[:10]
