"""Audit coverage over the route table, so new routes are covered automatically: every staff
read under `/care` and `/api/v1/patients` by the patient's therapist writes an audit row naming
the patient (`therapist` looks after `patient`).
"""

from __future__ import annotations

import re

import pytest
from litestar import Litestar

from tests.conftest import PERSONAS, Client
from tests.web.test_route_table import all_routes
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.care.models import Alert
from wellness.care.policy import AlertReason
from wellness.caseload.assignments import AssignmentInput, create_assignment
from wellness.checkins.models import Checkin
from wellness.settings import CarePolicy

STAFF_READ_PREFIXES = ("/care/", "/api/v1/patients/")
PARAMETER = re.compile(r"\{(?P<name>[^}:]+)(?::[^}]*)?\}")


def template_of(path: str) -> str:
    """The path as an audit row's route names it: `{patient_id:int}` as `{patient_id}`."""
    return PARAMETER.sub(lambda found: "{" + found["name"] + "}", path)


def concrete(path: str, ids: dict[str, int]) -> str:
    def value(found: re.Match[str]) -> str:
        if found["name"] not in ids:
            pytest.fail(f"{path}: give the test an id for {{{found['name']}}}")
        return str(ids[found["name"]])

    return PARAMETER.sub(value, path)


def staff_reads(app: Litestar) -> list[str]:
    return [
        path
        for method, path in all_routes(app)
        if method == "GET" and path.startswith(STAFF_READ_PREFIXES)
    ]


def newest_id(client: Client) -> int:
    async def read() -> int:
        newest = await AuditEvent.all().order_by("-id").first()
        return newest.id if newest else 0

    return client.run(read)


def rows_after(client: Client, marker: int) -> list[AuditEvent]:
    return client.run(lambda: AuditEvent.filter(id__gt=marker).order_by("id"))


@pytest.fixture
def care_ids(client: Client, personas: dict[str, User]) -> dict[str, int]:
    """Ids of `patient`'s records for the staff routes' path parameters."""
    patient, therapist = personas["patient"], personas["therapist"]

    async def make() -> dict[str, int]:
        now = client.now()
        assignment = await create_assignment(
            patient,
            AssignmentInput(kind="breathing", min_minutes=5, max_minutes=10, note="Slowly."),
            by=therapist,
            policy=CarePolicy(),
            now=now,
        )
        rating = await Checkin.create(
            patient_id=patient.id, level=9, occurred_at=now, recorded_at=now
        )
        alert = await Alert.create(
            patient_id=patient.id,
            reason=AlertReason.HIGH_DISTRESS,
            value=9,
            source_type="checkin",
            source_id=rating.id,
            created_at=now,
        )
        return {"patient_id": patient.id, "assignment_id": assignment.id, "alert_id": alert.id}

    return client.run(make)


def test_the_staff_reads_include_those_of_each_area(app: Litestar) -> None:
    reads = staff_reads(app)
    assert "/care/patients/{patient_id:int}" in reads
    assert "/care/assignments/{assignment_id:int}/edit" in reads
    assert "/api/v1/patients/{patient_id:int}" in reads
    assert len(reads) >= 9


def test_every_staff_read_by_the_care_team_is_audited_naming_the_patient(
    client: Client, app: Litestar, personas: dict[str, User], care_ids: dict[str, int]
) -> None:
    patient, therapist = personas["patient"], personas["therapist"]
    client.login_as(PERSONAS["therapist"])
    unaudited = []
    for path in staff_reads(app):
        marker = newest_id(client)

        response = client.get(concrete(path, care_ids))

        assert response.status_code == 200, (path, response.status_code)
        rows = rows_after(client, marker)
        route = f"GET {template_of(path)}"
        naming = [row for row in rows if row.patient_id == patient.id and row.route == route]
        if not naming or any(row.actor_id != therapist.id for row in naming):
            unaudited.append(path)
    assert unaudited == []
