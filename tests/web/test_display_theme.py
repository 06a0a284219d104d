"""The display on the web: everyone's choice on their account page and through the JSON API, and
every page drawn in it from its first paint by the server (no script: the CSP allows none inline).

"device" links dark.css for screens under `prefers-color-scheme: dark`, "dark" for every screen,
"light" not at all; `<html data-theme>` and the color-scheme meta say the same."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import wellness
from tests.conftest import PERSONAS, Client, text_of
from wellness.accounts.display import Theme
from wellness.accounts.models import User

API = "/api/v1/account/display"
STATIC = Path(wellness.__file__).parent / "web" / "static"
DARK_LINK = re.compile(r'<link rel="stylesheet" href="/static/dark.css" media="([^"]*)">')
# What each choice puts in the page: data-theme, the color-scheme meta, dark.css's media.
DRAWN = {
    "device": ("device", "light dark", "screen and (prefers-color-scheme: dark)"),
    "light": ("light", "light", None),
    "dark": ("dark", "dark", "screen"),
}


def drawn_as(html: str) -> tuple[str, str, str | None]:
    theme = re.search(r'<html lang="en" data-theme="([a-z]+)">', html)
    scheme = re.search(r'<meta name="color-scheme" content="([a-z ]+)">', html)
    assert theme is not None, html[:400]
    assert scheme is not None, html[:400]
    links = DARK_LINK.findall(html)
    assert len(links) <= 1
    return theme.group(1), scheme.group(1), links[0] if links else None


def theme_of(client: Client, key: str) -> Theme:
    return client.user(PERSONAS[key].email).theme


# --- Pages -------------------------------------------------------------------------------------


def test_pages_follow_the_device_until_someone_chooses(
    client: Client, personas: dict[str, User]
) -> None:
    assert drawn_as(client.get("/login").text) == DRAWN["device"]
    client.login_as(PERSONAS["patient"])

    page = client.get("/account")

    assert page.status_code == 200
    assert drawn_as(page.text) == DRAWN["device"]
    assert 'id="theme" name="theme" value="device" checked>' in page.text
    assert "As my device" in page.text
    assert "Save display" in page.text


@pytest.mark.parametrize("choice", ["dark", "light", "device"])
def test_each_choice_is_stored_and_draws_every_page_in_it(
    client: Client, personas: dict[str, User], choice: str
) -> None:
    client.login_as(PERSONAS["patient"])
    if choice == "device":  # a change back from another choice
        client.submit("/account/display", {"theme": "dark"})

    response = client.submit("/account/display", {"theme": choice})

    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    assert theme_of(client, "patient") is Theme(choice)
    account = client.get("/account")
    assert drawn_as(account.text) == DRAWN[choice]
    assert f'value="{choice}" checked>' in account.text
    for path in ("/patient", "/sessions", "/sessions/999999999"):  # a 404 too
        assert drawn_as(client.get(path).text) == DRAWN[choice], path


def test_the_page_says_the_choice_is_saved(client: Client, personas: dict[str, User]) -> None:
    client.login_as(PERSONAS["patient"])
    client.submit("/account/display", {"theme": "dark"})

    assert "Your pages are now dark." in text_of(client.get("/account"))


@pytest.mark.parametrize("key", ["therapist", "coordinator", "admin"])
def test_every_role_chooses_its_own_display(
    client: Client, personas: dict[str, User], key: str
) -> None:
    client.login_as(PERSONAS[key])

    response = client.submit("/account/display", {"theme": "dark"})

    assert response.status_code == 303
    assert theme_of(client, key) is Theme.DARK
    assert drawn_as(client.get("/account").text) == DRAWN["dark"]


@pytest.mark.parametrize(
    "form", [{"theme": "black"}, {"theme": "Dark"}, {"theme": ""}, {}, {"theme": "dark" * 500}]
)
def test_an_unreadable_choice_is_refused_by_name_and_changes_nothing(
    client: Client, personas: dict[str, User], form: dict[str, Any]
) -> None:
    client.login_as(PERSONAS["patient"])
    client.submit("/account/display", {"theme": "light"})

    response = client.submit("/account/display", form)

    assert response.status_code == 422
    assert theme_of(client, "patient") is Theme.LIGHT
    page = text_of(response)
    assert '<a href="#theme">Display: Choose how your pages look' in page
    assert 'id="theme-error"' in page
    assert drawn_as(response.text) == DRAWN["light"]  # the refusal is drawn in the stored one


def test_the_choice_needs_its_csrf_token(client: Client, personas: dict[str, User]) -> None:
    client.login_as(PERSONAS["patient"])

    response = client.post("/account/display", data={"theme": "dark"})

    assert response.status_code == 403
    assert theme_of(client, "patient") is Theme.DEVICE


def test_nobody_changes_anyone_elses_display(client: Client, personas: dict[str, User]) -> None:
    """The form names no account: whoever sends it changes their own, whatever else it says."""
    client.login_as(PERSONAS["other_patient"])
    target = personas["patient"]

    response = client.submit(
        "/account/display", {"theme": "dark", "user_id": str(target.id), "email": target.email}
    )

    assert response.status_code == 303
    assert theme_of(client, "other_patient") is Theme.DARK
    assert theme_of(client, "patient") is Theme.DEVICE
    client.login_as(PERSONAS["patient"])
    assert drawn_as(client.get("/patient").text) == DRAWN["device"]


def test_signed_out_the_choice_cannot_be_made(client: Client, personas: dict[str, User]) -> None:
    response = client.submit("/account/display", {"theme": "dark"})

    assert response.status_code in {302, 303}
    assert "/login" in response.headers["location"]


def _declarations(css: str) -> dict[str, str]:
    """The custom properties of the stylesheet's first `:root` block, by name."""
    without_comments = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    block = re.search(r":root\s*\{([^}]*)\}", without_comments)
    assert block is not None
    return dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", block.group(1)))


