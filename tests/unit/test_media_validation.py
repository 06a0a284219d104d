from __future__ import annotations

import base64
import math
import shutil
import struct
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import soundfile as sf
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests import media_fixtures as mf
from wellness.catalog.validation import MediaInfo, MediaRejected, inspect_media

Maker = Callable[[Path], Path]


def rejected(path: Path, **kwargs: float) -> MediaRejected:
    with pytest.raises(MediaRejected) as caught:
        inspect_media(path, **kwargs)
    return caught.value


# -- accepted files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "container", "mime", "extension", "codec", "seconds", "rate", "channels"),
    [
        (lambda d: mf.make_wav(d, 3.0, 1), "wav", "audio/wav", "wav", "pcm_s16le", 3.0, 22050, 1),
        (lambda d: mf.make_wav(d, 0.5, 2, sample_rate=48000), "wav", "audio/wav", "wav",
         "pcm_s16le", 0.5, 48000, 2),
        (lambda d: mf.make_wav(d, 1.0, 1, subtype="PCM_24"), "wav", "audio/wav", "wav",
         "pcm_s24le", 1.0, 22050, 1),
        (lambda d: mf.make_wav(d, 1.0, 1, subtype="FLOAT"), "wav", "audio/wav", "wav",
         "pcm_f32le", 1.0, 22050, 1),
        (lambda d: mf.make_flac(d, 3.0, 1), "flac", "audio/flac", "flac", "flac", 3.0, 44100, 1),
        (lambda d: mf.make_flac(d, 0.3, 2, sample_rate=48000), "flac", "audio/flac", "flac",
         "flac", 0.3, 48000, 2),
        (lambda d: mf.make_flac(d, 7.0, 2, sample_rate=22050), "flac", "audio/flac", "flac",
         "flac", 7.0, 22050, 2),
        (lambda d: mf.make_mp3(d, 3.0, 1), "mp3", "audio/mpeg", "mp3", "mp3", 3.0, 44100, 1),
        (lambda d: mf.make_mp3(d, 5.0, 2, bit_rate=128_000), "mp3", "audio/mpeg", "mp3", "mp3",
         5.0, 44100, 2),
        (lambda d: mf.make_mp3(d, 0.4, 1), "mp3", "audio/mpeg", "mp3", "mp3", 0.4, 44100, 1),
        (lambda d: mf.make_mp3(d, 3.0, 1, vbr=True), "mp3", "audio/mpeg", "mp3", "mp3", 3.0,
         44100, 1),
        (lambda d: mf.make_mp3(d, 6.0, 2, vbr=True), "mp3", "audio/mpeg", "mp3", "mp3", 6.0,
         44100, 2),
        (lambda d: mf.make_mp3(d, 3.0, 1, xing=False), "mp3", "audio/mpeg", "mp3", "mp3", 3.0,
         44100, 1),
        (lambda d: mf.make_mp3(d, 2.0, 1, sample_rate=22050, bit_rate=32_000), "mp3",
         "audio/mpeg", "mp3", "mp3", 2.0, 22050, 1),
        (lambda d: mf.make_ogg_vorbis(d, 3.0, 1), "ogg_vorbis", "audio/ogg", "ogg", "vorbis",
         3.0, 44100, 1),
        (lambda d: mf.make_ogg_vorbis(d, 8.0, 2, sample_rate=22050), "ogg_vorbis", "audio/ogg",
         "ogg", "vorbis", 8.0, 22050, 2),
        (lambda d: mf.make_opus(d, 3.0, 1), "ogg_opus", "audio/ogg", "opus", "opus", 3.0,
         48000, 1),
        (lambda d: mf.make_opus(d, 1.5, 2), "ogg_opus", "audio/ogg", "opus", "opus", 1.5,
         48000, 2),
        (lambda d: mf.make_m4a(d, 3.0, 1), "m4a", "audio/mp4", "m4a", "aac", 3.0, 44100, 1),
        (lambda d: mf.make_m4a(d, 1.0, 2, faststart=True), "m4a", "audio/mp4", "m4a", "aac",
         1.0, 44100, 2),
        (lambda d: mf.make_mp4_video(d, 2.0), "mp4", "video/mp4", "mp4", "aac+h264", 2.0,
         44100, 1),
        (lambda d: mf.make_mp4_video(d, 3.0, 2, faststart=True), "mp4", "video/mp4", "mp4",
         "aac+h264", 3.0, 44100, 2),
    ],
)  # fmt: skip
def test_it_accepts_every_supported_format(
    tmp_path: Path,
    make: Maker,
    container: str,
    mime: str,
    extension: str,
    codec: str,
    seconds: float,
    rate: int,
    channels: int,
) -> None:
    info = inspect_media(make(tmp_path))

    assert (info.container, info.mime_type, info.extension) == (container, mime, extension)
    assert info.codec == codec
    assert info.duration_seconds == pytest.approx(seconds, abs=0.08)
    assert info.sample_rate == rate
    assert info.channels == channels
    assert info.has_video is (container == "mp4")
    assert info.bitrate is not None
    assert info.bitrate > 0
    assert info.cover is None


