from __future__ import annotations

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
        ("WELLNESS_LOGIN_FAILURES_PER_ACCOUNT", "500", "expected a number from 1 to 100"),
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
