from __future__ import annotations

from wellness.lib.vocabulary import Vocabulary


class Role(Vocabulary):
    PATIENT = "patient"
    THERAPIST = "therapist"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def is_staff(self) -> bool:
        return self is not Role.PATIENT
