"""`wellness db backup | verify | restore`: checked copies of the SQLite database, refusals that
leave nothing behind, and the restore drill: the restored database serves the same data."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from tests.cli.test_cli import run
from tests.conftest import BASE_URL, PERSONAS, TEST_NOW, Client, persona_password_hash
from tests.services.conftest import open_orm
from tests.services.test_backups import crash_after_commit
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.app import create_app
from wellness.catalog.kinds import Kind
from wellness.checkins import services as checkins
from wellness.db import upgrade
from wellness.lib.clock import FixedClock
from wellness.practice import services as practice
from wellness.settings import CarePolicy, Settings, load_settings
from wellness.system import backup

STAMP = "20261124T143000Z"  # TEST_NOW, the command's clock
LATEST = backup.known_migrations()[-1]


@pytest.fixture
def database(environment: dict[str, str], migrated_sqlite: Path) -> Path:
    """The command's database: every migration applied, no rows."""
    path = Path(environment["WELLNESS_DATABASE_URL"].removeprefix("sqlite://"))
    shutil.copyfile(migrated_sqlite, path)
    return path


def files_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def column(path: Path, sql: str) -> list[object]:
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute(sql)]


def smash(path: Path) -> None:
    """Write garbage over pages in the middle of a database file, as a failing disk might."""
    with path.open("r+b") as handle:
        handle.seek(4096 * 4)
        handle.write(b"\xde\xad\xbe\xef" * 4096)


def miscount_free_pages(path: Path) -> None:
    """Change the header's count of free pages: damage SQLite reads past, integrity_check finds."""
    with path.open("r+b") as handle:
        handle.seek(36)
        handle.write((7).to_bytes(4, "big"))


def test_db_backup_writes_a_checked_copy_named_by_the_time_in_the_data_folder(
    environment: dict[str, str], database: Path, tmp_path: Path
) -> None:
    result = run(environment, "db", "backup")

    folder = tmp_path / "data" / "backups"
    copy = folder / f"wellness-{STAMP}.sqlite3"
    assert result.exit_code == 0, result.output
    assert files_in(folder) == [copy.name]
    assert copy.stat().st_mode & 0o777 == 0o600  # health data: the owner's only
    assert column(copy, "PRAGMA integrity_check") == ["ok"]
    assert column(copy, "PRAGMA journal_mode") == ["delete"]  # one file, no -wal beside it
    assert f"Backed up to {copy} ({copy.stat().st_size:,} bytes)." in result.output
    assert "integrity_check: ok; foreign_key_check: ok" in result.output
    assert "rows: users 0, checkins 0, practice_logs 0" in result.output
    assert f"Migrations: up to date ({LATEST})." in result.output


