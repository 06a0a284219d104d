"""What the saved-sessions web tests share: who saved what, read and written through the ORM."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import TEST_NOW, Client
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.care.models import OverrideKind, SessionOverride
from wellness.catalog.kinds import Guidance, Posture
from wellness.catalog.models import PracticeSession, SavedSession, SessionTag

# What the patient saved for the search tests, oldest first ("Older walk" has left the library).
SHELVED = ("Older walk", "Five senses", "Body scan", "Slow breathing")


def saved_rows(client: Client) -> list[tuple[int, int]]:
    """Every saved row: (patient id, session id)."""

    async def read() -> list[tuple[int, int]]:
        rows = await SavedSession.all().order_by("id").values_list("patient_id", "session_id")
        return [(int(patient), int(session)) for patient, session in rows]

    return client.run(read)


def save_as(client: Client, patient_id: int, *session_ids: int) -> None:
    """Saved in this order, a minute apart (the last the newest)."""

    async def write() -> None:
        for minute, session_id in enumerate(session_ids):
            await SavedSession.create(
                patient_id=patient_id,
                session_id=session_id,
                saved_at=TEST_NOW - timedelta(minutes=len(session_ids) - minute),
            )

    client.run(write)


def ban_for(client: Client, patient_id: int, session_id: int) -> None:
    """The patient's care team banned this session for them (after it was saved)."""

    async def write() -> None:
        await SessionOverride.create(
            patient_id=patient_id, session_id=session_id, kind=OverrideKind.BAN, set_at=client.now()
        )

    client.run(write)


def saved_audit(client: Client) -> list[tuple[str, int | None, str, str, int | None]]:
    """The saved list's audit rows: (action, actor, target type, target id, patient)."""

    async def read() -> list[tuple[str, int | None, str, str, int | None]]:
        rows = await AuditEvent.filter(action__in=["session_saved", "session_unsaved"]).order_by(
            "id"
        )
        return [
            (row.action, row.actor_id, row.target_type, row.target_id, row.patient_id)
            for row in rows
        ]

    return client.run(read)


def shelve(client: Client, personas: dict[str, User], library: dict[str, int]) -> None:
    """SHELVED saved by the patient, and "Box breathing" by the other patient; "Body scan" is
    done lying down and tagged "sleep", "Older walk" is silent."""
    save_as(client, personas["patient"].id, *(library[title] for title in SHELVED))
    save_as(client, personas["other_patient"].id, library["Box breathing"])

    async def describe() -> None:
        await PracticeSession.filter(id=library["Body scan"]).update(posture=Posture.LYING)
        await PracticeSession.filter(id=library["Older walk"]).update(guidance=Guidance.SILENT)
        await SessionTag.create(session_id=library["Body scan"], tag="sleep")

    client.run(describe)
