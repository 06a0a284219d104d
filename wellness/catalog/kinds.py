"""The catalog's vocabularies. Pure: enums and the rules that read them."""

from __future__ import annotations

from wellness.lib.vocabulary import Vocabulary


class Kind(Vocabulary):
    MEDITATION = "meditation"
    BREATHING = "breathing"
    YOGA = "yoga"
    BODY_SCAN = "body_scan"
    GROUNDING = "grounding"
    SLEEP = "sleep"


class Level(Vocabulary):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Posture(Vocabulary):
    SEATED = "seated"
    LYING = "lying"
    STANDING = "standing"


class Guidance(Vocabulary):
    GUIDED = "guided"
    SILENT = "silent"


class Status(Vocabulary):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Contraindication(Vocabulary):
    """Practice features some patients must avoid (used by suggestions and therapists)."""

    BREATH_HOLD = "breath_hold"
    FAST_BREATHING = "fast_breathing"
    VIGOROUS = "vigorous"
    STANDING = "standing"
    LONG_SILENCE = "long_silence"


# A session moves draft -> published -> archived; archived ones can be republished.
ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.PUBLISHED, Status.ARCHIVED}),
    Status.PUBLISHED: frozenset({Status.ARCHIVED}),
    Status.ARCHIVED: frozenset({Status.PUBLISHED}),
}


def can_transition(current: Status, target: Status) -> bool:
    return target in ALLOWED_TRANSITIONS[current]
