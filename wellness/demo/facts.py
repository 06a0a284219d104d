"""The demo library as the suggestion engine sees it, for the simulated clinic.

`wellness suggestions evaluate --catalog demo` and `bench/api_clinic.py --catalog demo` run the
simulated patients on the sessions `wellness demo` publishes, as a clinic judging the app from
outside on its demo data would, instead of on a synthetic catalog.
"""

from __future__ import annotations

from wellness.catalog.kinds import Status
from wellness.demo.content import DEMO_SESSIONS, DemoSession
from wellness.suggestions.inputs import SessionFacts


def session_facts(session: DemoSession, session_id: int) -> SessionFacts:
    return SessionFacts(
        session_id=session_id,
        title=session.title,
        kind=session.kind.value,
        minutes=float(session.minutes),
        posture=session.posture.value,
        guidance=session.guidance.value,
        level=session.level.value,
        contraindications=frozenset(tag.value for tag in session.contraindications),
        anxiety_min=session.anxiety_min,
        anxiety_max=session.anxiety_max,
    )


def demo_catalog() -> tuple[SessionFacts, ...]:
    """The published demo sessions, numbered 1, 2, ... in the library's order."""
    published = [session for session in DEMO_SESSIONS if session.status is Status.PUBLISHED]
    return tuple(session_facts(session, n + 1) for n, session in enumerate(published))
