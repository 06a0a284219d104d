"""JSON bodies: each write route documents its body, and health data is decoded strictly, once."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException
from litestar.params import BodyKwarg
from litestar.routes import HTTPRoute

from tests.conftest import PERSONA_PASSWORD, PERSONAS, TEST_NOW, Client, count
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.catalog.models import PracticeSession
from wellness.checkins.models import Checkin
from wellness.practice.models import PracticeLog
from wellness.web import strict_json
from wellness.web.strict_json import JsonRequest

# Every JSON write, the schema its body is documented with, and the fields that must be given.
JSON_WRITES = {
    ("post", "/api/v1/auth/login"): ("LoginRequest", {"email", "password"}),
    ("post", "/api/v1/auth/password-reset"): ("PasswordResetRequest", {"email"}),
    ("post", "/api/v1/auth/password-reset/confirm"): (
        "PasswordResetConfirm",
        {"token", "password"},
    ),
    ("post", "/api/v1/checkins"): ("CheckinCreate", {"level"}),
    ("post", "/api/v1/gad7"): ("Gad7Create", {"answers"}),
    ("post", "/api/v1/practice"): ("PracticeCreate", {"started_at", "listened_seconds"}),
    ("post", "/api/v1/practice/playback"): ("PracticeStart", {"session_id"}),
    ("post", "/api/v1/practice/{practice_id}/progress"): ("ProgressReport", {"listened_seconds"}),
    ("post", "/api/v1/practice/{practice_id}/rating"): ("RatingAfter", {"anxiety_after"}),
    ("post", "/api/v1/patients/{patient_id}/practice"): (
        "AttestCreate",
        {"kind", "minutes", "started_at"},
    ),
    ("post", "/api/v1/attendance"): (
        "AttendanceCreate",
        {"patient_ids", "kind", "minutes", "started_at"},
    ),
    ("post", "/api/v1/sessions"): ("SessionCreate", {"title", "kind"}),
    ("patch", "/api/v1/sessions/{session_id}"): ("SessionPatch", set()),
    ("post", "/api/v1/collections"): ("CollectionCreate", {"title", "session_ids"}),
    ("patch", "/api/v1/collections/{collection_id}"): ("CollectionPatch", set()),
    ("post", "/api/v1/patients/{patient_id}/assignments"): ("AssignmentCreate", set()),
    ("patch", "/api/v1/assignments/{assignment_id}"): ("AssignmentPatch", {"action"}),
    ("post", "/api/v1/alerts/{alert_id}/acknowledge"): ("AlertAcknowledge", set()),
    ("put", "/api/v1/patients/{patient_id}/contraindications"): (
        "ContraindicationsIn",
        {"contraindications"},
    ),
    ("post", "/api/v1/patients/{patient_id}/overrides"): ("OverrideIn", {"session_id", "kind"}),
    ("post", "/api/v1/patients/{patient_id}/notes"): ("NoteCreate", {"kind", "text"}),
    ("post", "/api/v1/patients/{patient_id}/notes/{note_id}/addenda"): (
        "AddendumCreate",
        {"text"},
    ),
    ("post", "/api/v1/sessions/{session_id}/reviews"): ("ReviewCreate", {"decision"}),
    ("put", "/api/v1/account/reminder"): ("ReminderIn", {"enabled", "time", "weekdays"}),
    ("put", "/api/v1/account/display"): ("DisplayIn", {"theme"}),
    # A password or `"invite": true`: neither is required by the schema, one is by the handler
    # (test_invitations.py).
    ("post", "/api/v1/users"): ("AccountCreate", {"email", "display_name", "role"}),
    ("post", "/api/v1/users/search"): ("AccountSearch", {"q"}),
    ("patch", "/api/v1/users/{user_id}"): ("AccountPatch", set()),
    ("put", "/api/v1/users/{user_id}/role"): ("RoleChange", {"role"}),
    ("put", "/api/v1/users/{user_id}/active"): ("ActiveChange", {"active"}),
    ("put", "/api/v1/users/{user_id}/password"): ("NewPassword", {"password"}),
}
# Writes whose body may be left out entirely (an acknowledgement without a note).
OPTIONAL_BODIES = {("post", "/api/v1/alerts/{alert_id}/acknowledge")}
# Bodies with health data: a number sent as a string is refused (bodies are decoded before the
# practice or patient in the path is looked up, so these need not exist).
STRICT_WRITES = [
    ("patient", "/api/v1/checkins", {"level": "5"}, "level"),
    ("patient", "/api/v1/gad7", {"answers": [0, 1, 2, 3, 0, 1, "2"]}, "answers[6]"),
    (
        "patient",
        "/api/v1/practice",
        {"started_at": TEST_NOW.isoformat(), "listened_seconds": "600"},
        "listened_seconds",
    ),
    ("patient", "/api/v1/practice/playback", {"session_id": "1"}, "session_id"),
    ("patient", "/api/v1/practice/1/progress", {"listened_seconds": "60"}, "listened_seconds"),
    ("patient", "/api/v1/practice/1/rating", {"anxiety_after": "3"}, "anxiety_after"),
    (
        "therapist",
        "/api/v1/patients/1/practice",
        {"kind": "yoga", "minutes": "30", "started_at": TEST_NOW.isoformat()},
        "minutes",
    ),
    ("therapist", "/api/v1/patients/1/assignments", {"weekdays": ["1"]}, "weekdays[0]"),
    (
        "therapist",
        "/api/v1/attendance",
        {"patient_ids": [1], "kind": "yoga", "minutes": "30", "started_at": TEST_NOW.isoformat()},
        "minutes",
    ),
    (
        "therapist",
        "/api/v1/attendance",
        {"patient_ids": ["1"], "kind": "yoga", "minutes": 30, "started_at": TEST_NOW.isoformat()},
        "patient_ids[0]",
    ),
]


def json_body_routes(app: Litestar) -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every handler that reads a JSON `data` body."""
    found = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            data = handler.parsed_data_field
            if data is None:
                continue
            kwarg = data.kwarg_definition
            if isinstance(kwarg, BodyKwarg) and kwarg.media_type != RequestEncodingType.JSON:
                continue
            path = route.path.replace(":int", "").replace(":str", "")
            found |= {(method.lower(), path) for method in handler.http_methods}
    return found


