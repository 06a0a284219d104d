"""The OpenAPI document describes the JSON API as it answers: its refusals with their one body,
its public operations, its upload and optional bodies, and nothing of the HTML pages."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from tests.conftest import PERSONAS, Client
from tests.web.test_route_table import concrete
from wellness.accounts.models import User
from wellness.web.schemas import ErrorResponse

ERROR = {"$ref": "#/components/schemas/ErrorResponse"}
WRITES = {"post", "put", "patch", "delete"}
# Operations that read their query parameters as text and refuse a bad one with a 400 naming it
# (as the page beside them does), never with the type check's 422.
QUERY_READ_BY_HANDLER = {
    ("/api/v1/library/usage", "get"),
    ("/api/v1/patients/{patient_id}/fhir", "get"),
    ("/api/v1/me/fhir", "get"),
}


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_only_the_json_api_is_in_the_document(document: dict[str, Any]) -> None:
    paths = set(document["paths"])

    assert {"/api/v1/checkins", "/api/v1/suggestions", "/healthz"} <= paths
    assert all(path.startswith("/api/v1/") or path == "/healthz" for path in paths)


def test_every_refusal_is_documented_with_the_one_error_body(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        responses = operation["responses"]
        refusals = {status for status in responses if status.startswith("4")}
        for status in refusals:
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == ERROR, (method, path, status)
        public = operation.get("security") == [{}]
        assert public or "401" in refusals, (method, path)
        reads_query = (path, method) in QUERY_READ_BY_HANDLER
        # An id in the path that no record can have (0) is still the type check's 422.
        checked = operation.get("parameters") and (not reads_query or "{" in path)
        assert ("422" in refusals) is bool(checked or "requestBody" in operation), (method, path)
        assert ("404" in refusals) is ("{" in path), (method, path)
        if method in WRITES:
            assert "403" in refusals, (method, path)  # the CSRF checks refuse a browser's write
        assert ("400" in refusals) is ("requestBody" in operation or reads_query), (method, path)
        # Every request is counted against its sender's limit, but the health check's.
        assert ("429" in refusals) is (path != "/healthz"), (method, path)
        assert "503" in operation["responses"], (method, path)  # Redis not answering


def test_the_error_body_schema_is_what_a_refusal_sends(
    document: dict[str, Any], client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["patient"])

    refused = client.post("/api/v1/checkins", json={"level": 11, "unknown": 1})

    assert refused.status_code == 422
    body = msgspec.json.decode(refused.content, type=ErrorResponse)
    assert body.errors
    schema = document["components"]["schemas"]["ErrorResponse"]
    assert set(refused.json()) <= set(schema["properties"])
    assert set(schema["required"]) <= set(refused.json())
    assert document["components"]["schemas"]["FieldProblem"]["required"] == ["field", "message"]


def test_each_documented_refusal_of_an_anonymous_call_is_the_one_it_gets(
    document: dict[str, Any], client: Client
) -> None:
    for path, method, operation in operations(document):
        if method == "post" and path == "/api/v1/auth/login":
            continue  # public: it answers 422 to an empty body, as documented
        response = client.request(method.upper(), concrete(path))
        assert str(response.status_code) in operation["responses"], (method, path)


def test_a_cross_site_write_gets_the_documented_403(
    document: dict[str, Any], client: Client
) -> None:
    login = document["paths"]["/api/v1/auth/login"]["post"]

    refused = client.post(
        "/api/v1/auth/login",
        json={"email": "patient@example.org", "password": "whatever it is"},
        headers={"sec-fetch-site": "cross-site"},
    )

    assert refused.status_code == 403
    assert "403" in login["responses"]


def test_public_operations_need_no_session(document: dict[str, Any]) -> None:
    public = {
        (path, method)
        for path, method, operation in operations(document)
        if operation.get("security") == [{}]
    }

    assert public == {
        ("/healthz", "get"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/password-reset", "post"),
        ("/api/v1/auth/password-reset/confirm", "post"),
    }
    assert document["security"] == [{"sessionCookie": []}]


def test_statuses_a_handler_names_are_documented(document: dict[str, Any]) -> None:
    paths = document["paths"]

    assert "409" in paths["/api/v1/assignments/{assignment_id}"]["patch"]["responses"]
    login = paths["/api/v1/auth/login"]["post"]["responses"]
    assert {"401", "429"} <= set(login)
    assert login["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/LoginResponse"
    }
    upload = paths["/api/v1/media"]["post"]["responses"]
    assert {"200", "201", "400", "413", "415", "422"} <= set(upload)
    health = paths["/healthz"]["get"]["responses"]
    assert health["503"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/HealthResponse"
    }


def test_the_upload_documents_its_multipart_file(document: dict[str, Any]) -> None:
    body = document["paths"]["/api/v1/media"]["post"]["requestBody"]

    form = body["content"]["multipart/form-data"]["schema"]
    assert body["required"] is True
    assert form["required"] == ["file"]
    assert form["properties"]["file"] == {"type": "string", "format": "binary"}


def test_a_body_that_may_be_left_out_is_optional(document: dict[str, Any]) -> None:
    acknowledge = document["paths"]["/api/v1/alerts/{alert_id}/acknowledge"]["post"]
    assert acknowledge["requestBody"]["required"] is False
    assert document["paths"]["/api/v1/checkins"]["post"]["requestBody"]["required"] is True


def test_json_bodies_say_they_refuse_unknown_fields(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for name in (
        "CheckinCreate",
        "Gad7Create",
        "SessionCreate",
        "AssignmentPatch",
        "OverrideIn",
        "NoteCreate",
        "AddendumCreate",
    ):
        assert schemas[name]["additionalProperties"] is False, name
    assert "additionalProperties" not in schemas["CheckinOut"]  # answers may grow


def test_the_notes_api_documents_its_bodies_answers_and_limits(document: dict[str, Any]) -> None:
    notes = document["paths"]["/api/v1/patients/{patient_id}/notes"]
    addenda = document["paths"]["/api/v1/patients/{patient_id}/notes/{note_id}/addenda"]
    note_out = {"$ref": "#/components/schemas/NoteOut"}

    for operation in (notes["post"], addenda["post"]):
        assert operation["responses"]["201"]["content"]["application/json"]["schema"] == note_out
        assert {"403", "404", "422"} <= set(operation["responses"])
    assert {"404", "422"} <= set(notes["get"]["responses"])
    text = document["components"]["schemas"]["NoteCreate"]["properties"]["text"]
    assert (text["minLength"], text["maxLength"]) == (1, 10_000)
    kinds = document["components"]["schemas"]["NoteKind"]["enum"]
    assert kinds == ["session", "phone_call", "group", "other"]


def test_json_bodies_keep_every_bound_the_decoder_enforces(document: dict[str, Any]) -> None:
    """Litestar's reading of msgspec drops a minimum of 0 and the bounds of list items; the
    document gives msgspec's own schema of each body."""
    schemas = document["components"]["schemas"]

    before = schemas["PracticeCreate"]["properties"]["anxiety_before"]
    assert {"type": "integer", "minimum": 0, "maximum": 10} in before["anyOf"]
    weekdays = schemas["AssignmentCreate"]["properties"]["weekdays"]
    assert weekdays["items"] == {"type": "integer", "minimum": 1, "maximum": 7}
    tags = schemas["CheckinCreate"]["properties"]["tags"]
    assert tags["items"]["maxLength"] == 40


