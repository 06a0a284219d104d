"""What the catalog API accepts and answers; unknown input fields are refused (mass assignment)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from wellness.catalog.editing import SessionFields, Tags, Title
from wellness.catalog.kinds import Contraindication, Guidance, Kind, Level, Posture, Status
from wellness.catalog.models import MediaAsset
from wellness.catalog.search import SearchPage, SessionRow
from wellness.checkins.fields import Anxiety
from wellness.checkins.scoring import SUDS_MAX
from wellness.web.catalog_views import asset_url, card_minutes, cover_url
from wellness.web.ids import BodyId
from wellness.web.shapes import PageOut, copied
from wellness.web.strict_json import StrictBody


class SessionSummary(msgspec.Struct, omit_defaults=True):
    id: int
    title: str
    kind: Kind
    status: Status
    duration_seconds: float
    minutes: int
    posture: Posture
    guidance: Guidance
    instructor: str
    tags: list[str]
    cover_url: str | None
    url: str
    # For a patient, whether it is on their Saved list; left out for staff, who keep none.
    saved: bool | None = None

    @classmethod
    def of(cls, row: SessionRow, saved: frozenset[int] | None = None) -> SessionSummary:
        return copied(
            cls,
            row,
            duration_seconds=round(row.duration_seconds, 1),
            minutes=card_minutes(row.duration_seconds),
            cover_url=cover_url(row.cover_key),
            url=f"/sessions/{row.id}",
            saved=None if saved is None else row.id in saved,
        )


class SessionList(PageOut):
    items: list[SessionSummary]

    @classmethod
    def of(cls, result: SearchPage, saved: frozenset[int] | None = None) -> SessionList:
        """`saved`: the ids among them on a patient's Saved list (None for staff)."""
        return cls.paged([SessionSummary.of(row, saved) for row in result.rows], result)


class SessionCreate(StrictBody):
    title: Title
    kind: Kind
    description: str = ""
    instructor: str = ""
    language: str = "en"
    level: Level = Level.BEGINNER
    posture: Posture = Posture.SEATED
    guidance: Guidance = Guidance.GUIDED
    transcript: str = ""
    anxiety_min: Anxiety = 0
    anxiety_max: Anxiety = SUDS_MAX
    contraindications: list[Contraindication] = msgspec.field(default_factory=list)
    tags: Tags = msgspec.field(default_factory=list)
    primary_asset_id: BodyId | None = None


class SessionPatch(SessionFields, StrictBody):
    """The catalog's editable fields, as they are; an asset id is bounded as the API's are."""

    primary_asset_id: BodyId | None = None


class MediaAssetResponse(msgspec.Struct):
    id: int
    sha256: str
    size_bytes: int
    container: str
    codec: str
    mime_type: str
    has_video: bool
    duration_seconds: float
    bitrate: int | None
    sample_rate: int | None
    channels: int | None
    title: str
    artist: str
    album: str
    comment: str
    original_filename: str
    cover_url: str | None
    media_url: str
    uploaded_at: datetime
    already_stored: bool

    @classmethod
    def of(cls, asset: MediaAsset, *, already_stored: bool) -> MediaAssetResponse:
        return copied(
            cls,
            asset,
            duration_seconds=round(asset.duration_seconds, 3),
            title=asset.tag_title,
            artist=asset.tag_artist,
            album=asset.tag_album,
            comment=asset.tag_comment,
            cover_url=cover_url(asset.cover_key),
            media_url=asset_url(asset.id),
            already_stored=already_stored,
        )
