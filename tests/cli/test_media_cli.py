"""`wellness media import | check | sweep` against a real database and media folder."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli.test_cli import rows, run
from tests.media_fixtures import make_flac, make_wav, write_bytes
from wellness.lib.clock import FixedClock


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "incoming-media"
    folder.mkdir()
    make_wav(folder, seconds=3.0, name="morning_breath.wav", title="Morning Breath")
    (folder / "nested").mkdir()
    make_flac(folder / "nested", name="body-scan.flac")
    write_bytes(folder, "notes.mp3", b"not audio at all\n" * 10)
    write_bytes(folder, ".hidden.wav", b"ignored")
    return folder


def media_files(environment: dict[str, str]) -> list[Path]:
    return sorted(
        path for path in Path(environment["WELLNESS_MEDIA_DIR"]).rglob("*") if path.is_file()
    )


def test_it_imports_a_folder_and_reports_each_file(
    environment: dict[str, str], library: Path
) -> None:
    result = run(environment, "media", "import", str(library), "--kind", "breathing")
    assert result.exit_code == 1  # one file was rejected
    assert re.search(
        r"morning_breath\.wav\s+imported\s+wav, 0\.1 min \(session \d+\)", result.output
    )
    assert "nested/body-scan.flac" in result.output
    assert "notes.mp3" in result.output
    assert "rejected" in result.output
    assert "2 imported, 0 already present, 1 rejected." in result.output
    assert ".hidden" not in result.output
    assert rows(environment, "SELECT COUNT(*) FROM media_assets") == [(2,)]
    sessions = rows(environment, "SELECT title, kind, status FROM practice_sessions ORDER BY title")
    assert sessions == [
        ("Morning Breath", "breathing", "draft"),
        ("body scan", "breathing", "draft"),
    ]
    assert len(media_files(environment)) == 2


def test_running_the_import_again_changes_nothing(
    environment: dict[str, str], library: Path
) -> None:
    run(environment, "media", "import", str(library), "--kind", "yoga")
    again = run(environment, "media", "import", str(library), "--kind", "yoga")
    assert "0 imported, 2 already present, 1 rejected." in again.output
    assert rows(environment, "SELECT COUNT(*) FROM media_assets") == [(2,)]
    assert rows(environment, "SELECT COUNT(*) FROM practice_sessions") == [(2,)]
    assert len(media_files(environment)) == 2


def test_an_empty_folder_says_so(environment: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(environment, "media", "import", str(empty))
    assert result.exit_code == 0
    assert "No files found" in result.output


def test_the_checker_reports_missing_and_altered_files(
    environment: dict[str, str], library: Path
) -> None:
    run(environment, "media", "import", str(library))
    assert run(environment, "media", "check").output.strip() == "Every stored asset is intact."
    stored = media_files(environment)
    stored[0].write_bytes(b"tampered")
    stored[1].unlink()
    result = run(environment, "media", "check")
    assert result.exit_code == 1
    assert "file content does not match its hash" in result.output
    assert "file is missing" in result.output
    assert rows(environment, "SELECT COUNT(*) FROM media_assets") == [(2,)]


def test_the_sweeper_removes_only_old_unreferenced_files(
    environment: dict[str, str], library: Path
) -> None:
    run(environment, "media", "import", str(library))
    root = Path(environment["WELLNESS_MEDIA_DIR"])
    orphan = root / "objects" / "ab" / ("ab" + "0" * 62 + ".mp3")
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left behind by a crash")
    fresh_orphan = root / "objects" / "cd" / ("cd" + "0" * 62 + ".mp3")
    fresh_orphan.parent.mkdir(parents=True, exist_ok=True)
    fresh_orphan.write_bytes(b"an upload still finishing")
    partial = root / "incoming" / "abandoned.part"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"half")
    # Judged by the command's clock, not the machine's: a day is 24 h of the clock given.
    now = datetime(2031, 5, 6, 7, 8, tzinfo=UTC)
    for path, age in ((orphan, 25), (partial, 25), (fresh_orphan, 23)):
        moment = (now - timedelta(hours=age)).timestamp()
        os.utime(path, (moment, moment))
    result = run(environment, "media", "sweep", clock=FixedClock(now))
    assert result.exit_code == 0
    assert "2 file(s) removed." in result.output
    assert not orphan.exists()
    assert not partial.exists()
    assert fresh_orphan.exists()
    assert run(environment, "media", "check").exit_code == 0


def test_the_checker_lists_files_no_asset_refers_to_and_changes_nothing(
    environment: dict[str, str], library: Path
) -> None:
    """Left by a crash between a deletion's commit and its unlink, or a failed unlink: reported
    (the sweeper removes them after its grace period), never a failure of the check."""
    run(environment, "media", "import", str(library))
    root = Path(environment["WELLNESS_MEDIA_DIR"])
    orphan = root / "objects" / "ab" / ("ab" + "0" * 62 + ".mp3")
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"the file of a deleted asset")
    moment = datetime(2026, 11, 20, 8, 15, tzinfo=UTC).timestamp()
    os.utime(orphan, (moment, moment))

    result = run(environment, "media", "check")

    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "Every stored asset is intact.",
        f"no asset refers to {orphan.name} (27 bytes, last changed 2026-11-20 08:15 UTC)",
        "1 file(s) no asset refers to: left by a crash or a failed deletion, or an upload still "
        "finishing. `wellness media sweep` removes them once they are older than its grace "
        "period.",
    ]
    assert orphan.exists()
    assert rows(environment, "SELECT COUNT(*) FROM media_assets") == [(2,)]