def test_it_reports_a_cbr_mp3s_nominal_bitrate(tmp_path: Path) -> None:
    info = inspect_media(mf.make_mp3(tmp_path, 2.0, 2, bit_rate=128_000))

    assert info.bitrate == pytest.approx(128_000, rel=0.01)


def test_it_takes_the_container_from_the_bytes_not_the_name(tmp_path: Path) -> None:
    flac = mf.make_flac(tmp_path, 2.0, name="meditation.mp3")
    m4a = mf.make_m4a(tmp_path, 1.0, name="breathing.ogg")

    assert inspect_media(flac).container == "flac"
    assert inspect_media(flac).extension == "flac"
    assert inspect_media(m4a).container == "m4a"


def test_it_accepts_an_isom_branded_mp4_with_only_audio_as_m4a(tmp_path: Path) -> None:
    path = mf.make_m4a(tmp_path, 1.0)
    data = bytearray(path.read_bytes())
    data[8:12] = b"isom"  # what ffmpeg's plain mp4 muxer writes for audio-only files
    path.write_bytes(bytes(data))

    info = inspect_media(path)

    assert (info.container, info.mime_type, info.extension) == ("m4a", "audio/mp4", "m4a")


def test_it_accepts_a_flac_with_an_id3_tag_in_front(tmp_path: Path) -> None:
    from mutagen import id3

    untyped_id3 = mf.untyped(id3)
    path = mf.make_flac(tmp_path, 1.0)
    tag = untyped_id3.ID3()
    tag.add(untyped_id3.TIT2(encoding=3, text="Prefixed"))
    tag.save(str(path), padding=lambda info: 4000)

    info = inspect_media(path)

    assert info.container == "flac"
    assert info.duration_seconds == pytest.approx(1.0, abs=0.01)


# -- tags and cover art --------------------------------------------------------------------

TAGS = {
    "title": "Body Scan for Sleep",
    "artist": "Dr. Ada Calm",
    "album": "Evening Practice",
    "comment": "Lie down before you start.",
}

TAGGABLE: list[tuple[str, Maker]] = [
    ("mp3", lambda d: mf.make_mp3(d, 1.0)),
    ("mp3", lambda d: mf.make_mp3(d, 1.0, vbr=True, name="vbr.mp3")),
    ("wav", lambda d: mf.make_wav(d, 1.0)),
    ("flac", lambda d: mf.make_flac(d, 1.0)),
    ("ogg_vorbis", lambda d: mf.make_ogg_vorbis(d, 1.0)),
    ("ogg_opus", lambda d: mf.make_opus(d, 1.0)),
    ("m4a", lambda d: mf.make_m4a(d, 1.0)),
    ("mp4", lambda d: mf.make_mp4_video(d, 1.0)),
]


@pytest.mark.parametrize(("container", "make"), TAGGABLE)
@pytest.mark.parametrize(("cover", "mime", "extension"), [
    (mf.png_bytes(), "image/png", "png"),
    (mf.jpeg_bytes(), "image/jpeg", "jpg"),
])  # fmt: skip
def test_it_reads_tags_and_a_cover_picture(
    tmp_path: Path, container: str, make: Maker, cover: bytes, mime: str, extension: str
) -> None:
    path = mf.with_tags(make(tmp_path), container=container, cover=cover, cover_mime=mime, **TAGS)

    info = inspect_media(path)

    assert info.container == container
    assert (info.title, info.artist, info.album, info.comment) == tuple(TAGS.values())
    assert info.cover is not None
    assert (info.cover.data, info.cover.mime_type, info.cover.extension) == (cover, mime, extension)


def test_it_reads_riff_info_titles_from_a_wav(tmp_path: Path) -> None:
    info = inspect_media(mf.make_wav(tmp_path, 1.0, title="Grounding"))

    assert (info.title, info.artist) == ("Grounding", "Clinic Staff")


