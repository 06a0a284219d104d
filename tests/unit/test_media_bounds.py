"""Numbers no playable file has are refused with a reason: more channels than browsers play, a
sample rate outside what they play, an MP4 audio codec they cannot decode, and a length the
file's bytes cannot hold. Fuzzed headers had all of these accepted and stored."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from mutagen.ogg import OggPage

from tests import media_fixtures as mf
from wellness.catalog.validation import (
    MAX_CHANNELS,
    MediaRejected,
    inspect_media,
)


def rejected(path: Path) -> MediaRejected:
    with pytest.raises(MediaRejected) as caught:
        inspect_media(path)
    return caught.value


@pytest.mark.parametrize("channels", [MAX_CHANNELS + 1, 9473])
def test_more_channels_than_browsers_play_are_refused(tmp_path: Path, channels: int) -> None:
    problem = rejected(mf.make_raw_wav(tmp_path, channels=channels))

    assert problem.code == "unsupported_codec"
    assert f"has {channels} sound channels; browsers play up to 8" in problem.message


def test_eight_channels_are_accepted(tmp_path: Path) -> None:
    assert inspect_media(mf.make_raw_wav(tmp_path, channels=MAX_CHANNELS)).channels == 8


@pytest.mark.parametrize("rate", [4_000, 400_000])
def test_a_sample_rate_browsers_do_not_play_is_refused(tmp_path: Path, rate: int) -> None:
    problem = rejected(mf.make_raw_wav(tmp_path, sample_rate=rate))

    assert problem.code == "unsupported_codec"
    assert f"sampled at {rate:,} Hz; browsers play 8,000 to 384,000 Hz" in problem.message


@pytest.mark.parametrize("rate", [8_000, 192_000])
def test_the_edges_of_the_playable_rates_are_accepted(tmp_path: Path, rate: int) -> None:
    assert inspect_media(mf.make_raw_wav(tmp_path, sample_rate=rate)).sample_rate == rate


def with_audio_entry(path: Path, fourcc: bytes) -> Path:
    """The M4A with its audio sample entry renamed, as a file from another encoder says."""
    data = path.read_bytes()
    entry = data.index(b"mp4a", data.index(b"stsd"))
    path.write_bytes(data[:entry] + fourcc + data[entry + 4 :])
    return path


@pytest.mark.parametrize(
    ("fourcc", "named"),
    [(b"xxxx", "in the format “xxxx”"), (b"ac-3", "Dolby AC-3")],
)
def test_an_mp4_audio_codec_browsers_cannot_decode_is_refused(
    tmp_path: Path, fourcc: bytes, named: str
) -> None:
    problem = rejected(with_audio_entry(mf.make_m4a(tmp_path), fourcc))

    assert problem.code == "unsupported_codec"
    assert f"This M4A file's audio is {named}, which browsers can't play" in problem.message


def test_aac_in_mp4_is_still_accepted(tmp_path: Path) -> None:
    assert inspect_media(mf.make_m4a(tmp_path)).codec == "aac"


def with_last_granule(path: Path, samples: int) -> Path:
    """The Ogg file with its last page claiming `samples` (48 kHz for Opus), CRC redone."""
    data = path.read_bytes()
    last = data.rindex(b"OggS")
    page = mf.untyped(OggPage)(io.BytesIO(data[last:]))  # mutagen is untyped
    page.position = samples
    path.write_bytes(data[:last] + page.write())
    return path


def test_a_length_the_bytes_cannot_hold_is_refused(tmp_path: Path) -> None:
    short = mf.make_opus(tmp_path, seconds=0.5)
    claimed = with_last_granule(short, 48_000 * 60 * 30)  # half an hour in a few hundred bytes

    problem = rejected(claimed)

    assert problem.code == "bad_duration"
    assert "says it lasts 30 minutes but holds only" in problem.message
    assert "its headers are wrong" in problem.message


def test_a_short_clip_is_not_weighed_by_its_bytes(tmp_path: Path) -> None:
    """Under a minute, container overhead is most of a small file: never a refusal."""
    info = inspect_media(with_last_granule(mf.make_opus(tmp_path, seconds=0.5), 48_000 * 50))

    assert info.duration_seconds == pytest.approx(50, abs=0.1)
