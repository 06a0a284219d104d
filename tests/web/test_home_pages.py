"""Home pages show what is really in the library, and only what each role may see."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import PERSONAS, Client
from tests.media_fixtures import make_wav
from tests.web.test_catalog_api import create, upload
from wellness import db
from wellness.accounts.models import User


def test_the_patient_home_previews_published_sessions_only(
    client: Client, personas: dict[str, User], tmp_path: Path
) -> None:
    client.login_as(PERSONAS["coordinator"])
    asset = upload(client, make_wav(tmp_path)).json()["id"]
    published = create(client, asset, title="Evening wind-down").json()["id"]
    client.post(f"/api/v1/sessions/{published}/publish")
    create(client, asset, title="Unfinished draft")
    client.login_as(PERSONAS["patient"])
    page = client.get("/patient")
    assert page.status_code == 200
    assert f'href="/sessions/{published}"' in page.text
    assert "Evening wind-down" in page.text
    assert "Unfinished draft" not in page.text
    assert "Browse all 1 session" in page.text


def test_an_empty_library_says_so_on_the_patient_home(as_patient: Client) -> None:
    assert "Nothing to practise yet." in as_patient.get("/patient").text


def test_the_coordinator_home_counts_sessions_and_lists_recent_uploads(
    client: Client, personas: dict[str, User], tmp_path: Path
) -> None:
    client.login_as(PERSONAS["coordinator"])
    used = upload(client, make_wav(tmp_path, title="Body scan take 2")).json()["id"]
    session = create(client, used).json()["id"]
    unused = upload(
        client, make_wav(tmp_path, seconds=2.0, title="Spare take", name="spare.wav")
    ).json()["id"]
    page = client.get("/coordinator")
    assert page.status_code == 200
    assert '<a href="/sessions?status=draft">1</a>' in page.text
    assert "Body scan take 2" in page.text
    assert (
        f'<a href="/sessions/{session}">Open its session'
        '<span class="visually-hidden">: Body scan take 2</span></a>'
    ) in page.text
    assert f'href="/library/sessions/new?asset={unused}"' in page.text
    assert f'href="/library/sessions/new?asset={used}"' not in page.text


def test_the_patient_home_writes_nothing_the_change_tokens_follow(as_patient: Client) -> None:
    """It reads each change token once per view (`db.tokens_read_once`), which is right only
    while the view itself changes none of the tables the tokens follow."""

    async def tokens() -> tuple[str | None, ...]:
        return await db.change_tokens(db.CARE_TOKEN, db.CATALOG_TOKEN)

    as_patient.get("/patient")
    for level in (6, 3):  # each new rating has the suggestions chosen (and logged) again
        assert as_patient.post("/api/v1/checkins", json={"level": level}).status_code == 201
        before = as_patient.run(tokens)
        page = as_patient.get("/patient")
        assert page.status_code == 200
        assert f"{level}/10" in page.text  # the check-in just made, in the recent ratings
        assert as_patient.run(tokens) == before
