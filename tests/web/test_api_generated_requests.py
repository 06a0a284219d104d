"""Requests generated from the OpenAPI document itself (Schemathesis), as each role, against a
real `wellness demo`: no answer is a 5xx, and every answer is one the document describes (its
status code, content type, headers and body schema).

The route-table sweeps (`test_hostile_input.py`, `test_outsiders.py`) call every route with
shapes we chose; this one lets a generator walk every JSON operation's documented bounds (each
field at, just inside and just outside its limits, missing, of the wrong type), so a new
operation is covered the day it is added, and a refusal the document does not list is a failure.
The server runs on this pass's database: SQLite, or a throwaway PostgreSQL database in the
PostgreSQL pass.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.live_servers import free_port, running_server
from tests.services.servers import throwaway_postgres_database

REPOSITORY = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "demo-wellness"
ROLES = ("patient", "therapist", "coordinator", "admin")
# Signing out ends the session the generator runs on; signing in is covered by its own tests.
LEFT_OUT = "^/api/v1/auth/"
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
STARTUP_TIMEOUT = 120.0
# One server for the module's tests: on one pytest-xdist worker, not one server per worker.
pytestmark = pytest.mark.xdist_group("generated-requests")
# About 2,600 cases a role on 60 operations; far fewer means operations went untested.
MINIMUM_CASES = 1_000


def schemathesis_command() -> Path:
    """The `st` script installed beside this interpreter (the dev extra's schemathesis)."""
    return Path(sys.executable).parent / "st"


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`wellness demo` on this pass's database, with the request limit off (the generator sends
    thousands of requests a minute as one person)."""
    folder = tmp_path_factory.mktemp("generated-requests")
    with ExitStack() as stack:
        if os.environ.get("WELLNESS_TEST_DATABASE_URL"):
            database = stack.enter_context(throwaway_postgres_database())
        else:
            database = f"sqlite://{folder / 'db.sqlite3'}"
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        environment = {
            name: value for name, value in os.environ.items() if not name.startswith("WELLNESS_")
        } | {
            "WELLNESS_DATABASE_URL": database,
            "WELLNESS_DATA_DIR": str(folder / "data"),
            "WELLNESS_MEDIA_DIR": str(folder / "media"),
            "WELLNESS_REQUESTS_PER_MINUTE": "0",
            "WELLNESS_DEMO_AUDIO_SCALE": "0.02",
        }
        stack.enter_context(
            running_server(
                [sys.executable, "-m", "wellness.cli", "demo", "--port", str(port)],
                url=url,
                cwd=folder,
                env=environment,
                log_path=folder / "server.log",
                what="`wellness demo` for the generated requests",
                timeout=STARTUP_TIMEOUT,
            )
        )
        yield url


def session_cookie(url: str, role: str) -> str:
    """The Cookie header of a demo account of `role`, signed in through the JSON API."""
    with httpx.Client(base_url=url) as client:
        answer = client.post(
            "/api/v1/auth/login",
            json={"email": f"{role}@demo.wellness", "password": DEMO_PASSWORD},
        )
        assert answer.status_code == 200, answer.text
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


@pytest.mark.parametrize("role", ROLES)
def test_generated_requests_get_documented_answers_and_never_a_server_error(
    demo_url: str, role: str, tmp_path: Path
) -> None:
    command = [
        str(schemathesis_command()),
        "run",
        f"{demo_url}/schema/openapi.json",
        "--header",
        f"Cookie: {session_cookie(demo_url, role)}",
        "--exclude-path-regex",
        LEFT_OUT,
        "--checks",
        CHECKS,
        # The coverage phase walks every documented bound; examples adds the schema's own.
        "--phases",
        "examples,coverage",
        "--seed",
        "1",
        "--generation-deterministic",
        "--request-timeout",
        "30",
        "--no-color",
    ]
    run = subprocess.run(
        command,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, f"Schemathesis, signed in as {role}:\n{report}"
    counted = re.search(r"(\d+) generated, (\d+) passed", report)
    assert counted is not None, report
    generated, passed = int(counted[1]), int(counted[2])
    # Every operation is reached: a run that generated little tested little.
    assert generated == passed >= MINIMUM_CASES, report