def test_the_fhir_export_documents_its_bundle_as_fhir_json(document: dict[str, Any]) -> None:
    for path in ("/api/v1/patients/{patient_id}/fhir", "/api/v1/me/fhir"):
        answer = document["paths"][path]["get"]["responses"]["200"]["content"]
        assert answer == {
            "application/fhir+json": {"schema": {"$ref": "#/components/schemas/Bundle"}}
        }
    bundle = document["components"]["schemas"]["Bundle"]
    assert set(bundle["required"]) == {"resourceType", "type", "timestamp", "entry"}
    entry = document["components"]["schemas"]["BundleEntry"]["properties"]["resource"]
    assert [kind["$ref"].rsplit("/", 1)[1] for kind in entry["oneOf"]] == [
        "Patient",
        "QuestionnaireResponse",
        "Procedure",
        "Observation",
        "Flag",
    ]
    procedure = document["components"]["schemas"]["Procedure"]
    assert {"status", "code", "subject", "performedPeriod"} <= set(procedure["required"])
    flag = document["components"]["schemas"]["Flag"]
    assert {"status", "category", "code", "subject", "period"} <= set(flag["required"])
    assert flag["properties"]["status"]["enum"] == ["active", "inactive"]
    described = document["paths"]["/api/v1/me/fhir"]["get"]["responses"]["200"]["description"]
    assert "a Flag (category `clinical`) per alert raised in the period" in described


def test_the_fhir_export_answers_an_impossible_id_with_the_documented_422(
    document: dict[str, Any], client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])

    refused = client.get("/api/v1/patients/0/fhir")

    assert refused.status_code == 422
    assert "422" in document["paths"]["/api/v1/patients/{patient_id}/fhir"]["get"]["responses"]
