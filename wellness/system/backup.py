"""Backups of the embedded SQLite database: copy it while the app runs, check a copy, restore one.

Standard library only (no ORM), so the commands work on a database the app cannot open. A copy
is made with SQLite's online backup API, never by copying the file: a file copy of a live WAL
database misses the commits still in the -wal file and can catch a page half-written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import pkgutil
import shlex
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import wellness.migrations
from wellness.db import sqlite_path
from wellness.lib.clock import as_utc
from wellness.lib.durable import fsync_directory, fsync_file

APP_LABEL = "wellness"  # the app's label in the migrations table (wellness.db.APP_LABEL)
MIGRATIONS_TABLE = "tortoise_migrations"
# Counted in every report: enough to see at a glance that a copy holds the clinic's data.
KEY_TABLES = ("users", "checkins", "practice_logs", "practice_sessions", "audit_events")
SIDECARS = ("-wal", "-shm", "-journal")


class BackupError(Exception):
    """A backup, check or restore did not happen; the message says why."""


@dataclasses.dataclass(frozen=True, slots=True)
class Report:
    """What `check` found in a database file."""

    path: Path
    size: int
    damage: tuple[str, ...]  # integrity_check and foreign_key_check findings, or why unreadable
    tables: int = 0
    rows: dict[str, int] = dataclasses.field(default_factory=dict)
    applied: frozenset[str] | None = None  # the app's migrations in the file; None: no table

    @property
    def missing(self) -> list[str]:
        """This version's migrations that the file has not had (it predates them)."""
        return sorted(set(known_migrations()) - (self.applied or frozenset()))

    @property
    def unknown(self) -> list[str]:
        """Migrations in the file that this version does not have (a newer version made it)."""
        return sorted((self.applied or frozenset()) - set(known_migrations()))

    @property
    def latest(self) -> str | None:
        return max(self.applied) if self.applied else None

    @property
    def problems(self) -> list[str]:
        """Why this file cannot be restored by this version; empty when it can."""
        found = list(self.damage)
        if not self.damage and not self.applied:
            found.append(f"not a wellness database: no {APP_LABEL} migrations in it")
        if self.unknown:
            found.append(
                "made by a newer version of wellness: it has migrations this version lacks: "
                + ", ".join(self.unknown)
            )
        return found


@functools.cache
def known_migrations() -> list[str]:
    """This version's migration names in order (numbered; the loader's rule for modules)."""
    return sorted(
        name
        for _, name, is_package in pkgutil.iter_modules(wellness.migrations.__path__)
        if not is_package and name[0] not in "_~"
    )


def back_up_database(
    database_url: str, dest: str | None, *, data_dir: Path, now: datetime, force: bool = False
) -> Report:
    """`back_up` the database `database_url` names to `destination(dest)`."""
    if not _is_sqlite(database_url):
        raise BackupError(
            "WELLNESS_DATABASE_URL names a PostgreSQL database: back it up with pg_dump,\n  "
            + pg_dump_command(database_url, dest or "wellness.dump")
        )
    source = database_file(database_url)
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    return back_up(source, destination(dest, data_dir=data_dir, now=now), force=force)


def restore_database(
    database_url: str, backup: Path, *, now: datetime
) -> tuple[Report, Path, Path | None]:
    """`restore` `backup` into the database `database_url` names; answers the backup's report,
    the database file, and where the one it replaced was kept."""
    if not _is_sqlite(database_url):
        raise BackupError(
            "WELLNESS_DATABASE_URL names a PostgreSQL database: restore a pg_dump with\n  "
            + pg_restore_command(database_url, str(backup))
        )
    target = database_file(database_url)
    report, kept = restore(backup, target, now=now)
    return report, target, kept


def _is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite")  # as Settings.is_sqlite


def database_file(database_url: str) -> Path:
    """The file of a `sqlite://PATH` URL."""
    path = sqlite_path(database_url)
    if path in {"", ":memory:"}:
        raise BackupError("WELLNESS_DATABASE_URL names an in-memory database: nothing to copy")
    return Path(path)


def pg_dump_command(database_url: str, dest: str) -> str:
    """The pg_dump command line for a PostgreSQL URL, without its password (pg_dump reads
    PGPASSWORD or ~/.pgpass) and without the app's own query options (`?maxsize=`)."""
    server, name = _pg_target(database_url)
    return shlex.join(["pg_dump", "--format=custom", f"--file={dest}", *server, name])


def pg_restore_command(database_url: str, dump: str) -> str:
    """The pg_restore command line that loads a `pg_dump_command` dump into the URL's database."""
    server, name = _pg_target(database_url)
    return shlex.join(["pg_restore", "--clean", "--if-exists", *server, f"--dbname={name}", dump])


