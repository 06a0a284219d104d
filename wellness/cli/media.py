"""`wellness media ...`: bulk import, the orphan sweeper and the integrity checker."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from wellness.catalog.kinds import Kind
from wellness.cli.common import command_clock, command_settings, run_with_database

if TYPE_CHECKING:
    from wellness.catalog.importer import ImportOutcome
    from wellness.catalog.maintenance import DamagedAsset, OrphanFile


@click.group()
def media() -> None:
    """Manage stored media files."""


@media.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--kind",
    type=click.Choice([kind.value for kind in Kind]),
    help="Also create a draft session of this kind for every newly imported file.",
)
def import_folder(folder: Path, kind: str | None) -> None:
    """Import every media file below FOLDER. Safe to re-run: identical files are skipped."""
    from wellness.catalog.importer import candidate_files, import_file
    from wellness.catalog.storage import LocalMediaStore

    settings, importing_clock = command_settings(), command_clock()
    store = LocalMediaStore(settings.media_dir)
    files = list(candidate_files(folder))
    chosen_kind = Kind(kind) if kind else None

    async def work() -> list[ImportOutcome]:
        outcomes = []
        with click.progressbar(
            length=len(files), label="Importing", show_pos=True, file=sys.stderr
        ) as bar:
            for path in files:
                bar.update(1)
                outcomes.append(
                    await import_file(
                        store,
                        path,
                        kind=chosen_kind,
                        now=importing_clock.now(),
                        max_duration_seconds=settings.max_media_minutes * 60,
                    )
                )
        return outcomes

    outcomes = run_with_database(settings, work) if files else []
    _print_outcomes(folder, outcomes)
    if any(outcome.status == "rejected" for outcome in outcomes):
        raise SystemExit(1)


def _print_outcomes(folder: Path, rows: Sequence[ImportOutcome]) -> None:
    if not rows:
        click.echo(f"No files found in {folder}.")
        return
    width = max(len(str(row.path.relative_to(folder))) for row in rows)
    click.echo(f"{'file':<{width}}  {'result':<9}  detail")
    for row in rows:
        extra = f" (session {row.session_id})" if row.session_id else ""
        click.echo(
            f"{row.path.relative_to(folder)!s:<{width}}  {row.status:<9}  {row.detail}{extra}"
        )
    totals = {
        status: sum(row.status == status for row in rows)
        for status in ("imported", "duplicate", "rejected")
    }
    imported, duplicate, rejected = totals["imported"], totals["duplicate"], totals["rejected"]
    click.echo(f"{imported} imported, {duplicate} already present, {rejected} rejected.")


@media.command("check")
def check() -> None:
    """Report stored assets whose file is missing or whose bytes no longer match their hash
    (exit status 1), and stored files no asset refers to. Changes nothing."""
    from wellness.catalog.maintenance import find_damaged_assets, find_orphan_files
    from wellness.catalog.storage import LocalMediaStore

    settings = command_settings()
    store = LocalMediaStore(settings.media_dir)

    async def work() -> tuple[list[DamagedAsset], list[OrphanFile]]:
        return await find_damaged_assets(store), await find_orphan_files(store)

    problems, orphans = run_with_database(settings, work)
    for problem in problems:
        click.echo(f"asset {problem.asset_id}: {problem.reason} ({problem.key})")
    click.echo(
        f"{len(problems)} problem(s) found." if problems else "Every stored asset is intact."
    )
    for orphan in orphans:
        changed = orphan.modified_at.strftime("%Y-%m-%d %H:%M UTC")
        click.echo(
            f"no asset refers to {orphan.key} ({orphan.size_bytes:,} bytes, last changed {changed})"
        )
    if orphans:
        click.echo(
            f"{len(orphans)} file(s) no asset refers to: left by a crash or a failed deletion, or "
            "an upload still finishing. `wellness media sweep` removes them once they are older "
            "than its grace period."
        )
    if problems:
        raise SystemExit(1)


@media.command("sweep")
@click.option("--grace-hours", default=24, show_default=True, type=click.IntRange(1, 24 * 365))
def sweep(grace_hours: int) -> None:
    """Delete unreferenced stored files and abandoned partial uploads past the grace period."""
    from wellness.catalog.maintenance import sweep_orphans
    from wellness.catalog.storage import LocalMediaStore

    settings, now = command_settings(), command_clock().now()
    store = LocalMediaStore(settings.media_dir)
    removed = run_with_database(
        settings, lambda: sweep_orphans(store, grace_seconds=grace_hours * 3600, now=now)
    )
    for key in removed:
        click.echo(f"removed {key}")
    click.echo(f"{len(removed)} file(s) removed.")
