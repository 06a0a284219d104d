"""Each role's home page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from wellness.accounts import services as accounts
from wellness.audit import services as audit
from wellness.catalog import services as catalog
from wellness.web.guards import (
    admins_only,
    coordinators_only,
    current_user,
    patients_only,
    therapists_only,
)


class HomePages(Controller):
    @get("/patient", guards=[patients_only], name="patient_home")
    async def patient_home(self, request: Request[Any, Any, Any]) -> Template:
        viewer = current_user(request)
        preview = await catalog.library_preview(viewer)
        return Template("home/patient.html", context={"user": viewer, "preview": preview})

    @get("/therapist", guards=[therapists_only], name="therapist_home")
    async def therapist_home(self, request: Request[Any, Any, Any]) -> Template:
        viewer = current_user(request)
        preview = await catalog.library_preview(viewer)
        return Template("home/therapist.html", context={"user": viewer, "preview": preview})

    @get("/coordinator", guards=[coordinators_only], name="coordinator_home")
    async def coordinator_home(self, request: Request[Any, Any, Any]) -> Template:
        context = {
            "user": current_user(request),
            "counts": await catalog.status_counts(),
            "uploads": await catalog.recent_uploads(),
        }
        return Template("home/coordinator.html", context=context)

    @get("/admin", guards=[admins_only], name="admin_home")
    async def admin_home(self, request: Request[Any, Any, Any]) -> Template:
        counts = await accounts.count_by_role()
        events = await audit.recent_events(limit=15)
        people = {event.actor_id for event in events if event.actor_id}
        people |= {
            int(event.target_id)
            for event in events
            if event.target_type == "user" and event.target_id.isdigit()
        }
        names = await accounts.display_names(people)
        context = {
            "user": current_user(request),
            "counts": counts,
            "events": events,
            "names": names,
        }
        return Template("home/admin.html", context=context)