def test_the_list_of_json_writes_is_every_route_with_a_json_body(app: Litestar) -> None:
    assert json_body_routes(app) == set(JSON_WRITES)


def test_openapi_documents_each_json_write_body_and_its_required_fields(client: Client) -> None:
    document = client.get("/schema/openapi.json").json()
    schemas = document["components"]["schemas"]

    for (method, path), (shape, required) in JSON_WRITES.items():
        body = document["paths"][path][method]["requestBody"]
        reference: dict[str, Any] = {"$ref": f"#/components/schemas/{shape}"}
        if (method, path) in OPTIONAL_BODIES:  # may be left out: documented as the shape or null
            reference = {"oneOf": [reference, {"type": "null"}]}
        else:
            assert body["required"] is True, path
        assert body["content"]["application/json"]["schema"] == reference, path
        assert set(schemas[shape].get("required", [])) == required, shape
        assert schemas[shape]["properties"], shape


def test_openapi_shows_the_bounds_of_a_strict_body(client: Client) -> None:
    schemas = client.get("/schema/openapi.json").json()["components"]["schemas"]

    level = schemas["CheckinCreate"]["properties"]["level"]
    assert (level["type"], level["minimum"], level["maximum"]) == ("integer", 0, 10)
    assert schemas["AttestCreate"]["properties"]["minutes"]["maximum"] == 360
    title = schemas["SessionCreate"]["properties"]["title"]
    assert (title["minLength"], title["maxLength"]) == (1, 200)


