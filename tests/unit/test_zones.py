"""The time zone names offered on the account pages."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from wellness.lib.zones import spoken, time_zone_names, zone_named


def test_every_offered_zone_is_a_region_or_utc_and_loads() -> None:
    names = time_zone_names()
    assert list(names) == sorted(names)
    assert {"Europe/Berlin", "Asia/Tokyo", "America/Argentina/Buenos_Aires", "UTC"} <= set(names)
    assert not {"EST5EDT", "Factory", "GMT", "localtime"} & set(names)
    for name in names:
        assert ZoneInfo(name).key == name


def test_zone_names_read_with_spaces() -> None:
    assert spoken("America/Port_of_Spain") == "America/Port of Spain"
    assert spoken("UTC") == "UTC"


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("  berlin ", "Europe/Berlin"),
        ("New York", "America/New_York"),
        ("america/new york", "America/New_York"),
        ("utc", "UTC"),
        ("Buenos Aires", "America/Buenos_Aires"),
    ],
)
def test_a_zone_is_found_by_its_name_in_any_case_or_by_its_city(typed: str, zone: str) -> None:
    assert zone_named(typed) == zone


@pytest.mark.parametrize("typed", ["", "Atlantis", "Europe/Atlantis", "EST5EDT", "Europe"])
def test_text_that_names_no_offered_zone_is_none(typed: str) -> None:
    assert zone_named(typed) is None


def test_every_found_zone_is_one_offered() -> None:
    for name in time_zone_names():
        assert zone_named(name.rsplit("/", 1)[-1]) in time_zone_names()
