"""The PostgreSQL command lines the backup commands point at, and the backups' time stamps."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from wellness.system.backup import pg_dump_command, pg_restore_command, stamp


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgres://wellness:s3cret@db.internal:5432/wellness",
            "pg_dump --format=custom --file=out.dump --host=db.internal --port=5432"
            " --username=wellness wellness",
        ),
        (
            "asyncpg://app@127.0.0.1/clinic?maxsize=8",
            "pg_dump --format=custom --file=out.dump --host=127.0.0.1 --username=app clinic",
        ),
        ("postgresql:///wellness", "pg_dump --format=custom --file=out.dump wellness"),
        (
            "postgres://o%27brien:p%40ss@db/my%20db",
            "pg_dump --format=custom --file=out.dump --host=db '--username=o'\"'\"'brien' 'my db'",
        ),
    ],
)
def test_pg_dump_line_names_server_user_and_database_but_never_the_password(
    url: str, expected: str
) -> None:
    assert pg_dump_command(url, "out.dump") == expected


def test_pg_restore_line_loads_the_dump_into_the_same_database() -> None:
    line = pg_restore_command("postgres://wellness:s3cret@db.internal:5433/wellness", "a b.dump")

    assert line == (
        "pg_restore --clean --if-exists --host=db.internal --port=5433 --username=wellness"
        " --dbname=wellness 'a b.dump'"
    )


def test_stamp_is_the_utc_time_of_an_aware_moment() -> None:
    berlin_winter = timezone(timedelta(hours=1))

    assert stamp(datetime(2026, 11, 24, 0, 30, tzinfo=berlin_winter)) == "20261123T233000Z"
    with pytest.raises(ValueError, match="aware"):
        stamp(datetime(2026, 11, 24, 0, 30))  # noqa: DTZ001
