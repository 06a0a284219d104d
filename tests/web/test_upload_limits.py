"""The upload size cap is enforced while streaming, and a refused upload leaves nothing."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from tests.conftest import PERSONAS, Client
from tests.media_fixtures import make_wav, write_bytes
from tests.web.test_catalog_api import counts, stored_files, upload
from wellness.accounts.models import User
from wellness.settings import Settings
from wellness.web.uploads import _Receiver


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.replace(max_upload_mb=1)


def test_an_upload_over_the_size_cap_is_a_413_and_leaves_nothing(
    client: Client, personas: dict[str, User], settings: Settings, tmp_path: Path
) -> None:
    client.login_as(PERSONAS["coordinator"])
    response = upload(client, write_bytes(tmp_path, "big.wav", b"\0" * (3 * 1024 * 1024)))
    assert response.status_code == 413
    assert "1 MB" in response.json()["detail"]
    assert counts(client) == (0, 0, 0)
    assert stored_files(settings) == []


def test_a_file_just_under_the_cap_is_accepted(
    client: Client, personas: dict[str, User], tmp_path: Path
) -> None:
    client.login_as(PERSONAS["coordinator"])
    response = upload(client, make_wav(tmp_path, seconds=20.0))
    assert response.status_code == 201
    assert response.json()["size_bytes"] < 1024 * 1024


def test_an_upload_that_fills_the_disk_is_a_503_saying_so_and_leaves_nothing(
    client: Client,
    personas: dict[str, User],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client.login_as(PERSONAS["coordinator"])
    recording = make_wav(tmp_path, seconds=20.0)
    real_write = _Receiver.on_part_data

    def disk_full_halfway(receiver: _Receiver, data: bytes, start: int, end: int) -> None:
        if receiver.is_file_part() and receiver.size + end - start > 4096:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(receiver, data, start, end)

    monkeypatch.setattr(_Receiver, "on_part_data", disk_full_halfway)

    response = upload(client, recording)

    assert response.status_code == 503
    assert response.json()["code"] == "storage_full"
    assert "run out of storage space" in response.json()["detail"]
    assert counts(client) == (0, 0, 0)
    assert stored_files(settings) == []
    page = client.post(
        "/library/media",
        files={"file": ("tone.wav", recording.read_bytes(), "audio/wav")},
        data={"_csrf_token": client.csrf_token()},
    )
    assert page.status_code == 503
    assert "run out of storage space" in page.text
    assert counts(client) == (0, 0, 0)
    assert stored_files(settings) == []
