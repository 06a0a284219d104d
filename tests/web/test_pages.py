"""The sign-in pages, role homes, security headers and health check."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from litestar import Litestar
from litestar.plugins.jinja import JinjaTemplateEngine

import wellness
from tests.conftest import PERSONA_PASSWORD, PERSONAS, Client
from wellness.accounts.models import User
from wellness.web.security import CONTENT_SECURITY_POLICY


def sign_in_form(client: Client, email: str, password: str, next_path: str = "") -> httpx.Response:
    return client.submit("/login", {"email": email, "password": password, "next": next_path})


@pytest.mark.parametrize(
    ("persona", "home", "heading"),
    [
        ("patient", "/patient", "Alice Patient"),
        ("therapist", "/therapist", "Bob Therapist"),
        ("coordinator", "/coordinator", "Cora Coordinator"),
        ("admin", "/admin", "Administration"),
    ],
)
def test_each_role_lands_on_its_own_home(
    client: Client, personas: dict[str, User], persona: str, home: str, heading: str
) -> None:
    response = sign_in_form(client, PERSONAS[persona].email, PERSONA_PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == home
    page = client.get(home)
    assert page.status_code == 200
    assert heading in page.text
    assert 'action="/logout"' in page.text


def test_a_failed_sign_in_shows_the_error_on_the_form(
    client: Client, personas: dict[str, User]
) -> None:
    response = sign_in_form(client, "patient@example.org", "wrong password entirely")
    assert response.status_code == 401
    assert "don&#39;t match" in response.text or "don't match" in response.text
    assert 'value="patient@example.org"' in response.text
    assert client.get("/patient", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("form", "said"),
    [
        ({}, "Enter your e-mail address and your password."),
        ({"email": "  ", "password": ""}, "Enter your e-mail address and your password."),
        ({"email": "", "password": "demo-wellness"}, "Enter your e-mail address."),
        ({"email": "patient@example.org", "password": ""}, "Enter your password."),
    ],
)
def test_an_incomplete_sign_in_form_says_what_is_missing(
    client: Client, personas: dict[str, User], form: dict[str, str], said: str
) -> None:
    response = client.submit("/login", form)

    assert response.status_code == 422
    assert 'id="login-error"' in response.text
    assert said in response.text
    assert "match" not in response.text  # nothing was checked against any account
    assert client.get("/patient", follow_redirects=False).status_code == 303


def test_sign_in_returns_to_the_page_that_asked_for_it(
    client: Client, personas: dict[str, User]
) -> None:
    bounce = client.get("/admin/users?page=1", follow_redirects=False)
    assert bounce.headers["location"] == "/login?next=%2Fadmin%2Fusers%3Fpage%3D1"
    response = sign_in_form(client, "admin@example.org", PERSONA_PASSWORD, "/admin/users?page=1")
    assert response.headers["location"] == "/admin/users?page=1"


@pytest.mark.parametrize(
    ("referer", "back_to"),
    [
        ("http://testserver.local/patient?tab=today", "/patient?tab=today"),
        (None, "/"),
        ("https://evil.example/patient", "/"),
        ("http://testserver.local//evil.example/", "/"),
    ],
)
def test_a_form_sent_after_the_session_ended_leads_back_to_its_page_after_sign_in(
    client: Client, personas: dict[str, User], referer: str | None, back_to: str
) -> None:
    """The form's own address answers only POST: going back there after sign-in was a 405."""
    headers = {"referer": referer} if referer else {}

    bounce = client.submit("/checkins", {"level": "4"}, headers=headers)

    assert bounce.status_code == 303
    assert bounce.headers["location"] == f"/login?next={quote(back_to, safe='')}"


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
def test_sign_in_never_redirects_off_site(
    client: Client, personas: dict[str, User], target: str
) -> None:
    response = sign_in_form(client, "patient@example.org", PERSONA_PASSWORD, target)
    assert response.headers["location"] == "/patient"