@pytest.mark.parametrize(("persona", "path", "body", "field"), STRICT_WRITES)
def test_health_data_is_refused_unless_sent_as_the_documented_type(
    client: Client,
    personas: dict[str, User],
    persona: str,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    client.login_as(PERSONAS[persona])

    response = client.post(path, json=body)

    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [{"field": field, "message": "Expected `int`, got `str`"}]
    assert count(client, Checkin) == count(client, PracticeLog) == 0


def test_a_whole_number_written_with_a_point_is_the_number_and_a_fraction_is_refused(
    as_patient: Client,
) -> None:
    # JSON Schema calls 8.0 an integer, and Python's json writes numpy's and float results so.
    taken = as_patient.post("/api/v1/checkins", json={"level": 8.0, "tags": [], "note": ""})
    assert taken.status_code == 201, taken.text
    assert taken.json()["checkin"]["level"] == 8
    gad7 = as_patient.post("/api/v1/gad7", json={"answers": [1.0, 2, 1e0, 0, 1, 2, 1]})
    assert gad7.json()["response"]["answers"] == [1, 2, 1, 0, 1, 2, 1]

    refused = as_patient.post("/api/v1/checkins", json={"level": 7.5})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "level", "message": "Expected `int`, got `float`"}
    ]
    too_high = as_patient.post("/api/v1/checkins", json={"level": 1e2})
    assert too_high.json()["errors"] == [{"field": "level", "message": "Expected `int` <= 10"}]
    assert count(as_patient, Checkin) == 1


def test_openapi_states_a_gad7s_seven_answers_and_their_range(client: Client) -> None:
    schemas = client.get("/schema/openapi.json").json()["components"]["schemas"]

    answers = schemas["Gad7Create"]["properties"]["answers"]
    assert (answers["minItems"], answers["maxItems"]) == (7, 7)
    assert (answers["items"]["minimum"], answers["items"]["maximum"]) == (0, 3)


def test_an_unknown_field_is_refused_naming_it(as_patient: Client) -> None:
    response = as_patient.post("/api/v1/checkins", json={"level": 3, "mood": "fine"})

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "mood", "message": "Object contains unknown field `mood`"}
    ]
    assert count(as_patient, Checkin) == 0


@pytest.mark.parametrize("content_type", ["application/json", None])
def test_an_empty_body_is_refused_in_words_and_writes_nothing(
    as_patient: Client, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}

    refused = as_patient.post("/api/v1/checkins", content=b"", headers=headers)

    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "data", "message": "The body is empty: send a JSON object."}
    ]
    assert count(as_patient, Checkin) == 0


