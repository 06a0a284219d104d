"""JSON API for assigned practices: therapists assign and manage them for patients on their
care team; patients read today's plan and their own assignments with adherence."""

from __future__ import annotations

from litestar import Controller, Response, get, patch, post
from litestar.exceptions import ValidationException
from litestar.params import JSONBody

from wellness.accounts.models import User
from wellness.caseload import daily_plan, plan
from wellness.web import assignment_actions as actions
from wellness.web import care_access
from wellness.web.api.assignments_schemas import (
    AssignmentCreate,
    AssignmentList,
    AssignmentOut,
    AssignmentPatch,
    PlanOut,
)
from wellness.web.dependencies import (
    CareRules,
    CareTeamCall,
    RequestTime,
    SignedInCall,
    SignedInUser,
)
from wellness.web.guards import patients_only, therapists_only
from wellness.web.idempotency import respond_once
from wellness.web.ids import PathId
from wellness.web.lookups import assignment_for_therapist_or_404, patient_for_therapist_or_404
from wellness.web.openapi import answers, created


async def _one(call: SignedInCall, patient: User, assignment_id: int) -> AssignmentOut:
    found = await plan.adherence_for(patient, policy=call.policy, now=call.now)
    return next(AssignmentOut.of(item) for item in found if item.id == assignment_id)


class AssignmentsApi(Controller):
    path = "/api/v1"
    guards = [therapists_only]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["assigned practices"]  # noqa: RUF012

    @get("/patients/{patient_id:int}/assignments", name="api_assignments_list")
    async def list_for_patient(self, call: CareTeamCall, patient_id: PathId) -> AssignmentList:
        """A patient's assignments (ended ones too), newest first, with adherence."""
        _, found = await care_access.assignments(call, patient_id)
        return AssignmentList([AssignmentOut.of(item) for item in found])

    @post(
        "/patients/{patient_id:int}/assignments",
        name="api_assignments_create",
        responses=created(AssignmentOut),
    )
    async def create(
        self, call: CareTeamCall, patient_id: PathId, data: JSONBody[AssignmentCreate]
    ) -> Response[bytes]:
        """Assign a session, a kind with a length range, or a collection, on a schedule, from
        today."""
        patient = await patient_for_therapist_or_404(call.user, patient_id)

        async def write() -> tuple[int, AssignmentOut]:
            assignment = await actions.create(call, patient, data.entry())
            return 201, await _one(call, patient, assignment.id)

        return await respond_once(call.request, data, write)

    @patch(
        "/assignments/{assignment_id:int}",
        name="api_assignments_update",
        responses=answers(AssignmentOut, 200),
        opt={"refusals": (409,)},
    )
    async def update(
        self, call: CareTeamCall, assignment_id: PathId, data: JSONBody[AssignmentPatch]
    ) -> Response[bytes]:
        """`change` (from today; earlier days keep the schedule then in force), `pause`,
        `resume` or `end`. 409 when the assignment's state does not allow it."""
        assignment = await assignment_for_therapist_or_404(call.user, assignment_id)
        given = data.given()
        if data.action != "change" and given:
            field = sorted(given)[0]
            message = f"Only a change takes {field}."
            raise ValidationException(
                message, extra=[{"key": field, "message": message, "source": "body"}]
            )
        patient = await patient_for_therapist_or_404(call.user, assignment.patient_id)

        async def write() -> tuple[int, AssignmentOut]:
            await actions.act(call, assignment, data.action, given)
            return 200, await _one(call, patient, assignment.id)

        return await respond_once(call.request, data, write)


class MyPlanApi(Controller):
    path = "/api/v1/me"
    guards = [patients_only]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["assigned practices"]  # noqa: RUF012

    @get("/plan", name="api_my_plan")
    async def todays_plan(self, user: SignedInUser, now: RequestTime, policy: CareRules) -> PlanOut:
        """Today's assigned items: due, done, the practice that fulfilled each, what to start."""
        return PlanOut.of(await daily_plan.todays_plan_for(user, policy=policy, now=now))

    @get("/assignments", name="api_my_assignments")
    async def assignments(
        self, user: SignedInUser, now: RequestTime, policy: CareRules
    ) -> AssignmentList:
        """Your assigned practices, newest first, with how many you have done."""
        found = await plan.adherence_for(user, policy=policy, now=now)
        return AssignmentList(
            [AssignmentOut.of(item) for item in found], hidden_on_pages=user.hide_streaks
        )
