"""Load a record for the signed-in person, or answer 404: one loader per resource and viewer.

Pages and the JSON API share these, so both refuse the same people with the same answer. A
record the person may not see is as absent as one that does not exist (404, never 403), so an
outsider learns nothing about other people's ids. Ids in paths are `wellness.web.ids.PathId`.
"""

from __future__ import annotations

from typing import TypeVar

from litestar.exceptions import NotFoundException

from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.care import services as care
from wellness.care.models import Alert, PracticeAssignment
from wellness.caseload import assignments
from wellness.catalog import services as catalog
from wellness.catalog.media_access import cover_owner_for_viewer
from wellness.catalog.models import MediaAsset, PracticeSession
from wellness.practice import services as practice
from wellness.practice.models import PracticeLog

T = TypeVar("T")


async def session_for_viewer_or_404(viewer: User, session_id: int) -> PracticeSession:
    return _found(await catalog.session_for_viewer(viewer, session_id), "No such session.")


async def session_for_editor_or_404(viewer: User, session_id: int) -> PracticeSession:
    return _found(await catalog.session_for_editor(viewer, session_id), "No such session.")


async def asset_for_viewer_or_404(viewer: User, asset_id: int) -> MediaAsset:
    return _found(await catalog.asset_for_viewer(viewer, asset_id), "No such media.")


async def cover_owner_for_viewer_or_404(viewer: User, key: str) -> MediaAsset:
    """The media asset whose cover picture `key` is, if the viewer may see it."""
    return _found(await cover_owner_for_viewer(viewer, key), "No such picture.")


async def patient_for_therapist_or_404(viewer: User, patient_id: int) -> User:
    found = await care.patient_for_therapist(viewer, patient_id)
    return _found(found, "No such patient on your caseload.")


async def alert_for_therapist_or_404(viewer: User, alert_id: int) -> Alert:
    found = await care.alert_for_therapist(viewer, alert_id)
    return _found(found, "No such alert for your caseload.")


async def assignment_for_therapist_or_404(viewer: User, assignment_id: int) -> PracticeAssignment:
    found = await assignments.assignment_for_therapist(viewer, assignment_id)
    return _found(found, "No such assignment for your caseload.")


async def own_practice_or_404(viewer: User, practice_id: int) -> PracticeLog:
    found = await practice.practice_for_owner(viewer, practice_id)
    return _found(found, "No such practice record.")


async def account_for_admin_or_404(viewer: User, user_id: int) -> User:
    return _found(await accounts.account_for_admin(viewer, user_id), "No such account.")


def _found(record: T | None, message: str) -> T:
    if record is None:
        raise NotFoundException(message)
    return record
