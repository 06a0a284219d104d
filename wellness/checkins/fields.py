"""A SUDS rating and a GAD-7's answers as types that msgspec bounds when it decodes them: for
the JSON API's bodies and for the catalog's session fields, which it decodes into. The bounds
are `scoring`'s, so the OpenAPI document states them too."""

from __future__ import annotations

from typing import Annotated

import msgspec

from wellness.checkins.scoring import GAD7_ANSWER_MAX, GAD7_ITEMS, SUDS_MAX, SUDS_MIN

# An anxiety rating on the SUDS scale (0 calm to 10 the worst distress).
Anxiety = Annotated[int, msgspec.Meta(ge=SUDS_MIN, le=SUDS_MAX)]

# A GAD-7 as answered: one answer (0 not at all to 3 nearly every day) to each of the seven
# questions, in order.
Gad7Answer = Annotated[int, msgspec.Meta(ge=0, le=GAD7_ANSWER_MAX)]
Gad7Answers = Annotated[
    list[Gad7Answer], msgspec.Meta(min_length=len(GAD7_ITEMS), max_length=len(GAD7_ITEMS))
]
