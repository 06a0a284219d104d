"""Pure rules for sign-in sessions: idle timeout by role and an absolute lifetime (ASVS 7.3)."""

from __future__ import annotations

from dataclasses import dataclass

from wellness.accounts.roles import Role


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    staff_idle_seconds: int
    patient_idle_seconds: int
    lifetime_seconds: int

    def idle_limit(self, role: Role) -> int:
        return self.staff_idle_seconds if role.is_staff else self.patient_idle_seconds

    def is_alive(self, *, role: Role, issued_at: float, last_seen: float, now: float) -> bool:
        if now - issued_at > self.lifetime_seconds:
            return False
        return now - last_seen <= self.idle_limit(role)


@dataclass(frozen=True, slots=True)
class SessionClaims:
    """What a session cookie's server-side record holds: never more than identifiers and times."""

    user_id: int
    epoch: int
    issued_at: float
    last_seen: float

    def to_dict(self) -> dict[str, int | float]:
        return {
            "uid": self.user_id,
            "epoch": self.epoch,
            "iat": self.issued_at,
            "seen": self.last_seen,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> SessionClaims | None:
        user_id, epoch = data.get("uid"), data.get("epoch")
        issued_at, last_seen = data.get("iat"), data.get("seen")
        if not (isinstance(user_id, int) and isinstance(epoch, int)):
            return None
        if not (isinstance(issued_at, int | float) and isinstance(last_seen, int | float)):
            return None
        return cls(user_id, epoch, float(issued_at), float(last_seen))
