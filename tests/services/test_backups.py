"""Backups of the SQLite database through the online backup API: a consistent copy while the app
writes, holding what was committed, even what a crashed app left in its -wal file.

Each test builds its own SQLite file, so they run the same under a PostgreSQL test run.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.durable_calls import DurableCalls
from tests.services.conftest import open_orm
from tests.services.test_migrations import migration_names
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.checkins import services as checkins
from wellness.settings import CarePolicy
from wellness.system import backup

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _live_copy(migrated_sqlite: Path, tmp_path: Path) -> Path:
    source = tmp_path / "live.sqlite3"
    shutil.copyfile(migrated_sqlite, source)
    return source


def _column(path: Path, sql: str) -> list[object]:
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute(sql)]


def test_a_backup_taken_while_the_app_writes_holds_every_check_in_committed_before_it(
    migrated_sqlite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _live_copy(migrated_sqlite, tmp_path)
    with sqlite3.connect(source) as connection:  # ballast: the copy takes long enough to overlap
        connection.execute("CREATE TABLE ballast (data BLOB)")
        connection.executemany("INSERT INTO ballast VALUES (randomblob(65536))", [()] * 256)
    dest = tmp_path / "backup.sqlite3"
    committed: list[int] = []  # check-in ids, in the order their commits returned
    copying: list[int] = []  # how many had been committed when the copy began and ended
    copy_pages = backup._copy

    def watched_copy(source: Path, partial: Path) -> None:
        copying.append(len(committed))
        copy_pages(source, partial)
        copying.append(len(committed))

    monkeypatch.setattr(backup, "_copy", watched_copy)

    async def keep_writing(patient_id: int, under_way: asyncio.Event, stop: asyncio.Event) -> None:
        patient = await User.get(id=patient_id)
        while not stop.is_set():
            entry = checkins.CheckinInput(level=3, note="during the backup")
            recorded = await checkins.record_checkin(patient, entry, policy=CarePolicy(), now=NOW)
            committed.append(recorded.checkin.id)
            if len(committed) >= 5:
                under_way.set()

    async def back_up_meanwhile(patient_id: int) -> tuple[backup.Report, int]:
        under_way, stop = asyncio.Event(), asyncio.Event()
        writer = asyncio.create_task(keep_writing(patient_id, under_way, stop))
        await under_way.wait()
        before = len(committed)
        report = await asyncio.to_thread(backup.back_up, source, dest)
        stop.set()
        await writer
        return report, before

    with open_orm(f"sqlite://{source}") as orm:
        patient = orm.run(
            accounts.create_user(
                email="kai@example.org", display_name="Kai", role=Role.PATIENT, password_hash="x"
            )
        )
        report, before = orm.run(back_up_meanwhile(patient.id))

    copied = _column(dest, "SELECT id FROM checkins ORDER BY id")
    assert report.damage == ()
    assert copying[1] > copying[0], "no write landed while the pages were copied"
    assert len(copied) >= before
    assert copied == committed[: len(copied)]  # every commit up to one moment, none after it
    assert _column(dest, "PRAGMA integrity_check") == ["ok"]


def test_a_backup_leaves_out_a_transaction_still_open(
    migrated_sqlite: Path, tmp_path: Path
) -> None:
    source = _live_copy(migrated_sqlite, tmp_path)
    dest = tmp_path / "backup.sqlite3"
    writer = sqlite3.connect(source, isolation_level=None)
    writer.execute("INSERT INTO instance_flags (key, value) VALUES ('committed', 'yes')")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO instance_flags (key, value) VALUES ('open', 'not yet')")

    backup.back_up(source, dest)
    writer.execute("COMMIT")
    writer.close()

    keys = "SELECT key FROM instance_flags WHERE key IN ('committed', 'open') ORDER BY key"
    assert _column(dest, keys) == ["committed"]
    assert _column(source, keys) == ["committed", "open"]


def crash_after_commit(path: Path, statement: str) -> None:
    """Commit `statement` in another process that then dies without a checkpoint, leaving the
    commit in the -wal file only (as a killed app or a power cut would)."""
    script = (
        "import os, sqlite3, sys\n"
        "connection = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "connection.execute('PRAGMA journal_mode=WAL')\n"
        "connection.execute('PRAGMA wal_autocheckpoint=0')\n"
        "connection.execute(sys.argv[2])\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path), statement], check=True)


def test_a_backup_holds_the_commits_a_crashed_app_left_in_its_wal(
    migrated_sqlite: Path, tmp_path: Path
) -> None:
    source = _live_copy(migrated_sqlite, tmp_path)
    crash_after_commit(source, "INSERT INTO instance_flags (key, value) VALUES ('late', 'wal')")
    assert Path(f"{source}-wal").stat().st_size > 0
    file_copy = tmp_path / "file-copy.sqlite3"
    shutil.copyfile(source, file_copy)  # what a file copy of the database alone would hold
    dest = tmp_path / "backup.sqlite3"

    backup.back_up(source, dest)

    late = "SELECT value FROM instance_flags WHERE key = 'late'"
    assert _column(file_copy, late) == []
    assert _column(dest, late) == ["wal"]
    assert sorted(path.name for path in tmp_path.glob("backup.sqlite3*")) == ["backup.sqlite3"]


def test_the_backups_know_every_migration_in_the_order_upgrade_applies_them() -> None:
    assert backup.known_migrations() == asyncio.run(migration_names())


@pytest.mark.parametrize("force", [False, True], ids=["linked into place", "replacing a file"])
def test_a_backup_is_fsynced_before_it_takes_its_name_and_its_folder_after(
    migrated_sqlite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, force: bool
) -> None:
    source = _live_copy(migrated_sqlite, tmp_path)
    dest = tmp_path / "backups" / "wellness.sqlite3"
    dest.parent.mkdir()
    if force:
        dest.write_bytes(b"an older backup")
    calls = DurableCalls().install(monkeypatch)

    backup.back_up(source, dest, force=force)

    calls.assert_placed_durably(dest)
    assert backup.check(dest).problems == []


def test_a_restored_database_is_fsynced_before_it_takes_its_name_and_its_folder_after(
    migrated_sqlite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = tmp_path / "saved.sqlite3"
    backup.back_up(_live_copy(migrated_sqlite, tmp_path), saved)
    target = tmp_path / "data" / "wellness.sqlite3"
    target.parent.mkdir()
    shutil.copyfile(migrated_sqlite, target)  # the database it replaces
    calls = DurableCalls().install(monkeypatch)

    _, kept = backup.restore(saved, target, now=NOW)

    calls.assert_placed_durably(target)
    assert kept is not None
    assert kept.exists()
