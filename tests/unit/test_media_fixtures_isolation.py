"""Test media is encoded by PyAV in a child process only (`tests/media_fixtures.py`): a test
process that held PyAV's objects crashed in the garbage collector, during unrelated tests
(`test_media_validation.py`'s hypothesis tests, on Python 3.11)."""

from __future__ import annotations

import sys
from pathlib import Path

from tests import media_fixtures as mf


def test_making_test_media_never_loads_pyav_into_the_test_process(tmp_path: Path) -> None:
    made = [mf.make_mp3(tmp_path, 0.2), mf.make_m4a(tmp_path, 0.2), mf.make_opus(tmp_path, 0.2)]
    cover = mf.jpeg_bytes()

    assert all(path.stat().st_size > 0 for path in made)
    assert cover.startswith(b"\xff\xd8")  # a JPEG's start-of-image marker
    assert "av" not in sys.modules