def test_the_sign_in_form_needs_its_csrf_token(client: Client, personas: dict[str, User]) -> None:
    client.csrf_token()
    response = client.post(
        "/login",
        data={"email": "patient@example.org", "password": PERSONA_PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "wellness_session" not in client.cookies


def test_signing_out_through_the_page_ends_the_session(
    client: Client, personas: dict[str, User]
) -> None:
    sign_in_form(client, "patient@example.org", PERSONA_PASSWORD)
    response = client.submit("/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert "You are signed out." in client.get("/login").text
    assert client.get("/api/v1/me").status_code == 401


def test_a_signed_in_visitor_to_the_login_page_goes_home(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])
    response = client.get("/login", follow_redirects=False)
    assert response.headers["location"] == "/therapist"
    assert client.get("/", follow_redirects=False).headers["location"] == "/therapist"


def test_anonymous_root_goes_to_sign_in(client: Client) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


@pytest.mark.parametrize(
    ("persona", "forbidden"),
    [
        ("patient", "/therapist"),
        ("patient", "/admin"),
        ("therapist", "/patient"),
        ("therapist", "/coordinator"),
        ("coordinator", "/admin"),
        ("admin", "/patient"),
    ],
)
def test_a_role_cannot_open_another_roles_home(
    client: Client, personas: dict[str, User], persona: str, forbidden: str
) -> None:
    client.login_as(PERSONAS[persona])
    response = client.get(forbidden)
    assert response.status_code == 403
    assert "You don" in response.text


def test_demo_accounts_are_listed_only_in_demo_mode(client: Client) -> None:
    assert "demo@" not in client.get("/login").text.replace("@demo.wellness", "")
    assert "patient@demo.wellness" not in client.get("/login").text


@pytest.mark.parametrize(
    "path", ["/login", "/api/v1/me", "/healthz", "/no-such-page", "/static/app.css"]
)
def test_security_headers_are_on_every_response(client: Client, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_signed_in_pages_are_never_cached(client: Client, personas: dict[str, User]) -> None:
    client.login_as(PERSONAS["patient"])
    assert client.get("/patient").headers["cache-control"] == "no-store"
    assert client.get("/api/v1/me").headers["cache-control"] == "no-store"
    assert "public" in client.get("/static/app.css").headers["cache-control"]


def test_unknown_pages_get_a_friendly_404(client: Client, personas: dict[str, User]) -> None:
    client.login_as(PERSONAS["patient"])
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert "Page not found" in page.text
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.json()["status_code"] == 404


def test_health_check_reports_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "sessions": "ok"}


def test_health_check_says_503_when_the_database_is_down(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tortoise import connections

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise ConnectionRefusedError("database went away")

    monkeypatch.setattr(connections.get("default"), "execute_query", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "unreachable",
        "sessions": "ok",
    }


def test_openapi_is_served_without_third_party_viewers(client: Client) -> None:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/auth/login" in response.json()["paths"]


def test_development_picks_up_edited_templates_without_a_restart(app: Litestar) -> None:
    engine = app.template_engine
    assert isinstance(engine, JinjaTemplateEngine)
    assert engine.engine.auto_reload is True


def test_every_page_links_the_stylesheets_parts_in_the_order_app_css_lists(client: Client) -> None:
    """app.css's contents list is the cascade order; a part not linked, or linked out of that
    order, would change how pages look."""
    static = Path(wellness.__file__).parent / "web" / "static"
    listed = re.findall(r"^ \*   (\w+\.css) ", (static / "app.css").read_text(), re.MULTILINE)
    assert listed[0] == "app.css"
    assert len(listed) >= 9
    page = client.get("/login").text
    linked = re.findall(r'<link rel="stylesheet" href="/static/(\w+\.css)">', page)
    assert linked == listed
    for part in listed:
        response = client.get(f"/static/{part}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/css")