def test_it_reads_vorbis_comments_written_by_the_encoder(tmp_path: Path) -> None:
    assert inspect_media(mf.make_flac(tmp_path, 1.0, title="Breathe")).title == "Breathe"
    assert inspect_media(mf.make_opus(tmp_path, 1.0, title="Rest")).title == "Rest"


def test_it_sniffs_the_cover_instead_of_trusting_its_declared_type(tmp_path: Path) -> None:
    path = mf.with_tags(
        mf.make_mp3(tmp_path, 1.0), container="mp3", title="x", cover=mf.png_bytes(),
        cover_mime="image/jpeg",
    )  # fmt: skip

    cover = inspect_media(path).cover

    assert cover is not None
    assert (cover.mime_type, cover.extension) == ("image/png", "png")


@pytest.mark.parametrize("container", ["mp3", "flac", "m4a", "ogg_opus"])
@pytest.mark.parametrize(
    "picture",
    [
        b"GIF89a" + bytes(100),
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"MZ\x90\x00" + bytes(200),
        b"\x89PNG\r\n\x1a\n" + bytes(5_000_000),
    ],
    ids=["gif", "svg", "exe", "png-over-5mb"],
)
def test_it_ignores_a_cover_that_is_not_a_small_png_or_jpeg(
    tmp_path: Path, container: str, picture: bytes
) -> None:
    makers: dict[str, Callable[[Path, float], Path]] = {
        "mp3": mf.make_mp3,
        "flac": mf.make_flac,
        "m4a": mf.make_m4a,
        "ogg_opus": mf.make_opus,
    }
    make = makers[container]
    path = mf.with_tags(make(tmp_path, 1.0), container=container, title="Kept", cover=picture)

    info = inspect_media(path)

    assert info.title == "Kept"
    assert info.cover is None


def test_it_prefers_the_front_cover_and_skips_bad_pictures(tmp_path: Path) -> None:
    from mutagen import id3

    untyped_id3 = mf.untyped(id3)
    path = mf.make_mp3(tmp_path, 1.0)
    tags = untyped_id3.ID3()
    tags.add(untyped_id3.APIC(encoding=3, mime="image/gif", type=0, desc="icon", data=b"GIF89a..."))
    tags.add(
        untyped_id3.APIC(encoding=3, mime="image/png", type=4, desc="back", data=mf.png_bytes(4, 4))
    )
    tags.add(
        untyped_id3.APIC(encoding=3, mime="image/jpeg", type=3, desc="front", data=mf.jpeg_bytes())
    )
    tags.save(str(path))

    cover = inspect_media(path).cover

    assert cover is not None
    assert cover.data == mf.jpeg_bytes()


def test_it_reads_an_mp3_whose_id3_cover_is_larger_than_the_sniffed_head(tmp_path: Path) -> None:
    big_png = mf.png_bytes(200, 200) + bytes(30_000)
    path = mf.with_tags(mf.make_mp3(tmp_path, 1.0), container="mp3", title="Big", cover=big_png)

    info = inspect_media(path)

    assert (info.container, info.title) == ("mp3", "Big")
    assert info.cover is not None


def test_it_accepts_mp3s_with_ape_and_id3v1_tags_at_the_end(tmp_path: Path) -> None:
    cbr = mf.with_id3v1(mf.with_ape_tags(mf.make_mp3(tmp_path, 2.0, xing=False)))
    vbr = mf.with_ape_tags(mf.with_id3_cover(mf.make_mp3(tmp_path, 2.0, vbr=True, name="v.mp3")))

    cbr_info = inspect_media(cbr)
    vbr_info = inspect_media(vbr)

    assert cbr_info.title == "Old Tag"  # mutagen reads ID3v1 as ID3; it wins over APE
    assert cbr_info.artist == "APE Tagger"  # ID3v1 has none, so APE fills it in
    assert cbr_info.duration_seconds == pytest.approx(2.0, abs=0.08)
    assert vbr_info.title == "Body Scan"  # ID3v2 wins over APE
    assert vbr_info.cover is not None


def test_it_accepts_a_wav_with_bytes_after_its_riff_form(tmp_path: Path) -> None:
    path = mf.with_id3v1(mf.make_wav(tmp_path, 1.0))  # some taggers append ID3v1 to WAVs

    info = inspect_media(path)

    assert info.duration_seconds == pytest.approx(1.0, abs=0.01)


