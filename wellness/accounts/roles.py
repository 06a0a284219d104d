from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PATIENT = "patient"
    THERAPIST = "therapist"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def is_staff(self) -> bool:
        return self is not Role.PATIENT
