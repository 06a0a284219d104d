from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from wellness.settings import Environment, SettingsError, load_settings


def test_defaults_run_on_embedded_sqlite(tmp_path: Path) -> None:
    settings = load_settings({"WELLNESS_DATA_DIR": str(tmp_path)})
    assert settings.env is Environment.DEVELOPMENT
    assert settings.database_url == f"sqlite://{tmp_path / 'wellness.sqlite3'}"
    assert settings.media_dir == Path("media")
    assert settings.redis_url is None
    assert settings.auto_migrate is True
    assert settings.is_sqlite
    assert settings.requests_per_minute == 1200


def test_the_development_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = load_settings({"WELLNESS_DATA_DIR": str(tmp_path)}).secret_key
    second = load_settings({"WELLNESS_DATA_DIR": str(tmp_path)}).secret_key
    assert first == second
    assert len(first) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_requires_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="WELLNESS_SECRET_KEY: is required in production"):
        load_settings({"WELLNESS_ENV": "production", "WELLNESS_DATA_DIR": str(tmp_path)})


def test_production_does_not_migrate_on_its_own(tmp_path: Path) -> None:
    settings = load_settings({"WELLNESS_ENV": "production", "WELLNESS_SECRET_KEY": "k" * 40})
    assert settings.is_production
    assert settings.auto_migrate is False


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("WELLNESS_ENV", "staging", "expected one of development | production"),
        ("WELLNESS_STAFF_IDLE_MINUTES", "soon", "expected a whole number"),
        ("WELLNESS_STAFF_IDLE_MINUTES", "0", "expected a number from 1"),
        ("WELLNESS_STAFF_IDLE_MINUTES", "31", "expected a number from 1 to 30"),
        ("WELLNESS_LOGIN_FAILURES_PER_ACCOUNT", "41", "expected a number from 1 to 40"),
        ("WELLNESS_LOGIN_FAILURES_PER_DEVICE", "101", "expected a number from 1 to 100"),
        ("WELLNESS_LOGIN_WINDOW_MINUTES", "59", "expected a number from 60 to 1440"),
        ("WELLNESS_REQUESTS_PER_MINUTE", "1000001", "expected a number from 0 to 1000000"),
        ("WELLNESS_REQUESTS_PER_MINUTE", "-1", "expected a whole number"),
        ("WELLNESS_REQUESTS_PER_MINUTE", "lots", "expected a whole number"),
        ("WELLNESS_FORWARDED_ALLOW_IPS", "127.0.0.1, proxy", "expected IP addresses or networks"),
        ("WELLNESS_FORWARDED_ALLOW_IPS", "*", "expected IP addresses or networks"),
        ("WELLNESS_CLINIC_TIMEZONE", "Europe/Atlantis", "unknown IANA time zone"),
        ("WELLNESS_DATABASE_URL", "mysql://db/x", "expected a sqlite:// or postgres:// URL"),
        ("WELLNESS_REDIS_URL", "http://cache", "expected a redis://"),
        ("WELLNESS_AUTO_MIGRATE", "maybe", "expected true or false"),
        ("WELLNESS_SECRET_KEY", "short", "at least 32 characters"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({"WELLNESS_DATA_DIR": str(tmp_path), name: value})
    assert str(raised.value).startswith(name + ":")
    assert message in str(raised.value)


def test_postgres_and_redis_urls_are_accepted(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "WELLNESS_DATA_DIR": str(tmp_path),
            "WELLNESS_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
            "WELLNESS_REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert not settings.is_sqlite
    assert settings.redis_url == "redis://127.0.0.1:6379/0"


def test_care_policy_defaults_follow_the_clinical_notes(tmp_path: Path) -> None:
    care = load_settings({"WELLNESS_DATA_DIR": str(tmp_path)}).care

    assert (care.alert_level, care.worse_by, care.gad7_interval_days) == (8, 3, 14)
    assert (care.completion_fraction, care.day_rollover_hour, care.rest_days_per_week) == (
        0.8,
        3,
        0,
    )
    assert care.crisis_line == ""
    assert care.monitored_always is False
    assert care.checkin_as_before == timedelta(minutes=15)
    assert care.checkin_as_after == timedelta(minutes=15)


def test_care_policy_reads_the_clinics_choices(tmp_path: Path) -> None:
    care = load_settings(
        {
            "WELLNESS_DATA_DIR": str(tmp_path),
            "WELLNESS_ALERT_LEVEL": "7",
            "WELLNESS_COMPLETION_PERCENT": "90",
            "WELLNESS_REST_DAYS_PER_WEEK": "1",
            "WELLNESS_CRISIS_LINE": "Crisis line 0800 111 0 111",
            "WELLNESS_MONITORED_ALWAYS": "yes",
            "WELLNESS_CHECKIN_AS_BEFORE_MINUTES": "0",
            "WELLNESS_CHECKIN_AS_AFTER_MINUTES": "30",
        }
    ).care

    assert care.alert_level == 7
    assert care.completion_fraction == 0.9
    assert care.rest_days_per_week == 1
    assert care.crisis_line == "Crisis line 0800 111 0 111"
    assert care.monitored_always is True
    assert care.checkin_as_before == timedelta(0)
    assert care.checkin_as_after == timedelta(minutes=30)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ALERT_LEVEL", "11", "from 1 to 10"),
        ("ALERT_LEVEL", "high", "whole number"),
        ("ALERT_LEVEL", "\u0669", "whole number"),
        ("ALERT_LEVEL", "1_0", "whole number"),
        ("COMPLETION_PERCENT", "0", "from 1 to 100"),
        ("DAY_ROLLOVER_HOUR", "13", "from 0 to 12"),
        ("REST_DAYS_PER_WEEK", "4", "from 0 to 3"),
        ("CRISIS_LINE", "line one\nline two", "one line"),
        ("CLINIC_CONTACT", "x" * 201, "at most 200"),
        ("MONITORED_ALWAYS", "sometimes", "true or false"),
        ("CHECKIN_AS_BEFORE_MINUTES", "61", "from 0 to 60"),
        ("CHECKIN_AS_AFTER_MINUTES", "90", "from 0 to 60"),
    ],
)
def test_a_bad_care_setting_stops_start_up_naming_it(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=f"WELLNESS_{name}: .*{message}"):
        load_settings({"WELLNESS_DATA_DIR": str(tmp_path), f"WELLNESS_{name}": value})


