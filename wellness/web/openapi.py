"""The parts of the OpenAPI document that Litestar cannot see in the handlers.

Litestar documents what a handler returns, and a `400 Validation Exception` for any handler
with parameters. This app answers its refusals itself (`web/errors.py`) with one body,
`ErrorResponse`: `422` naming each field at fault, `401` without a session, `403` for a role
or a browser's write that fails the CSRF checks, `404` for what the viewer may not see, `429`
over the request limit (`web/request_budget.py`), `503` when Redis does not answer. So,
once, before the document is first served, every operation gets the refusals its route can
give, derived from the route itself (public or not, its guards, its method, its path
parameters, its query and body), plus those a handler names in `opt["refusals"]` (a 409, a
413). A new route is documented the same way without anyone remembering to.

`answers` and `created` declare a handler's success bodies where its return type does not
show them. Also derived here: an upload's multipart body (`opt["multipart_file"]`: the route
streams the body itself, so Litestar sees no `data`), a body the handler lets clients leave
out, and each JSON body's schema as msgspec gives it: exact where Litestar's reading of msgspec
loses constraints, and saying that unknown fields are refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args

import msgspec
from litestar import Litestar, Request
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.routes import HTTPRoute

from wellness.checkins.fhir import MEDIA_TYPE
from wellness.web import guards
from wellness.web.fhir_errors import FHIR_ROUTE_SUFFIX, OperationOutcome
from wellness.web.request_budget import EXEMPT
from wellness.web.schemas import ErrorResponse
from wellness.web.security import api_writes_carry_token
from wellness.web.strict_json import StrictBody

REFUSALS = {
    400: "The body is not JSON (or not the multipart form asked for), or is nested too deep; "
    "or a query parameter cannot be read (`errors` names each one).",
    401: "Not signed in, or the session has ended.",
    403: "Your role may not do this, or a browser's write came from another site or without "
    "the page's token.",
    404: "No such record, or not one you may see.",
    409: "The record's state does not allow this now; for a password reset, the app sends no "
    "e-mail (`code` `password_reset_off`).",
    410: "The password reset link has expired or was already used (`code` `reset_link_closed`).",
    413: "The body is larger than the limit.",
    415: "Not a media type the library takes.",
    422: "A field is missing or wrong: `errors` names each one (`field`, `message`).",
    429: "Too many requests this minute (`code` `rate_limited`), or on sign-in too many failed "
    "attempts: wait for the `Retry-After` seconds.",
    503: "The app runs with Redis and Redis does not answer (`code` `unavailable`): try again "
    "after the `Retry-After` seconds.",
}
ROLE_GUARDS = (
    guards.admins_only,
    guards.coordinators_only,
    guards.library_usage_readers,
    guards.therapists_only,
    guards.reviewers_only,
    guards.patients_only,
)
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# `opt` of a handler that takes its query parameters as text and checks them itself: a bad one
# is its 400 naming the parameter (as the page beside it answers), never Litestar's 422.
QUERY_READ_BY_HANDLER = "query_read_by_handler"
ERROR_SCHEMA = "#/components/schemas/ErrorResponse"
OUTCOME_SCHEMA = "#/components/schemas/OperationOutcome"
_DESCRIPTIONS = {200: "Done", 201: "Created"}


def answers(shape: type[msgspec.Struct], *statuses: int) -> dict[int, ResponseSpec]:
    """A handler's answer under each success status it may send, where Litestar cannot see it:
    `respond_once` sends encoded bytes, and some routes answer 200 or 201."""
    return {
        status: ResponseSpec(data_container=shape, description=_DESCRIPTIONS[status])
        for status in statuses
    }


def created(shape: type[msgspec.Struct]) -> dict[int, ResponseSpec]:
    return answers(shape, 201)


def refusals(
    handler: HTTPRouteHandler, method: str, *, has_path_ids: bool, has_input: bool, has_body: bool
) -> list[int]:
    """The refusal statuses one operation can answer, from what its route is."""
    statuses = set(handler.opt.get("refusals", ()))
    checks = handler.resolve_guards()
    if not handler.opt.get("exclude_from_auth"):
        statuses.add(401)
    if any(guard in ROLE_GUARDS for guard in checks):
        statuses.add(403)
    if method in WRITES and api_writes_carry_token in checks:
        statuses.add(403)  # a browser's write from another site, or without the page's token
    if has_path_ids:
        statuses.add(404)
    if handler.opt.get(QUERY_READ_BY_HANDLER):
        statuses.add(400)
        if has_path_ids or has_body:
            statuses.add(422)
    elif has_input or has_body:
        statuses.add(422)
    if has_body:
        statuses.add(400)
    if not handler.opt.get(EXEMPT):
        statuses.add(429)
    statuses.add(503)  # any route, when Redis holds the sessions and does not answer
    return sorted(statuses)


def complete(app: Litestar, document: dict[str, Any]) -> None:
    """Give every operation of `document` (the dict Litestar serves) what this module adds."""
    bodies: set[type[StrictBody]] = set()
    for path, method, handler in _operations(app):
        operation = document["paths"].get(path, {}).get(method.lower())
        if operation is None:
            continue
        bodies |= _describe_body(handler, operation)
        responses = operation.setdefault("responses", {})
        responses.pop("400", None)  # Litestar's validation answer, which this app never sends
        if "204" in responses:  # `Response[None]`, which Litestar describes as a JSON null
            responses["204"].pop("content", None)
        parameters = operation.get("parameters", [])
        found = refusals(
            handler,
            method,
            has_path_ids=any(parameter["in"] == "path" for parameter in parameters),
            has_input=bool(parameters),
            has_body="requestBody" in operation,
        )
        fhir = path.endswith(FHIR_ROUTE_SUFFIX)
        for status in found:
            responses.setdefault(str(status), _refusal(status, fhir=fhir))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    # JSON bodies as msgspec itself describes them, which is what the strict decoder enforces:
    # Litestar's own reading of msgspec loses constraints (a `minimum` of 0, bounds on list
    # items: litestar#3999, #4514) and says nothing of unknown fields being refused.
    named = sorted(bodies, key=lambda body: body.__name__)
    _, components = msgspec.json.schema_components(
        [*named, ErrorResponse, OperationOutcome], ref_template="#/components/schemas/{name}"
    )
    exact = {body.__name__ for body in named} | {ErrorResponse.__name__, OperationOutcome.__name__}
    for name, schema in components.items():
        if name in exact or name not in schemas:
            schemas[name] = schema


def _operations(app: Litestar) -> Iterator[tuple[str, str, HTTPRouteHandler]]:
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                yield route.path_format, method, handler


def _describe_body(handler: HTTPRouteHandler, operation: dict[str, Any]) -> set[type[StrictBody]]:
    """Mend the operation's request body; answer the strict body types it takes."""
    if field := handler.opt.get("multipart_file"):
        file = {"type": "string", "format": "binary"}
        form = {"type": "object", "required": [field], "properties": {field: file}}
        operation["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": form}},
        }
        return set()
    body = operation.get("requestBody")
    data = handler.parsed_fn_signature.parameters.get("data")
    if body is None or data is None:
        return set()
    if data.has_default:
        body["required"] = False
    return set(_strict_bodies(data.annotation))


def _strict_bodies(annotation: Any) -> Iterator[type[StrictBody]]:
    if isinstance(annotation, type) and issubclass(annotation, StrictBody):
        yield annotation
    for inner in get_args(annotation):
        yield from _strict_bodies(inner)


def _refusal(status: int, *, fhir: bool = False) -> dict[str, Any]:
    """A refusal's description and body; a FHIR route's also as an OperationOutcome, for the
    clients that ask for FHIR (`web/fhir_errors.py`)."""
    content = {"application/json": {"schema": {"$ref": ERROR_SCHEMA}}}
    if fhir:
        content[MEDIA_TYPE] = {"schema": {"$ref": OUTCOME_SCHEMA}}
    return {"description": REFUSALS[status], "content": content}


class CompletedJson(JsonRenderPlugin):
    """Serves `/schema/openapi.json` as Litestar builds it, completed once by `complete`."""

    def __init__(self) -> None:
        super().__init__()
        self._completed: int | None = None

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        # Litestar builds the dict once and hands the same one to every request.
        if self._completed != id(openapi_schema):
            complete(request.app, openapi_schema)
            self._completed = id(openapi_schema)
        return super().render(request, openapi_schema)
