"""`copied`: an output shape read from the record it mirrors, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
import pytest

from wellness.web.shapes import copied


class Shape(msgspec.Struct):
    id: int
    name: str
    minutes: float


@dataclass
class Record:
    id: int
    name: str
    minutes: float
    secret_note: str


def test_each_field_is_the_attribute_of_the_same_name() -> None:
    assert copied(Shape, Record(7, "Box breathing", 4.5, "private")) == Shape(
        7, "Box breathing", 4.5
    )


def test_a_given_value_wins_over_the_attribute() -> None:
    shape = copied(Shape, Record(7, "Box breathing", 4.56, "private"), minutes=5)
    assert shape == Shape(7, "Box breathing", 5)


def test_attributes_the_shape_does_not_name_never_leave() -> None:
    encoded = msgspec.json.decode(msgspec.json.encode(copied(Shape, Record(1, "a", 1, "private"))))
    assert "secret_note" not in encoded
    assert "private" not in encoded.values()


def test_a_field_the_record_lacks_is_an_error_not_a_silent_default() -> None:
    @dataclass
    class Partial:
        id: int

    with pytest.raises(AttributeError, match="name"):
        copied(Shape, Partial(1))
