"""Text from outside becomes a number only as ASCII digits in range; ids are bounded; JSON is
refused when nested too deeply; odd multipart boundaries are a 400. All as 4xx naming the
field, in HTML and JSON alike, and nothing is stored."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PERSONAS, Client, count
from tests.web.test_practice_api import make_session
from wellness.accounts.models import User
from wellness.care.models import Alert, CareTeamMember
from wellness.catalog.models import MediaAsset, PracticeSession
from wellness.checkins.models import Checkin
from wellness.lib.numbers import MAX_ID
from wellness.practice.models import PracticeLog
from wellness.settings import Settings
from wellness.web.security import CONTENT_SECURITY_POLICY

OTHER_DIGITS = ["\u0669", "\uff19", "\u00b2", "1" * 5000, str(2**70)]
DEEP = b"[" * 1000 + b"]" * 1000


def signed_in(client: Client, persona: str) -> Client:
    client.login_as(PERSONAS[persona])
    return client


def assert_secured(response: Any) -> None:
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


# --- HTML forms ----------------------------------------------------------------------------


@pytest.mark.parametrize("level", OTHER_DIGITS)
def test_a_checkin_rated_in_other_digits_is_refused_and_raises_no_alert(
    client: Client, personas: dict[str, User], level: str
) -> None:
    response = signed_in(client, "patient").submit("/checkins", {"level": level, "note": "kept"})

    assert response.status_code == 422
    assert count(client, Checkin) == 0
    assert count(client, Alert) == 0
    assert "Choose a number from 0 to 10." in response.text
    assert "kept" in response.text


def test_a_refused_checkin_keeps_the_rating_chosen_and_names_the_note_by_its_field(
    client: Client, personas: dict[str, User]
) -> None:
    form = {"level": "2", "note": "x" * 600, "tags": "craving"}
    response = signed_in(client, "patient").submit("/checkins", form)

    assert response.status_code == 422
    assert count(client, Checkin) == 0
    page = response.text
    assert re.search(r'<input type="radio" name="level" value="2" checked', page)
    assert page.count(" checked") == 2  # the rating and the one tag ticked, nothing else
    note_error = re.search(r'<p class="field-error" id="note-error">(.*?)</p>', page, re.S)
    assert note_error is not None
    assert "500 characters" in note_error.group(1)
    assert 'aria-describedby="note-error"' in page


def test_practice_minutes_in_other_digits_are_refused(
    client: Client, personas: dict[str, User]
) -> None:
    form = {"kind": "breathing", "minutes": "\uff11\uff10", "started_at": "2026-11-24T18:30"}
    response = signed_in(client, "patient").submit("/practice/log", form)

    assert response.status_code == 422
    assert count(client, PracticeLog) == 0
    assert "Give the minutes practised, from 1 to 360." in response.text


@pytest.mark.parametrize("session_id", ["\u0661", str(2**70), "1" * 5000])
def test_starting_a_practice_needs_an_ascii_session_id(
    client: Client, personas: dict[str, User], session_id: str
) -> None:
    make_session(client)
    response = signed_in(client, "patient").submit("/practice/start", {"session_id": session_id})

    assert response.status_code == 422
    assert count(client, PracticeLog) == 0
    assert "Choose a session." in response.text


def test_an_after_rating_in_other_digits_is_not_saved(
    client: Client, personas: dict[str, User]
) -> None:
    session_id = make_session(client)
    signed_in(client, "patient")
    started = client.post("/api/v1/practice/playback", json={"session_id": session_id})
    practice_id = started.json()["practice"]["id"]

    response = client.submit(f"/practice/{practice_id}/after", {"anxiety_after": "\u0662"})

    assert response.status_code == 422
    assert count(client, Checkin) == 0
    assert "Choose a number from 0 to 10." in response.text


def test_attested_minutes_in_other_digits_are_refused(
    client: Client, personas: dict[str, User]
) -> None:
    form = {"kind": "yoga", "minutes": "\u00b2", "started_at": "2026-11-24T18:30"}
    patient_id = personas["patient"].id
    response = signed_in(client, "therapist").submit(f"/care/patients/{patient_id}/attest", form)

    assert response.status_code == 422
    assert count(client, PracticeLog) == 0
    assert "Give the minutes practised, from 1 to 360." in response.text


def test_a_new_session_names_each_number_it_cannot_read(
    client: Client, personas: dict[str, User]
) -> None:
    form = {
        "title": "Calm",
        "kind": "breathing",
        "anxiety_min": "\u0663",
        "anxiety_max": "10",
        "primary_asset_id": str(2**70),
    }
    response = signed_in(client, "coordinator").submit("/library/sessions/new", form)

    assert response.status_code == 422
    assert count(client, PracticeSession) == 0
    assert "Enter a whole number from 0 to 10." in response.text
    assert "No uploaded media has that id." in response.text


@pytest.mark.parametrize("therapist_id", ["\u0663", str(2**70), "1" * 5000])
def test_a_care_team_member_must_be_named_by_an_ascii_id(
    client: Client, personas: dict[str, User], therapist_id: str
) -> None:
    before = count(client, CareTeamMember)
    patient_id = personas["patient"].id
    response = signed_in(client, "admin").submit(
        f"/admin/users/{patient_id}/care-team", {"therapist_id": therapist_id}
    )

    assert response.status_code == 422
    assert count(client, CareTeamMember) == before
    assert "Choose one of the listed therapists." in response.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"page": "\u00b2"}, "That page number doesn&#39;t exist."),
        ({"page": "1" * 5000}, "That page number doesn&#39;t exist."),
        ({"length": "\u0661\u0660"}, "Choose one of the listed lengths."),
    ],
)
def test_the_catalog_page_names_a_filter_it_cannot_read(
    client: Client, personas: dict[str, User], query: dict[str, str], message: str
) -> None:
    response = signed_in(client, "patient").get("/sessions", params=query)

    assert response.status_code == 400
    assert message in response.text


# --- JSON and ids --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_media_id_beyond_the_largest_id_is_refused_naming_it(
    client: Client, personas: dict[str, User], method: str
) -> None:
    session_id = make_session(client)
    path = "/api/v1/sessions" if method == "POST" else f"/api/v1/sessions/{session_id}"
    body = {"title": "Calm", "kind": "breathing", "primary_asset_id": 2**70}
    response = signed_in(client, "coordinator").request(method, path, json=body)

    assert response.status_code in {400, 422}
    assert count(client, PracticeSession) == 1
    assert count(client, MediaAsset) == 1
    assert response.json()["errors"][0]["field"] == "primary_asset_id"


@pytest.mark.parametrize("user_id", [str(MAX_ID + 1), str(2**70)])
def test_an_account_id_beyond_the_largest_id_is_a_4xx(
    client: Client, personas: dict[str, User], user_id: str
) -> None:
    response = signed_in(client, "admin").get(f"/admin/users/{user_id}")

    assert 400 <= response.status_code < 500
    assert_secured(response)


@pytest.mark.parametrize("user_id", ["0", str(MAX_ID + 1)])
def test_a_page_for_an_id_no_record_can_have_is_not_found(
    client: Client, personas: dict[str, User], user_id: str
) -> None:
    """A page answers as for any id it does not have; the API names the field (422)."""
    admin = signed_in(client, "admin")
    before = admin.user("patient@example.org").role

    page = admin.get(f"/admin/users/{user_id}")
    posted = admin.submit(f"/admin/users/{user_id}/role", {"role": "patient"})
    api = admin.get(f"/api/v1/sessions/{user_id}")

    assert (page.status_code, posted.status_code) == (404, 404)
    assert "find that page" in page.text
    assert "Expected" not in page.text
    assert api.status_code == 422
    assert api.json()["errors"][0]["field"] == "session_id"
    assert admin.user("patient@example.org").role == before
    assert_secured(page)


@pytest.mark.parametrize("text", ["\u0661", "\uff11", "+1", "1_0"])
def test_an_id_in_the_path_is_ascii_digits_only(
    client: Client, personas: dict[str, User], text: str
) -> None:
    session_id = make_session(client)
    assert session_id == 1
    page = signed_in(client, "admin").get(f"/admin/users/{text}")
    signed_in(client, "patient")
    answer = client.get(f"/api/v1/sessions/{text}")

    assert page.status_code == 422
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "session_id", "message": "Give the id in ASCII digits (0-9)."}
    ]
    assert_secured(page)


def test_the_api_documents_the_bounds_of_every_id(app: Any, client: Client) -> None:
    document = client.get("/schema/openapi.json").json()

    for path, operations in document["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                    assert parameter["schema"]["maximum"] == MAX_ID, (path, parameter["name"])
                    assert parameter["schema"]["minimum"] == 1, (path, parameter["name"])
    schemas = document["components"]["schemas"]
    for name in ("SessionCreate", "SessionPatch"):
        field = schemas[name]["properties"]["primary_asset_id"]
        assert {"type": "integer", "minimum": 1, "maximum": MAX_ID} in field["anyOf"], name
        assert {"type": "null"} in field["anyOf"], name


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        (None, "/api/v1/auth/login"),
        ("patient", "/api/v1/checkins"),
        ("coordinator", "/api/v1/sessions"),
    ],
)
def test_deeply_nested_json_is_refused_before_decoding(
    client: Client, personas: dict[str, User], persona: str | None, path: str
) -> None:
    client.login_as(PERSONAS[persona] if persona else None)
    response = client.post(path, content=DEEP, headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert count(client, Checkin) == 0
    assert count(client, PracticeSession) == 0
    assert response.json()["errors"][0]["field"] == "body"
    assert "deeper than 32 levels" in response.json()["detail"]
    assert_secured(response)


def test_json_nested_as_deep_as_allowed_is_still_decoded(
    client: Client, personas: dict[str, User]
) -> None:
    body = b'{"level": 3, "tags": ' + b"[" * 31 + b"]" * 31 + b"}"
    response = signed_in(client, "patient").post(
        "/api/v1/checkins", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 422  # decoded, then refused for its shape
    assert response.json()["errors"][0]["field"] == "tags[0]"


# --- multipart -----------------------------------------------------------------------------


def multipart(
    boundary: str, *, file: bool = True, filename: str = "a.mp3"
) -> tuple[bytes, dict[str, str]]:
    mark = b"--" + boundary.encode()
    part = [
        f'Content-Disposition: form-data; name="file"; filename="{filename}"'.encode(),
        b"Content-Type: audio/mpeg",
        b"",
        b"\xff\xfb\x90\x00" * 100,
    ]
    if not file:
        part = [b'Content-Disposition: form-data; name="level"', b"", b"3"]
    body = b"\r\n".join([mark, *part, mark + b"--", b""])
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


def stored_files(settings: Settings) -> list[Path]:
    return [path for path in settings.media_dir.rglob("*") if path.is_file()]


def test_an_upload_with_an_overlong_boundary_is_a_400_leaving_nothing(
    client: Client, personas: dict[str, User], settings: Settings
) -> None:
    body, headers = multipart("b" * 5000)
    response = signed_in(client, "coordinator").post("/api/v1/media", content=body, headers=headers)

    assert response.status_code == 400
    assert count(client, MediaAsset) == 0
    assert stored_files(settings) == []
    assert response.json()["detail"] == "The upload is not a well-formed multipart body."
    assert_secured(response)


def test_the_upload_page_refuses_an_overlong_boundary_on_the_form(
    client: Client, personas: dict[str, User], settings: Settings
) -> None:
    body, headers = multipart("b" * 5000)
    signed_in(client, "coordinator")
    headers["x-csrftoken"] = client.csrf_token()
    response = client.post("/library/media", content=body, headers=headers)

    assert response.status_code == 400
    assert count(client, MediaAsset) == 0
    assert stored_files(settings) == []
    assert "The upload is not a well-formed multipart body." in response.text


@pytest.mark.parametrize("path", ["/api/v1/media", "/library/media"])
def test_a_file_name_thousands_of_characters_long_is_refused_by_name_leaving_nothing(
    client: Client, personas: dict[str, User], settings: Settings, path: str
) -> None:
    body, headers = multipart("boundary", filename="a" * 8000 + ".mp3")
    signed_in(client, "coordinator")
    headers["x-csrftoken"] = client.csrf_token()
    response = client.post(path, content=body, headers=headers)

    assert response.status_code == 400
    assert count(client, MediaAsset) == 0
    assert stored_files(settings) == []
    detail = "The file's name is too long: a part of the upload may describe its file in at most"
    if path.startswith("/api/"):
        assert response.json()["detail"].startswith(detail)
    else:
        assert detail.replace("'", "&#39;") in response.text


def test_a_form_page_refuses_an_overlong_boundary(
    client: Client, personas: dict[str, User]
) -> None:
    # No file part: Litestar leaves the files of a form it parsed for a page open.
    body, headers = multipart("b" * 5000, file=False)
    response = signed_in(client, "patient").post("/checkins", content=body, headers=headers)

    assert 400 <= response.status_code < 500
    assert count(client, Checkin) == 0
    assert_secured(response)


# --- static files --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a" * 300, "1" * 5000, "favicon.svg/x"])
def test_a_static_name_the_system_refuses_is_not_found(client: Client, name: str) -> None:
    response = client.get(f"/static/{name}")

    assert response.status_code == 404
    assert_secured(response)
