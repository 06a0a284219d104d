"""What a patient's care team asked them to avoid: contraindications, and banned or pinned sessions.

Writes here are made by a care-team member (the caller checks that and writes the audit row);
reads feed every place that offers a session: the catalog's marks, the session page, the
support panel, today's plan and the suggestions.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from wellness.accounts.models import User
from wellness.care.models import OverrideKind, PatientContraindication, SessionOverride
from wellness.catalog.kinds import Contraindication
from wellness.lib.validation import FieldError


@dataclass(frozen=True, slots=True)
class Restrictions:
    contraindications: frozenset[str] = frozenset()
    banned: frozenset[int] = frozenset()
    pinned: frozenset[int] = frozenset()

    def forbids(self, session_id: int, session_contraindications: Iterable[str]) -> bool:
        """True when the care team asked this patient to skip the session, for either reason."""
        return session_id in self.banned or bool(
            self.contraindications.intersection(session_contraindications)
        )


NONE = Restrictions()


def contraindication_codes(values: Iterable[str]) -> frozenset[str]:
    """The codes, each checked against the catalog's vocabulary; FieldError names a stranger."""
    known = {item.value for item in Contraindication}
    codes = frozenset(values)
    unknown = sorted(codes - known)
    if unknown:
        raise FieldError("contraindications", f"Unknown contraindication: {', '.join(unknown)}.")
    return codes


async def restrictions_for(patient_id: int) -> Restrictions:
    codes = await PatientContraindication.filter(patient_id=patient_id).values_list(
        "code", flat=True
    )
    overrides = await SessionOverride.filter(patient_id=patient_id).values_list(
        "session_id", "kind"
    )
    return Restrictions(
        contraindications=frozenset(str(code) for code in codes),
        banned=frozenset(int(sid) for sid, kind in overrides if kind == OverrideKind.BAN),
        pinned=frozenset(int(sid) for sid, kind in overrides if kind == OverrideKind.PIN),
    )


async def restrictions_for_many(patient_ids: Collection[int]) -> dict[int, Restrictions]:
    """Two queries however many patients (for dashboards)."""
    codes: dict[int, set[str]] = {patient_id: set() for patient_id in patient_ids}
    banned: dict[int, set[int]] = {patient_id: set() for patient_id in patient_ids}
    pinned: dict[int, set[int]] = {patient_id: set() for patient_id in patient_ids}
    for patient_id, code in await PatientContraindication.filter(
        patient_id__in=list(patient_ids)
    ).values_list("patient_id", "code"):
        codes[int(patient_id)].add(str(code))
    for patient_id, session_id, kind in await SessionOverride.filter(
        patient_id__in=list(patient_ids)
    ).values_list("patient_id", "session_id", "kind"):
        (banned if kind == OverrideKind.BAN else pinned)[int(patient_id)].add(int(session_id))
    return {
        patient_id: Restrictions(
            frozenset(codes[patient_id]),
            frozenset(banned[patient_id]),
            frozenset(pinned[patient_id]),
        )
        for patient_id in patient_ids
    }


async def set_contraindications(
    patient: User, codes: Iterable[str], *, by: User, now: datetime
) -> tuple[frozenset[str], frozenset[str]]:
    """Replace the patient's contraindications; answers (added, removed)."""
    wanted = contraindication_codes(codes)
    async with in_transaction():
        current = frozenset(
            str(code)
            for code in await PatientContraindication.filter(patient_id=patient.id).values_list(
                "code", flat=True
            )
        )
        removed, added = current - wanted, wanted - current
        if removed:
            await PatientContraindication.filter(patient_id=patient.id, code__in=removed).delete()
        for code in sorted(added):
            await PatientContraindication.create(
                patient_id=patient.id, code=code, set_by_id=by.id, set_at=now
            )
    return added, removed


async def set_override(
    patient: User, session_id: int, kind: OverrideKind | None, *, by: User, now: datetime
) -> bool:
    """Ban or pin a session for the patient, or clear it (kind None); True when it changed."""
    async with in_transaction():
        existing = await SessionOverride.get_or_none(patient_id=patient.id, session_id=session_id)
        if existing is not None and existing.kind == kind:
            return False
        if existing is not None:
            await existing.delete()
        if kind is not None:
            await SessionOverride.create(
                patient_id=patient.id, session_id=session_id, kind=kind, set_by_id=by.id, set_at=now
            )
        return existing is not None or kind is not None
