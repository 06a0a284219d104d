"""Fixtures for the `wellness` command tests: a database and media folder of their own."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def restore_process_environment() -> Iterator[None]:
    # `serve` exports settings for its worker processes; keep them out of other tests.
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    return {
        "WELLNESS_DATA_DIR": str(tmp_path / "data"),
        "WELLNESS_DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}",
        "WELLNESS_MEDIA_DIR": str(tmp_path / "media"),
    }
