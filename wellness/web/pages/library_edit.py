"""The session edit page of the library: what it shows beside the form (the session's usage
over the last 28 days, whether it may be deleted and its media with it, its reviews, the upload
limits) for the pages that show it again (`library`, after a refused change; `library_media`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request
from litestar.response import Template

from wellness.caseload.availability import patients_assigned
from wellness.caseload.usage_rules import FEWER_THAN, MIN_PATIENTS, TOO_FEW
from wellness.catalog import removal
from wellness.catalog.formats import registry as media_formats
from wellness.catalog.kinds import Contraindication, Guidance, Kind, Level, Posture, Status
from wellness.catalog.models import PracticeSession
from wellness.catalog.rules import titles_in_words
from wellness.lib.durations import rounded_minutes
from wellness.reviews import services as reviews
from wellness.reviews.rules import Standing
from wellness.settings import Settings
from wellness.web import usage_access
from wellness.web.pages.catalog import session_page_context
from wellness.web.pages.catalog_forms import SessionForm

NO_BREAK = "\u00a0"


async def edit_template(
    request: Request[Any, Any, Any],
    settings: Settings,
    session: PracticeSession,
    form: SessionForm | None = None,
    *,
    now: datetime,
    errors: dict[str, str] | None = None,
    status: int = 200,
    delete_media: bool = False,
    publish_check: Standing | None = None,
) -> Template:
    """The edit page; `publish_check`: where the reviews stand, when publishing waits for the
    coordinator to confirm."""
    context = await session_page_context(session)
    history = await reviews.reviews_of(session)
    context |= await _deletion_context(session, delete_media=delete_media)
    context |= await _usage_context(request, settings, session, now)
    # A reviewed draft is archived rather than deleted: its reviews are kept.
    context["deletable"] = context["deletable"] and not history.items
    context |= {
        "history": history,
        "needs_review": settings.publish_needs_review,
        "publish_check": publish_check,
    }
    context |= {
        "form": form or SessionForm.of(context["session"]),
        # Only a published session can be assigned, and only it warns before archiving.
        "assigned_patients": (
            await patients_assigned(
                session.id, now=now, rollover_hour=settings.care.day_rollover_hour
            )
            if session.status is Status.PUBLISHED
            else 0
        ),
        "errors": errors or {},
        **session_choices(),
        **upload_limits(settings),
    }
    return Template("library/session_edit.html", context=context, status_code=status)


async def _usage_context(
    request: Request[Any, Any, Any], settings: Settings, session: PracticeSession, now: datetime
) -> dict[str, Any]:
    """The session's row of the usage table over the last 28 days (audited as a view of it);
    none for a draft never published, which no one can have played."""
    if session.status is Status.DRAFT and session.published_at is None:
        return {"usage": None}
    query, found = await usage_access.session_figures(request, session, settings=settings, now=now)
    last = found.last_played
    return {
        "usage": found,
        "usage_query": query,
        "usage_last_played": last.astimezone(ZoneInfo(settings.clinic_timezone)).date()
        if last
        else None,
        "min_patients": MIN_PATIENTS,
        "fewer_than": FEWER_THAN,
        "too_few": TOO_FEW,
    }


async def _deletion_context(session: PracticeSession, *, delete_media: bool) -> dict[str, Any]:
    """What the edit page's "Delete this draft" needs: whether to offer it (a draft never
    published), and whether its media could go too (no other session plays it)."""
    deletable = session.status is Status.DRAFT and session.published_at is None
    asset_id = session.primary_asset_id  # type: ignore[attr-defined]
    shared_with: list[str] = []
    if deletable and asset_id is not None:
        users = await removal.sessions_using(asset_id)
        shared_with = [user.title for user in users if user.id != session.id]
    return {
        "deletable": deletable,
        # "“Calm” and “Sleep”": the other sessions that play its media, if any.
        "media_shared_with": titles_in_words(shared_with) if shared_with else "",
        "media_shared_by": len(shared_with),
        "delete_media": delete_media,
    }


def session_choices() -> dict[str, Any]:
    return {
        "kinds": list(Kind),
        "levels": list(Level),
        "postures": list(Posture),
        "guidances": list(Guidance),
        "contraindications": list(Contraindication),
    }


def upload_limits(settings: Settings) -> dict[str, Any]:
    longest = rounded_minutes(settings.max_media_minutes * 60).replace(" ", NO_BREAK)
    formats = media_formats.supported()
    hint = (
        f"{formats}, up to {settings.max_upload_mb}{NO_BREAK}MB and {longest} long. "
        "Each file is checked before it is stored."
    )
    return {
        "upload_hint": hint,
        "max_upload_mb": settings.max_upload_mb,
        "max_upload_bytes": settings.max_upload_bytes,
    }
