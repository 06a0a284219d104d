"""Every route is on the public allowlist or refuses anonymous requests; new routes included."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.utils.sync import AsyncCallable

from tests.conftest import Client

# (method, path template) pairs that anonymous visitors may use.
PUBLIC_ROUTES = {
    ("GET", "/"),  # redirects to the sign-in page
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/api/v1/auth/login"),
    # Forgot your password: for people who cannot sign in (409 while e-mail is off).
    ("GET", "/password-reset"),
    ("POST", "/password-reset"),
    ("GET", "/password-reset/{token:str}"),
    ("POST", "/password-reset/confirm"),
    ("POST", "/api/v1/auth/password-reset"),
    ("POST", "/api/v1/auth/password-reset/confirm"),
    ("GET", "/healthz"),
    ("GET", "/static/{file_path:path}"),
    ("GET", "/schema/openapi.json"),
    ("GET", "/schema"),
    ("GET", "/schema/{path:str}"),  # the OpenAPI plugin answers 404 for unknown documents
}
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
# JSON and media answer 401; pages send people to the sign-in form instead.
MACHINE_PREFIXES = ("/api/", "/media/")


def all_routes(app: Litestar) -> list[tuple[str, str]]:
    pairs = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method in route.methods - SKIPPED_METHODS:
            pairs.append((method, route.path))
    return sorted(pairs)


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_the_route_table_is_not_empty(app: Litestar) -> None:
    routes = all_routes(app)
    assert ("GET", "/api/v1/me") in routes
    assert len(routes) > 10


def test_every_non_public_route_refuses_anonymous_requests(client: Client, app: Litestar) -> None:
    token = client.csrf_token()
    checked = 0
    for method, path in all_routes(app):
        if (method, path) in PUBLIC_ROUTES:
            continue
        response = client.request(
            method,
            concrete(path),
            data={"_csrf_token": token} if not path.startswith("/api/") else None,
            headers={"x-csrftoken": token},
            follow_redirects=False,
        )
        if path.startswith(MACHINE_PREFIXES):
            assert response.status_code == 401, (method, path, response.status_code)
        else:
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/login?next="), (method, path)
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize(("method", "path"), sorted(PUBLIC_ROUTES))
def test_public_allowlist_names_only_real_routes(app: Litestar, method: str, path: str) -> None:
    assert (method, path) in all_routes(app)


def test_no_guard_handler_or_dependency_runs_in_a_worker_thread(app: Litestar) -> None:
    """Litestar runs a plain-function guard, and a sync handler or dependency not marked
    `sync_to_thread=False`, in a worker thread: a thread hop on every request for work that
    never blocks (two such guards cost the signed-in floor about a tenth of its CPU time)."""
    offenders = []
    checked = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            checked += 1
            name = f"{sorted(handler.http_methods)} {route.path}"
            offenders += [
                f"{name}: guard {getattr(guard, 'func', guard)!r}"
                for guard in handler.resolve_guards()
                if isinstance(guard, AsyncCallable)
            ]
            if handler.has_sync_callable and handler.sync_to_thread:
                offenders.append(f"{name}: handler")
            offenders += [
                f"{name}: dependency {key}"
                for key, provider in handler.resolve_dependencies().items()
                if provider.has_sync_callable and provider.sync_to_thread
            ]
    offenders += [
        f"app hook {hook!r}"
        for hook in [*app.before_send, *app.after_exception]
        if isinstance(hook, AsyncCallable)
    ]
    assert checked > 100
    assert offenders == []
