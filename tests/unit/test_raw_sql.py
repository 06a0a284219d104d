"""Placeholders for hand-written queries, in each database's style."""

from __future__ import annotations

from wellness.db import RawSql


def test_postgres_placeholders_are_numbered_in_the_order_values_are_added() -> None:
    sql = RawSql("postgres")

    assert sql.param("draft") == "$1"
    assert sql.param_list([4, 5, 6]) == "$2, $3, $4"
    assert sql.params == ["draft", 4, 5, 6]


def test_sqlite_placeholders_are_question_marks() -> None:
    sql = RawSql("sqlite")

    assert sql.param_list(iter([4, 5])) == "?, ?"
    assert sql.param(7) == "?"
    assert sql.params == [4, 5, 7]
