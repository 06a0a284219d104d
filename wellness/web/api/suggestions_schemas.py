"""What the suggestions API answers: an explicit allow-list of fields, never a stored row."""

from __future__ import annotations

from datetime import datetime

import msgspec

from wellness.suggestions.services import Suggested, SuggestedSession


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
        return cls(
            session_id=item.session_id,
            title=item.title,
            kind=item.kind,
            minutes=round(item.minutes),
            reasons=list(item.reasons),
            probability=round(item.probability, 4),
            assignment_id=item.assignment_id,
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
            context=SuggestionContextOut(
                anxiety=found.anxiety,
                rated_at=found.rated_at,
                tier=found.tier,
                local_hour=found.local_hour,
                today=found.today,
                engine_version=found.engine_version,
            ),
        )