def test_db_backup_into_a_folder_names_the_file_by_the_time(
    environment: dict[str, str], database: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "elsewhere"
    folder.mkdir()

    result = run(environment, "db", "backup", str(folder))

    assert result.exit_code == 0, result.output
    assert files_in(folder) == [f"wellness-{STAMP}.sqlite3"]


def test_db_backup_refuses_an_existing_dest_unless_forced(
    environment: dict[str, str], database: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "backup.sqlite3"
    dest.write_bytes(b"an older backup")

    refused = run(environment, "db", "backup", str(dest))
    assert refused.exit_code == 1
    assert f"{dest} exists; pass --force to replace it" in refused.output
    assert dest.read_bytes() == b"an older backup"

    forced = run(environment, "db", "backup", str(dest), "--force")
    assert forced.exit_code == 0, forced.output
    assert column(dest, "PRAGMA integrity_check") == ["ok"]
    assert files_in(tmp_path) == sorted(["backup.sqlite3", "cli.sqlite3", "data"])


@pytest.mark.parametrize("dest", ["nowhere/backup.sqlite3", "nowhere/"])
def test_db_backup_refuses_a_missing_folder_naming_it(
    environment: dict[str, str], database: Path, tmp_path: Path, dest: str
) -> None:
    result = run(environment, "db", "backup", f"{tmp_path}/{dest}")

    assert result.exit_code == 1
    assert f"directory {tmp_path / 'nowhere'} does not exist" in result.output
    assert not (tmp_path / "nowhere").exists()


def test_db_backup_refuses_a_folder_it_cannot_write_in(
    environment: dict[str, str], database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(**_: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refused)  # the tests run as root here

    result = run(environment, "db", "backup", str(tmp_path / "backup.sqlite3"))

    assert result.exit_code == 1
    assert f"cannot write in {tmp_path}: Permission denied" in result.output
    assert not (tmp_path / "backup.sqlite3").exists()


def test_db_backup_refuses_the_database_itself_even_with_force(
    environment: dict[str, str], database: Path
) -> None:
    before = database.read_bytes()

    result = run(environment, "db", "backup", str(database), "--force")

    assert result.exit_code == 1
    assert "is the database itself" in result.output
    assert database.read_bytes() == before


def test_db_backup_of_a_missing_database_creates_nothing(
    environment: dict[str, str], tmp_path: Path
) -> None:
    result = run(environment, "db", "backup")

    assert result.exit_code == 1
    assert f"no database at {tmp_path / 'cli.sqlite3'}" in result.output
    assert files_in(tmp_path) == ["data"]
    assert files_in(tmp_path / "data") == ["secret_key"]  # the settings' development secret


def test_db_backup_on_postgresql_gives_the_pg_dump_line_without_the_password(
    environment: dict[str, str], tmp_path: Path
) -> None:
    url = "postgres://clinic%40app:s3cret@db.internal:5433/wellness?maxsize=8"

    result = run({**environment, "WELLNESS_DATABASE_URL": url}, "db", "backup", "nightly.dump")

    assert result.exit_code == 1
    assert (
        "pg_dump --format=custom --file=nightly.dump --host=db.internal --port=5433"
        " --username=clinic@app wellness"
    ) in result.output
    assert "s3cret" not in result.output
    assert files_in(tmp_path / "data") == ["secret_key"]


@pytest.mark.parametrize("damage", [smash, miscount_free_pages])
def test_a_copy_that_fails_its_checks_is_not_kept(
    environment: dict[str, str], database: Path, tmp_path: Path, damage: Callable[[Path], None]
) -> None:
    damage(database)
    folder = tmp_path / "backups"
    folder.mkdir()

    result = run(environment, "db", "backup", str(folder / "backup.sqlite3"))

    assert result.exit_code == 1
    assert "failed its checks" in result.output
    assert files_in(folder) == []


@pytest.mark.parametrize("interruption", [backup.BackupError, KeyboardInterrupt])
def test_a_backup_interrupted_midway_leaves_no_file(
    environment: dict[str, str],
    database: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    interruption: type[BaseException],
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()

    def half_a_copy(source: Path, partial: Path) -> None:
        partial.write_bytes(source.read_bytes()[:8192])
        raise interruption("could not copy: No space left on device")

    monkeypatch.setattr(backup, "_copy", half_a_copy)

    result = run(environment, "db", "backup", str(folder / "backup.sqlite3"))

    assert result.exit_code == 1
    assert files_in(folder) == []


def test_db_verify_passes_a_backup_and_says_it_is_up_to_date(
    environment: dict[str, str], database: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "backup.sqlite3"
    run(environment, "db", "backup", str(copy))

    result = run(environment, "db", "verify", str(copy))

    assert result.exit_code == 0, result.output
    assert "integrity_check: ok; foreign_key_check: ok" in result.output
    assert f"Migrations: up to date ({LATEST})." in result.output


@pytest.mark.parametrize(
    ("damage", "finding"),
    [
        (smash, "damaged or not a SQLite database: database disk image is malformed"),
        (miscount_free_pages, "integrity_check: *** in database main ***"),
    ],
)
def test_db_verify_refuses_a_damaged_copy(
    environment: dict[str, str],
    database: Path,
    tmp_path: Path,
    damage: Callable[[Path], None],
    finding: str,
) -> None:
    copy = tmp_path / "backup.sqlite3"
    run(environment, "db", "backup", str(copy))
    damage(copy)

    result = run(environment, "db", "verify", str(copy))

    assert result.exit_code == 1
    assert finding in result.output
    assert "integrity_check: ok" not in result.output
    assert f"{copy} is not a usable backup" in result.output


def test_db_verify_refuses_a_file_that_is_not_a_database(
    environment: dict[str, str], tmp_path: Path
) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all " * 500)

    result = run(environment, "db", "verify", str(junk))

    assert result.exit_code == 1
    assert "damaged or not a SQLite database: file is not a database" in result.output


def test_db_verify_refuses_a_database_that_is_not_the_apps(
    environment: dict[str, str], tmp_path: Path
) -> None:
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")

    result = run(environment, "db", "verify", str(other))

    assert result.exit_code == 1
    assert "Not a wellness database" in result.output


def test_db_verify_refuses_a_broken_reference(environment: dict[str, str], database: Path) -> None:
    with sqlite3.connect(database) as connection:  # foreign keys are off in a plain connection
        connection.execute(
            "INSERT INTO care_team_members (started_at, patient_id, therapist_id)"
            " VALUES ('2026-11-01 09:00:00+00:00', 998, 999)"
        )

    result = run(environment, "db", "verify", str(database))

    assert result.exit_code == 1
    assert "foreign_key_check: care_team_members row 1 refers to a missing users" in result.output


def test_db_verify_says_how_far_behind_an_older_backup_is(
    environment: dict[str, str], tmp_path: Path
) -> None:
    older = tmp_path / "older.sqlite3"
    with sqlite3.connect(older) as connection:
        connection.execute(
            "CREATE TABLE tortoise_migrations (id INTEGER PRIMARY KEY, app TEXT, name TEXT)"
        )
        connection.executemany(
            "INSERT INTO tortoise_migrations (app, name) VALUES ('wellness', ?)",
            [(name,) for name in backup.known_migrations()[:-2]],
        )

    result = run(environment, "db", "verify", str(older))

    assert result.exit_code == 0, result.output
    assert f"Migrations: 2 behind this version (latest {backup.known_migrations()[-3]}" in (
        result.output
    )


def test_db_verify_refuses_a_backup_from_a_newer_version(
    environment: dict[str, str], database: Path
) -> None:
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO tortoise_migrations (app, name, applied_at)"
            " VALUES ('wellness', '9999_from_the_future', '2027-01-01 00:00:00+00:00')"
        )

    result = run(environment, "db", "verify", str(database))

    assert result.exit_code == 1
    assert "Migrations this version lacks: 9999_from_the_future" in result.output


def _app_settings(environment: dict[str, str]) -> Settings:
    return load_settings(
        {**environment, "WELLNESS_SECRET_KEY": "test-secret-key-that-is-long-enough-to-pass"}
    ).replace(memory_stores=True)


def _record(database: Path, *, with_practice: bool, note: str) -> None:
    """The patient persona (created if missing) with a check-in, and a practice if asked."""
    persona = PERSONAS["patient"]

    async def write() -> None:
        patient = await User.get_or_none(email=persona.email)
        if patient is None:
            patient = await accounts.create_user(
                email=persona.email,
                display_name=persona.display_name,
                role=persona.role,
                time_zone=persona.time_zone,
                password_hash=persona_password_hash(),
            )
        policy = CarePolicy()
        entry = checkins.CheckinInput(level=4, note=note, occurred_at=TEST_NOW)
        await checkins.record_checkin(patient, entry, policy=policy, now=TEST_NOW)
        if with_practice:
            done = practice.PracticeInput(
                started_at=TEST_NOW - timedelta(hours=2),
                listened_seconds=600,
                kind=Kind.BREATHING,
                completed=True,
            )
            await practice.log_practice(patient, done, policy=policy, now=TEST_NOW)

    with open_orm(f"sqlite://{database}") as orm:
        orm.run(write())


def test_the_restore_drill_serves_the_backed_up_data_and_keeps_the_database_it_replaced(
    environment: dict[str, str], database: Path, tmp_path: Path
) -> None:
    _record(database, with_practice=True, note="before the backup")
    copy = tmp_path / "backup.sqlite3"
    assert run(environment, "db", "backup", str(copy)).exit_code == 0
    _record(database, with_practice=False, note="after the backup")

    result = run(environment, "db", "restore", str(copy), "--yes")

    kept = tmp_path / f"cli.sqlite3.before-restore-{STAMP}"
    assert result.exit_code == 0, result.output
    assert f"Kept the database it replaced as {kept}." in result.output
    assert f"Restored {copy} into {database}." in result.output
    assert column(kept, "SELECT note FROM checkins ORDER BY id") == [
        "before the backup",
        "after the backup",
    ]
    app = create_app(_app_settings(environment), clock=FixedClock(TEST_NOW))
    with Client(app, base_url=BASE_URL) as client:
        client.login_as(PERSONAS["patient"])
        ratings = client.get("/api/v1/checkins")
        practices = client.get("/api/v1/practice")
    assert (ratings.status_code, practices.status_code) == (200, 200)
    assert [item["note"] for item in ratings.json()["items"]] == ["before the backup"]
    assert [(item["kind"], item["listened_seconds"]) for item in practices.json()["items"]] == [
        ("breathing", 600)
    ]


def test_db_restore_refuses_while_the_app_has_the_database_open(
    environment: dict[str, str], database: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "backup.sqlite3"
    run(environment, "db", "backup", str(copy))
    _record(database, with_practice=False, note="live")
    app = create_app(_app_settings(environment), clock=FixedClock(TEST_NOW))

    with Client(app, base_url=BASE_URL) as client:
        client.login_as(PERSONAS["patient"])
        result = run(environment, "db", "restore", str(copy), "--yes")
        still_served = client.get("/api/v1/checkins")

    assert result.exit_code == 1
    assert f"{database} is in use (is the app running?)" in result.output
    assert [item["note"] for item in still_served.json()["items"]] == ["live"]
    assert files_in(tmp_path) == sorted(["backup.sqlite3", "cli.sqlite3", "data"])


def test_db_restore_refuses_a_damaged_backup_and_leaves_the_database_alone(
    environment: dict[str, str], database: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "backup.sqlite3"
    run(environment, "db", "backup", str(copy))
    smash(copy)
    before = database.read_bytes()

    result = run(environment, "db", "restore", str(copy), "--yes")

    assert result.exit_code == 1
    assert f"not restoring {copy}" in result.output
    assert database.read_bytes() == before
    assert files_in(tmp_path) == sorted(["backup.sqlite3", "cli.sqlite3", "data"])


def test_db_restore_keeps_what_a_crashed_app_left_in_its_wal(
    environment: dict[str, str], database: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "backup.sqlite3"
    run(environment, "db", "backup", str(copy))
    crash_after_commit(database, "INSERT INTO instance_flags (key, value) VALUES ('late', 'wal')")

    result = run(environment, "db", "restore", str(copy), "--yes")

    kept = tmp_path / f"cli.sqlite3.before-restore-{STAMP}"
    late = "SELECT value FROM instance_flags WHERE key = 'late'"
    assert result.exit_code == 0, result.output
    assert column(kept, late) == ["wal"]  # moved out of the -wal file before it was set aside
    assert column(database, late) == []
    assert files_in(tmp_path) == sorted(["backup.sqlite3", "cli.sqlite3", kept.name, "data"])


def test_db_restore_of_an_older_backup_is_brought_forward_by_upgrade(
    environment: dict[str, str], database: Path, tmp_path: Path
) -> None:
    older = tmp_path / "older.sqlite3"  # made before the latest migration
    asyncio.run(upgrade(f"sqlite://{older}", target=f"wellness.{backup.known_migrations()[-2]}"))

    restored = run(environment, "db", "restore", str(older), "--yes")
    upgraded = run(environment, "db", "upgrade")

    assert restored.exit_code == 0, restored.output
    assert "Migrations: 1 behind this version" in restored.output
    assert upgraded.output.strip() == f"Applied: wellness.{LATEST}"
    assert "named" in column(database, "SELECT name FROM pragma_table_info('suggestion_follows')")


def test_db_restore_asks_first(environment: dict[str, str], database: Path, tmp_path: Path) -> None:
    copy = tmp_path / "backup.sqlite3"
    run(environment, "db", "backup", str(copy))
    before = database.read_bytes()

    result = run(environment, "db", "restore", str(copy), stdin="n\n")

    assert result.exit_code == 1
    assert "Aborted" in result.output
    assert database.read_bytes() == before


def test_db_restore_on_postgresql_gives_the_pg_restore_line(
    environment: dict[str, str], tmp_path: Path
) -> None:
    url = "postgresql://clinic:s3cret@db.internal/wellness"

    result = run(
        {**environment, "WELLNESS_DATABASE_URL": url}, "db", "restore", "nightly.dump", "--yes"
    )

    assert result.exit_code == 1
    assert (
        "pg_restore --clean --if-exists --host=db.internal --username=clinic --dbname=wellness"
        " nightly.dump"
    ) in result.output
    assert "s3cret" not in result.output


def test_no_partial_file_outlives_a_refused_restore(
    environment: dict[str, str], database: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "backup.sqlite3"
    run(environment, "db", "backup", str(copy))
    stray = Path(f"{database}-wal")
    os.remove(database)
    stray.write_bytes(b"frames of some other database")

    result = run(environment, "db", "restore", str(copy), "--yes")

    assert result.exit_code == 1
    assert f"{stray} holds data no database owns" in result.output
    assert files_in(tmp_path) == sorted(["backup.sqlite3", "cli.sqlite3-wal", "data"])


def test_db_restore_signs_everyone_out(
    environment: dict[str, str], database: Path, tmp_path: Path
) -> None:
    _record(database, with_practice=False, note="before the backup")
    copy = tmp_path / "backup.sqlite3"
    run(environment, "db", "backup", str(copy))
    settings = _app_settings(environment).replace(memory_stores=False)
    with Client(create_app(settings, clock=FixedClock(TEST_NOW)), base_url=BASE_URL) as client:
        client.login_as(PERSONAS["patient"])
        cookies = dict(client.cookies)
        assert client.get("/api/v1/checkins").status_code == 200

    result = run(environment, "db", "restore", str(copy), "--yes")

    assert result.exit_code == 0, result.output
    assert "Signed everyone out." in result.output
    assert list((tmp_path / "data" / "sessions").iterdir()) == []
    with Client(create_app(settings, clock=FixedClock(TEST_NOW)), base_url=BASE_URL) as client:
        client.cookies.update(cookies)
        assert client.get("/api/v1/checkins").status_code == 401