def test_a_strict_body_is_decoded_once_and_never_leniently(
    as_patient: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    strict_decodes: list[bytes] = []
    lenient_decodes: list[str] = []
    decode = strict_json.decode_strictly

    def counted(body: bytes, shape: Any) -> Any:
        strict_decodes.append(body)
        return decode(body, shape)

    async def lenient(request: JsonRequest) -> Any:
        lenient_decodes.append(request.url.path)
        raise AssertionError("a strict body went through Litestar's lenient decoding")

    monkeypatch.setattr(strict_json, "decode_strictly", counted)
    monkeypatch.setattr(JsonRequest, "json", lenient)

    response = as_patient.post("/api/v1/checkins", json={"level": 4})

    assert response.status_code == 201, response.text
    assert strict_decodes == [b'{"level":4}']
    assert lenient_decodes == []
    assert count(as_patient, Checkin) == 1


# Catalog and sign-in bodies are strict too: a wrong type or an unknown field is a 422 naming
# it, and nothing is stored or signed in.
UNKNOWN = "Object contains unknown field"
COORDINATOR_WRITES = [
    (
        "post",
        "/api/v1/sessions",
        {"title": "Calm", "kind": "yoga", "anxiety_max": "7"},
        {"field": "anxiety_max", "message": "Expected `int`, got `str`"},
    ),
    (
        "post",
        "/api/v1/sessions",
        {"title": "Calm", "kind": "yoga", "primary_asset_id": True},
        {"field": "primary_asset_id", "message": "Expected `int | null`, got `bool`"},
    ),
    (
        "post",
        "/api/v1/sessions",
        {"title": "Calm", "kind": "yoga", "duration": 600},
        {"field": "duration", "message": f"{UNKNOWN} `duration`"},
    ),
    (
        "patch",
        "/api/v1/sessions/1",
        {"anxiety_min": "2"},
        {"field": "anxiety_min", "message": "Expected `int | null`, got `str`"},
    ),
    (
        "patch",
        "/api/v1/sessions/1",
        {"title": "Calm", "colour": "blue"},
        {"field": "colour", "message": f"{UNKNOWN} `colour`"},
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "error"), COORDINATOR_WRITES)
def test_catalog_bodies_are_strict_and_refusals_name_the_field(
    client: Client,
    personas: dict[str, User],
    method: str,
    path: str,
    body: dict[str, Any],
    error: dict[str, str],
) -> None:
    client.login_as(PERSONAS["coordinator"])
    before = sessions_by_title(client)

    response = client.request(method.upper(), path, json=body)

    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [error]
    assert sessions_by_title(client) == before


def sessions_by_title(client: Client) -> list[tuple[int, str]]:
    async def listed() -> list[tuple[int, str]]:
        rows = await PracticeSession.all().order_by("id").values_list("id", "title")
        return [(int(row[0]), str(row[1])) for row in rows]

    return client.run(listed)


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"password": 12345}, {"field": "password", "message": "Expected `str`, got `int`"}),
        (
            {"email": ["patient@example.org"]},
            {"field": "email", "message": "Expected `str`, got `array`"},
        ),
        (
            {"remember_me": True},
            {"field": "remember_me", "message": "Object contains unknown field `remember_me`"},
        ),
    ],
)
def test_a_sign_in_body_is_strict_and_signs_no_one_in(
    client: Client, personas: dict[str, User], extra: dict[str, Any], error: dict[str, str]
) -> None:
    body = {"email": PERSONAS["patient"].email, "password": PERSONA_PASSWORD, **extra}

    response = client.post("/api/v1/auth/login", json=body)

    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [error]
    assert "wellness_session" not in response.headers.get("set-cookie", "")
    assert client.get("/api/v1/me").status_code == 401
    assert count(client, AuditEvent) == 0


def test_a_well_formed_sign_in_still_signs_in(client: Client, personas: dict[str, User]) -> None:
    body = {"email": PERSONAS["patient"].email, "password": PERSONA_PASSWORD}

    response = client.post("/api/v1/auth/login", json=body)

    assert response.status_code == 200, response.text
    assert client.get("/api/v1/me").json()["email"] == PERSONAS["patient"].email


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"started_at": "2026-11-24T18:00:00Z", "session_id": 1},
            {
                "field": "listened_seconds",
                "message": "Object missing required field `listened_seconds`",
            },
        ),
        (
            {"level": 3, "tags": [], "mood": {"nested": 1}},
            {"field": "mood", "message": "Object contains unknown field `mood`"},
        ),
    ],
)
def test_a_missing_or_unknown_field_is_named_as_the_field(
    as_patient: Client, body: dict[str, Any], error: dict[str, str]
) -> None:
    path = "/api/v1/practice" if "started_at" in body else "/api/v1/checkins"

    response = as_patient.post(path, json=body)

    assert response.status_code == 422
    assert response.json()["errors"] == [error]
    assert count(as_patient, Checkin) == count(as_patient, PracticeLog) == 0


class _Inner(strict_json.StrictBody):
    level: int


class _Outer(strict_json.StrictBody):
    items: list[_Inner]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"items": [{"level": 1, "mood": 2}]}', "items[0].mood"),
        (b'{"items": [{"level": 1}, {}]}', "items[1].level"),
        (b"{}", "items"),
    ],
)
def test_a_nested_missing_or_unknown_field_is_named_by_its_path(body: bytes, field: str) -> None:
    with pytest.raises(ValidationException) as refused:
        strict_json.decode_strictly(body, _Outer)

    errors = refused.value.extra
    assert isinstance(errors, list)
    assert [error["key"] for error in errors] == [field]
