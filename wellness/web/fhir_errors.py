"""Refusals of the FHIR routes in FHIR's own terms, for clients that ask for FHIR.

A FHIR client (an EHR's integration engine) sends `Accept: application/fhir+json` and reads a
refusal as an OperationOutcome (FHIR R4 RESTful API, "Handling errors"): one `issue` per field at
fault, or one for the whole request, with the issue type its status means. Other clients of the
same routes keep the API's one error shape (`ErrorResponse`), as every other route answers."""

from __future__ import annotations

from typing import Any, Final

import msgspec
from litestar import Request, Response

from wellness.checkins.fhir import MEDIA_TYPE

# FHIR's IssueType (http://hl7.org/fhir/issue-type) for each refusal the app gives.
ISSUE_TYPES: Final = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    413: "too-long",
    415: "not-supported",
    422: "invalid",
    429: "throttled",
    500: "exception",
    503: "transient",
}
FHIR_ROUTE_SUFFIX = "/fhir"


class OutcomeIssue(msgspec.Struct, omit_defaults=True):
    severity: str
    code: str
    diagnostics: str
    expression: list[str] = msgspec.field(default_factory=list)


class OperationOutcome(msgspec.Struct, tag_field="resourceType", tag="OperationOutcome"):
    issue: list[OutcomeIssue]


def asks_for_fhir(request: Request[Any, Any, Any]) -> bool:
    """A FHIR route asked for by a client that takes FHIR's media type."""
    path = request.url.path
    return (
        path.startswith("/api/")
        and path.endswith(FHIR_ROUTE_SUFFIX)
        and (MEDIA_TYPE in request.headers.get("accept", ""))
    )


def outcome(status: int, detail: str, errors: list[dict[str, str]]) -> OperationOutcome:
    """The refusal as an OperationOutcome: an issue per field at fault (its parameter named in
    `expression`), else one saying what was refused."""
    code = ISSUE_TYPES.get(status, "processing")
    severity = "fatal" if status >= 500 else "error"
    issues = [
        OutcomeIssue(severity, code, f"{error['field']}: {error['message']}", [error["field"]])
        for error in errors
        if error.get("field")
    ]
    return OperationOutcome(issues or [OutcomeIssue(severity, code, detail)])


def outcome_response(
    status: int, detail: str, errors: list[dict[str, str]], headers: dict[str, str]
) -> Response[bytes]:
    body = msgspec.json.encode(outcome(status, detail, errors))
    return Response(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)
