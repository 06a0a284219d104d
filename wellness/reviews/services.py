"""Reviews of draft sessions: who may review or read them, storing one, and what a draft's
reviews add up to. Publishing under the clinic's review rule is `publishing`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from wellness.accounts import permissions
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.catalog.cache import TokenCache, change_token
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import MediaAsset, PracticeSession, SessionTag
from wellness.catalog.rules import CatalogConflict
from wellness.lib.paging import Page, page_bounds
from wellness.reviews import rules
from wellness.reviews.models import SessionReview
from wellness.reviews.rules import Decision, DraftContent, ReviewFact, ReviewStatus, Standing

_CONTENT = (
    "id",
    "title",
    "kind",
    "description",
    "transcript",
    "instructor",
    "language",
    "level",
    "posture",
    "guidance",
    "anxiety_min",
    "anxiety_max",
    "contraindications",
    "primary_asset_id",
    "duration_seconds",
)


# --- who may -----------------------------------------------------------------------------------


async def draft_for_reviewer(viewer: User, session_id: int) -> PracticeSession | None:
    """The draft if this viewer reviews drafts and it is one; None otherwise (a 404)."""
    if not permissions.can_review_drafts(viewer.role):
        return None
    return await PracticeSession.get_or_none(id=session_id, status=Status.DRAFT)


async def session_for_review_reader(viewer: User, session_id: int) -> PracticeSession | None:
    """The session, whatever its status, if this viewer may read its reviews (staff)."""
    if not permissions.can_read_reviews(viewer.role):
        return None
    return await PracticeSession.get_or_none(id=session_id)


# --- versions ----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return str(value.value) if isinstance(value, Enum) else str(value)


async def _contents(sessions: QuerySet[PracticeSession]) -> dict[int, DraftContent]:
    """What a review judges, for each of these sessions (three queries, whatever their number)."""
    rows = await sessions.values(*_CONTENT)
    ids = [int(row["id"]) for row in rows]
    tags: dict[int, list[str]] = {}
    for session_id, tag in await SessionTag.filter(session_id__in=ids).values_list(
        "session_id", "tag"
    ):
        tags.setdefault(int(session_id), []).append(str(tag))
    asset_ids = {row["primary_asset_id"] for row in rows if row["primary_asset_id"]}
    media: dict[int, str] = {}
    if asset_ids:
        found = await MediaAsset.filter(id__in=asset_ids).values_list("id", "sha256")
        media = {int(asset_id): str(sha256) for asset_id, sha256 in found}
    return {
        int(row["id"]): DraftContent(
            title=row["title"],
            kind=_text(row["kind"]),
            description=row["description"],
            transcript=row["transcript"],
            instructor=row["instructor"],
            language=row["language"],
            level=_text(row["level"]),
            posture=_text(row["posture"]),
            guidance=_text(row["guidance"]),
            anxiety_min=int(row["anxiety_min"]),
            anxiety_max=int(row["anxiety_max"]),
            contraindications=tuple(str(item) for item in row["contraindications"] or ()),
            tags=tuple(tags.get(int(row["id"]), ())),
            media_sha256=media.get(row["primary_asset_id"]) if row["primary_asset_id"] else None,
            duration_seconds=float(row["duration_seconds"]),
        )
        for row in rows
    }


async def current_version(session_id: int) -> str | None:
    """The session's version as stored now (None if it is gone); never cached."""
    contents = await _contents(PracticeSession.filter(id=session_id))
    content = contents.get(session_id)
    return rules.version_of(content) if content else None


# Every draft's version, kept under the catalog's change token (which every write to sessions,
# their tags and their media changes), so the menu's count and the lists need not hash every
# draft's transcript on every page. Writes (a review, publishing) never read it: they hash afresh.
_draft_versions: TokenCache[str, dict[int, str]] = TokenCache(1)


async def draft_versions() -> dict[int, str]:
    token = await change_token()
    cached = _draft_versions.get(token, "drafts")
    if cached is not None:
        return cached
    contents = await _contents(PracticeSession.filter(status=Status.DRAFT))
    versions = {session_id: rules.version_of(content) for session_id, content in contents.items()}
    _draft_versions.put(token, "drafts", versions)
    return versions


# --- what reviews say --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewView:
    """One review as pages and the API show it."""

    id: int
    session_id: int
    reviewer_id: int | None
    reviewer_name: str
    decision: Decision
    comment: str
    version: str
    reviewed_at: datetime
    current: bool  # of the version the session has now
    counts: bool  # by someone who is, now, an active therapist

    @property
    def fact(self) -> ReviewFact:
        return ReviewFact(
            self.id,
            self.reviewer_id,
            self.reviewer_name,
            self.decision,
            self.version,
            self.reviewed_at,
            self.counts,
        )


FORMER_REVIEWER = "A former staff member"


async def _reviews(
    session_ids: Iterable[int], versions: dict[int, str], *, comments: bool = False
) -> dict[int, list[ReviewView]]:
    """The reviews of these sessions, oldest first, each judged against `versions`."""
    wanted = list(dict.fromkeys(session_ids))
    if not wanted:
        return {}
    columns = ["id", "session_id", "reviewer_id", "decision", "version", "reviewed_at"]
    rows = (
        await SessionReview.filter(session_id__in=wanted)
        .order_by("reviewed_at", "id")
        .values(*columns, *(["comment"] if comments else []))
    )
    reviewer_ids = {row["reviewer_id"] for row in rows if row["reviewer_id"] is not None}
    people = {
        int(row["id"]): row
        for row in await User.filter(id__in=reviewer_ids).values(
            "id", "display_name", "role", "is_active"
        )
    }
    found: dict[int, list[ReviewView]] = {}
    for row in rows:
        person = people.get(row["reviewer_id"]) if row["reviewer_id"] is not None else None
        session_id = int(row["session_id"])
        found.setdefault(session_id, []).append(
            ReviewView(
                id=int(row["id"]),
                session_id=session_id,
                reviewer_id=row["reviewer_id"],
                reviewer_name=str(person["display_name"]) if person else FORMER_REVIEWER,
                decision=Decision(_text(row["decision"])),
                comment=str(row.get("comment", "")),
                version=str(row["version"]),
                reviewed_at=row["reviewed_at"],
                current=row["version"] == versions.get(session_id),
                counts=person is not None
                and bool(person["is_active"])
                and Role(_text(person["role"])) is Role.THERAPIST,
            )
        )
    return found


