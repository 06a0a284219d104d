"""JSON API for a patient's own check-ins and GAD-7 answers. Paths are a public contract."""

from __future__ import annotations

from litestar import Response, get, post
from litestar.params import JSONBody

from wellness.checkins import services as checkins
from wellness.practice import checkin_as_after
from wellness.web.api.care_schemas import Support
from wellness.web.api.checkins_schemas import (
    CheckinCreate,
    CheckinCreated,
    CheckinList,
    CheckinOut,
    Gad7Create,
    Gad7Created,
    Gad7List,
    Gad7Out,
)
from wellness.web.api.fields import PerPage
from wellness.web.api.own_records import OwnRecordsApi
from wellness.web.dependencies import CareRules, PatientCall, RequestTime, SignedInUser
from wellness.web.idempotency import respond_once
from wellness.web.ids import PageNumber
from wellness.web.openapi import created


class CheckinsApi(OwnRecordsApi):
    @post("/checkins", name="api_checkin_create", responses=created(CheckinCreated))
    async def create_checkin(
        self,
        call: PatientCall,
        data: JSONBody[CheckinCreate],
    ) -> Response[bytes]:
        """Rate anxiety now (SUDS 0-10). A high rating raises an alert and answers `support`.

        Made within `WELLNESS_CHECKIN_AS_AFTER_MINUTES` (15) after the end of the patient's
        latest practice, if that practice was played here (the player's calls, not a logged
        practice), completed, and has no after rating, the check-in also counts as its after
        rating: `checkin.after_practice_id` names the practice. It can still be the next
        practice's before rating."""

        async def write() -> tuple[int, CheckinCreated]:
            entry = checkins.CheckinInput(data.level, data.note, data.tags, data.occurred_at)
            recorded = await checkin_as_after.record_checkin(
                call.user, entry, policy=call.policy, now=call.now
            )
            support = Support.of(recorded.alerts, call.policy)
            checkin = CheckinOut.of(recorded.checkin, after_practice_id=recorded.counted_after)
            return 201, CheckinCreated(checkin, bool(support), support)

        return await respond_once(call.request, data, write)

    @get("/checkins", name="api_checkins")
    async def list_checkins(
        self, user: SignedInUser, page: PageNumber = 1, per_page: PerPage = 20
    ) -> CheckinList:
        """The patient's ratings, newest first: quick check-ins and those given around a
        practice (`practice_id`). A quick check-in that counted as a practice's after rating
        names it in `after_practice_id`; it is listed once."""
        found = await checkins.checkin_history(user, page=page, per_page=per_page)
        closed = await checkins.practices_closed_by(item.id for item in found.items)
        items = [CheckinOut.of(item, after_practice_id=closed.get(item.id)) for item in found.items]
        return CheckinList.paged(items, found)

    @post("/gad7", name="api_gad7_create", responses=created(Gad7Created))
    async def create_gad7(
        self,
        call: PatientCall,
        data: JSONBody[Gad7Create],
    ) -> Response[bytes]:
        """Answer the GAD-7 (seven answers 0-3); answers the total and severity band."""

        async def write() -> tuple[int, Gad7Created]:
            recorded = await checkins.record_gad7(
                call.user,
                data.answers,
                occurred_at=data.occurred_at,
                policy=call.policy,
                now=call.now,
            )
            support = Support.of(recorded.alerts, call.policy)
            response = Gad7Out.of(recorded.response)
            return 201, Gad7Created(response.total, response.band, response, bool(support), support)

        return await respond_once(call.request, data, write)

    @get("/gad7", name="api_gad7_list")
    async def list_gad7(
        self,
        user: SignedInUser,
        now: RequestTime,
        policy: CareRules,
        page: PageNumber = 1,
        per_page: PerPage = 20,
    ) -> Gad7List:
        found = await checkins.gad7_history(user, page=page, per_page=per_page)
        due = await checkins.gad7_due(user, policy=policy, now=now)
        items = [Gad7Out.of(item) for item in found.items]
        return Gad7List.paged(items, found, due=due)
