"""JSON API for a patient's care team: contraindications, and sessions banned or pinned for them.

Only the patient's current care team gets an answer; anyone else, including a former member,
gets 404. Every read and every change is audited."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, post, put
from litestar.params import JSONBody

from wellness.care import restriction_views as views
from wellness.care.restrictions import restrictions_for
from wellness.lib.validation import FieldError
from wellness.web import care_access
from wellness.web.api.care_restrictions_schemas import (
    ContraindicationsIn,
    ContraindicationsOut,
    OverrideIn,
    OverrideOut,
)
from wellness.web.dependencies import CareTeamCall
from wellness.web.guards import signed_in
from wellness.web.idempotency import respond_once
from wellness.web.ids import PathId
from wellness.web.lookups import patient_for_therapist_or_404
from wellness.web.openapi import answers
from wellness.web.restriction_actions import (
    change_contraindications,
    change_override,
    remove_override,
)

PATIENT = "/patients/{patient_id:int}"


class CareRestrictionsApi(Controller):
    path = "/api/v1"
    # Everyone signed in reaches the handlers; the care-team lookup answers 404 for the rest.
    guards = [signed_in]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["care"]  # noqa: RUF012

    @get(f"{PATIENT}/contraindications", name="api_contraindications")
    async def contraindications(
        self, call: CareTeamCall, patient_id: PathId
    ) -> ContraindicationsOut:
        patient = await care_access.restrictions_patient(call, patient_id)
        found = await restrictions_for(patient.id)
        return ContraindicationsOut.of(patient.id, found.contraindications)

    @put(
        f"{PATIENT}/contraindications",
        name="api_contraindications_set",
        responses=answers(ContraindicationsOut, 200),
    )
    async def set_contraindications(
        self, call: CareTeamCall, patient_id: PathId, data: JSONBody[ContraindicationsIn]
    ) -> Response[bytes]:
        """Replace the patient's contraindications with this set."""
        patient = await patient_for_therapist_or_404(call.user, patient_id)

        async def write() -> tuple[int, ContraindicationsOut]:
            codes = [item.value for item in data.contraindications]
            await change_contraindications(call, patient, codes)
            found = await restrictions_for(patient.id)
            return 200, ContraindicationsOut.of(patient.id, found.contraindications)

        return await respond_once(call.request, data, write)

    @get(f"{PATIENT}/overrides", name="api_overrides")
    async def overrides(self, call: CareTeamCall, patient_id: PathId) -> list[OverrideOut]:
        """Sessions banned or pinned for the patient, bans first."""
        patient = await care_access.restrictions_patient(call, patient_id)
        return [OverrideOut.of(row) for row in await views.overrides_of(patient.id)]

    @post(f"{PATIENT}/overrides", name="api_override_set", responses=answers(OverrideOut, 201, 200))
    async def set_override(
        self, call: CareTeamCall, patient_id: PathId, data: JSONBody[OverrideIn]
    ) -> Response[bytes]:
        """Ban or pin a published session for the patient (201; 200 when it already was)."""
        patient = await patient_for_therapist_or_404(call.user, patient_id)
        if await views.published_session(data.session_id) is None:
            raise FieldError("session_id", f"No published session has id {data.session_id}.")

        async def write() -> tuple[int, OverrideOut]:
            changed = await change_override(call, patient, data.session_id, data.kind)
            row = await views.override_of(patient.id, data.session_id)
            assert row is not None  # just written
            return (201 if changed else 200), OverrideOut.of(row)

        return await respond_once(call.request, data, write)

    @delete(
        f"{PATIENT}/overrides/{{session_id:int}}",
        name="api_override_remove",
        status_code=200,
        responses=answers(OverrideOut, 200),
    )
    async def remove_override(
        self, call: CareTeamCall, patient_id: PathId, session_id: PathId
    ) -> Response[bytes]:
        """Lift a ban or pin; answers what was removed (404 when there was none)."""
        patient = await patient_for_therapist_or_404(call.user, patient_id)

        async def write() -> tuple[int, OverrideOut]:
            row = await remove_override(call, patient, session_id)
            return 200, OverrideOut.of(row)

        return await respond_once(call.request, None, write)
