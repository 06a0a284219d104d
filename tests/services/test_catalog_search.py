"""Catalog full-text search over tags: a session is found by its tags, every query word matches
as a prefix, a title match still ranks first, and editing the tags changes what finds it.

Each test runs on SQLite and on PostgreSQL (`any_orm`): the index is an FTS5 table on one and
a generated tsvector column on the other. A later migration that rebuilds practice_sessions on
SQLite drops the FTS5 triggers; these tests fail then.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.services.conftest import Orm
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.catalog import services as catalog
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import PracticeSession
from wellness.catalog.search import CatalogQuery, search

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _coordinator(orm: Orm) -> User:
    return orm.run(
        accounts.create_user(
            email="coordinator@example.org",
            display_name="Cora Coordinator",
            role=Role.COORDINATOR,
            password_hash="not-a-real-hash",
        )
    )


def _session(orm: Orm, coordinator: User, title: str, **fields: Any) -> PracticeSession:
    values = catalog.SessionFields(title=title, kind=Kind.BREATHING, **fields)
    return orm.run(catalog.create_session(values, actor=coordinator, now=NOW))


def _found(orm: Orm, text: str) -> list[str]:
    """Titles the search box finds for `text`, best first (every status, as a coordinator)."""
    page = orm.run(search(CatalogQuery(statuses=frozenset(Status), text=text)))
    return [row.title for row in page.rows]


@pytest.fixture
def coordinator(any_orm: Orm) -> User:
    return _coordinator(any_orm)


@pytest.mark.parametrize("text", ["insomnia", "bedtime", "Insomnia", "acute distress"])
def test_a_word_of_a_tag_finds_the_session(any_orm: Orm, coordinator: User, text: str) -> None:
    _session(any_orm, coordinator, "Drifting off", tags=["insomnia", "bedtime", "acute distress"])
    _session(any_orm, coordinator, "Box breathing", tags=["focus"])

    assert _found(any_orm, text) == ["Drifting off"]


def test_the_words_of_a_tag_need_not_be_searched_together(any_orm: Orm, coordinator: User) -> None:
    _session(any_orm, coordinator, "Hard moments", tags=["acute distress", "short"])

    assert _found(any_orm, "distress") == ["Hard moments"]
    assert _found(any_orm, "distress short") == ["Hard moments"]
    assert _found(any_orm, "distress long") == []


@pytest.mark.parametrize("text", ["insom", "bed", "acu dis", "self-comp"])
def test_a_prefix_of_a_tag_finds_the_session(any_orm: Orm, coordinator: User, text: str) -> None:
    _session(
        any_orm,
        coordinator,
        "Drifting off",
        tags=["insomnia", "bedtime", "acute distress", "self-compassion"],
    )

    assert _found(any_orm, text) == ["Drifting off"]


def test_a_word_in_one_field_and_a_tag_together_find_the_session(
    any_orm: Orm, coordinator: User
) -> None:
    _session(any_orm, coordinator, "Drifting off", tags=["insomnia"])
    _session(any_orm, coordinator, "Drifting clouds", tags=["focus"])

    assert _found(any_orm, "drifting insomnia") == ["Drifting off"]


def test_a_title_match_ranks_above_a_tag_match_and_a_tag_above_the_description(
    any_orm: Orm, coordinator: User
) -> None:
    _session(any_orm, coordinator, "Body scan", description="A slow scan for nights of insomnia.")
    _session(any_orm, coordinator, "Quiet night", tags=["insomnia"])
    _session(any_orm, coordinator, "Insomnia relief", tags=["sleep"])
    _session(any_orm, coordinator, "Rest", transcript="If insomnia keeps you awake, breathe.")

    assert _found(any_orm, "insomnia") == ["Insomnia relief", "Quiet night", "Body scan", "Rest"]


def test_changing_the_tags_changes_what_finds_the_session(any_orm: Orm, coordinator: User) -> None:
    session = _session(any_orm, coordinator, "Drifting off", tags=["insomnia", "bedtime"])
    assert _found(any_orm, "insomnia") == ["Drifting off"]

    new_tags = catalog.SessionFields(tags=["relaxation", "bedtime"])
    any_orm.run(catalog.update_session(session, new_tags, actor=coordinator, now=NOW))

    assert _found(any_orm, "insomnia") == []
    assert _found(any_orm, "relaxation") == ["Drifting off"]
    assert _found(any_orm, "bedtime") == ["Drifting off"]
    stored = any_orm.run(PracticeSession.get(id=session.id))
    assert stored.tag_text == "bedtime relaxation"
    assert any_orm.run(catalog.tags_of(stored)) == ["bedtime", "relaxation"]


def test_editing_other_fields_keeps_the_tags_searchable(any_orm: Orm, coordinator: User) -> None:
    session = _session(any_orm, coordinator, "Drifting off", tags=["insomnia"])

    renamed = catalog.SessionFields(title="Drifting to sleep", description="Lie down.")
    any_orm.run(catalog.update_session(session, renamed, actor=coordinator, now=NOW))

    assert _found(any_orm, "insomnia") == ["Drifting to sleep"]


def test_removing_every_tag_leaves_the_session_found_by_its_other_words(
    any_orm: Orm, coordinator: User
) -> None:
    session = _session(any_orm, coordinator, "Drifting off", tags=["insomnia"])

    cleared = catalog.SessionFields(tags=[])
    any_orm.run(catalog.update_session(session, cleared, actor=coordinator, now=NOW))

    assert _found(any_orm, "insomnia") == []
    assert _found(any_orm, "drifting") == ["Drifting off"]
    assert any_orm.run(PracticeSession.get(id=session.id)).tag_text == ""
