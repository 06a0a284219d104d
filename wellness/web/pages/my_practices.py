"""The patient's own list of the practices their care team assigned."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from wellness.caseload import plan
from wellness.caseload.plan import AssignmentState
from wellness.web.dependencies import CareRules, RequestTime, SignedInUser
from wellness.web.guards import patients_only

_CURRENT = {AssignmentState.ACTIVE, AssignmentState.UPCOMING, AssignmentState.PAUSED}


class MyPracticesPages(Controller):
    @get("/practice/assigned", guards=[patients_only], name="my_practices")
    async def assigned(self, user: SignedInUser, now: RequestTime, policy: CareRules) -> Template:
        """Current practices first, then earlier ones; figures only unless streaks are hidden."""
        found = await plan.adherence_for(user, policy=policy, now=now)
        context = {
            "user": user,
            "current": [item for item in found if item.state in _CURRENT],
            "earlier": [item for item in found if item.state not in _CURRENT],
            "show_figures": not user.hide_streaks,
        }
        return Template("wellbeing/assigned.html", context=context)
