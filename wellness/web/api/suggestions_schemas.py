"""What the suggestions API answers: an explicit allow-list of fields, never a stored row."""

from __future__ import annotations

from datetime import datetime

import msgspec

from wellness.suggestions.services import Suggested, SuggestedSession
from wellness.web.shapes import copied


class SuggestionOut(msgspec.Struct):
    session_id: int
    title: str
    kind: str
    minutes: int
    reasons: list[str]
    probability: float
    assignment_id: int | None

    @classmethod
    def of(cls, item: SuggestedSession) -> SuggestionOut:
        minutes, probability = round(item.minutes), round(item.probability, 4)
        return copied(
            cls, item, minutes=minutes, reasons=list(item.reasons), probability=probability
        )


class SuggestionContextOut(msgspec.Struct):
    anxiety: int | None  # the latest rating the choice acted on (recent ones only)
    rated_at: datetime | None
    tier: str  # the safety filter's tier: everyday, gentle or support
    local_hour: int  # in the patient's time zone
    today: str  # the patient's practice day (ISO date)
    engine_version: str


class SuggestionsOut(msgspec.Struct):
    suggestion_id: int  # send it as `suggestion_id` when starting one of these sessions
    items: list[SuggestionOut]
    context: SuggestionContextOut

    @classmethod
    def of(cls, found: Suggested) -> SuggestionsOut:
        return cls(
            suggestion_id=found.suggestion_id,
            items=[SuggestionOut.of(item) for item in found.items],
            context=copied(SuggestionContextOut, found),
        )
