"""Hostile shapes of input on every route of the route table: none is answered with a 5xx, and
every error answer carries the security headers.

Each route is called anonymously and signed in as a role its guards let through, so the guards
do not hide the handler, with: Unicode digits (superscript, Arabic-Indic, fullwidth), numbers of
5,000 digits and beyond 64 bits in path parameters, query strings, form fields and JSON bodies,
JSON nested a thousand levels deep, odd multipart boundaries and odd Range headers. The ids that
are not under attack point at real rows (a published session with its media file, the patient's
practice), so the handlers get as far as reading the hostile part.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.conftest import PERSONAS, Client
from tests.web.test_route_table import PUBLIC_ROUTES
from wellness.accounts import permissions
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import MediaAsset, PracticeSession
from wellness.catalog.storage import LocalMediaStore
from wellness.settings import Settings
from wellness.web import guards
from wellness.web.security import CONTENT_SECURITY_POLICY

SUPERSCRIPT = "\u00b2"  # "²": isdigit() is True, int() refuses it
ARABIC_NINE = "\u0669"  # "٩": int() reads 9
FULLWIDTH_NINE = "\uff19"  # fullwidth nine: int() reads 9
HUGE = str(2**70)
DIGITS_5000 = "1" * 5000
NUMBER_SHAPES = [SUPERSCRIPT, ARABIC_NINE, FULLWIDTH_NINE, HUGE, DIGITS_5000, "-1"]
PATH_SHAPES = [SUPERSCRIPT, ARABIC_NINE, FULLWIDTH_NINE, HUGE, DIGITS_5000]
Request = tuple[str, dict[str, Any]]
# Every number-like field a form or query string of the app has.
NUMBER_FIELDS = [
    "level",
    "minutes",
    "session_id",
    "anxiety_before",
    "anxiety_after",
    "anxiety_min",
    "anxiety_max",
    "primary_asset_id",
    "therapist_id",
    *[f"q{index}" for index in range(7)],
]
QUERY_FIELDS = ["page", "per_page", "length", "max_minutes", "asset", "practice", "days"]
RANGES = [
    b"bytes=\xb2-5",  # a superscript two as a server decodes it (latin-1)
    b"bytes=0-\xb9",
    f"bytes={ARABIC_NINE}-".encode(),
    f"bytes=-{FULLWIDTH_NINE}".encode(),
    f"bytes={HUGE}-".encode(),
    f"bytes=0-{HUGE}".encode(),
    f"bytes=-{HUGE}".encode(),
    f"bytes={'9' * 990}-".encode(),
    f"bytes=0-{DIGITS_5000}".encode(),
    b"bytes=--1",
    b"bytes=5-1",
    b"bytes=-0",
]
DEEP_JSON = [
    b'{"title": "Calm", "tags": ' + b"[" * 1000 + b"]" * 1000 + b"}",
    b'{"a":' * 1000 + b"1" + b"}" * 1000,
    b"[" * 100_000,
]
BOUNDARIES = ["a" * 5000, SUPERSCRIPT, ""]
# PostgreSQL stores no NUL in text and refuses a query that passes one: text of every shape the
# app reads (query strings, forms, JSON bodies it accepts) carries one, and control characters.
NUL_TEXT = "calm\x00breath\x1b"
TEXT_FIELDS = [
    *("q", "tag", "person", "patient", "action", "sort", "next", "since", "until", "from", "to"),
    *("email", "display_name", "password", "time_zone", "role", "note", "tags"),
    *("title", "instructor", "description", "transcript", "language", "kind"),
    *("contraindications", "frequency", "part_of_day", "weekdays", "then"),
]
NUL_JSON = [
    {"email": f"a{NUL_TEXT}@example.org", "password": NUL_TEXT},
    {"email": f"a{NUL_TEXT}\n@example.org", "password": NUL_TEXT},
    {"level": 3, "note": NUL_TEXT, "tags": [NUL_TEXT]},
    {"title": NUL_TEXT, "kind": "breathing", "instructor": NUL_TEXT, "tags": [NUL_TEXT]},
    {
        "kind": "yoga",
        "listened_seconds": 60,
        "started_at": "2026-03-01T09:00:00Z",
        "note": NUL_TEXT,
    },
    {"kind": "yoga", "minutes": 30, "started_at": "2026-03-01T09:00:00Z", "note": NUL_TEXT},
    {"note": NUL_TEXT},
    {"action": "change", "note": NUL_TEXT},
]
# The session ends here; calling it would sign the role out for the rest of the test.
SIGN_OUTS = {("POST", "/logout"), ("POST", "/api/v1/auth/logout")}
ROLE_GUARDS = {
    guards.patients_only: permissions.is_patient,
    guards.therapists_only: permissions.can_see_caseload,
    guards.coordinators_only: permissions.can_manage_catalog,
    guards.library_usage_readers: permissions.can_see_library_usage,
    guards.admins_only: permissions.can_manage_accounts,
}
ROLE_PERSONAS = {
    Role.PATIENT: "patient",
    Role.THERAPIST: "therapist",
    Role.COORDINATOR: "coordinator",
    Role.ADMIN: "admin",
}
PARAMETER = re.compile(r"\{(?P<name>[^}:]+)(?::(?P<kind>[^}]+))?\}")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    roles: tuple[Role, ...]

    def concrete(self, **shapes: str) -> str:
        def value(match: re.Match[str]) -> str:
            return shapes.get(match["name"], "1" if match["kind"] == "int" else "x")

        return PARAMETER.sub(value, self.path)

    def parameters(self) -> list[str]:
        return [match["name"] for match in PARAMETER.finditer(self.path)]


def routes(app: Litestar) -> list[Route]:
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method, (handler, _) in route.route_handler_map.items():
            if method in {"HEAD", "OPTIONS"}:
                continue
            checks = [ROLE_GUARDS[g] for g in handler.resolve_guards() if g in ROLE_GUARDS]
            roles = tuple(role for role in ROLE_PERSONAS if all(check(role) for check in checks))
            found.append(Route(method, route.path, roles))
    return sorted(found, key=lambda route: (route.path, route.method))


@pytest.fixture
def stored(client: Client, personas: dict[str, User], settings: Settings) -> None:
    """Media id 1 with its file, published session 1 playing it, and practice 1 of `patient`."""
    data = b"RIFF" + bytes(range(256)) * 64
    sha256 = hashlib.sha256(data).hexdigest()
    LocalMediaStore(settings.media_dir).put_bytes(data, f"{sha256}.wav")
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)

    async def create() -> None:
        asset = await MediaAsset.create(
            sha256=sha256,
            size_bytes=len(data),
            container="wav",
            mime_type="audio/wav",
            extension="wav",
            duration_seconds=60.0,
            uploaded_at=moment,
        )
        await PracticeSession.create(
            title="Calm breathing",
            kind=Kind.BREATHING,
            status=Status.PUBLISHED,
            primary_asset=asset,
            created_by=personas["coordinator"],
            created_at=moment,
            updated_at=moment,
        )

    client.run(create)
    client.login_as(PERSONAS["patient"])
    started = client.post("/api/v1/practice/playback", json={"session_id": 1})
    assert started.status_code == 201, started.text


def requests(route: Route, token: str, *, handler: bool = True) -> Iterator[Request]:
    """(url, keyword arguments for client.request) for the hostile shapes this route takes.

    Path parameters are parsed while routing, before anyone is signed in; the rest reaches the
    handler only when `handler` (the caller is let through).
    """
    headers = {"x-csrftoken": token}
    form = {"_csrf_token": token}
    for name in route.parameters():
        for shape in PATH_SHAPES:
            yield route.concrete(**{name: shape}), {"headers": headers, "data": form}
    if not handler:
        return
    url = route.concrete()
    if route.method == "GET":
        ranges = RANGES if route.path.startswith("/media/") else RANGES[: len(NUMBER_SHAPES)]
        for index, header in enumerate(ranges):
            shape = NUMBER_SHAPES[index % len(NUMBER_SHAPES)]
            query = dict.fromkeys(QUERY_FIELDS, shape)
            yield url, {"params": query, "headers": {**headers, "range": header}}
        for text in (NUL_TEXT, f"a{NUL_TEXT}@example.org"):
            yield url, {"params": dict.fromkeys(TEXT_FIELDS, text), "headers": headers}
        return
    for text in (NUL_TEXT, f"a{NUL_TEXT}@example.org"):
        yield url, {"headers": headers, "data": {**form, **dict.fromkeys(TEXT_FIELDS, text)}}
    for fields in NUL_JSON:
        yield url, {"headers": headers, "json": fields}
    for shape in NUMBER_SHAPES:
        yield url, {"headers": headers, "data": {**form, **dict.fromkeys(NUMBER_FIELDS, shape)}}
    for body in DEEP_JSON:
        yield url, {"headers": {**headers, "content-type": "application/json"}, "content": body}
    for number in (HUGE, DIGITS_5000):
        fields = {**dict.fromkeys(NUMBER_FIELDS, 0), "title": "Calm", "kind": "breathing"}
        fields |= {"listened_seconds": 0, "answers": [0] * 7, "patient_id": 0}
        json_text = json.dumps(fields).replace(": 0", f": {number}").replace("0,", f"{number},")
        yield url, {"headers": headers, "content": json_text.replace("0]", f"{number}]").encode()}
    # Without the CSRF header, the CSRF middleware of a page reads the form itself.
    variants = [headers] if route.path.startswith("/api/") else [headers, {}]
    for boundary in BOUNDARIES:
        body = multipart_body(boundary, token)
        content_type = f"multipart/form-data; boundary={boundary}".encode()
        for extra in variants:
            yield url, {"headers": {**extra, "content-type": content_type}, "content": body}


def multipart_body(boundary: str, token: str) -> bytes:
    # No file part: Litestar leaves the files of a form it parsed for a page open (a
    # ResourceWarning); the boundary is what is under test.
    mark = b"--" + boundary.encode("utf-8")
    fields = [
        (b"_csrf_token", token.encode()),
        (b"level", b"3"),
        (b"minutes", SUPERSCRIPT.encode()),
    ]
    parts = [
        b"\r\n".join([mark, b'Content-Disposition: form-data; name="%s"' % name, b"", value])
        for name, value in fields
    ]
    return b"\r\n".join([*parts, mark + b"--", b""])


def check(response: Any, where: tuple[str, str, str]) -> None:
    assert response.status_code < 500, (*where, response.status_code, response.text[:300])
    if response.status_code >= 400:
        assert response.headers.get("content-security-policy") == CONTENT_SECURITY_POLICY, where
        assert response.headers.get("x-content-type-options") == "nosniff", where
        assert response.headers.get("cache-control"), where


def send_everything(client: Client, route: Route, *, handler: bool = True) -> int:
    sent = 0
    for url, options in requests(route, client.csrf_token(), handler=handler):
        response = client.request(route.method, url, follow_redirects=False, **options)
        check(response, (route.method, route.path, url[:80]))
        sent += 1
    return sent


def test_the_route_table_is_fully_covered(app: Litestar) -> None:
    table = routes(app)
    roles = {(route.method, route.path): route.roles for route in table}
    assert roles["POST", "/checkins"] == (Role.PATIENT,)
    assert roles["POST", "/admin/users/{user_id:int}/care-team"] == (Role.ADMIN,)
    assert roles["POST", "/api/v1/auth/login"] == tuple(ROLE_PERSONAS)
    assert set(PUBLIC_ROUTES) <= set(roles)


def test_no_hostile_input_gets_a_5xx_anonymously(
    client: Client, app: Litestar, stored: None
) -> None:
    client.login_as(None)
    sent = 0
    for route in routes(app):
        sent += send_everything(client, route, handler=(route.method, route.path) in PUBLIC_ROUTES)
    assert sent > 200


def test_no_hostile_input_gets_a_5xx_from_any_role(
    client: Client, app: Litestar, stored: None
) -> None:
    table = routes(app)
    sent = 0
    for role, persona in ROLE_PERSONAS.items():
        client.login_as(PERSONAS[persona])
        sent += sum(send_everything(client, route) for route in table if role in senders(route))
    assert sent > 1000


def senders(route: Route) -> tuple[Role, ...]:
    """The roles its guards let through; a route open to every role as a patient and as a
    coordinator (whose catalog pages and API take more parameters)."""
    if (route.method, route.path) in SIGN_OUTS:
        return ()
    return (Role.PATIENT, Role.COORDINATOR) if route.roles == tuple(ROLE_PERSONAS) else route.roles