def test_it_accepts_a_flac_with_an_id3v1_tag_at_the_end(tmp_path: Path) -> None:
    path = mf.with_id3v1(mf.make_flac(tmp_path, 1.0))

    assert inspect_media(path).duration_seconds == pytest.approx(1.0, abs=0.01)


def test_it_accepts_an_mp3_whose_declared_bytes_are_all_present_despite_trailing_junk(
    tmp_path: Path,
) -> None:
    path = mf.make_mp3(tmp_path, 2.0, vbr=True)
    with path.open("ab") as out:
        out.write(b"\x13\x37 trailing junk from a sloppy tool" * 3)

    assert inspect_media(path).duration_seconds == pytest.approx(2.0, abs=0.05)


def test_it_strips_control_characters_and_caps_tag_lengths(tmp_path: Path) -> None:
    path = mf.with_tags(
        mf.make_flac(tmp_path, 1.0),
        container="flac",
        title="Calm\x00\x1b[31m\u202eevil\u202c\nbreath  ",
        artist="A" * 400,
        album="B" * 400,
        comment="line one\r\nline two " + "c" * 900,
    )

    info = inspect_media(path)

    assert info.title == "Calm [31mevil breath"
    assert info.artist == "A" * 255
    assert info.album == "B" * 255
    assert len(info.comment) == 500
    assert info.comment.startswith("line one line two c")


def test_it_returns_empty_strings_for_missing_tags(tmp_path: Path) -> None:
    info = inspect_media(mf.make_m4a(tmp_path, 1.0))

    assert (info.title, info.artist, info.album, info.comment) == ("", "", "", "")


# -- rejections ------------------------------------------------------------------------------


def test_it_rejects_an_empty_file(tmp_path: Path) -> None:
    error = rejected(mf.write_bytes(tmp_path, "session.mp3", b""))

    assert error.code == "empty"
    assert "empty" in error.message


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (b"Breathe in for four, hold for four, out for four.\n" * 20, "a text file"),
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "an HTML page"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>', "an SVG image"),
        (b"<svg onload=alert(1)>", "an SVG image"),
        (mf.png_bytes(), "a PNG image"),
        (mf.jpeg_bytes(), "a JPEG image"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(500), "a Windows program"),
        (b"\x7fELF\x02\x01\x01" + bytes(500), "a Linux program"),
        (b"PK\x03\x04" + bytes(500), "a zip archive"),
        (b"%PDF-1.7\n" + bytes(500), "a PDF document"),
        (bytes(range(256)) * 4, "a file of an unrecognised kind"),
    ],
    ids=["text", "html", "svg-xml", "svg", "png", "jpeg", "exe", "elf", "zip", "pdf", "binary"],
)
def test_it_rejects_files_that_are_not_media_whatever_their_name(
    tmp_path: Path, data: bytes, named: str
) -> None:
    error = rejected(mf.write_bytes(tmp_path, "guided-meditation.mp3", data))

    assert error.code == "not_media"
    assert named in error.message


def test_it_rejects_webm_as_an_unsupported_container(tmp_path: Path) -> None:
    error = rejected(mf.make_webm(tmp_path, name="session.mp4"))

    assert error.code == "unsupported_container"
    assert "WebM/Matroska" in error.message
    assert "MP3" in error.message


