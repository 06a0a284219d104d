"""Load a record for the signed-in person, or answer 404: one loader per resource and viewer.

Pages and the JSON API share these, so both refuse the same people with the same answer. A
record the person may not see is as absent as one that does not exist (404, never 403), so an
outsider learns nothing about other people's ids. Ids in paths are `wellness.web.ids.PathId`.

Every refusal is a `NotFoundForViewer`, answered as any 404 is and audited by `web/refusals.py`
(who asked for what, from which route): a new loader that goes through `_found` is covered.
"""

from __future__ import annotations

from typing import TypeVar

from litestar.exceptions import NotFoundException

from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.care import notes
from wellness.care import services as care
from wellness.care.models import Alert, ClinicalNote, PracticeAssignment
from wellness.caseload import assignments
from wellness.catalog import collections, saved
from wellness.catalog import services as catalog
from wellness.catalog.media_access import cover_owner_for_viewer
from wellness.catalog.models import Collection, MediaAsset, PracticeSession
from wellness.practice import services as practice
from wellness.practice.models import PracticeLog
from wellness.reviews import services as reviews

T = TypeVar("T")


class NotFoundForViewer(NotFoundException):
    """A loader's 404: no such record, or not one this viewer may see (the same answer). It
    names what was asked for, for the refusal's audit row; the answer is a plain 404's."""

    def __init__(self, detail: str, *, target_type: str, target_id: object) -> None:
        super().__init__(detail)
        self.target_type = target_type
        self.target_id = target_id


async def session_for_viewer_or_404(viewer: User, session_id: int) -> PracticeSession:
    found = await catalog.session_for_viewer(viewer, session_id)
    return _found(found, "No such session.", "session", session_id)


async def session_for_player_or_404(viewer: User, session_id: int) -> PracticeSession:
    found = await catalog.session_for_player(viewer, session_id)
    return _found(found, "No such session.", "session", session_id)


async def session_to_unsave_or_404(viewer: User, session_id: int) -> PracticeSession:
    """A session the patient may open, or one on their own Saved list (archived since)."""
    found = await saved.session_to_unsave(viewer, session_id)
    return _found(found, "No such session.", "session", session_id)


async def session_for_editor_or_404(viewer: User, session_id: int) -> PracticeSession:
    found = await catalog.session_for_editor(viewer, session_id)
    return _found(found, "No such session.", "session", session_id)


async def draft_for_reviewer_or_404(viewer: User, session_id: int) -> PracticeSession:
    """A draft, for a therapist to review; published and archived sessions are not drafts."""
    found = await reviews.draft_for_reviewer(viewer, session_id)
    return _found(found, "No such draft to review.", "session", session_id)


async def session_for_review_reader_or_404(viewer: User, session_id: int) -> PracticeSession:
    """A session whose reviews the viewer may read (staff), whatever its status."""
    found = await reviews.session_for_review_reader(viewer, session_id)
    return _found(found, "No such session.", "session", session_id)


async def collection_for_viewer_or_404(viewer: User, collection_id: int) -> Collection:
    """A published collection, or any for a coordinator (drafts and archived are 404 else)."""
    found = await collections.collection_for_viewer(viewer, collection_id)
    return _found(found, "No such collection.", "collection", collection_id)


async def collection_for_editor_or_404(viewer: User, collection_id: int) -> Collection:
    found = await collections.collection_for_editor(viewer, collection_id)
    return _found(found, "No such collection.", "collection", collection_id)


async def asset_for_viewer_or_404(viewer: User, asset_id: int) -> MediaAsset:
    found = await catalog.asset_for_viewer(viewer, asset_id)
    return _found(found, "No such media.", "media", asset_id)


async def cover_owner_for_viewer_or_404(viewer: User, key: str) -> MediaAsset:
    """The media asset whose cover picture `key` is, if the viewer may see it."""
    found = await cover_owner_for_viewer(viewer, key)
    return _found(found, "No such picture.", "cover", key)


async def patient_for_therapist_or_404(viewer: User, patient_id: int) -> User:
    found = await care.patient_for_therapist(viewer, patient_id)
    return _found(found, "No such patient on your caseload.", "user", patient_id)


async def alert_for_therapist_or_404(viewer: User, alert_id: int) -> Alert:
    found = await care.alert_for_therapist(viewer, alert_id)
    return _found(found, "No such alert for your caseload.", "alert", alert_id)


async def note_for_therapist_or_404(
    viewer: User, patient_id: int, note_id: int
) -> tuple[User, ClinicalNote]:
    """The patient, for their current care team, and a note about them (the patient first: an
    outsider learns nothing of which note ids exist)."""
    patient = await patient_for_therapist_or_404(viewer, patient_id)
    found = await notes.note_about(patient, note_id)
    return patient, _found(found, "No such note about this patient.", "clinical_note", note_id)


async def assignment_for_therapist_or_404(viewer: User, assignment_id: int) -> PracticeAssignment:
    found = await assignments.assignment_for_therapist(viewer, assignment_id)
    return _found(found, "No such assignment for your caseload.", "assignment", assignment_id)


async def own_practice_or_404(viewer: User, practice_id: int) -> PracticeLog:
    found = await practice.practice_for_owner(viewer, practice_id)
    return _found(found, "No such practice record.", "practice", practice_id)


async def account_for_admin_or_404(viewer: User, user_id: int) -> User:
    found = await accounts.account_for_admin(viewer, user_id)
    return _found(found, "No such account.", "user", user_id)


def _found(record: T | None, message: str, target_type: str, target_id: object) -> T:
    if record is None:
        raise NotFoundForViewer(message, target_type=target_type, target_id=target_id)
    return record
