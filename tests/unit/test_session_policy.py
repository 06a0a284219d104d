from __future__ import annotations

from wellness.accounts.roles import Role
from wellness.accounts.sessions import SessionClaims, SessionPolicy

POLICY = SessionPolicy(
    staff_idle_seconds=20 * 60, patient_idle_seconds=120 * 60, lifetime_seconds=12 * 3600
)


def test_staff_have_the_short_idle_limit() -> None:
    for role in (Role.THERAPIST, Role.COORDINATOR, Role.ADMIN):
        assert POLICY.idle_limit(role) == 20 * 60
    assert POLICY.idle_limit(Role.PATIENT) == 120 * 60


def test_a_session_lives_until_idle_or_too_old() -> None:
    start = 1_000_000.0
    alive = POLICY.is_alive(
        role=Role.THERAPIST, issued_at=start, last_seen=start, now=start + 20 * 60
    )
    idle = POLICY.is_alive(
        role=Role.THERAPIST, issued_at=start, last_seen=start, now=start + 20 * 60 + 1
    )
    old = POLICY.is_alive(
        role=Role.PATIENT, issued_at=start, last_seen=start + 12 * 3600, now=start + 12 * 3600 + 1
    )
    assert (alive, idle, old) == (True, False, False)


def test_claims_round_trip_and_reject_tampered_shapes() -> None:
    claims = SessionClaims(user_id=7, epoch=2, issued_at=1.5, last_seen=2.5)
    assert SessionClaims.from_dict(dict(claims.to_dict())) == claims
    assert SessionClaims.from_dict({}) is None
    assert SessionClaims.from_dict({"uid": "7", "epoch": 2, "iat": 1, "seen": 1}) is None
    assert SessionClaims.from_dict({"uid": 7, "epoch": 2, "iat": "x", "seen": 1}) is None
