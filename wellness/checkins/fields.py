"""A SUDS rating as a type that msgspec bounds when it decodes one: for the JSON API's bodies
and for the catalog's session fields, which it decodes into. The bounds are `scoring`'s."""

from __future__ import annotations

from typing import Annotated

import msgspec

from wellness.checkins.scoring import SUDS_MAX, SUDS_MIN

# An anxiety rating on the SUDS scale (0 calm to 10 the worst distress).
Anxiety = Annotated[int, msgspec.Meta(ge=SUDS_MIN, le=SUDS_MAX)]
