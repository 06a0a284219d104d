"""Who may fetch a cover picture. Playing media itself is `services.asset_for_viewer`."""

from __future__ import annotations

from wellness.accounts import permissions
from wellness.accounts.models import User
from wellness.catalog.models import MediaAsset
from wellness.catalog.services import playable_statuses
from wellness.catalog.storage import COVER_EXTENSIONS, is_valid_key

_MIME_OF_EXTENSION = {extension: mime for mime, extension in COVER_EXTENSIONS.items()}


async def cover_owner_for_viewer(viewer: User, key: str) -> MediaAsset | None:
    """An asset whose cover picture is stored under `key`, if this viewer may see that cover.

    A cover is visible with the session that uses it: anyone signed in sees the covers of
    sessions they may see (published ones; coordinators see every status; therapists, who
    review drafts, drafts too), and coordinators also see the cover of an asset that no session
    uses yet. None otherwise, so the answer is a 404 that does not tell whether such a picture
    exists.
    """
    if not is_valid_key(key):
        return None
    sha256, _, extension = key.partition(".")
    mime_type = _MIME_OF_EXTENSION.get(extension)
    if mime_type is None:
        return None
    assets = MediaAsset.filter(cover_sha256=sha256, cover_mime_type=mime_type)
    if not permissions.can_manage_catalog(viewer.role):
        assets = assets.filter(sessions__status__in=list(playable_statuses(viewer)))
    return await assets.order_by("id").first()
