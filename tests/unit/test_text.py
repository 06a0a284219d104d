"""One-line text: names, titles and search words as they are stored and shown."""

from __future__ import annotations

import pytest

from wellness.lib.text import BIDI_CONTROLS, one_line


@pytest.mark.parametrize("control", sorted(BIDI_CONTROLS))
def test_a_bidirectional_control_is_dropped_so_nothing_reads_reversed(control: str) -> None:
    assert one_line(f"Dr {control}esuoH") == "Dr esuoH"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Ann \t Example ", "Ann Example"),
        ("Ann\x00Example", "Ann Example"),
        ("Ann\u2028Example", "Ann Example"),
        ("نور الهدى", "نور الهدى"),  # right-to-left names carry their own direction
        # A direction mark reorders nothing after it.
        (
            "\u05d9\u05e2\u05dc\u200f\u05db\u05d4\u05df",
            "\u05d9\u05e2\u05dc\u200f\u05db\u05d4\u05df",
        ),
    ],
)
def test_it_keeps_the_words_of_every_script(typed: str, kept: str) -> None:
    assert one_line(typed) == kept
