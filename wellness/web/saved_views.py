"""What the Saved tab and `GET /api/v1/me/saved` both show of a patient's saved sessions, and
whether the sessions a page lists are saved. Only ever the signed-in patient's own list."""

from __future__ import annotations

from datetime import datetime

import msgspec

from wellness.accounts import permissions
from wellness.accounts.models import User
from wellness.care.marks import Mark
from wellness.catalog import saved
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.saved import SavedItem
from wellness.catalog.saved_rules import MAX_SAVED, Standing, standing_of
from wellness.catalog.search import CatalogQuery
from wellness.web.catalog_views import card_minutes, cover_url, patient_marks
from wellness.web.shapes import PageOut


class SavedSessionOut(msgspec.Struct):
    session_id: int
    title: str
    kind: Kind
    duration_seconds: float
    minutes: int
    cover_url: str | None
    # "available": in the library; "skip": the care team asked the patient to skip it for now
    # (never offered to start); "gone": no longer in the library (archived), no page to open.
    standing: Standing
    # The care team's mark, as the library shows it: "skip", "pinned" or null.
    care_mark: Mark | None
    url: str | None  # the session's page; null once it is no longer in the library
    saved_at: datetime

    @property
    def label(self) -> str:
        """What the card says about it, besides its title (the care team's words for a mark)."""
        if self.standing is Standing.AVAILABLE and self.care_mark is not None:
            return self.care_mark.label
        return "" if self.standing is Standing.AVAILABLE else self.standing.label


class SavedList(PageOut):
    # `total`: how many saved sessions the search and filters match.
    items: list[SavedSessionOut]
    saved_total: int  # how many sessions are on the list, whatever the search and filters
    limit: int  # how many sessions one patient may keep saved


async def saved_list(viewer: User, query: CatalogQuery) -> SavedList:
    """A page of the viewer's saved sessions that the query matches, newest saved first, each
    with its standing (the query's statuses are not read: the list keeps gone sessions)."""
    found = await saved.saved_page(viewer.id, query)
    page = found.found
    items = await _shown(viewer, page.items)
    return SavedList.paged(items, page, saved_total=found.kept, limit=MAX_SAVED)


async def saved_one(viewer: User, session_id: int) -> SavedSessionOut | None:
    """One session as the viewer's list shows it, if it is on their list."""
    found = await saved.saved_item(viewer.id, session_id)
    return (await _shown(viewer, [found]))[0] if found else None


async def _shown(viewer: User, found: list[SavedItem]) -> list[SavedSessionOut]:
    published = [item.row.id for item in found if item.row.status is Status.PUBLISHED]
    marks = await patient_marks(viewer, published)
    items = []
    for item in found:
        row, mark = item.row, marks.get(item.row.id)
        standing = standing_of(row.status, skip=mark is Mark.SKIP)
        items.append(
            SavedSessionOut(
                session_id=row.id,
                title=row.title,
                kind=row.kind,
                duration_seconds=round(row.duration_seconds, 1),
                minutes=card_minutes(row.duration_seconds),
                cover_url=cover_url(row.cover_key),
                standing=standing,
                care_mark=mark if standing is not Standing.GONE else None,
                url=None if standing is Standing.GONE else f"/sessions/{row.id}",
                saved_at=item.saved_at,
            )
        )
    return items


def keeps_saved(viewer: User) -> bool:
    """Patients keep a Saved list; staff have none (and never see a patient's)."""
    return permissions.is_patient(viewer.role)


async def saved_of(viewer: User, session_ids: list[int]) -> frozenset[int] | None:
    """Which of these sessions a patient has saved; None for staff, who keep no list."""
    if not keeps_saved(viewer):
        return None
    return await saved.saved_among(viewer.id, session_ids)
