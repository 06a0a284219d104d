"""The catalog's vocabularies. Pure: enums and the rules that read them."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    MEDITATION = "meditation"
    BREATHING = "breathing"
    YOGA = "yoga"
    BODY_SCAN = "body_scan"
    GROUNDING = "grounding"
    SLEEP = "sleep"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Level(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Posture(StrEnum):
    SEATED = "seated"
    LYING = "lying"
    STANDING = "standing"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Guidance(StrEnum):
    GUIDED = "guided"
    SILENT = "silent"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Status(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Contraindication(StrEnum):
    """Practice features some patients must avoid (used by suggestions and therapists)."""

    BREATH_HOLD = "breath_hold"
    FAST_BREATHING = "fast_breathing"
    VIGOROUS = "vigorous"
    STANDING = "standing"
    LONG_SILENCE = "long_silence"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# A session moves draft -> published -> archived; archived ones can be republished.
ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.PUBLISHED, Status.ARCHIVED}),
    Status.PUBLISHED: frozenset({Status.ARCHIVED}),
    Status.ARCHIVED: frozenset({Status.PUBLISHED}),
}


def can_transition(current: Status, target: Status) -> bool:
    return target in ALLOWED_TRANSITIONS[current]