def _pg_target(database_url: str) -> tuple[list[str], str]:
    """libpq options naming the server and the user, and the database's name."""
    parts = urlsplit(database_url)
    server = []
    if parts.hostname:
        server.append(f"--host={parts.hostname}")
    if parts.port:
        server.append(f"--port={parts.port}")
    if parts.username:
        server.append(f"--username={unquote(parts.username)}")
    return server, unquote(parts.path.lstrip("/")) or "postgres"


def stamp(now: datetime) -> str:
    return as_utc(now).strftime("%Y%m%dT%H%M%SZ")


def destination(dest: str | None, *, data_dir: Path, now: datetime) -> Path:
    """Where a backup goes: DEST; a file named by the time inside DEST when it is a folder (or
    ends in "/"); by default that file in the data folder's `backups/` (created, owner-only)."""
    name = f"wellness-{stamp(now)}.sqlite3"
    if dest is None:
        folder = data_dir / "backups"
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise BackupError(f"cannot create {folder}: {error.strerror}") from None
        return folder / name
    if Path(dest).is_dir() or dest.endswith(os.sep):
        return Path(dest) / name
    return Path(dest)


def back_up(source: Path, dest: Path, *, force: bool = False) -> Report:
    """Copy the database `source` to `dest`, checked, or raise `BackupError` leaving no file.

    1. Copy through the online backup API into a temporary file beside `dest`.
    2. Run integrity_check and foreign_key_check on the copy.
    3. fsync the copy, then move it to `dest` in one step, and fsync the folder.
    """
    _refuse_destination(source, dest, force=force)
    partial, report = _checked_copy(source, dest.parent)
    try:
        _publish(partial, dest, replace=force)
    finally:
        _remove(partial)
    fsync_directory(dest.parent)
    return dataclasses.replace(report, path=dest)


