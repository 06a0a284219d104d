"""Sessions and collections for the collections' web tests, made through the ORM."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from tests.conftest import TEST_NOW, Client
from wellness.accounts.models import User
from wellness.catalog.kinds import Contraindication, Kind, Status
from wellness.catalog.models import Collection, CollectionEntry, MediaAsset, PracticeSession

# Title -> (kind, minutes, status, contraindications).
LIBRARY: dict[str, tuple[Kind, int, Status, list[str]]] = {
    "Slow breathing": (Kind.BREATHING, 6, Status.PUBLISHED, []),
    "Five senses": (Kind.GROUNDING, 5, Status.PUBLISHED, []),
    "Body scan": (Kind.BODY_SCAN, 8, Status.PUBLISHED, []),
    "Box breathing": (Kind.BREATHING, 5, Status.PUBLISHED, [Contraindication.BREATH_HOLD.value]),
    "Unreleased draft": (Kind.MEDITATION, 10, Status.DRAFT, []),
    "Older walk": (Kind.MEDITATION, 10, Status.ARCHIVED, []),
}


@pytest.fixture
def library(client: Client, personas: dict[str, User]) -> dict[str, int]:
    """LIBRARY's sessions, with the personas signed up."""
    return make_library(client)


def make_library(client: Client) -> dict[str, int]:
    """The sessions of LIBRARY, each with a media file: title -> id."""

    async def create() -> dict[str, int]:
        made = {}
        for title, (kind, minutes, status, avoid) in LIBRARY.items():
            asset = await MediaAsset.create(
                sha256=secrets.token_hex(32),
                size_bytes=minutes * 960_000,
                container="mp3",
                mime_type="audio/mpeg",
                extension="mp3",
                duration_seconds=minutes * 60,
                uploaded_at=TEST_NOW,
            )
            session = await PracticeSession.create(
                title=title,
                kind=kind,
                status=status,
                primary_asset=asset,
                duration_seconds=minutes * 60,
                contraindications=avoid,
                created_at=TEST_NOW,
                updated_at=TEST_NOW,
                published_at=TEST_NOW if status is not Status.DRAFT else None,
            )
            made[title] = session.id
        return made

    return client.run(create)


def make_collection(
    client: Client, title: str, session_ids: list[int], *, status: Status = Status.PUBLISHED
) -> int:
    async def create() -> int:
        collection = await Collection.create(
            title=title,
            live_title=None if status is Status.ARCHIVED else title.casefold(),
            description=f"About {title}.",
            status=status,
            created_at=TEST_NOW,
            updated_at=TEST_NOW,
            published_at=TEST_NOW if status is not Status.DRAFT else None,
        )
        await CollectionEntry.bulk_create(
            [
                CollectionEntry(collection_id=collection.id, session_id=session_id, position=at)
                for at, session_id in enumerate(session_ids)
            ]
        )
        return int(collection.id)

    return client.run(create)


def collections_state(client: Client) -> list[tuple[Any, ...]]:
    """Every collection (title, status, description) with its session ids in order."""

    async def read() -> list[tuple[Any, ...]]:
        found = []
        for collection in await Collection.all().order_by("id"):
            entries = (
                await CollectionEntry.filter(collection_id=collection.id)
                .order_by("position")
                .values_list("session_id", flat=True)
            )
            found.append(
                (collection.title, collection.status.value, collection.description, list(entries))
            )
        return found

    return client.run(read)
