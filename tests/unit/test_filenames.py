from __future__ import annotations

import pytest

from wellness.lib.filenames import display_filename


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("breathing.mp3", "breathing.mp3"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\cora\\Morning Yoga.m4a", "Morning Yoga.m4a"),
        ("evil\x00.mp3", "evil.mp3"),
        ("bell\x07\x1b[31m.wav", "bell[31m.wav"),
        ("invoice\u202egpj.mp3", "invoicegpj.mp3"),
        ("  spaced   out  .ogg", "spaced out .ogg"),
        ("...", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_client_file_names_become_harmless_display_text(given: str | None, kept: str) -> None:
    assert display_filename(given) == kept


def test_a_thousand_character_name_is_cut_keeping_its_extension() -> None:
    kept = display_filename("a" * 1000 + ".flac")
    assert len(kept) == 255
    assert kept.endswith(".flac")