@pytest.mark.parametrize(
    ("fmt", "subtype", "named"),
    [("AIFF", "PCM_16", "AIFF"), ("CAF", "PCM_16", "CAF"), ("OGG", None, None)],
    ids=["aiff", "caf", "ogg-flac"],
)
def test_it_rejects_other_audio_containers_by_name(
    tmp_path: Path, fmt: str, subtype: str | None, named: str | None
) -> None:
    path = tmp_path / "audio.wav"
    if named is None:
        # Ogg FLAC: an Ogg stream whose first packet is "\x7fFLAC".
        opus = mf.make_opus(tmp_path, 0.5).read_bytes()
        packet = opus.find(b"OpusHead")
        path.write_bytes(opus[:packet] + b"\x7fFLAC" + opus[packet + 5 :])
        named = "Ogg FLAC"
    else:
        sf.write(path, mf.tone(0.5), 22050, format=fmt, subtype=subtype)

    error = rejected(path)

    assert error.code == "unsupported_container"
    assert named in error.message


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfb\x90\x64" + b"this is not audio at all " * 100,
        b"\xff\xfb\x90\x64" + bytes(413) + b"\x00\x01\x02\x03" * 300,
    ],
    ids=["text", "binary"],
)
def test_it_rejects_a_valid_mp3_header_followed_by_garbage(tmp_path: Path, data: bytes) -> None:
    error = rejected(mf.write_bytes(tmp_path, "fake.mp3", data))

    assert error.code == "unparseable"
    assert "MP3" in error.message
    assert "damaged" in error.message


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (b"fLaC" + b"\x84\x00\x00\x22" + bytes(34) + b"garbage" * 50, "FLAC"),
        (b"fLaC" + b"not a metadata block at all" * 20, "FLAC"),
        (b"RIFF\x24\x00\x00\x00WAVEjunk\x04\x00\x00\x00abcd" + bytes(64), "WAV"),
        (b"OggS\x00\x02" + bytes(20) + b"\x01\x13OpusHead" + b"junk" * 40, "Opus"),
        (b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom" + b"\x00\x01\x02\x03" * 30, "M4A"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isommp42" + b"\x00\x00\x00\x10free" + bytes(8),
         "MP4"),
    ],
    ids=["flac-no-frames", "flac-no-streaminfo", "wav-no-fmt", "ogg-garbage", "m4a-garbage",
         "mp4-no-moov"],
)  # fmt: skip
def test_it_rejects_containers_it_cannot_parse(tmp_path: Path, data: bytes, named: str) -> None:
    error = rejected(mf.write_bytes(tmp_path, "upload.bin", data))

    assert error.code == "unparseable"
    assert named in error.message


def test_it_rejects_an_mp4_without_an_audio_track(tmp_path: Path) -> None:
    error = rejected(mf.make_mp4_video(tmp_path, 1.0, with_audio=False))

    assert error.code == "no_audio"
    assert "no sound" in error.message


def test_it_rejects_a_wav_with_no_audio_samples(tmp_path: Path) -> None:
    path = mf.make_wav(tmp_path, 0.0)

    error = rejected(path)

    assert error.code == "bad_duration"
    assert "0 seconds" in error.message


@pytest.mark.parametrize(
    ("format_tag", "bits", "named"),
    [
        (0x9999, 16, "in an unknown encoding (format 0x9999)"),
        (2, 4, "MS ADPCM"),
        (0x11, 4, "IMA ADPCM"),
        (0x55, 0, "MP3"),
        (1, 0, "0-bit PCM"),
        (1, 12, "12-bit PCM"),
        (3, 16, "16-bit floating-point PCM"),
        (7, 16, "16-bit µ-law"),
        (0xFFFE, 16, "in an unknown encoding (format 0xfffe)"),  # extensible, no subformat
    ],
)
def test_it_refuses_a_wav_whose_audio_browsers_cannot_play(
    tmp_path: Path, format_tag: int, bits: int, named: str
) -> None:
    path = mf.make_raw_wav(tmp_path, format_tag=format_tag, bits=bits)

    error = rejected(path)

    assert error.code == "unsupported_codec"
    assert f"This WAV file's audio is {named}, which browsers can't play" in error.message
    assert "export it as 16-bit PCM WAV" in error.message


@pytest.mark.parametrize(
    ("format_tag", "bits", "codec"),
    [(1, 8, "pcm_u8"), (1, 32, "pcm_s32le"), (6, 8, "pcm_alaw"), (7, 8, "pcm_mulaw")],
)
def test_it_accepts_every_wav_encoding_browsers_play(
    tmp_path: Path, format_tag: int, bits: int, codec: str
) -> None:
    info = inspect_media(mf.make_raw_wav(tmp_path, format_tag=format_tag, bits=bits))

    assert (info.container, info.codec) == ("wav", codec)
    assert info.duration_seconds == pytest.approx(1.0)


@pytest.mark.parametrize(("channels", "sample_rate"), [(0, 8_000), (1, 0)])
def test_it_rejects_a_wav_format_chunk_that_declares_nothing(
    tmp_path: Path, channels: int, sample_rate: int
) -> None:
    path = mf.make_raw_wav(tmp_path, channels=channels, sample_rate=sample_rate)

    error = rejected(path)

    assert error.code == "unparseable"
    assert "no channels, sample rate or block size" in error.message


def test_it_rejects_an_opus_file_with_a_negative_length(tmp_path: Path) -> None:
    path = mf.make_opus(tmp_path, 0.5)
    data = bytearray(path.read_bytes())
    head = data.find(b"OpusHead")
    data[head + 10 : head + 12] = struct.pack("<H", 65000)  # pre-skip longer than the audio
    path.write_bytes(bytes(data))

    error = rejected(path)

    assert error.code == "bad_duration"


