"""The upload page takes its file picker's `accept` list and the upload script's format labels
from the formats registry, so a container added there is offered, accepted and labelled."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import Client
from tests.fake_format import make_test_tone, registered
from wellness.catalog.formats import registry
from wellness.catalog.models import MediaAsset

LABELS = re.compile(r'<script type="application/json" data-media-labels>(.*?)</script>', re.S)
ACCEPT = re.compile(r'<input id="file"[^>]* accept="([^"]*)"')


def picker_and_labels(page: str) -> tuple[str, dict[str, str]]:
    accept, labels = ACCEPT.search(page), LABELS.search(page)
    assert accept is not None
    assert labels is not None
    return accept.group(1), json.loads(labels.group(1))


def stored_assets(client: Client) -> list[tuple[str, str, str]]:
    async def load() -> list[tuple[str, str, str]]:
        assets = await MediaAsset.all().order_by("id")
        return [(asset.container, asset.mime_type, asset.extension) for asset in assets]

    return client.run(load)


def test_the_upload_page_hands_the_registry_to_the_picker_and_the_script(
    as_coordinator: Client,
) -> None:
    page = as_coordinator.get("/library/upload")

    assert page.status_code == 200
    accept, labels = picker_and_labels(page.text)
    assert accept == registry.accept()
    assert labels == registry.labels()
    assert labels["ogg_vorbis"] == "Ogg Vorbis"
    assert "MP3, M4A, Ogg, Opus, FLAC, WAV or MP4, up to" in page.text


def test_a_format_added_to_the_registry_is_offered_accepted_and_labelled(
    as_coordinator: Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    registered(monkeypatch)

    page = as_coordinator.get("/library/upload")
    assert page.status_code == 200
    accept, labels = picker_and_labels(page.text)
    assert ".ttn" in accept.split(",")
    assert labels["test_tone"] == "Test tone"
    assert "FLAC, WAV, MP4 or TTN, up to" in page.text

    with make_test_tone(tmp_path, 4.0).open("rb") as handle:
        answer = as_coordinator.post("/api/v1/media", files={"file": ("a.ttn", handle, "")})
    assert answer.status_code == 201, answer.text
    assert stored_assets(as_coordinator) == [("test_tone", "audio/x-test-tone", "ttn")]
    assert answer.json()["container"] == "test_tone"

    described = as_coordinator.get(f"/library/sessions/new?asset={answer.json()['id']}")
    assert described.status_code == 200
    assert "<dt>Format</dt><dd>Test tone" in described.text


def test_a_format_not_in_the_registry_is_refused(as_coordinator: Client, tmp_path: Path) -> None:
    with make_test_tone(tmp_path).open("rb") as handle:
        answer = as_coordinator.post("/api/v1/media", files={"file": ("a.ttn", handle, "")})

    assert answer.status_code == 415
    assert stored_assets(as_coordinator) == []
    assert "TTN" not in answer.json()["detail"]
