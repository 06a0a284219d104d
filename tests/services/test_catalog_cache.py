"""The catalog cache: every write renews the change token, so no cached page outlives a write.

Writes made outside this process (another worker, the `wellness` command, hand-run SQL) go
through a second connection here: the database's triggers, not the app's code, renew the token.
A later migration that rebuilds a catalog table on SQLite drops those triggers; these tests fail
then.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from tests.services.conftest import Orm
from tests.services.schema import raw_database
from wellness import db
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.catalog import collection_reads, collections
from wellness.catalog import services as catalog
from wellness.catalog.cache import change_token
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import MediaAsset, PracticeSession
from wellness.catalog.search import CatalogQuery

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


async def _user(email: str, role: Role) -> User:
    return await accounts.create_user(
        email=email, display_name=email, role=role, password_hash="not-a-real-hash"
    )


async def _asset() -> MediaAsset:
    asset = MediaAsset(
        sha256="ab" * 32,
        size_bytes=1000,
        container="mp3",
        codec="mp3",
        mime_type="audio/mpeg",
        extension="mp3",
        duration_seconds=300.0,
        uploaded_at=NOW,
    )
    await asset.save()
    return asset


async def _published(title: str, asset: MediaAsset, coordinator: User) -> PracticeSession:
    fields = catalog.SessionFields(
        title=title, kind=Kind.BREATHING, primary_asset_id=asset.id, tags=["calm"]
    )
    session = await catalog.create_session(fields, actor=coordinator, now=NOW)
    return await catalog.change_status(session, Status.PUBLISHED, actor=coordinator, now=NOW)


def _titles(orm: Orm, viewer: User, text: str = "") -> list[str]:
    query = CatalogQuery(statuses=frozenset(Status), text=text)
    return [row.title for row in orm.run(catalog.browse(viewer, query)).rows]


def _elsewhere(orm: Orm, statement: str, *args: object) -> None:
    """Run SQL through another connection, as another worker or the CLI would."""

    async def run() -> None:
        async with raw_database(orm.database_url) as db:
            await db.execute(statement, *args)

    orm.run(run())


def test_each_catalog_write_renews_the_change_token(any_orm: Orm) -> None:
    orm = any_orm
    coordinator = orm.run(_user("coordinator@example.org", Role.COORDINATOR))
    asset = orm.run(_asset())
    tokens = [orm.run(change_token())]
    assert tokens[0]

    def renewed() -> bool:
        tokens.append(orm.run(change_token()))
        return tokens[-1] is not None and tokens[-1] not in tokens[:-1]

    session = orm.run(_published("Box breathing", asset, coordinator))
    assert renewed()
    changes: list[Callable[[], Awaitable[object]]] = [
        lambda: catalog.update_session(
            session, catalog.SessionFields(tags=["sleep"]), actor=coordinator, now=NOW
        ),
        lambda: catalog.change_status(session, Status.ARCHIVED, actor=coordinator, now=NOW),
    ]
    for change in changes:
        orm.run(change())
        assert renewed()
    for statement in (
        "UPDATE practice_sessions SET title = 'Renamed elsewhere'",
        "INSERT INTO session_tags (session_id, tag) SELECT id, 'added' FROM practice_sessions",
        "DELETE FROM session_tags WHERE tag = 'added'",
        "UPDATE media_assets SET cover_sha256 = 'cd', cover_mime_type = 'image/png'",
        "DELETE FROM practice_sessions",
    ):
        _elsewhere(orm, statement)
        assert renewed(), statement


def test_reading_the_catalog_twice_reuses_the_page_until_a_write(orm: Orm) -> None:
    coordinator = orm.run(_user("coordinator@example.org", Role.COORDINATOR))
    patient = orm.run(_user("patient@example.org", Role.PATIENT))
    asset = orm.run(_asset())
    orm.run(_published("Box breathing", asset, coordinator))
    query = CatalogQuery(statuses=frozenset(Status))

    first = orm.run(catalog.browse(patient, query))
    assert orm.run(catalog.browse(patient, query)) is first

    _elsewhere(orm, "UPDATE practice_sessions SET title = ?", "Renamed elsewhere")
    assert _titles(orm, patient) == ["Renamed elsewhere"]
    assert _titles(orm, patient, "renamed") == ["Renamed elsewhere"]
    assert _titles(orm, patient, "box") == []


def test_a_coordinators_cached_results_never_reach_a_patient(orm: Orm) -> None:
    coordinator = orm.run(_user("coordinator@example.org", Role.COORDINATOR))
    patient = orm.run(_user("patient@example.org", Role.PATIENT))
    asset = orm.run(_asset())
    orm.run(_published("Box breathing", asset, coordinator))
    draft = catalog.SessionFields(title="Box breathing draft", kind=Kind.BREATHING, tags=["calm"])
    orm.run(catalog.create_session(draft, actor=coordinator, now=NOW))

    for text in ("", "box"):
        assert sorted(_titles(orm, coordinator, text)) == ["Box breathing", "Box breathing draft"]
        assert _titles(orm, patient, text) == ["Box breathing"]
    assert orm.run(catalog.all_tags(patient)) == ["calm"]
    assert orm.run(catalog.all_tags(coordinator)) == ["calm"]


@pytest.mark.parametrize("page", [1, 2, 3])
def test_pages_of_one_search_are_cut_from_one_ranking(orm: Orm, page: int) -> None:
    coordinator = orm.run(_user("coordinator@example.org", Role.COORDINATOR))
    asset = orm.run(_asset())
    for number in range(5):
        orm.run(_published(f"Calm practice {number}", asset, coordinator))
    query = CatalogQuery(statuses=frozenset(Status), text="calm", page=page, per_page=2)
    result = orm.run(catalog.browse(coordinator, query))
    assert (result.total, result.pages, result.page) == (5, 3, page)
    assert len(result.rows) == (1 if page == 3 else 2)
    assert all(row.tags == ["calm"] for row in result.rows)


def test_tokens_read_together_are_each_flags_own_in_the_order_asked(any_orm: Orm) -> None:
    catalog_now = any_orm.run(change_token())
    care_now = any_orm.run(db.change_token("care_version"))

    together = any_orm.run(db.change_tokens("care_version", "no_such_flag", "catalog_version"))

    assert catalog_now
    assert care_now
    assert catalog_now != care_now
    assert together == (care_now, None, catalog_now)


def test_collections_are_kept_under_the_token_until_a_write_anywhere_renews_it(
    any_orm: Orm,
) -> None:
    """Collections share the catalog's token: their own writes renew it (migration 0021), and so
    do writes to the sessions in them, from this process or another."""
    orm = any_orm
    coordinator = orm.run(_user("coordinator@example.org", Role.COORDINATOR))
    patient = orm.run(_user("patient@example.org", Role.PATIENT))
    session = orm.run(_published("Box breathing", orm.run(_asset()), coordinator))
    fields = collections.CollectionFields(title="Week", session_ids=[session.id])
    made = orm.run(collections.create_collection(fields, actor=coordinator, now=NOW))
    orm.run(
        collections.change_collection_status(made, Status.PUBLISHED, actor=coordinator, now=NOW)
    )

    first = orm.run(collection_reads.collections_page(patient, 1, 20))
    assert orm.run(collection_reads.collections_page(patient, 1, 20)) is first

    _elsewhere(orm, "UPDATE collections SET title = ?", "Renamed elsewhere")
    assert [
        card.title for card in orm.run(collection_reads.collections_page(patient, 1, 20)).items
    ] == ["Renamed elsewhere"]
    assert [row.title for row in orm.run(collection_reads.sessions_of(patient, made))] == [
        "Box breathing"
    ]
    _elsewhere(orm, "UPDATE practice_sessions SET status = 'archived'")
    assert orm.run(collection_reads.sessions_of(patient, made)) == []
    assert orm.run(collection_reads.collections_page(patient, 1, 20)).items == []
    _elsewhere(orm, "DELETE FROM collection_entries")
    assert orm.run(collection_reads.sessions_of(coordinator, made)) == []
