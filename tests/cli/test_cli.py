"""The `wellness` command: migrations, accounts and demo seeding against a real database file."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.conftest import TEST_NOW
from wellness.cli import main
from wellness.cli.common import CliState
from wellness.lib.clock import Clock, FixedClock

PASSPHRASE = "a calm and memorable passphrase"


def run(
    environment: dict[str, str], *args: str, stdin: str | None = None, clock: Clock | None = None
) -> Result:
    """Run `wellness ARGS` in-process, on the given clock (standing at TEST_NOW by default)."""
    state = CliState(clock or FixedClock(TEST_NOW))
    return CliRunner().invoke(
        main, list(args), input=stdin, env=environment, catch_exceptions=False, obj=state
    )


def rows(environment: dict[str, str], sql: str) -> list[tuple[Any, ...]]:
    path = environment["WELLNESS_DATABASE_URL"].removeprefix("sqlite://")
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


def execute(environment: dict[str, str], sql: str, parameters: tuple[object, ...]) -> None:
    path = environment["WELLNESS_DATABASE_URL"].removeprefix("sqlite://")
    with sqlite3.connect(path) as connection:
        connection.execute(sql, parameters)


def test_db_upgrade_creates_the_schema_once(environment: dict[str, str]) -> None:
    first = run(environment, "db", "upgrade")
    second = run(environment, "db", "upgrade")
    assert first.exit_code == 0
    assert "Applied: wellness.0001_initial" in first.output
    assert "up to date" in second.output
    assert rows(environment, "SELECT COUNT(*) FROM users") == [(0,)]


def test_users_create_reads_the_password_from_stdin(environment: dict[str, str]) -> None:
    result = run(
        environment,
        *(
            "users",
            "create",
            "--role",
            "therapist",
            "--email",
            "Dr.Rivera@Clinic.org",
            "--name",
            "Dr. Rivera",
        ),
        *("--timezone", "Europe/Berlin", "--password-stdin"),
        stdin=PASSPHRASE + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created therapist dr.rivera@clinic.org" in result.output
    stored = rows(environment, "SELECT email, role, time_zone, is_demo, password_hash FROM users")
    assert stored[0][:4] == ("dr.rivera@clinic.org", "therapist", "Europe/Berlin", 0)
    assert str(stored[0][4]).startswith("$argon2id$")


def test_users_create_prompts_for_the_password_twice(environment: dict[str, str]) -> None:
    result = run(
        environment,
        *("users", "create", "--role", "admin", "--email", "it@clinic.org", "--name", "IT"),
        stdin=f"{PASSPHRASE}\n{PASSPHRASE}\n",
    )
    assert result.exit_code == 0, result.output
    assert rows(environment, "SELECT role FROM users") == [("admin",)]


@pytest.mark.parametrize(
    ("extra", "stdin", "message"),
    [
        (("--email", "nope"), PASSPHRASE, "email: Enter an e-mail address"),
        (
            ("--email", "a@b.org", "--timezone", "Moon/Base"),
            PASSPHRASE,
            "time_zone: No time zone is called",
        ),
        (("--email", "a@b.org"), "password", "password: This password is one of the most common"),
    ],
)
def test_users_create_refuses_bad_input_and_creates_nothing(
    environment: dict[str, str], extra: tuple[str, ...], stdin: str, message: str
) -> None:
    result = run(
        environment,
        "users",
        "create",
        "--role",
        "patient",
        "--name",
        "P",
        *extra,
        "--password-stdin",
        stdin=stdin,
    )
    assert result.exit_code == 1
    assert message in result.output
    assert rows(environment, "SELECT COUNT(*) FROM users") == [(0,)]


def test_users_set_role_deactivate_and_list(environment: dict[str, str]) -> None:
    base = (
        "users",
        "create",
        "--role",
        "patient",
        "--name",
        "Pat",
        "--email",
        "pat@clinic.org",
        "--password-stdin",
    )
    run(environment, *base, stdin=PASSPHRASE)
    assert run(environment, "users", "set-role", "pat@clinic.org", "coordinator").exit_code == 0
    assert run(environment, "users", "deactivate", "PAT@clinic.org").exit_code == 0
    assert rows(environment, "SELECT role, is_active, session_epoch FROM users") == [
        ("coordinator", 0, 2)
    ]
    listing = run(environment, "users", "list")
    assert "coordinator" in listing.output
    assert "inactive" in listing.output
    assert run(environment, "users", "activate", "pat@clinic.org").exit_code == 0
    assert rows(environment, "SELECT is_active FROM users") == [(1,)]


def test_account_commands_name_an_unknown_email(environment: dict[str, str]) -> None:
    result = run(environment, "users", "deactivate", "ghost@clinic.org")
    assert result.exit_code == 1
    assert "No account with e-mail 'ghost@clinic.org'" in result.output


def test_demo_seeding_refuses_a_database_with_real_accounts(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(
        environment,
        *("users", "create", "--role", "admin", "--name", "Real", "--email", "real@clinic.org"),
        "--password-stdin",
        stdin=PASSPHRASE,
    )
    started: list[object] = []
    monkeypatch.setattr("wellness.cli.serve._start_server", lambda *args, **_: started.append(args))
    result = run(environment, "serve", "--demo")
    assert result.exit_code == 1
    assert "refusing to replace them" in result.output
    assert started == []
    assert rows(environment, "SELECT email FROM users") == [("real@clinic.org",)]


def test_demo_seeds_every_role_and_starts_the_server(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[tuple[object, ...]] = []
    monkeypatch.setattr("wellness.cli.serve._start_server", lambda *args, **_: started.append(args))
    monkeypatch.setenv("WELLNESS_DEMO_AUDIO_SCALE", "0.01")  # seconds of audio, not hours
    first = run(environment, "demo", "--port", "8123")
    second = run(environment, "demo", "--port", "8123")
    assert first.exit_code == second.exit_code == 0
    assert "admin@demo.wellness" in first.output
    assert "Password for every demo account: demo-wellness" in first.output
    assert started == [("127.0.0.1", 8123, 1), ("127.0.0.1", 8123, 1)]
    roles = rows(
        environment,
        "SELECT role, COUNT(*) FROM users WHERE is_demo = 1 GROUP BY role ORDER BY role",
    )
    assert roles == [("admin", 1), ("coordinator", 1), ("patient", 9), ("therapist", 2)]
    assert rows(environment, "SELECT value FROM instance_flags WHERE key = 'demo'") == [("true",)]
    published = "SELECT COUNT(*) FROM practice_sessions WHERE status = 'published'"
    assert rows(environment, published)[0][0] >= 12


def test_demo_mode_is_refused_in_production(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[object] = []
    monkeypatch.setattr("wellness.cli.serve._start_server", lambda *args, **_: started.append(args))
    production = {**environment, "WELLNESS_ENV": "production", "WELLNESS_SECRET_KEY": "k" * 64}

    result = run(production, "demo")

    assert result.exit_code == 1
    assert "Demo mode is for trying the app, not for production" in result.output
    assert started == []
    assert rows(environment, "SELECT name FROM sqlite_master WHERE name = 'users'") == []


def test_serve_refuses_several_workers_on_sqlite(environment: dict[str, str]) -> None:
    result = run(environment, "serve", "--workers", "2")
    assert result.exit_code == 1
    assert "SQLite allows one worker process" in result.output


def test_a_bad_setting_stops_the_command_naming_it(environment: dict[str, str]) -> None:
    result = run({**environment, "WELLNESS_STAFF_IDLE_MINUTES": "often"}, "db", "upgrade")
    assert result.exit_code == 1
    assert "WELLNESS_STAFF_IDLE_MINUTES" in result.output


def create(environment: dict[str, str], role: str, email: str) -> None:
    arguments = ("users", "create", "--role", role, "--name", email.split("@")[0])
    result = run(environment, *arguments, "--email", email, "--password-stdin", stdin=PASSPHRASE)
    assert result.exit_code == 0, result.output


def test_assigning_a_therapist_builds_their_caseload(environment: dict[str, str]) -> None:
    create(environment, "patient", "pat@clinic.org")
    create(environment, "therapist", "tess@clinic.org")

    added = run(environment, "users", "assign-therapist", "pat@clinic.org", "tess@clinic.org")
    again = run(environment, "users", "assign-therapist", "pat@clinic.org", "tess@clinic.org")

    assert added.exit_code == again.exit_code == 0
    assert "now looks after" in added.output
    assert "already looked after" in again.output
    [(started_at,)] = rows(environment, "SELECT started_at FROM care_team_members")
    assert datetime.fromisoformat(str(started_at)) == TEST_NOW  # the command's clock
    removed = run(environment, "users", "unassign-therapist", "pat@clinic.org", "tess@clinic.org")
    assert "no longer looks after" in removed.output
    [(ended_at,)] = rows(environment, "SELECT ended_at FROM care_team_members")
    assert datetime.fromisoformat(str(ended_at)) == TEST_NOW  # kept as history, ended


def test_assigning_refuses_roles_that_do_not_fit(environment: dict[str, str]) -> None:
    create(environment, "patient", "pat@clinic.org")
    create(environment, "coordinator", "cora@clinic.org")

    result = run(environment, "users", "assign-therapist", "pat@clinic.org", "cora@clinic.org")

    assert result.exit_code == 1
    assert "is not a therapist" in result.output
    assert rows(environment, "SELECT count(*) FROM care_team_members") == [(0,)]


def test_db_prune_forgets_only_old_idempotent_answers(environment: dict[str, str]) -> None:
    create(environment, "patient", "pat@clinic.org")
    for key, created_at in (
        ("old", (TEST_NOW - timedelta(days=31)).isoformat(" ")),
        ("new", (TEST_NOW - timedelta(days=29)).isoformat(" ")),
    ):
        execute(
            environment,
            "INSERT INTO idempotent_requests (user_id, key, fingerprint, status_code, body,"
            " created_at) VALUES (1, ?, 'f', 201, x'7b7d', ?)",
            (key, created_at),
        )

    result = run(environment, "db", "prune")

    assert result.exit_code == 0
    assert "Forgot 1 stored idempotent answers" in result.output
    assert rows(environment, "SELECT key FROM idempotent_requests") == [("new",)]


def test_db_prune_forgets_only_old_finished_alert_emails(environment: dict[str, str]) -> None:
    create(environment, "patient", "pat@clinic.org")
    create(environment, "therapist", "tess@clinic.org")
    now = TEST_NOW.isoformat(" ")
    execute(
        environment,
        "INSERT INTO care_alerts (patient_id, reason, value, source_type, source_id, created_at,"
        " detail, acknowledgement_note) VALUES (1, 'high_distress', 9, 'checkin', 1, ?, '', '')",
        (now,),
    )
    for status, finished_days_ago in (("sent", 91), ("failed", 91), ("sent", 89), ("pending", 0)):
        finished_at = (
            None
            if status == "pending"
            else (TEST_NOW - timedelta(days=finished_days_ago)).isoformat(" ")
        )
        execute(
            environment,
            "INSERT INTO alert_email_outbox (alert_id, recipient_id, audience, status,"
            " created_at, next_attempt_at, attempts, claim, finished_at, last_error)"
            " VALUES (1, 2, 'care_team', ?, ?, ?, 0, '', ?, '')",
            (status, now, now, finished_at),
        )

    result = run(environment, "db", "prune")

    assert result.exit_code == 0
    assert "Forgot 0 stored idempotent answers" in result.output
    assert (
        "Forgot 2 finished e-mails (alerts, reminders, password links) older than 90 days."
        in result.output
    )
    assert rows(environment, "SELECT status FROM alert_email_outbox ORDER BY id") == [
        ("sent",),
        ("pending",),
    ]


@pytest.mark.parametrize(
    ("proxies", "proxy_headers", "trusted"),
    [(None, False, []), ("10.0.0.5, 10.1.0.0/16", True, ["10.0.0.5/32", "10.1.0.0/16"])],
)
def test_serve_believes_forwarded_addresses_only_from_the_named_proxies(
    environment: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    proxies: str | None,
    proxy_headers: bool,
    trusted: list[str],
) -> None:
    import uvicorn

    calls: list[dict[str, object]] = []
    monkeypatch.setenv("WELLNESS_AUTO_MIGRATE", "true")  # restored afterwards; serve changes it
    monkeypatch.setattr(uvicorn, "run", lambda *_, **options: calls.append(options))
    if proxies is not None:
        environment = {**environment, "WELLNESS_FORWARDED_ALLOW_IPS": proxies}
    result = run(environment, "serve")
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    assert calls[0]["proxy_headers"] is proxy_headers
    assert calls[0]["forwarded_allow_ips"] == trusted


def test_python_dash_m_wellness_cli_runs_the_wellness_command() -> None:
    # The fallback the nginx test and bench/media_ranges.py use when no `wellness` script exists.
    result = subprocess.run(
        [sys.executable, "-m", "wellness.cli", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Usage: python -m wellness.cli" in result.stdout
    assert {"serve", "demo", "db", "users", "media"} <= set(result.stdout.split())


MAIL_ENVIRONMENT = {
    "WELLNESS_SMTP_URL": "smtp://127.0.0.1:2525",
    "WELLNESS_MAIL_FROM": "Wellness <wellness@clinic.example.org>",
    "WELLNESS_PUBLIC_URL": "https://wellness.clinic.example.org",
}
INVITE_ARGUMENTS = ("users", "create", "--role", "patient", "--email", "Nova@Clinic.org")


def test_users_create_invites_without_a_password_when_e_mail_is_set_up(
    environment: dict[str, str],
) -> None:
    result = run(
        {**environment, **MAIL_ENVIRONMENT}, *INVITE_ARGUMENTS, "--name", "Nova", "--invite"
    )

    assert result.exit_code == 0, result.output
    assert "invited" in result.output
    assert rows(environment, "SELECT email, password_hash FROM users") == [("nova@clinic.org", "!")]
    assert rows(environment, "SELECT purpose FROM password_resets") == [("invite",)]
    [(status, sealed)] = rows(environment, "SELECT status, sealed_token FROM password_reset_emails")
    assert status == "pending"
    assert sealed
    listing = run({**environment, **MAIL_ENVIRONMENT}, "users", "list")
    assert "invited" in listing.output
    assert "nova@clinic.org" in listing.output


@pytest.mark.parametrize(
    ("extra_environment", "extra_arguments", "words"),
    [
        ({}, ("--invite",), "--invite needs e-mail"),
        (MAIL_ENVIRONMENT, ("--invite", "--password-stdin"), "not both"),
    ],
)
def test_users_create_refuses_an_invitation_it_cannot_send_and_creates_nothing(
    environment: dict[str, str],
    extra_environment: dict[str, str],
    extra_arguments: tuple[str, ...],
    words: str,
) -> None:
    run(environment, "db", "upgrade")

    result = run(
        {**environment, **extra_environment},
        *INVITE_ARGUMENTS,
        "--name",
        "Nova",
        *extra_arguments,
        stdin=PASSPHRASE + "\n",
    )

    assert result.exit_code != 0
    assert words in result.output
    assert rows(environment, "SELECT COUNT(*) FROM users") == [(0,)]
