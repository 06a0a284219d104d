"""What the restrictions API accepts and answers. Unknown input fields are refused."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from wellness.care.models import OverrideKind
from wellness.care.restriction_views import OverrideRow
from wellness.catalog.kinds import Contraindication
from wellness.web.ids import BodyId
from wellness.web.strict_json import StrictBody


class ContraindicationsIn(StrictBody):
    """The patient's whole set (PUT replaces it); [] clears it."""

    contraindications: Annotated[list[Contraindication], msgspec.Meta(max_length=32)]


class Vocabulary(msgspec.Struct):
    code: str
    label: str


class ContraindicationsOut(msgspec.Struct):
    patient_id: int
    contraindications: list[str]
    vocabulary: list[Vocabulary]

    @classmethod
    def of(cls, patient_id: int, codes: frozenset[str]) -> ContraindicationsOut:
        return cls(
            patient_id,
            sorted(codes),
            [Vocabulary(item.value, item.label) for item in Contraindication],
        )


class OverrideIn(StrictBody):
    session_id: BodyId
    kind: OverrideKind


class OverrideOut(msgspec.Struct):
    session_id: int
    title: str
    kind: str
    set_at: datetime
    set_by: str

    @classmethod
    def of(cls, row: OverrideRow) -> OverrideOut:
        return cls(row.session_id, row.title, row.kind.value, row.set_at, row.set_by)
