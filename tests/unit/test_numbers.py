"""Numbers read from outside: ASCII digits only, bounded in length, range-checked."""

from __future__ import annotations

import pytest

from wellness.lib.numbers import MAX_ID, ascii_digits, record_id, whole_number
from wellness.lib.validation import FieldError

NOT_ASCII_DIGITS = [
    "\u00b2",
    "\u0669",
    "\uff19",
    "1\u00b2",
    "\u0661\u0660",
    "",
    " ",
    "-1",
    "+1",
    "1e3",
]


@pytest.mark.parametrize("text", NOT_ASCII_DIGITS)
def test_only_ascii_digits_are_a_number(text: str) -> None:
    assert ascii_digits(text, max_digits=5) is None


def test_ascii_digits_are_read_up_to_the_length_given() -> None:
    assert ascii_digits("00042", max_digits=5) == 42
    assert ascii_digits("123456", max_digits=5) is None


def test_five_thousand_digits_are_refused_without_reaching_int() -> None:
    assert ascii_digits("1" * 5000, max_digits=10) is None


@pytest.mark.parametrize("text", ["\u0669", "\uff19", "\u00b2", "11", "1" * 5000, "1.0", "x"])
def test_a_rating_outside_the_scale_names_its_field(text: str) -> None:
    with pytest.raises(FieldError) as refused:
        whole_number(text, field="level", low=0, high=10, message="Choose a number from 0 to 10.")
    assert refused.value.field == "level"
    assert refused.value.message == "Choose a number from 0 to 10."


def test_surrounding_spaces_are_ignored_and_the_bounds_are_included() -> None:
    assert whole_number(" 0 ", field="level", low=0, high=10) == 0
    assert whole_number("10", field="level", low=0, high=10) == 10


def test_the_default_message_gives_the_range() -> None:
    with pytest.raises(FieldError, match="from 1 to 360"):
        whole_number("0", field="minutes", low=1, high=360)


@pytest.mark.parametrize("text", ["0", str(MAX_ID + 1), str(2**70), "\u0669"])
def test_a_record_id_is_from_one_to_the_largest_id(text: str) -> None:
    with pytest.raises(FieldError) as refused:
        record_id(text, field="therapist_id")
    assert refused.value.field == "therapist_id"


def test_the_largest_id_is_an_id() -> None:
    assert record_id(str(MAX_ID), field="session_id") == MAX_ID
