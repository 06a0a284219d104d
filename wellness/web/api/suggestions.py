"""JSON API for a patient's own suggestions. Paths are a public contract."""

from __future__ import annotations

from litestar import Controller, get

from wellness.suggestions import services as suggestions
from wellness.web.api.suggestions_schemas import SuggestionsOut
from wellness.web.dependencies import CareRules, RequestTime, SignedInUser
from wellness.web.guards import patients_only


class SuggestionsApi(Controller):
    path = "/api/v1"
    guards = [patients_only]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["suggestions"]  # noqa: RUF012

    @get("/suggestions", name="api_suggestions")
    async def suggestions(
        self, user: SignedInUser, now: RequestTime, policy: CareRules
    ) -> SuggestionsOut:
        """Three to five sessions for now, each with its reasons, chosen within the safety
        filter for the latest rating; every list answered is logged as shown."""
        found = await suggestions.suggestions_for(user, policy=policy, now=now)
        return SuggestionsOut.of(found)
