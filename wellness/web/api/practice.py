"""JSON API for a patient's own practice and streak. Paths are a public contract."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import JSONBody

from wellness.checkins import services as checkins
from wellness.practice import services as practice
from wellness.settings import CarePolicy
from wellness.suggestions import services as suggestions
from wellness.web.api.care_schemas import Support
from wellness.web.api.fields import PerPage
from wellness.web.api.own_records import OwnRecordsApi
from wellness.web.api.practice_schemas import (
    PracticeCreate,
    PracticeCreated,
    PracticeList,
    PracticeListItem,
    PracticeOut,
    PracticeStart,
    ProgressReport,
    RatingAfter,
    StreakOut,
)
from wellness.web.dependencies import CareRules, PatientCall, RequestTime, SignedInUser
from wellness.web.idempotency import respond_once
from wellness.web.ids import PageNumber, PathId
from wellness.web.lookups import own_practice_or_404
from wellness.web.openapi import answers, created


async def respond_logged(
    request: Request[Any, Any, Any],
    data: msgspec.Struct,
    policy: CarePolicy,
    log: Callable[[], Awaitable[practice.Logged]],
) -> Response[bytes]:
    """Run `log` once per Idempotency-Key and answer 201 with the practice and any support."""

    async def write() -> tuple[int, PracticeCreated]:
        logged = await log()
        support = Support.of(logged.alerts, policy)
        return 201, PracticeCreated(
            practice=PracticeOut.of(logged.practice),
            alert_raised=bool(support),
            support=support,
            anxiety_before=logged.before,
            anxiety_after=logged.after,
        )

    return await respond_once(request, data, write)


class PracticeApi(OwnRecordsApi):
    @post("/practice", name="api_practice_create", responses=created(PracticeCreated))
    async def create_practice(
        self,
        call: PatientCall,
        data: JSONBody[PracticeCreate],
    ) -> Response[bytes]:
        """Log a practice that already happened (a queued offline record, or group yoga).
        Without `anxiety_before`, the patient's quick check-in made up to
        `WELLNESS_CHECKIN_AS_BEFORE_MINUTES` (15 by default) before `started_at`, or up to a
        minute after it (clocks differ), if it is their latest rating by then and no other
        practice took it, serves as the before rating. Send `anxiety_after` with it: a check-in
        made later is a new moment, not this practice's after rating. Without `suggestion_id`,
        the patient's latest list links it if that list offered the session within the hour
        before `started_at`."""
        reported = msgspec.structs.asdict(data)
        suggestion_id = reported.pop("suggestion_id")
        entry = practice.PracticeInput(**reported)
        log = partial(
            suggestions.log_suggested,
            call.user,
            entry,
            suggestion_id,
            policy=call.policy,
            now=call.now,
        )
        return await respond_logged(call.request, data, call.policy, log)

    @post("/practice/playback", name="api_practice_start", responses=created(PracticeCreated))
    async def start_playback(
        self,
        call: PatientCall,
        data: JSONBody[PracticeStart],
    ) -> Response[bytes]:
        """The player starts a session here; progress reports follow (observed playback).
        Without `anxiety_before`, a recent quick check-in serves as it, and without
        `suggestion_id` the latest list links it, as for `POST /api/v1/practice`. Once the
        session has ended, a quick check-in within `WELLNESS_CHECKIN_AS_AFTER_MINUTES` serves
        as its after rating if none was given."""

        async def start() -> practice.Logged:
            logged = await suggestions.start_suggested(
                call.user,
                data.session_id,
                data.suggestion_id,
                anxiety_before=data.anxiety_before,
                policy=call.policy,
                now=call.now,
            )
            if logged.needs_support:
                # The session page's player goes to the support panel next; it leads back here.
                call.request.session["support_back"] = f"/sessions/{data.session_id}"
            return logged

        return await respond_logged(call.request, data, call.policy, start)

    @post(
        "/practice/{practice_id:int}/progress",
        name="api_practice_progress",
        status_code=200,
        responses=answers(PracticeOut, 200),
    )
    async def report_progress(
        self,
        call: PatientCall,
        practice_id: PathId,
        data: JSONBody[ProgressReport],
    ) -> Response[bytes]:
        """Seconds actually played so far (repeatable: progress never goes backwards)."""
        found = await own_practice_or_404(call.user, practice_id)

        async def write() -> tuple[int, PracticeOut]:
            updated = await practice.report_progress(
                found, data.listened_seconds, policy=call.policy, now=call.now
            )
            return 200, PracticeOut.of(updated)

        return await respond_once(call.request, data, write)

    @post(
        "/practice/{practice_id:int}/rating",
        name="api_practice_rating",
        responses=created(PracticeCreated),
    )
    async def rate_after(
        self,
        call: PatientCall,
        practice_id: PathId,
        data: JSONBody[RatingAfter],
    ) -> Response[bytes]:
        """The anxiety rating after a session (once per practice)."""
        found = await own_practice_or_404(call.user, practice_id)
        rate = partial(
            practice.rate_after, found, data.anxiety_after, policy=call.policy, now=call.now
        )
        return await respond_logged(call.request, data, call.policy, rate)

    @get("/practice", name="api_practice_list")
    async def list_practice(
        self, user: SignedInUser, page: PageNumber = 1, per_page: PerPage = 20
    ) -> PracticeList:
        """The patient's practice, newest first, each with the ratings it holds."""
        found = await practice.history(user, page=page, per_page=per_page)
        ratings = await checkins.ratings_around(item.id for item in found.items)
        items = [PracticeListItem.rated(item, ratings.get(item.id)) for item in found.items]
        return PracticeList.paged(items, found)

    @get("/me/streak", name="api_streak")
    async def streak(self, user: SignedInUser, now: RequestTime, policy: CareRules) -> StreakOut:
        summary = await practice.streak_for(user, policy=policy, now=now)
        return StreakOut.of(summary, hidden=user.hide_streaks)
