"""What the catalog API accepts and answers; unknown input fields are refused (mass assignment)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from wellness.catalog.kinds import Contraindication, Guidance, Kind, Level, Posture, Status
from wellness.catalog.models import MediaAsset, PracticeSession
from wellness.catalog.search import SearchPage, SessionRow
from wellness.checkins.scoring import SUDS_MAX, SUDS_MIN
from wellness.web.ids import BodyId

Anxiety = Annotated[int, msgspec.Meta(ge=SUDS_MIN, le=SUDS_MAX)]
Tag = Annotated[str, msgspec.Meta(max_length=48)]


def media_url(asset_id: int | None) -> str | None:
    return f"/media/{asset_id}" if asset_id else None


def cover_url(cover_key: str | None) -> str | None:
    return f"/media/covers/{cover_key}" if cover_key else None


class SessionSummary(msgspec.Struct):
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

    @classmethod
    def of(cls, row: SessionRow) -> SessionSummary:
        return cls(
            id=row.id,
            title=row.title,
            kind=row.kind,
            status=row.status,
            duration_seconds=round(row.duration_seconds, 1),
            minutes=max(1, round(row.duration_seconds / 60)) if row.duration_seconds else 0,
            posture=row.posture,
            guidance=row.guidance,
            instructor=row.instructor,
            tags=row.tags,
            cover_url=cover_url(row.cover_key),
            url=f"/sessions/{row.id}",
        )


class SessionList(msgspec.Struct):
    items: list[SessionSummary]
    page: int
    pages: int
    total: int

    @classmethod
    def of(cls, result: SearchPage) -> SessionList:
        return cls(
            [SessionSummary.of(row) for row in result.rows], result.page, result.pages, result.total
        )


class MediaSummary(msgspec.Struct):
    id: int
    mime_type: str
    container: str
    duration_seconds: float
    has_video: bool
    url: str


class SessionDetail(msgspec.Struct):
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

    @classmethod
    def of(
        cls, session: PracticeSession, tags: list[str], asset: MediaAsset | None
    ) -> SessionDetail:
        media = None
        if asset is not None:
            media = MediaSummary(
                asset.id,
                asset.mime_type,
                asset.container,
                asset.duration_seconds,
                asset.has_video,
                f"/media/{asset.id}",
            )
        return cls(
            id=session.id,
            title=session.title,
            kind=session.kind,
            status=session.status,
            description=session.description,
            instructor=session.instructor,
            language=session.language,
            level=session.level,
            posture=session.posture,
            guidance=session.guidance,
            transcript=session.transcript,
            anxiety_min=session.anxiety_min,
            anxiety_max=session.anxiety_max,
            contraindications=list(session.contraindications),
            tags=tags,
            duration_seconds=round(session.duration_seconds, 1),
            media_url=media_url(asset.id if asset else None),
            media=media,
            cover_url=cover_url(asset.cover_key if asset else None),
            created_at=session.created_at,
            updated_at=session.updated_at,
            published_at=session.published_at,
        )


class SessionCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(max_length=200)]
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
    tags: Annotated[list[Tag], msgspec.Meta(max_length=20)] = msgspec.field(default_factory=list)
    primary_asset_id: BodyId | None = None


class SessionPatch(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    kind: Kind | None = None
    description: str | None = None
    instructor: str | None = None
    language: str | None = None
    level: Level | None = None
    posture: Posture | None = None
    guidance: Guidance | None = None
    transcript: str | None = None
    anxiety_min: Anxiety | None = None
    anxiety_max: Anxiety | None = None
    contraindications: list[Contraindication] | None = None
    tags: Annotated[list[Tag], msgspec.Meta(max_length=20)] | None = None
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
        return cls(
            id=asset.id,
            sha256=asset.sha256,
            size_bytes=asset.size_bytes,
            container=asset.container,
            codec=asset.codec,
            mime_type=asset.mime_type,
            has_video=asset.has_video,
            duration_seconds=round(asset.duration_seconds, 3),
            bitrate=asset.bitrate,
            sample_rate=asset.sample_rate,
            channels=asset.channels,
            title=asset.tag_title,
            artist=asset.tag_artist,
            album=asset.tag_album,
            comment=asset.tag_comment,
            original_filename=asset.original_filename,
            cover_url=cover_url(asset.cover_key),
            media_url=f"/media/{asset.id}",
            uploaded_at=asset.uploaded_at,
            already_stored=already_stored,
        )
