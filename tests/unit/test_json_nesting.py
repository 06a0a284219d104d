"""Over-deep JSON is told apart from its bytes, before a decoder recurses into it."""

from __future__ import annotations

import json

import pytest

from wellness.lib.json_nesting import too_deep


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("depth", [0, 1, 5, 32])
def test_nesting_up_to_the_limit_passes(depth: int) -> None:
    assert too_deep(nested(depth), 32) is False


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_nesting_past_the_limit_is_too_deep(depth: int) -> None:
    assert too_deep(nested(depth), 32) is True


def test_objects_count_like_arrays() -> None:
    assert too_deep(b'{"a":' * 40 + b"1" + b"}" * 40, 32) is True
    assert too_deep(b'{"a":' * 30 + b"1" + b"}" * 30, 32) is False


def test_brackets_inside_strings_are_text() -> None:
    body = json.dumps({"note": "[" * 5000, "tags": ["{" * 100, '\\"[[[']}).encode()
    assert too_deep(body, 32) is False


def test_many_shallow_lists_are_not_deep() -> None:
    body = json.dumps([[index] for index in range(10_000)]).encode()
    assert too_deep(body, 32) is False


def test_unclosed_brackets_count_as_levels() -> None:
    assert too_deep(b"[" * 100, 32) is True
    assert too_deep(b"[" * 10 + b"[[]]", 32) is False


def test_a_string_left_open_does_not_hide_what_follows() -> None:
    assert too_deep(b'"' + nested(100), 32) is True
