"""Ids in request bodies: a write that names a record its sender may not use is refused with a
4xx naming the field, and writes nothing.

`test_outsiders.py` covers ids in paths. Here each body field that names a record gets one the
sender cannot use: a patient starts or logs a catalog draft or an archived session; a therapist
assigns, pins or bans one, or assigns a draft or archived collection; an admin puts someone who
is not a therapist on a care team. Each is sent through the JSON API and through the page form
where there is one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.conftest import PERSONAS, TEST_NOW, Client
from tests.web.collection_data import make_collection
from tests.web.test_practice_api import make_session
from wellness.accounts.models import User
from wellness.care.models import CareTeamMember, PracticeAssignment, SessionOverride
from wellness.catalog.kinds import Status
from wellness.practice.models import PracticeLog

STARTED_AT = TEST_NOW.replace(hour=11).isoformat()


@pytest.fixture(params=[Status.DRAFT, Status.ARCHIVED], ids=["draft", "archived"])
def hidden_session(
    request: pytest.FixtureRequest, client: Client, personas: dict[str, User]
) -> int:
    """A session no one but a coordinator may name: a draft, or an archived one."""
    return make_session(client, status=request.param)


def rows(client: Client) -> tuple[int, ...]:
    async def counted() -> tuple[int, ...]:
        return (
            await PracticeLog.all().count(),
            await PracticeAssignment.all().count(),
            await SessionOverride.all().count(),
            await CareTeamMember.all().count(),
        )

    return client.run(counted)


def api_write(client: Client, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
    headers = {"idempotency-key": uuid4().hex}
    return client.request(method, path, json=body, headers=headers)


API_FIELD = '"field":"session_id"'
NOT_VISIBLE = "No session you can see has that id."
NOT_PUBLISHED = "No published session has"


def refused(client: Client, send: Callable[[], httpx.Response], says: str) -> None:
    """`send` is answered 422 with `says` in the answer, and adds no practice, assignment,
    override or care-team row."""
    before = rows(client)
    response = send()
    assert response.status_code == 422, response.text[:300]
    assert says in response.text
    assert rows(client) == before


def test_a_patient_cannot_start_or_log_a_session_they_may_not_see(
    client: Client, hidden_session: int
) -> None:
    client.login_as(PERSONAS["patient"])
    session = hidden_session

    played = {"session_id": session}
    refused(
        client, lambda: api_write(client, "POST", "/api/v1/practice/playback", played), API_FIELD
    )
    logged = {"session_id": session, "started_at": STARTED_AT, "listened_seconds": 60}
    refused(client, lambda: api_write(client, "POST", "/api/v1/practice", logged), API_FIELD)
    form = {"session_id": str(session)}
    refused(client, lambda: client.submit("/practice/start", form), NOT_VISIBLE)


def test_a_therapist_cannot_assign_pin_or_ban_a_session_patients_may_not_see(
    client: Client, personas: dict[str, User], hidden_session: int
) -> None:
    client.login_as(PERSONAS["therapist"])
    session, patient = hidden_session, personas["patient"].id
    api = f"/api/v1/patients/{patient}"

    assigned = {"session_id": session}
    refused(client, lambda: api_write(client, "POST", f"{api}/assignments", assigned), API_FIELD)
    form = {"target": "session", "session_id": str(session), "frequency": "daily"}
    page = f"/care/patients/{patient}/assignments"
    refused(client, lambda: client.submit(page, form), NOT_PUBLISHED)
    overrides = f"/care/patients/{patient}/restrictions/overrides"
    for kind in ("pin", "ban"):
        body = {"session_id": session, "kind": kind}
        refused(client, partial(api_write, client, "POST", f"{api}/overrides", body), API_FIELD)
        # The form offers only sessions patients can see; any other id is not among them.
        choice = {"kind": kind, "session_id": str(session)}
        refused(client, partial(client.submit, overrides, choice), "Choose a session")


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ARCHIVED], ids=["draft", "archived"])
def test_a_therapist_cannot_assign_a_collection_patients_may_not_see(
    client: Client, personas: dict[str, User], status: Status
) -> None:
    published = make_session(client, status=Status.PUBLISHED)
    hidden = make_collection(client, "Hidden", [published], status=status)
    client.login_as(PERSONAS["therapist"])
    patient = personas["patient"].id

    assigned = {"collection_id": hidden}
    api = f"/api/v1/patients/{patient}/assignments"
    said = '"field":"collection_id"'
    refused(client, lambda: api_write(client, "POST", api, assigned), said)
    form = {"target": "collection", "collection_id": str(hidden), "frequency": "daily"}
    page = f"/care/patients/{patient}/assignments"
    refused(client, lambda: client.submit(page, form), "No published collection has that id.")


@pytest.mark.parametrize("who", ["other_patient", "coordinator", "admin"])
def test_an_admin_cannot_put_someone_who_is_not_a_therapist_on_a_care_team(
    client: Client, personas: dict[str, User], who: str
) -> None:
    client.login_as(PERSONAS["admin"])
    page = f"/admin/users/{personas['patient'].id}/care-team"

    chosen = personas[who]

    refused(
        client,
        lambda: client.submit(page, {"therapist_id": str(chosen.id)}),
        f"{chosen.display_name} is not a therapist.",
    )
