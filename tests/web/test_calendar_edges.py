"""Times and dates at the calendar's very edges (year 1 and year 9999, offsets that carry them
past it in UTC) are refused as a field's problem (4xx naming it) and leave nothing behind,
in the JSON API, the forms and the audit filters; never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PERSONAS, Client, count
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.checkins.models import Checkin, Gad7Response
from wellness.practice.models import PracticeLog

# Each one is past the calendar's range once it is read in UTC or in the patient's zone.
EDGE_MOMENTS = [
    "0001-01-01T00:00:00+01:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-01:00",
    "9999-12-31T23:59:00-12:00",
]
EDGE_LOCAL_TIMES = ["0001-01-01T00:00", "9999-12-31T23:59"]
EDGE_DAYS = ["0001-01-01", "9999-12-31"]


@pytest.mark.parametrize("moment", EDGE_MOMENTS)
@pytest.mark.parametrize(
    ("path", "body", "field", "model"),
    [
        ("/api/v1/checkins", {"level": 3}, "occurred_at", Checkin),
        ("/api/v1/gad7", {"answers": [1, 1, 1, 1, 1, 1, 1]}, "occurred_at", Gad7Response),
        ("/api/v1/practice", {"kind": "yoga", "listened_seconds": 600}, "started_at", PracticeLog),
    ],
)
def test_the_patients_api_refuses_a_moment_at_the_calendars_edge(
    as_patient: Client, moment: str, path: str, body: dict[str, Any], field: str, model: Any
) -> None:
    response = as_patient.post(path, json={**body, field: moment})

    assert response.status_code == 422, response.text
    assert field in response.text
    assert count(as_patient, model) == 0


@pytest.mark.parametrize("moment", EDGE_MOMENTS)
def test_attested_practice_refuses_a_moment_at_the_calendars_edge(
    client: Client, personas: dict[str, User], moment: str
) -> None:
    client.login_as(PERSONAS["therapist"])
    body = {"kind": "yoga", "minutes": 45, "started_at": moment}

    response = client.post(f"/api/v1/patients/{personas['patient'].id}/practice", json=body)

    assert response.status_code == 422, response.text
    assert "started_at" in response.text
    assert count(client, PracticeLog) == 0


@pytest.mark.parametrize("local_time", EDGE_LOCAL_TIMES)
def test_the_log_practice_form_refuses_a_time_at_the_calendars_edge(
    as_patient: Client, local_time: str
) -> None:
    form = {"kind": "yoga", "minutes": "30", "started_at": local_time}

    response = as_patient.submit("/practice/log", form)

    assert response.status_code == 422, response.text
    assert "started_at" in response.text
    assert count(as_patient, PracticeLog) == 0


@pytest.mark.parametrize("local_time", EDGE_LOCAL_TIMES)
def test_the_attendance_form_refuses_a_time_at_the_calendars_edge(
    client: Client, personas: dict[str, User], local_time: str
) -> None:
    client.login_as(PERSONAS["therapist"])
    form = {"kind": "yoga", "minutes": "30", "started_at": local_time}

    response = client.submit(f"/care/patients/{personas['patient'].id}/attest", form)

    assert response.status_code == 422, response.text
    assert "started_at" in response.text
    assert count(client, PracticeLog) == 0


@pytest.mark.parametrize("field", ["since", "until"])
@pytest.mark.parametrize("day", EDGE_DAYS)
@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit.csv"])
def test_the_audit_filters_refuse_a_day_at_the_calendars_edge(
    as_admin: Client, field: str, day: str, path: str
) -> None:
    exports_before = count(as_admin, AuditEvent, action="audit_exported")

    response = as_admin.get(path, params={field: day})

    assert response.status_code == 400, response.text
    assert "Give a date from 2000-01-01 to 2999-12-31." in response.text
    assert count(as_admin, AuditEvent, action="audit_exported") == exports_before
