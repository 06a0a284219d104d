"""What the pages and the JSON API both show about one session and its media, and the care
team's marks a patient sees on sessions wherever they are listed.

The session page renders `SessionDetail`, and `GET /api/v1/sessions/{id}` answers it, so both
say the same about a session; neither side owns it.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from wellness.accounts import permissions
from wellness.accounts.models import User
from wellness.care import restriction_views
from wellness.care.marks import Mark
from wellness.catalog.kinds import Guidance, Kind, Level, Posture, Status
from wellness.catalog.models import MediaAsset, PracticeSession
from wellness.web.shapes import copied


def asset_url(asset_id: int) -> str:
    """Where a media asset plays (`web.media`, with range support)."""
    return f"/media/{asset_id}"


def captions_url(session_id: int) -> str:
    """Where a session's captions are (`pages.catalog`), made from its timed transcript."""
    return f"/sessions/{session_id}/captions.vtt"


def card_minutes(seconds: float) -> int:
    """A session's length in whole minutes as lists give it: at least 1, 0 without media."""
    return max(1, round(seconds / 60)) if seconds else 0


def media_url(asset_id: int | None) -> str | None:
    return asset_url(asset_id) if asset_id else None


def cover_url(cover_key: str | None) -> str | None:
    return f"/media/covers/{cover_key}" if cover_key else None


class MediaSummary(msgspec.Struct):
    id: int
    mime_type: str
    container: str
    duration_seconds: float
    has_video: bool
    url: str


class SessionDetail(msgspec.Struct, omit_defaults=True):
    id: int
    title: str
    kind: Kind
    status: Status
    description: str
    instructor: str
    language: str
    level: Level
    posture: Posture
    guidance: Guidance
    transcript: str
    anxiety_min: int
    anxiety_max: int
    contraindications: list[str]
    tags: list[str]
    duration_seconds: float
    media_url: str | None
    media: MediaSummary | None
    cover_url: str | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    # For a patient, whether it is on their Saved list; left out for staff, who keep none.
    saved: bool | None = None

    @classmethod
    def of(
        cls, session: PracticeSession, tags: list[str], asset: MediaAsset | None
    ) -> SessionDetail:
        media = None
        if asset is not None:
            media = copied(MediaSummary, asset, url=asset_url(asset.id))
        return copied(
            cls,
            session,
            contraindications=list(session.contraindications),
            tags=tags,
            duration_seconds=round(session.duration_seconds, 1),
            media_url=media_url(asset.id if asset else None),
            media=media,
            cover_url=cover_url(asset.cover_key if asset else None),
            saved=None,
        )


async def patient_marks(viewer: User, session_ids: list[int]) -> dict[int, Mark]:
    """A patient's care-team marks (skip: banned or contraindicated for them; pinned) for these
    sessions; {} for staff. The one safety filter the catalog, the session page and
    collections apply to what a patient sees listed."""
    if not permissions.is_patient(viewer.role) or not session_ids:
        return {}
    return await restriction_views.marks_for_patient(viewer.id, session_ids)