def test_it_rejects_a_file_longer_than_the_limit(tmp_path: Path) -> None:
    path = mf.make_mp3(tmp_path, 3.0)

    error = rejected(path, max_duration_seconds=2.0)

    assert error.code == "bad_duration"
    assert "longer than" in error.message
    assert inspect_media(path, max_duration_seconds=4.0).duration_seconds < 4.0


def test_it_rejects_a_wav_claiming_an_absurd_length(tmp_path: Path) -> None:
    # 2 GB of declared audio at 8 kHz mono 8-bit: about 74 hours.
    header = bytearray(mf.make_wav(tmp_path, 0.1, sample_rate=8000, subtype="PCM_U8").read_bytes())
    path = tmp_path / "long.wav"
    fmt_at = header.find(b"fmt ")
    data_at = header.find(b"data")
    path.write_bytes(bytes(header[: data_at + 8]))
    with path.open("r+b") as handle:
        size = 2_000_000_000
        handle.seek(data_at + 4)
        handle.write(struct.pack("<I", size))
        handle.seek(4)
        handle.write(struct.pack("<I", data_at + size))
        handle.truncate(data_at + 8 + size)  # a sparse file: no disk used
    assert fmt_at > 0

    error = rejected(path)

    assert error.code == "bad_duration"
    assert "hours" in error.message


# -- truncation --------------------------------------------------------------------------------

TRUNCATABLE: dict[str, Maker] = {
    "wav": lambda d: mf.make_wav(d, 3.0, 2),
    "flac": lambda d: mf.make_flac(d, 3.0, 2),
    "mp3-cbr": lambda d: mf.make_mp3(d, 3.0, 2),
    "mp3-cbr-no-xing": lambda d: mf.make_mp3(d, 3.0, 2, xing=False),
    "mp3-vbr": lambda d: mf.make_mp3(d, 3.0, 2, vbr=True),
    "mp3-tagged": lambda d: mf.with_id3_cover(mf.make_mp3(d, 3.0, 1)),
    "ogg-vorbis": lambda d: mf.make_ogg_vorbis(d, 6.0, 2),
    "opus": lambda d: mf.make_opus(d, 3.0, 2),
    "m4a": lambda d: mf.make_m4a(d, 3.0, 2),
    "m4a-faststart": lambda d: mf.make_m4a(d, 3.0, 2, faststart=True),
    "mp4": lambda d: mf.make_mp4_video(d, 3.0),
    "mp4-faststart": lambda d: mf.make_mp4_video(d, 3.0, faststart=True),
    "flac-with-cover": lambda d: mf.with_tags(
        mf.make_flac(d, 1.0), container="flac", title="t", cover=mf.png_bytes(64, 64)
    ),
}


@pytest.mark.parametrize("fraction", [0.5, 0.9, 0.99, 0.1])
@pytest.mark.parametrize("kind", list(TRUNCATABLE))
def test_it_rejects_a_truncated_file(tmp_path: Path, kind: str, fraction: float) -> None:
    path = mf.truncate(TRUNCATABLE[kind](tmp_path), fraction)

    error = rejected(path)

    assert error.code == "truncated"
    assert "incomplete" in error.message


def test_it_rejects_a_truncated_flac(tmp_path: Path) -> None:
    error = rejected(mf.truncate(mf.make_flac(tmp_path, 3.0), 0.5))

    assert error.code == "truncated"
    assert "FLAC" in error.message
    assert "cut off" in error.message


