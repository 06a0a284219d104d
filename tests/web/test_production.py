"""Production settings: secure cookies and HSTS."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.plugins.jinja import JinjaTemplateEngine

from tests.conftest import PERSONA_PASSWORD, Client
from wellness.accounts.models import User
from wellness.settings import Environment, Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.replace(env=Environment.PRODUCTION)


def test_production_cookies_are_secure_and_pages_demand_https(
    client: Client, personas: dict[str, User]
) -> None:
    response = client.post(
        "/api/v1/auth/login", json={"email": "patient@example.org", "password": PERSONA_PASSWORD}
    )
    assert response.status_code == 200
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(cookie for cookie in cookies if cookie.startswith("wellness_session="))
    assert "Secure" in session_cookie
    assert "HttpOnly" in session_cookie
    device_cookie = next(cookie for cookie in cookies if cookie.startswith("wellness_device="))
    assert "Secure" in device_cookie
    assert "HttpOnly" in device_cookie
    csrf_cookie = next(cookie for cookie in client.get("/login").headers.get_list("set-cookie"))
    assert csrf_cookie.startswith("wellness_csrf=")
    assert "Secure" in csrf_cookie
    assert "HttpOnly" in csrf_cookie
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def test_production_does_not_check_template_files_on_every_render(app: Litestar) -> None:
    # Checking each template's file time on each render (and each import in it) is for editing
    # templates while the app runs (development); an installed app's templates do not change.
    engine = app.template_engine
    assert isinstance(engine, JinjaTemplateEngine)
    assert engine.engine.auto_reload is False
