"""The time zone names offered on the account pages."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from wellness.lib.zones import spoken, time_zone_names


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
