"""Enums labelled by their values read as words on pages."""

from __future__ import annotations

import pytest

from wellness.accounts.roles import Role
from wellness.care.schedule import PartOfDay
from wellness.caseload.plan import AssignmentState
from wellness.catalog.kinds import Contraindication, Kind, Status
from wellness.checkins.scoring import Gad7Band
from wellness.lib.vocabulary import Vocabulary


@pytest.mark.parametrize(
    ("member", "label"),
    [
        (Kind.BODY_SCAN, "Body scan"),
        (Contraindication.LONG_SILENCE, "Long silence"),
        (Status.PUBLISHED, "Published"),
        (Role.ADMIN, "Admin"),
        (Gad7Band.MODERATE, "Moderate"),
        (PartOfDay.BEDTIME, "Bedtime"),
        (AssignmentState.UPCOMING, "Upcoming"),
    ],
)
def test_a_member_reads_as_its_value_in_sentence_case(member: Vocabulary, label: str) -> None:
    assert member.label == label


def test_a_vocabulary_member_is_still_its_string_value() -> None:
    assert Kind("body_scan") is Kind.BODY_SCAN
    assert f"{Kind.BODY_SCAN}" == "body_scan"