def test_the_dark_stylesheet_gives_every_colour_token_a_dark_value() -> None:
    """Rules name colours only through app.css's tokens, so a token dark.css leaves out would
    stay light in the dark theme; and dark.css holds nothing but tokens, which could otherwise
    beat a page's own styles in one theme only."""
    app_css = (STATIC / "app.css").read_text(encoding="utf-8")
    dark_css = (STATIC / "dark.css").read_text(encoding="utf-8")
    colours = {
        name
        for name, value in _declarations(app_css).items()
        if re.search(r"#[0-9a-f]{3,8}\b|rgb\(|\bwhite\b|\bblack\b", value)
    }
    dark = _declarations(dark_css)

    assert len(colours) > 40
    assert colours - dark.keys() == set()
    assert dark.keys() - colours == set()
    selectors = re.findall(r"([^{}]+)\{", re.sub(r"/\*.*?\*/", "", dark_css, flags=re.DOTALL))
    assert [selector.strip() for selector in selectors] == [":root"]


# --- The JSON API ------------------------------------------------------------------------------


def test_the_api_answers_the_default_then_the_stored_choice(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])
    assert client.get(API).json() == {"theme": "device"}
    assert client.get("/api/v1/me").json()["theme"] == "device"

    put = client.put(API, json={"theme": "dark"})

    assert put.status_code == 200
    assert put.json() == {"theme": "dark"}
    assert theme_of(client, "therapist") is Theme.DARK
    assert client.get(API).json() == {"theme": "dark"}
    assert client.get("/api/v1/me").json()["theme"] == "dark"
    assert drawn_as(client.get("/account").text) == DRAWN["dark"]
    assert client.put(API, json={"theme": "dark"}).json() == {"theme": "dark"}  # again: the same


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"theme": "black"}, "theme"),
        ({"theme": "DARK"}, "theme"),
        ({"theme": ""}, "theme"),
        ({"theme": None}, "theme"),
        ({"theme": 1}, "theme"),
        ({}, "theme"),
        ({"theme": "dark", "user_id": 1}, "user_id"),
    ],
)
def test_the_api_refuses_a_bad_field_by_name_and_stores_nothing(
    client: Client, personas: dict[str, User], body: dict[str, Any], field: str
) -> None:
    client.login_as(PERSONAS["patient"])

    response = client.put(API, json=body)

    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert theme_of(client, "patient") is Theme.DEVICE


def test_the_api_refuses_anonymous_callers(client: Client, personas: dict[str, User]) -> None:
    assert client.get(API).status_code == 401
    assert client.put(API, json={"theme": "dark"}).status_code == 401


def test_the_openapi_document_describes_the_display(client: Client) -> None:
    document = client.get("/schema/openapi.json").json()

    operations = document["paths"][API]
    assert set(operations) >= {"get", "put"}
    schemas = document["components"]["schemas"]
    body = schemas["DisplayIn"]
    assert body["required"] == ["theme"]
    assert body["additionalProperties"] is False
    assert "theme" in schemas["MeResponse"]["properties"]