def check(path: Path) -> Report:
    """Read-only checks of a database file: integrity, foreign keys, migrations, row counts."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error.strerror}") from None
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    try:
        with _read_only(path) as connection:
            return _inspect(connection, path, size)
    except sqlite3.DatabaseError as error:
        return Report(path, size, damage=(f"damaged or not a SQLite database: {error}",))


def restore(backup: Path, target: Path, *, now: datetime) -> tuple[Report, Path | None]:
    """Put a checked copy of `backup` in place of the database file `target`; answers the
    backup's report and where the database it replaced was kept (None if there was none).

    1. Refuse a backup that fails `check`, then copy and check it beside `target`.
    2. Take `target` out of WAL mode: that needs every other connection closed (else "in use",
       nothing changed), and moves the commits still in its -wal file into it.
    3. Keep `target` as `<name>.before-restore-<time>`, then move the copy into its place.
    """
    report = check(backup)
    if report.problems:
        raise BackupError(f"not restoring {backup}: " + "; ".join(report.problems))
    if target.exists() and backup.resolve() == target.resolve():
        raise BackupError(f"{backup} is the database itself")
    if not target.parent.is_dir():
        raise BackupError(f"directory {target.parent} does not exist")
    kept = target.with_name(f"{target.name}.before-restore-{stamp(now)}")
    replacing = target.exists()
    partial, _ = _checked_copy(backup, target.parent)
    try:
        if replacing:
            _take_out_of_wal(target)
            _keep(target, kept, partial)
        else:
            _refuse_stray_sidecars(target)
        os.replace(partial, target)
    finally:
        _remove(partial)
    fsync_directory(target.parent)
    return report, kept if replacing else None


def _refuse_destination(source: Path, dest: Path, *, force: bool) -> None:
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    folder = dest.parent
    if not folder.is_dir():
        raise BackupError(f"directory {folder} does not exist")
    if dest.exists() and dest.resolve() == source.resolve():
        raise BackupError(f"{dest} is the database itself")
    if dest.exists() and not force:
        raise BackupError(f"{dest} exists; pass --force to replace it")


def _checked_copy(source: Path, folder: Path) -> tuple[Path, Report]:
    """A checked, fsynced copy of `source` in a temporary file in `folder` (owner-only), and
    what `check` found in it."""
    try:
        handle, name = tempfile.mkstemp(prefix=".wellness-backup-", suffix=".partial", dir=folder)
    except OSError as error:
        raise BackupError(f"cannot write in {folder}: {error.strerror}") from None
    os.close(handle)
    partial = Path(name)
    try:
        _copy(source, partial)
        report = check(partial)
        if report.damage:
            raise BackupError(
                f"the copy of {source} failed its checks: " + "; ".join(report.damage)
            )
        fsync_file(partial)
    except BaseException:
        _remove(partial)
        raise
    return partial, report


def _copy(source: Path, partial: Path) -> None:
    # mode=rw: never creates a missing file. It only reads; like any connection, the last one
    # to close moves what is in the -wal file into the database and removes the -wal.
    reader = sqlite3.connect(source.resolve().as_uri() + "?mode=rw", uri=True)
    try:
        with contextlib.closing(reader), contextlib.closing(sqlite3.connect(partial)) as copy:
            # All pages in one step: one read transaction, so a snapshot of the last commit
            # before it, while the app goes on writing (readers never block writers in WAL
            # mode). Copying in several steps would restart whenever the app commits.
            reader.backup(copy)
            # A backup is one self-contained file, never a database with a -wal beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise BackupError(f"could not copy {source}: {error}") from None
    except OSError as error:
        raise BackupError(f"could not copy {source}: {error.strerror}") from None


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    # mode=ro: never creates a missing file, never writes to the database (a WAL database opened
    # so keeps an empty -wal and -shm beside it).
    uri = path.resolve().as_uri() + "?mode=ro"
    connection = sqlite3.connect(uri, uri=True)
    try:
        yield connection
    finally:
        connection.close()


def _inspect(connection: sqlite3.Connection, path: Path, size: int) -> Report:
    damage = [
        f"integrity_check: {row[0]}"
        for row in connection.execute("PRAGMA integrity_check(20)")
        if row[0] != "ok"
    ]
    violations = connection.execute("PRAGMA foreign_key_check").fetchall()
    damage += [
        f"foreign_key_check: {table} row {rowid} refers to a missing {parent}"
        for table, rowid, parent, _ in violations[:20]
    ]
    tables = {
        str(row[0])
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    # Table names come from the constant KEY_TABLES, found in sqlite_master.
    rows = {
        table: int(connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])  # noqa: S608
        for table in KEY_TABLES
        if table in tables
    }
    applied = None
    if MIGRATIONS_TABLE in tables:
        found = connection.execute(
            f"SELECT name FROM {MIGRATIONS_TABLE} WHERE app = ?",  # noqa: S608
            (APP_LABEL,),
        )
        applied = frozenset(str(row[0]) for row in found)
    return Report(path, size, tuple(damage), len(tables), rows, applied)


def _publish(partial: Path, dest: Path, *, replace: bool) -> None:
    if replace:
        os.replace(partial, dest)
        return
    try:
        os.link(partial, dest)  # fails if dest appeared meanwhile: never overwrites
    except FileExistsError:
        raise BackupError(f"{dest} exists; pass --force to replace it") from None
    except OSError:  # a filesystem without hard links
        if dest.exists():
            raise BackupError(f"{dest} exists; pass --force to replace it") from None
        os.replace(partial, dest)


def _take_out_of_wal(target: Path) -> None:
    try:
        with contextlib.closing(sqlite3.connect(target, timeout=0)) as connection:
            connection.execute("PRAGMA journal_mode=DELETE").fetchall()
    except sqlite3.DatabaseError as error:
        if error.sqlite_errorname in {"SQLITE_BUSY", "SQLITE_LOCKED"}:
            raise BackupError(
                f"{target} is in use (is the app running?): stop it, then restore"
            ) from None
        raise BackupError(f"cannot open {target} ({error}): restore by hand (README)") from None
    _refuse_stray_sidecars(target)


def _refuse_stray_sidecars(target: Path) -> None:
    """A -wal file next to the restored database would be replayed into it: refuse one that
    holds anything; an empty one, and a -shm, are removed."""
    for suffix in SIDECARS:
        sidecar = target.with_name(target.name + suffix)
        if not sidecar.exists():
            continue
        if suffix != "-shm" and sidecar.stat().st_size > 0:
            raise BackupError(f"{sidecar} holds data no database owns: move it away first")
        sidecar.unlink()


def _keep(target: Path, kept: Path, partial: Path) -> None:
    """Keep the database `target` as `kept`, and give `partial` its owner and permissions."""
    info = target.stat()
    try:
        os.link(target, kept)
    except FileExistsError:
        raise BackupError(f"{kept} exists already; try again in a second") from None
    except OSError:  # a filesystem without hard links
        shutil.copyfile(target, kept)
        fsync_file(kept)
    os.chmod(partial, info.st_mode & 0o777)
    if os.geteuid() == 0:  # restoring as root for an app that runs as its own user
        os.chown(partial, info.st_uid, info.st_gid)
    fsync_directory(target.parent)


def _remove(partial: Path) -> None:
    for path in (partial, *(partial.with_name(partial.name + s) for s in SIDECARS)):
        path.unlink(missing_ok=True)
