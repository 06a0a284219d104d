"""Each role's home page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.audit import services as audit
from wellness.care import services as care
from wellness.caseload import daily_plan
from wellness.caseload.collection_progress import progress_of
from wellness.catalog import saved
from wellness.catalog import services as catalog
from wellness.checkins import services as checkins
from wellness.checkins.scoring import ContextTag
from wellness.db import tokens_read_once
from wellness.lib.elapsed import ago
from wellness.lib.numbers import ascii_digits
from wellness.notifications import outbox, reminders
from wellness.practice import services as practice
from wellness.practice.streaks import milestone_message
from wellness.settings import CarePolicy
from wellness.suggestions import services as suggestions
from wellness.web.auditing import ACCOUNT_VIEWED, record_for_patients
from wellness.web.dependencies import AppSettings, CareRules, RequestTime, SignedInUser
from wellness.web.guards import admins_only, coordinators_only, patients_only

# The words for a check-in's stored tags, as its form offers them.
TAG_LABELS = {tag.value: tag.label for tag in ContextTag}


async def patient_home_context(viewer: User, policy: CarePolicy, now: datetime) -> dict[str, Any]:
    """Today for a patient: their plan, the collections they follow, check in, suggestions,
    their streak (unless hidden), what is due."""
    streak = None
    if not viewer.hide_streaks:
        streak = await practice.streak_for(viewer, policy=policy, now=now)
    today = await daily_plan.todays_plan_for(viewer, policy=policy, now=now)
    recent = await checkins.recent_checkins(viewer)
    # Chosen again (and logged) whenever a new rating or anything else it reads changes.
    suggested = await suggestions.suggestions_for(viewer, policy=policy, now=now, todays_plan=today)
    return {
        "user": viewer,
        "plan": today,
        "collections": await progress_of(viewer, policy=policy),
        "preview": await catalog.library_preview(viewer),
        "saved_count": await saved.saved_count(viewer.id),
        "streak": streak,
        "milestone": milestone_message(streak.current) if streak else None,
        "recent": list(recent.latest),
        "counted_after": recent.counted_after,
        "gad7_due": recent.gad7_due(policy=policy, now=now),
        "suggested": suggested,
        "watched": await care.sees_alerts(viewer.id),
        "rated_ago": ago(suggested.rated_at, now) if suggested.rated_at else None,
        "context_tags": list(ContextTag),
        "tag_labels": TAG_LABELS,
        "errors": {},
        "values": {"level": "", "note": "", "tags": []},
    }


class HomePages(Controller):
    @get("/patient", guards=[patients_only], name="patient_home")
    async def patient_home(
        self, user: SignedInUser, now: RequestTime, policy: CareRules
    ) -> Template:
        # A view that writes none of what the change tokens follow: read each token once.
        with tokens_read_once():
            context = await patient_home_context(user, policy, now)
        return Template("home/patient.html", context=context)

    @get("/coordinator", guards=[coordinators_only], name="coordinator_home")
    async def coordinator_home(self, user: SignedInUser) -> Template:
        context = {
            "user": user,
            "counts": await catalog.status_counts(),
            "uploads": await catalog.recent_uploads(),
        }
        return Template("home/coordinator.html", context=context)

    @get("/admin", guards=[admins_only], name="admin_home")
    async def admin_home(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        now: RequestTime,
        settings: AppSettings,
    ) -> Template:
        counts = await accounts.count_by_role()
        unwatched = await care.unwatched_patients()
        # Names patients and whether an alert of theirs waits: a read of each one's data.
        await record_for_patients(
            request, ACCOUNT_VIEWED, [item.patient.id for item in unwatched], detail="unwatched"
        )
        events = await audit.recent_events(limit=15)
        people = {event.actor_id for event in events if event.actor_id}
        people |= {
            user_id
            for event in events
            if event.target_type == "user"
            and (user_id := ascii_digits(event.target_id, max_digits=10)) is not None
        }
        names = await accounts.display_names(people)
        context = {
            "user": user,
            "counts": counts,
            "events": events,
            "names": names,
            "unwatched": unwatched,
            "mail": settings.mail,
            "outbox": await outbox.outbox_state(now=now) if settings.mail else None,
            "reminders": await reminders.reminder_figures(now=now) if settings.mail else None,
            "password_links": (
                await outbox.password_link_figures(now=now) if settings.mail else None
            ),
        }
        return Template("home/admin.html", context=context)