def test_it_rejects_a_flac_cut_exactly_between_frames(tmp_path: Path) -> None:
    path = mf.make_flac(tmp_path, 3.0)
    data = path.read_bytes()
    frames = [i for i in range(len(data) - 1) if data[i : i + 2] == b"\xff\xf8"]
    path.write_bytes(data[: frames[len(frames) // 2]])

    error = rejected(path)

    assert error.code == "truncated"
    assert "stops at" in error.message


def test_it_rejects_a_vbr_mp3_cut_exactly_between_frames(tmp_path: Path) -> None:
    path = mf.make_mp3(tmp_path, 4.0, vbr=True)
    data = path.read_bytes()
    frame_ends = _mpeg_frame_ends(data)
    path.write_bytes(data[: frame_ends[len(frame_ends) // 2]])

    error = rejected(path)

    assert error.code == "truncated"
    assert "declares" in error.message


def test_a_cbr_mp3_without_xing_cut_on_a_frame_boundary_reads_as_a_shorter_file(
    tmp_path: Path,
) -> None:
    # Known limit: a bare CBR stream cut between two frames is a valid, shorter MP3.
    path = mf.make_mp3(tmp_path, 4.0, xing=False)
    data = path.read_bytes()
    frame_ends = _mpeg_frame_ends(data)
    path.write_bytes(data[: frame_ends[len(frame_ends) // 2]])

    assert inspect_media(path).duration_seconds == pytest.approx(2.0, abs=0.1)


def test_it_rejects_an_ogg_file_cut_exactly_between_pages(tmp_path: Path) -> None:
    path = mf.make_ogg_vorbis(tmp_path, 8.0, 2)
    data = path.read_bytes()
    pages = [i for i in range(len(data) - 3) if data[i : i + 4] == b"OggS"]
    path.write_bytes(data[: pages[-2]])

    error = rejected(path)

    assert error.code == "truncated"
    assert "end-of-stream" in error.message


def test_it_rejects_an_m4a_that_lost_its_trailing_index(tmp_path: Path) -> None:
    path = mf.make_m4a(tmp_path, 2.0)
    data = path.read_bytes()
    path.write_bytes(data[: data.find(b"moov") - 4])

    error = rejected(path)

    assert error.code == "truncated"
    assert "index" in error.message


def test_it_rejects_an_mp4_whose_open_ended_mdat_lacks_samples(tmp_path: Path) -> None:
    path = mf.make_mp4_video(tmp_path, 2.0, faststart=True)
    data = bytearray(path.read_bytes())
    mdat = data.find(b"mdat") - 4
    data[mdat : mdat + 4] = bytes(4)  # size 0: "runs to the end of the file"
    path.write_bytes(bytes(data[: mdat + (len(data) - mdat) // 2]))

    error = rejected(path)

    assert error.code == "truncated"
    assert "samples" in error.message


def test_it_rejects_a_wav_cut_inside_its_header(tmp_path: Path) -> None:
    path = mf.make_wav(tmp_path, 1.0)
    path.write_bytes(path.read_bytes()[:30])

    assert rejected(path).code == "truncated"


def _mpeg_frame_ends(data: bytes) -> list[int]:
    from wellness.catalog.sniffing import id3v2_size, mpeg_frame

    position, ends = id3v2_size(data), []
    while (frame := mpeg_frame(data[position : position + 4])) is not None:
        position += frame.length
        ends.append(position)
    return ends


# -- robustness ----------------------------------------------------------------------------


CODES = {
    "empty",
    "not_media",
    "unsupported_container",
    "unsupported_codec",
    "unparseable",
    "truncated",
    "no_audio",
    "bad_duration",
}


def _inspect_bytes(data: bytes, name: str = "upload.mp3") -> MediaInfo | None:
    """The MediaInfo, or None when rejected; any other exception fails the test."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            return inspect_media(path)
        except MediaRejected as error:
            caught = error
    assert caught.code in CODES
    assert caught.message.endswith(".")
    return None


@pytest.fixture(scope="module")
def valid_files() -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        makers: dict[str, Maker] = {
            "wav": lambda d: mf.make_wav(d, 0.3),
            "flac": lambda d: mf.make_flac(d, 0.5),
            "mp3": lambda d: mf.make_mp3(d, 0.5),
            "mp3-vbr": lambda d: mf.make_mp3(d, 0.5, vbr=True),
            "mp3-cover": lambda d: mf.with_id3_cover(mf.make_mp3(d, 0.5, name="c.mp3")),
            "ogg": lambda d: mf.make_ogg_vorbis(d, 0.5),
            "opus": lambda d: mf.make_opus(d, 0.5),
            "m4a": lambda d: mf.make_m4a(d, 0.5),
            "m4a-cover": lambda d: mf.with_tags(
                mf.make_m4a(d, 0.5, faststart=True, name="c.m4a"),
                container="m4a",
                title="t",
                cover=mf.png_bytes(),
            ),
            "mp4": lambda d: mf.make_mp4_video(d, 0.5),
        }
        return {name: make(directory).read_bytes() for name, make in makers.items()}


MAGIC_PREFIXES = [
    b"",
    b"ID3\x04\x00\x00\x00\x00\x00\x10",
    b"fLaC",
    b"RIFF\x00\x00\x00\x00WAVE",
    b"OggS\x00\x02",
    b"\x00\x00\x00\x18ftypM4A ",
    b"\xff\xfb\x90\x64",
    b"\x1a\x45\xdf\xa3",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(MAGIC_PREFIXES), rest=st.binary(max_size=3000))
@example(prefix=b"fLaC", rest=b"\x00\x00\x00\x22" + bytes(34))
@example(prefix=b"RIFF\xff\xff\xff\xffWAVE", rest=b"fmt \x10\x00\x00\x00" + bytes(16) + b"data")
def test_random_bytes_only_ever_raise_media_rejected(prefix: bytes, rest: bytes) -> None:
    _inspect_bytes(prefix + rest)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_prefixes_and_corruptions_of_valid_files_only_ever_raise_media_rejected(
    valid_files: dict[str, bytes], data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(sorted(valid_files)))
    original = valid_files[name]
    cut = data.draw(st.integers(min_value=0, max_value=len(original)))
    flips = data.draw(
        st.lists(st.tuples(st.integers(0, len(original) - 1), st.integers(0, 255)), max_size=4)
    )
    mutated = bytearray(original)
    for position, value in flips:
        mutated[position] = value

    prefix_info = _inspect_bytes(original[:cut])
    _inspect_bytes(bytes(mutated))

    if cut < len(original) * 0.97:
        assert prefix_info is None, f"accepted {name} cut at {cut}/{len(original)}"


def test_every_truncation_point_of_a_small_file_is_caught(tmp_path: Path) -> None:
    for make in (mf.make_flac, mf.make_ogg_vorbis, mf.make_opus, mf.make_m4a, mf.make_wav):
        original = make(tmp_path, 0.3).read_bytes()
        for cut in range(1, len(original), max(1, len(original) // 150)):
            assert _inspect_bytes(original[:cut]) is None, (make.__name__, cut, len(original))


# -- memory ----------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", ["plain", "with-id3"])
def test_inspecting_a_50_mb_wav_keeps_memory_flat(tmp_path: Path, extra: str) -> None:
    path = mf.make_big_wav(tmp_path, 50)
    if extra == "with-id3":
        mf.with_id3_cover(path)
    assert path.stat().st_size > 50_000_000

    tracemalloc.start()
    try:
        info = inspect_media(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert info.duration_seconds == pytest.approx(50_000_000 / 2 / 44100, rel=0.001)
    assert peak < 3_000_000


def test_inspecting_a_large_truncated_ogg_reads_only_its_tail(tmp_path: Path) -> None:
    # mutagen alone would walk every page of a damaged Ogg file to find the last one.
    source = mf.make_ogg_vorbis(tmp_path, 8.0, 2).read_bytes()
    pages_start = source.find(b"OggS", source.find(b"OggS", 4) + 4)
    path = tmp_path / "long.ogg"
    with path.open("wb") as out:
        out.write(source)
        for _ in range(200):
            out.write(source[pages_start:])
    mf.truncate(path, 0.5)

    tracemalloc.start()
    try:
        error = rejected(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert error.code == "truncated"
    assert peak < 1_000_000


def test_the_fixture_files_stay_small(tmp_path: Path) -> None:
    for make in (mf.make_wav, mf.make_flac, mf.make_mp3, mf.make_ogg_vorbis, mf.make_opus,
                 mf.make_m4a, mf.make_mp4_video, mf.make_webm):  # fmt: skip
        assert make(tmp_path).stat().st_size < 200_000, make.__name__


def test_a_file_copied_before_the_upload_finished_is_caught_at_many_points(
    tmp_path: Path,
) -> None:
    for kind, make in TRUNCATABLE.items():
        original = make(tmp_path / kind)
        data = original.read_bytes()
        for fraction in (0.25, 0.75, 0.95):
            cut = tmp_path / kind / f"cut-{fraction}"
            cut.write_bytes(data[: int(len(data) * fraction)])
            assert rejected(cut).code == "truncated", (kind, fraction)
        shutil.rmtree(tmp_path / kind)


def test_base64_cover_in_an_ogg_that_is_not_a_picture_is_ignored(tmp_path: Path) -> None:
    from mutagen.oggvorbis import OggVorbis

    path = mf.make_ogg_vorbis(tmp_path, 1.0)
    audio = mf.untyped(OggVorbis)(str(path))
    audio["metadata_block_picture"] = [base64.b64encode(b"not a flac picture").decode()]
    audio["title"] = "Still fine"
    audio.save()

    info = inspect_media(path)

    assert (info.title, info.cover) == ("Still fine", None)
    assert math.isfinite(info.duration_seconds)
