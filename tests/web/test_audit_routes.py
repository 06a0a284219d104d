"""Every audit row names its route one way: the method and the handler's path template
("POST /care/patients/{patient_id}/restrictions/contraindications"), never a concrete id, so the
rows of one route read alike whichever patient they are about."""

from __future__ import annotations

import re

from tests.conftest import PERSONAS, Client
from tests.web.care_record_data import check_in, login, newest_alert
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent

ROUTE = re.compile(r"(GET|POST|PUT|PATCH|DELETE) /[a-z0-9_/.{}-]*")


def routes(client: Client) -> list[tuple[str, str]]:
    async def load() -> list[tuple[str, str]]:
        rows = await AuditEvent.exclude(route="").order_by("id").values_list("action", "route")
        return [(str(action), str(route)) for action, route in rows]

    return client.run(load)


def test_pages_and_api_write_the_route_as_method_and_path_template(
    client: Client, personas: dict[str, User]
) -> None:
    patient_id = personas["patient"].id
    login(client, "patient")
    check_in(client, 9, tags=[])
    alert_id = newest_alert(client)
    login(client, "therapist")

    record = client.get(f"/care/patients/{patient_id}")
    listed = client.get(f"/api/v1/patients/{patient_id}/assignments")
    changed = client.submit(
        f"/care/patients/{patient_id}/restrictions/contraindications",
        {"contraindications": ["vigorous"]},
    )
    acknowledged = client.post(f"/api/v1/alerts/{alert_id}/acknowledge")
    client.login_as(PERSONAS["admin"])
    exported = client.get("/admin/audit.csv")

    assert (record.status_code, listed.status_code, changed.status_code) == (200, 200, 303)
    assert (acknowledged.status_code, exported.status_code) == (200, 200)
    assert routes(client) == [
        ("patient_record_viewed", "GET /care/patients/{patient_id}"),
        ("assignments_viewed", "GET /api/v1/patients/{patient_id}/assignments"),
        (
            "contraindications_changed",
            "POST /care/patients/{patient_id}/restrictions/contraindications",
        ),
        ("alert_acknowledged", "POST /api/v1/alerts/{alert_id}/acknowledge"),
        ("audit_exported", "GET /admin/audit.csv"),
    ]
    assert all(ROUTE.fullmatch(route) for _, route in routes(client))