def _standing(reviews: list[ReviewView], version: str | None) -> Standing:
    if version is None:
        return rules.NOT_REVIEWED
    return rules.standing_of((review.fact for review in reviews), version)


@dataclass(frozen=True, slots=True)
class SessionReviews:
    session_id: int
    version: str
    standing: Standing
    items: list[ReviewView]  # newest first


async def reviews_of(session: PracticeSession) -> SessionReviews:
    """Every review of the session, newest first, and where it stands now (never cached)."""
    version = await current_version(session.id) or ""
    found = (await _reviews([session.id], {session.id: version}, comments=True)).get(session.id, [])
    return SessionReviews(session.id, version, _standing(found, version), found[::-1])


async def standing_now(session_id: int) -> Standing:
    """Where the session's reviews stand for the content stored now (never cached)."""
    found = (await _reviews([session_id], {})).get(session_id, [])
    return _standing(found, await current_version(session_id))


async def standings_of_drafts(session_ids: Iterable[int]) -> dict[int, Standing]:
    """Where each draft among `session_ids` stands (other sessions are left out)."""
    return await _draft_standings(session_ids, await draft_versions())


async def _draft_standings(
    session_ids: Iterable[int], versions: dict[int, str]
) -> dict[int, Standing]:
    drafts = [session_id for session_id in session_ids if session_id in versions]
    found = await _reviews(drafts, versions)
    return {
        session_id: _standing(found.get(session_id, []), versions[session_id])
        for session_id in drafts
    }


AWAITING = frozenset({ReviewStatus.NOT_REVIEWED, ReviewStatus.EARLIER_VERSION})


async def awaiting_review_count() -> int:
    """Drafts whose current version nobody who counts has reviewed (the menu's figure)."""
    versions = await draft_versions()
    standings = await _draft_standings(versions, versions)
    return sum(1 for standing in standings.values() if standing.status in AWAITING)


@dataclass(frozen=True, slots=True)
class DraftRow:
    id: int
    title: str
    kind: Kind
    instructor: str
    duration_seconds: float
    updated_at: datetime
    standing: Standing


async def drafts_to_review(page: int, per_page: int) -> Page[DraftRow]:
    """Drafts, most recently changed first, each with where it stands."""
    drafts = PracticeSession.filter(status=Status.DRAFT)
    total = await drafts.count()
    page, _, offset = page_bounds(total, page, per_page)
    rows = (
        await drafts.order_by("-updated_at", "-id")
        .offset(offset)
        .limit(per_page)
        .values("id", "title", "kind", "instructor", "duration_seconds", "updated_at")
    )
    standings = await standings_of_drafts(int(row["id"]) for row in rows)
    items = [
        DraftRow(
            id=int(row["id"]),
            title=str(row["title"]),
            kind=Kind(_text(row["kind"])),
            instructor=str(row["instructor"]),
            duration_seconds=float(row["duration_seconds"]),
            updated_at=row["updated_at"],
            standing=standings.get(int(row["id"]), rules.NOT_REVIEWED),
        )
        for row in rows
    ]
    return Page.of(items, page=page, per_page=per_page, total=total)


# --- writes ------------------------------------------------------------------------------------


def not_a_draft(session: PracticeSession) -> CatalogConflict:
    return CatalogConflict(
        "not_a_draft",
        f"“{session.title}” is {session.status.value} now, and reviews are for drafts: nothing "
        "was saved.",
    )


def check_reviewable(session: PracticeSession) -> None:
    """`CatalogConflict` ("not_a_draft") unless the session is a draft: published and archived
    sessions are not reviewed here (what patients see already is archived or edited, not
    reviewed after the fact)."""
    if session.status is not Status.DRAFT:
        raise not_a_draft(session)


async def add_review(
    session: PracticeSession, reviewer: User, decision: Decision, comment: str, *, now: datetime
) -> ReviewView | None:
    """Store the reviewer's review of the draft as it is now; None if the session is gone.

    The session's row is locked first (PostgreSQL; SQLite runs one writer at a time), so the
    version stored is the content as it was when the review was written, not a moment later.
    `CatalogConflict` ("not_a_draft") when it was published or archived meanwhile; FieldError
    ("comment") for a comment refused."""
    cleaned = rules.clean_comment(decision, comment)
    async with in_transaction():
        locked = await PracticeSession.filter(id=session.id).select_for_update().first()
        if locked is None:
            return None
        check_reviewable(locked)
        version = await current_version(locked.id) or ""
        review = await SessionReview.create(
            session_id=locked.id,
            reviewer_id=reviewer.id,
            decision=decision,
            comment=cleaned,
            version=version,
            reviewed_at=now,
        )
    return ReviewView(
        id=review.id,
        session_id=locked.id,
        reviewer_id=reviewer.id,
        reviewer_name=reviewer.display_name,
        decision=decision,
        comment=cleaned,
        version=version,
        reviewed_at=now,
        current=True,
        counts=reviewer.is_active and permissions.can_review_drafts(reviewer.role),
    )
