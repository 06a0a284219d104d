"""Seeding a demo database: the accounts, the library of playable sessions and their history.

Demo accounts exist only in databases marked as demo. The sessions (`wellness.demo.content`)
get synthesised audio (`wellness.demo.audio`) that goes through the same ingest and validation
as an upload; encoded tracks are cached between runs, so only the first start is slow.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

from wellness.accounts import passwords
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.catalog import services as catalog
from wellness.catalog.kinds import Status
from wellness.catalog.models import MediaAsset
from wellness.catalog.storage import MediaStore
from wellness.demo.accounts import COORDINATOR_EMAIL, DEMO_ACCOUNTS, DEMO_PASSWORD, DemoAccount
from wellness.demo.collections import seed_collections, seed_followings
from wellness.demo.content import DEMO_SESSIONS, DemoSession
from wellness.demo.history import seed_history
from wellness.demo.reviews import seed_reviews
from wellness.demo.saved import seed_saved
from wellness.system import services as system


class NotADemoDatabase(RuntimeError):
    """The database holds real accounts; demo mode will not touch it."""


async def seed_demo(
    store: MediaStore | None = None,
    *,
    audio_cache: Path | None = None,
    audio_scale: float = 1.0,
    now: datetime,
    rollover_hour: int = 3,
) -> tuple[DemoAccount, ...]:
    """Reset a demo (or empty) database to fresh demo content.

    1. Refuse a database with real accounts.
    2. With a media store: synthesise (or take from `audio_cache`) every session's audio,
       before anything is deleted, so a failure here leaves the old demo intact.
    3. Wipe the tables, create the accounts, then ingest the audio and create, publish or
       archive the sessions through the catalog services, as the demo coordinator, have the
       therapists review the draft, put the demo collections together (Pat follows two), and
       give the demo patient a few saved sessions.

    `audio_scale` shortens every track (tests use 0.02); the breathing pace is unchanged.
    The history ends on the practice day before the one `now` falls on (practice days begin at
    `rollover_hour`), so today is still open whatever the hour.
    """
    if await system.holds_real_data():
        raise NotADemoDatabase(
            "This database holds accounts that demo mode did not create; refusing to replace them. "
            "Unset WELLNESS_DATABASE_URL to use the separate demo database."
        )
    with contextlib.ExitStack() as cleanup:
        tracks: dict[str, Path] = {}
        if store is not None:
            if audio_cache is None:
                audio_cache = Path(cleanup.enter_context(tempfile.TemporaryDirectory()))
            tracks = await asyncio.to_thread(prepare_tracks, audio_cache, audio_scale)
        await system.wipe_all_data()
        users = await _create_accounts()
        if store is not None:
            coordinator = users[COORDINATOR_EMAIL]
            await _create_sessions(store, tracks, coordinator, now, audio_scale)
            await seed_reviews(users, now=now)
            await seed_collections(users, now=now)
            await seed_followings(users, now=now)
            await seed_saved(users, now=now)
        await seed_history(users, now=now, rollover_hour=rollover_hour)
    await system.mark_as_demo()
    return DEMO_ACCOUNTS


async def _create_accounts() -> dict[str, User]:
    password_hash = await asyncio.to_thread(passwords.hash_password, DEMO_PASSWORD)
    created = {}
    for account in DEMO_ACCOUNTS:
        created[account.email] = await accounts.create_user(
            email=account.email,
            display_name=account.display_name,
            role=account.role,
            time_zone=account.time_zone,
            password_hash=password_hash,
            is_demo=True,
        )
    return created


# --- the catalog -----------------------------------------------------------------------------


def prepare_tracks(cache_dir: Path, scale: float = 1.0) -> dict[str, Path]:
    """Encoded audio for every demo session, by slug; longest first, on every CPU core."""
    from wellness.demo import audio  # numpy and libsndfile load only when demo audio is made

    def make(session: DemoSession) -> Path:
        plan = session.audio_plan()
        return audio.cached_track(
            plan if scale == 1 else plan.scaled(scale),
            cache_dir,
            session.slug,
            title=session.title,
            artist=session.instructor,
        )

    ordered = sorted(DEMO_SESSIONS, key=lambda session: -session.minutes)
    with ThreadPoolExecutor(max_workers=max(1, min(len(ordered), os.cpu_count() or 1))) as pool:
        paths = list(pool.map(make, ordered))
    return {session.slug: path for session, path in zip(ordered, paths, strict=True)}


async def _create_sessions(
    store: MediaStore, tracks: dict[str, Path], coordinator: User, now: datetime, scale: float
) -> None:
    # Spread creation over the past weeks so "newest first" has something to sort.
    for age, session in enumerate(reversed(DEMO_SESSIONS)):
        when = now - timedelta(days=2 * age, hours=age)
        track = tracks[session.slug]
        asset = await _ingest(store, track, f"{session.slug}{track.suffix}", coordinator, when)
        created = await catalog.create_session(
            _fields(session, asset.id, scale), actor=coordinator, now=when
        )
        for status in _path_to(session.status):
            created = await catalog.change_status(created, status, actor=coordinator, now=when)


def _path_to(status: Status) -> tuple[Status, ...]:
    """The transitions from draft to `status` (an archived session was published first)."""
    return {
        Status.DRAFT: (),
        Status.PUBLISHED: (Status.PUBLISHED,),
        Status.ARCHIVED: (Status.PUBLISHED, Status.ARCHIVED),
    }[status]


def _fields(session: DemoSession, asset_id: int, scale: float) -> catalog.SessionFields:
    """The session's fields; its transcript's stamps follow its track, shortened by `scale`."""
    return catalog.SessionFields(
        title=session.title,
        kind=session.kind,
        description=session.description,
        instructor=session.instructor,
        language=session.language,
        level=session.level,
        posture=session.posture,
        guidance=session.guidance,
        transcript=session.scaled_transcript(scale),
        anxiety_min=session.anxiety_min,
        anxiety_max=session.anxiety_max,
        contraindications=list(session.contraindications),
        tags=list(session.tags),
        primary_asset_id=asset_id,
    )


async def _ingest(
    store: MediaStore, track: Path, name: str, uploader: User, now: datetime
) -> MediaAsset:
    """Store a track the way an upload is stored: copied in, hashed, validated, deduplicated."""
    incoming = store.new_incoming()
    try:
        sha256 = await asyncio.to_thread(_copy_hashing, track, incoming)
    except BaseException:
        store.discard(incoming)
        raise
    ingested = await catalog.ingest(
        store, incoming, sha256=sha256, original_filename=name, uploader=uploader, now=now
    )
    return ingested.asset


def _copy_hashing(source: Path, target: Path) -> str:
    digest = hashlib.sha256()
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(1 << 20):
            digest.update(chunk)
            writer.write(chunk)
    return digest.hexdigest()
