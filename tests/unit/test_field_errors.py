"""Refused input names every field at fault, and code that shows one field still works."""

from __future__ import annotations

import pytest

from wellness.lib.validation import FieldError, FieldErrors


def test_one_refused_field_lists_itself() -> None:
    assert FieldError("note", "Too long.").errors == {"note": "Too long."}


def test_several_refused_fields_keep_their_order_and_lead_with_the_first() -> None:
    refused = FieldErrors({"end": "Before the start.", "max_minutes": "Shorter than the shortest."})

    assert isinstance(refused, FieldError)
    assert (refused.field, refused.message, str(refused)) == (
        "end",
        "Before the start.",
        "Before the start.",
    )
    assert list(refused.errors.items()) == [
        ("end", "Before the start."),
        ("max_minutes", "Shorter than the shortest."),
    ]


def test_the_errors_are_a_copy_the_caller_may_change() -> None:
    refused = FieldErrors({"end": "Before the start."})
    refused.errors["note"] = "changed"
    assert refused.errors == {"end": "Before the start."}


def test_no_refused_field_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        FieldErrors({})
