"""One error shape per audience: JSON for /api, a friendly page for people, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import SplitResult, quote, urlsplit

from litestar import MediaType, Request, Response
from litestar.datastructures import URL
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from redis.exceptions import RedisError

from wellness.catalog.rules import CatalogConflict
from wellness.catalog.validation import MediaRejected
from wellness.db import UNREACHABLE_DATABASE_ERRORS, is_database_unreachable
from wellness.lib.storage_full import is_storage_full
from wellness.lib.urls import local_redirect_target
from wellness.lib.validation import FieldError
from wellness.web.fhir_errors import asks_for_fhir, outcome_response
from wellness.web.security import CSRF_REFUSAL

log = logging.getLogger("wellness.web")

TITLES = {
    400: "That request could not be understood",
    401: "Please sign in",
    403: "You don't have access to this",
    404: "Page not found",
    405: "That action isn't available here",
    409: "That can't be done as things stand",
    410: "That link no longer works",
    413: "That is too large",
    422: "Some details need fixing",
    429: "Please wait a moment",
    500: "Something went wrong on our side",
    503: "The service is briefly unavailable",
}


# Litestar's stock wording, replaced by something a patient can act on.
FRIENDLY_DETAILS = {
    "Not Found": "We couldn't find that page. It may have moved, or the address may be mistyped.",
    "Method Not Allowed": "That action isn't available at this address.",
}
# On pages only: the API's clients are scripts, for whom the defence's own name says more.
FRIENDLY_PAGE_DETAILS = {
    # A form left open until its token's cookie was gone, or sent from another site's page.
    CSRF_REFUSAL: "This form could not be accepted: it was open too long, or it did not come "
    "from this site. Go back, reload the page and send it again.",
}


def wants_json(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/") or request.url.path in {"/healthz"}


# Litestar's words for a field it could not fill, by (field, message): a JSON write sent with
# no body at all reaches the handler's signature without `data`, and says so as a KeyError.
FRIENDLY_FIELD_MESSAGES = {("data", "'data'"): "The body is empty: send a JSON object."}


def field_errors(exc: HTTPException) -> list[dict[str, str]]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    found = [
        (str(item.get("key", "")), str(item.get("message", "")))
        for item in extra
        if isinstance(item, dict)
    ]
    return [
        {"field": field, "message": FRIENDLY_FIELD_MESSAGES.get((field, message), message)}
        for field, message in found
    ]


def error_response(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    *,
    code: str | None = None,
    title: str | None = None,
) -> Response[Any]:
    headers = {"cache-control": "no-store"}
    if asks_for_fhir(request):
        return outcome_response(status, detail, errors or [], headers)
    if wants_json(request):
        body: dict[str, Any] = {"status_code": status, "detail": detail}
        if code:
            body["code"] = code
        if errors:
            body["errors"] = errors
        return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)
    return Template(
        "errors/error.html",
        context={
            "status": status,
            "title": title or TITLES.get(status, "Error"),
            "detail": detail,
            "errors": errors or [],
        },
        status_code=status,
        headers=headers,
    )


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, NotAuthorizedException) and not wants_json(request):
        return Redirect(
            f"/login?next={quote(_back_after_sign_in(request), safe='')}", status_code=303
        )
    if isinstance(exc, ValidationException) and not wants_json(request) and _names_a_path_id(exc):
        # An id in a page's address that no record can have (0, 2**31): that page is not there.
        return error_response(request, 404, FRIENDLY_DETAILS["Not Found"])
    if isinstance(exc, ValidationException):
        detail = exc.detail if exc.detail else "Validation failed."
        return error_response(
            request,
            HTTP_422_UNPROCESSABLE_ENTITY,
            _plain_validation_detail(detail),
            field_errors(exc),
        )
    detail = FRIENDLY_DETAILS.get(exc.detail, exc.detail)
    if not wants_json(request):
        detail = FRIENDLY_PAGE_DETAILS.get(detail, detail)
    if isinstance(exc, NotAuthorizedException):
        detail = "Sign in to continue."
    response = error_response(
        request,
        exc.status_code,
        detail or TITLES.get(exc.status_code, "Error"),
        field_errors(exc),
        # A refusal that names itself for scripts (`request_budget.RateLimited`).
        code=getattr(exc, "code", None),
    )
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def _back_after_sign_in(request: Request[Any, Any, Any]) -> str:
    """Where sign-in leads back to: the page asked for, or for a form sent after the session
    ended, the page the form was on (its own address answers only the form's method)."""
    if request.method in {"GET", "HEAD"}:
        return _path_and_query(request.url)
    referer = urlsplit(request.headers.get("referer", ""))
    same_site = referer.netloc == request.headers.get("host", "")
    page = local_redirect_target(_path_and_query(referer))
    return page if same_site and page else "/"


def _path_and_query(url: URL | SplitResult) -> str:
    return url.path + (f"?{url.query}" if url.query else "")


def _names_a_path_id(exc: ValidationException) -> bool:
    """Whether the refusal is the type check's of an id in the path (msgspec's "Expected `int`
    >= 1"); the app's own refusals of a path id (non-ASCII digits) speak to people already."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    return any(
        isinstance(item, dict)
        and item.get("source") == "path"
        and str(item.get("message", "")).startswith("Expected ")
        for item in extra
    )


def _plain_validation_detail(detail: str) -> str:
    # Litestar says "Validation failed for POST /path"; the path adds nothing for the reader.
    return "Validation failed." if detail.startswith("Validation failed for ") else detail


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # Some failures of the server's surroundings arrive wrapped in other errors: say what they are.
    if is_database_unreachable(exc):
        return handle_unavailable(request, exc)
    if is_storage_full(exc):
        return handle_storage_full(request, exc)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "We could not complete that. Please try again in a moment; "
        "if it keeps happening, tell the clinic's administrator.",
    )


# The database or Redis (sessions, sign-in and request counts) out of reach: the service, not
# the request, is at fault, and it is worth trying again soon.
UNAVAILABLE_RETRY_SECONDS = 30


def handle_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.error(
        "unreachable on %s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc
    )
    response = error_response(
        request,
        HTTP_503_SERVICE_UNAVAILABLE,
        # The page's title already says "briefly unavailable": the detail says what, and when.
        "Part of the app (its database or its session store) is not answering. Please try "
        "again in a minute.",
        code="unavailable",
    )
    response.headers["retry-after"] = str(UNAVAILABLE_RETRY_SECONDS)
    return response


def handle_storage_full(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.error(
        "storage full on %s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc
    )
    # Not "nothing was saved": the disk can fill between a stored upload and its audit row.
    return error_response(
        request,
        HTTP_503_SERVICE_UNAVAILABLE,
        "The server has run out of storage space, so this could not be completed. Please tell "
        "the clinic's administrator, and try again once they have made room.",
        code="storage_full",
        title="The server is out of storage space",
    )


def handle_field_error(request: Request[Any, Any, Any], exc: FieldError) -> Response[Any]:
    fields = [{"field": field, "message": message} for field, message in exc.errors.items()]
    return error_response(request, 422, exc.message, fields)


# Not media at all, or a container we don't take: the type is wrong (415). Otherwise the
# content itself is at fault (422).
WRONG_TYPE_CODES = {"not_media", "unsupported_container", "unsupported_codec"}


def handle_media_rejected(request: Request[Any, Any, Any], exc: MediaRejected) -> Response[Any]:
    status = 415 if exc.code in WRONG_TYPE_CODES else 422
    return error_response(request, status, exc.message, code=exc.code)


def handle_catalog_conflict(request: Request[Any, Any, Any], exc: CatalogConflict) -> Response[Any]:
    """A catalog change its records refuse as they stand (deleting what is in use): 409, with
    what to do instead."""
    return error_response(request, 409, exc.message, code=exc.code)


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    FieldError: handle_field_error,
    CatalogConflict: handle_catalog_conflict,
    MediaRejected: handle_media_rejected,
    HTTPException: handle_http_exception,
    RedisError: handle_unavailable,
    **dict.fromkeys(UNREACHABLE_DATABASE_ERRORS, handle_unavailable),
    Exception: handle_unexpected,
}
