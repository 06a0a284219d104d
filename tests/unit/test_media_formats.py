"""The formats registry: one spec per container, and everything derived from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import media_fixtures as mf
from tests.fake_format import TEST_TONE, make_test_tone, registered
from wellness.catalog.formats import registry
from wellness.catalog.formats.common import HEAD_SIZE, SniffStage, Verdict
from wellness.catalog.formats.mp3 import MP3
from wellness.catalog.sniffing import sniff
from wellness.catalog.validation import MediaRejected, inspect_media


def test_each_container_has_exactly_one_spec() -> None:
    containers = [spec.container for spec in registry.FORMATS]

    assert len(containers) == len(set(containers))
    assert set(containers) == {"mp3", "m4a", "ogg_vorbis", "ogg_opus", "flac", "wav", "mp4"}
    assert all(registry.spec_for(name).container == name for name in containers)  # type: ignore[union-attr]


def test_the_derived_lists_read_as_before_the_registry() -> None:
    assert registry.supported() == "MP3, M4A, Ogg, Opus, FLAC, WAV or MP4"
    assert registry.accept() == (
        ".mp3,.m4a,.aac,.ogg,.oga,.opus,.flac,.wav,.mp4,.m4v,audio/*,video/mp4"
    )
    assert registry.labels() == {
        "mp3": "MP3",
        "m4a": "M4A",
        "ogg_vorbis": "Ogg Vorbis",
        "ogg_opus": "Opus",
        "flac": "FLAC",
        "wav": "WAV",
        "mp4": "MP4 video",
    }


def test_an_unknown_container_is_labelled_by_its_name() -> None:
    assert registry.label("ogg_vorbis") == "Ogg Vorbis"
    assert registry.label("aiff") == "AIFF"


def test_headerless_streams_are_sniffed_after_every_signature() -> None:
    sniffers = registry.sniffers()

    assert sniffers[-1] is MP3.sniff
    assert len(sniffers) == len({spec.sniff for spec in registry.FORMATS})
    assert MP3.stage is SniffStage.STREAM


def test_a_format_added_to_the_registry_is_sniffed_and_inspected(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = make_test_tone(tmp_path, 2.5)
    assert sniff(path.read_bytes()[:HEAD_SIZE]).verdict is Verdict.NOT_MEDIA

    registered(monkeypatch)

    found = sniff(path.read_bytes()[:HEAD_SIZE])
    assert (found.verdict, found.container) == (Verdict.MEDIA, "test_tone")
    info = inspect_media(path)
    assert (info.container, info.mime_type, info.extension) == (
        "test_tone",
        "audio/x-test-tone",
        "ttn",
    )
    assert info.duration_seconds == 2.5
    # The registry's own formats still win for their bytes.
    assert inspect_media(mf.make_wav(tmp_path, 1.0)).container == "wav"


def test_a_format_added_to_the_registry_appears_in_every_derived_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registered(monkeypatch)

    assert registry.supported() == "MP3, M4A, Ogg, Opus, FLAC, WAV, MP4 or TTN"
    assert registry.accept() == (
        ".mp3,.m4a,.aac,.ogg,.oga,.opus,.flac,.wav,.mp4,.m4v,.ttn,audio/*,video/mp4"
    )
    assert registry.labels()["test_tone"] == "Test tone"
    assert registry.label("test_tone") == "Test tone"
    assert registry.spec_for("test_tone") is TEST_TONE


def test_refusals_name_a_format_added_to_the_registry(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    registered(monkeypatch)

    with pytest.raises(MediaRejected) as caught:
        inspect_media(mf.write_bytes(tmp_path, "cover.png", mf.png_bytes()))
    assert caught.value.code == "not_media"
    assert "WAV, MP4 or TTN file" in caught.value.message

    with pytest.raises(MediaRejected) as caught:
        inspect_media(mf.write_bytes(tmp_path, "cut.ttn", b"TTN1\x00"))
    assert caught.value.code == "truncated"
    assert caught.value.message.startswith("This test tone file is incomplete")
