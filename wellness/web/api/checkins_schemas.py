"""What the check-in and GAD-7 APIs accept and answer. Unknown input fields are refused, and
health data leaves only through these explicit shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from wellness.checkins.fields import Anxiety, Gad7Answers
from wellness.checkins.models import Checkin, Gad7Response
from wellness.checkins.scoring import CheckinContext, Gad7Band
from wellness.web.api.care_schemas import Support
from wellness.web.api.fields import Moment, Note
from wellness.web.shapes import PageOut, copied
from wellness.web.strict_json import StrictBody

ContextTagName = Annotated[str, msgspec.Meta(max_length=40)]


class CheckinCreate(StrictBody):
    level: Anxiety
    note: Note = ""
    tags: Annotated[list[ContextTagName], msgspec.Meta(max_length=10)] = msgspec.field(
        default_factory=list
    )
    occurred_at: Moment | None = None


class CheckinOut(msgspec.Struct):
    id: int
    level: int
    note: str
    tags: list[str]
    context: CheckinContext
    # The practice this rating was given for, or, for a quick check-in, the one that took it
    # as its before rating.
    practice_id: int | None
    occurred_at: datetime
    # A quick check-in made just after a practice ended: the practice it is the after rating of.
    after_practice_id: int | None = None

    @classmethod
    def of(cls, checkin: Checkin, *, after_practice_id: int | None = None) -> CheckinOut:
        return copied(cls, checkin, tags=list(checkin.tags), after_practice_id=after_practice_id)


class CheckinCreated(msgspec.Struct):
    checkin: CheckinOut
    alert_raised: bool
    support: Support | None


class CheckinList(PageOut):
    items: list[CheckinOut]


class Gad7Create(StrictBody):
    answers: Gad7Answers
    occurred_at: Moment | None = None


class Gad7Out(msgspec.Struct):
    id: int
    answers: list[int]
    total: int
    band: Gad7Band
    occurred_at: datetime

    @classmethod
    def of(cls, response: Gad7Response) -> Gad7Out:
        return copied(cls, response, answers=list(response.answers))


class Gad7Created(msgspec.Struct):
    total: int
    band: Gad7Band
    response: Gad7Out
    alert_raised: bool
    support: Support | None


class Gad7List(PageOut):
    items: list[Gad7Out]
    # Offered again once the last answers are the clinic's interval old (14 days by default).
    due: bool
