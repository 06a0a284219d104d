"""An upload is durable before its row exists: through the real upload route and media store,
each stored file (the recording and its cover) is fsynced under its incoming name, renamed into
place, and then its folder is fsynced (`tests/durable_calls.py` records the order)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PERSONAS, Client
from tests.durable_calls import DurableCalls
from tests.media_fixtures import make_mp3, with_id3_cover
from wellness.accounts.models import User
from wellness.catalog.models import MediaAsset
from wellness.catalog.storage import LocalMediaStore
from wellness.settings import Settings


def test_an_uploaded_recording_and_its_cover_are_fsynced_before_the_rename_and_the_folder_after(
    client: Client,
    personas: dict[str, User],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recording = with_id3_cover(make_mp3(tmp_path, seconds=3.0))
    client.login_as(PERSONAS["coordinator"])
    calls = DurableCalls().install(monkeypatch)

    with recording.open("rb") as handle:
        response = client.post("/api/v1/media", files={"file": ("tone.mp3", handle, "")})

    assert response.status_code == 201, response.text
    asset = client.run(lambda: MediaAsset.get(id=response.json()["id"]))
    assert asset.cover_key is not None
    store = LocalMediaStore(settings.media_dir)
    calls.assert_placed_durably(store.local_path(asset.storage_key))
    calls.assert_placed_durably(store.local_path(asset.cover_key))
