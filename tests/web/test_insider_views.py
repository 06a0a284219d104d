"""What each signed-in person's own pages and lists show of other people's data.

`test_outsiders.py` sends every route someone else's record; this sends every route without an
id in its path (the home pages, lists, searches, the audit trail and its CSV) to each person who
may use it, in the same seeded world, and checks that the answer holds only what that person
may see: clinical notes to the patient and their care team, a patient's name and e-mail to them,
their care team and admins, a catalog draft to coordinators and to therapists (who review
drafts; its files stay the coordinators'). A former care-team member sees none of the patient's
data; an admin, who runs accounts and the audit trail, sees names and e-mail addresses but no
clinical note.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.conftest import PERSONAS
from tests.web.test_outsiders import (
    ACCESS,
    ASSIGNMENT_NOTE,
    DRAFT_COLLECTION,
    DRAFT_FILENAME,
    DRAFT_TITLE,
    FORMER_THERAPIST,
    OTHER_PATIENT_NOTE,
    PATIENT_NOTE,
    PRACTICE_NOTE,
    SIGNED_IN,
    SPARE_FILENAME,
    World,
    send,
)
from tests.web.test_outsiders import world as seeded_world

if TYPE_CHECKING:
    from _pytest.mark import ParameterSet

pytestmark = pytest.mark.xdist_group("insider_views")  # one worker seeds the module's world once

world = seeded_world  # the module-scoped fixture, seeded again for this module

PATIENTS_CARE = frozenset({"patient", "therapist"})
OTHER_PATIENTS_CARE = frozenset({"other_patient", "other_therapist"})
# Each marker, and everyone who may see it.
MAY_SEE: dict[str, frozenset[str]] = {
    PATIENT_NOTE: PATIENTS_CARE,
    PRACTICE_NOTE: PATIENTS_CARE,
    ASSIGNMENT_NOTE: PATIENTS_CARE,
    OTHER_PATIENT_NOTE: OTHER_PATIENTS_CARE,
    PERSONAS["patient"].display_name: PATIENTS_CARE | {"admin"},
    PERSONAS["patient"].email: PATIENTS_CARE | {"admin"},
    PERSONAS["other_patient"].display_name: OTHER_PATIENTS_CARE | {"admin"},
    PERSONAS["other_patient"].email: OTHER_PATIENTS_CARE | {"admin"},
    DRAFT_TITLE: frozenset({"coordinator", "therapist", "other_therapist", FORMER_THERAPIST.key}),
    DRAFT_FILENAME: frozenset({"coordinator"}),
    DRAFT_COLLECTION: frozenset({"coordinator"}),  # a draft collection, on the list of them
    SPARE_FILENAME: frozenset({"coordinator"}),  # on the upload page's unused uploads
}


def own_views() -> Iterator[ParameterSet]:
    """(path, viewer) for every GET route without a path parameter that the viewer may use."""
    for (method, path), access in sorted(ACCESS.items()):
        if method != "GET" or access.public or "{" in path:
            continue
        for key, persona in SIGNED_IN.items():
            if persona.role in access.roles:
                yield pytest.param(path, key, id=f"{path} by {key}")


@pytest.mark.parametrize(("path", "viewer"), list(own_views()))
def test_each_view_shows_only_what_its_viewer_may_see(world: World, path: str, viewer: str) -> None:
    response = send(world, viewer, "GET", path)

    assert response.status_code in {200, 303}, response.text[:500]
    seen = sorted(
        marker
        for marker, viewers in MAY_SEE.items()
        if viewer not in viewers and standing_alone(marker).search(response.text)
    )
    assert seen == []


def test_every_marker_shows_in_a_view_of_someone_who_may_see_it(world: World) -> None:
    # Otherwise the test above would pass for views that show nobody's data at all.
    shown: set[str] = set()
    for path, viewer in (case.values for case in own_views()):
        text = send(world, str(viewer), "GET", str(path)).text
        shown |= {
            marker
            for marker, viewers in MAY_SEE.items()
            if viewer in viewers and standing_alone(marker).search(text)
        }
    assert sorted(MAY_SEE.keys() - shown) == []


def standing_alone(marker: str) -> re.Pattern[str]:
    """`marker` as a whole, so patient@example.org is not found in other.patient@example.org."""
    return re.compile(rf"(?<![\w.@]){re.escape(marker)}(?!\w)", re.IGNORECASE)


def test_the_views_checked_include_each_role_home_and_the_audit_trail() -> None:
    checked = {(values[0], values[1]) for values in (case.values for case in own_views())}
    for path, viewer in [
        ("/patient", "patient"),
        ("/therapist", "therapist"),
        ("/therapist", FORMER_THERAPIST.key),
        ("/coordinator", "coordinator"),
        ("/admin/audit", "admin"),
        ("/admin/audit.csv", "admin"),
        ("/api/v1/alerts", "other_therapist"),
    ]:
        assert (path, viewer) in checked