def test_no_proxy_is_trusted_unless_named(tmp_path: Path) -> None:
    assert load_settings({"WELLNESS_DATA_DIR": str(tmp_path)}).forwarded_allow_ips == ()
    named = load_settings(
        {"WELLNESS_DATA_DIR": str(tmp_path), "WELLNESS_FORWARDED_ALLOW_IPS": "10.0.0.5, fd00::/8"}
    )
    assert named.forwarded_allow_ips == ("10.0.0.5/32", "fd00::/8")


def test_publishing_needs_no_review_unless_the_clinic_asks(tmp_path: Path) -> None:
    assert load_settings({"WELLNESS_DATA_DIR": str(tmp_path)}).publish_needs_review is False
    for value, expected in (("true", True), ("on", True), ("false", False), ("0", False)):
        environ = {"WELLNESS_DATA_DIR": str(tmp_path), "WELLNESS_PUBLISH_NEEDS_REVIEW": value}
        assert load_settings(environ).publish_needs_review is expected


@pytest.mark.parametrize("value", ["maybe", "2", "required", "tru"])
def test_a_review_setting_other_than_true_or_false_stops_start_up(
    tmp_path: Path, value: str
) -> None:
    environ = {"WELLNESS_DATA_DIR": str(tmp_path), "WELLNESS_PUBLISH_NEEDS_REVIEW": value}
    with pytest.raises(
        SettingsError, match="WELLNESS_PUBLISH_NEEDS_REVIEW: expected true or false"
    ):
        load_settings(environ)
