from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import media_fixtures as mf
from wellness.catalog.sniffing import (
    HEAD_SIZE,
    Verdict,
    id3v2_size,
    image_mime,
    mpeg_frame,
    sniff,
)


def head_of(path: Path) -> bytes:
    return path.read_bytes()[:HEAD_SIZE]


@pytest.mark.parametrize(
    ("make", "container"),
    [
        (mf.make_wav, "wav"),
        (mf.make_flac, "flac"),
        (mf.make_mp3, "mp3"),
        (lambda d: mf.make_mp3(d, vbr=True), "mp3"),
        (lambda d: mf.make_mp3(d, xing=False), "mp3"),
        (mf.make_ogg_vorbis, "ogg_vorbis"),
        (mf.make_opus, "ogg_opus"),
        (mf.make_m4a, "m4a"),
        (mf.make_mp4_video, "mp4"),
    ],
    ids=["wav", "flac", "mp3", "mp3-vbr", "mp3-no-xing", "vorbis", "opus", "m4a", "mp4"],
)
def test_it_recognises_every_supported_container(
    tmp_path: Path, make: object, container: str
) -> None:
    assert callable(make)
    sniffed = sniff(head_of(make(tmp_path)))

    assert sniffed.verdict is Verdict.MEDIA
    assert sniffed.container == container


def test_it_looks_past_an_id3_tag(tmp_path: Path) -> None:
    mp3 = mf.with_id3_cover(mf.make_mp3(tmp_path, 1.0))
    flac_bytes = mf.make_flac(tmp_path, 1.0).read_bytes()
    id3 = mp3.read_bytes()[: id3v2_size(mp3.read_bytes())]

    assert sniff(head_of(mp3)).container == "mp3"
    assert sniff(id3 + flac_bytes[:HEAD_SIZE]).container == "flac"


def test_an_id3_tag_larger_than_the_head_counts_as_mp3() -> None:
    head = b"ID3\x04\x00\x00\x00\x01\x00\x00" + bytes(HEAD_SIZE - 10)  # a 16 KiB tag

    assert id3v2_size(head) == 10 + 16384
    assert sniff(head).container == "mp3"


@pytest.mark.parametrize(
    ("head", "verdict", "description"),
    [
        (b"\x1a\x45\xdf\xa3\x01\x00\x00\x00", Verdict.UNSUPPORTED, "WebM/Matroska"),
        (b"FORM\x00\x00\x10\x00AIFFCOMM", Verdict.UNSUPPORTED, "AIFF"),
        (b"RIFF\x00\x00\x10\x00AVI LIST", Verdict.UNSUPPORTED, "AVI"),
        (b"RF64\xff\xff\xff\xffWAVEds64", Verdict.UNSUPPORTED, "RF64"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ", Verdict.UNSUPPORTED, "QuickTime"),
        (b"\x00\x00\x00\x08wide\x00\x00\x10\x00mdat", Verdict.UNSUPPORTED, "QuickTime"),
        (b"\xff\xf1\x50\x80\x02\x1f\xfc", Verdict.UNSUPPORTED, "ADTS"),
        (b"#!AMR\n", Verdict.UNSUPPORTED, "AMR"),
        (b"0&\xb2u\x8ef\xcf\x11\xa6\xd9", Verdict.UNSUPPORTED, "Windows Media"),
        (b"OggS\x00\x02" + bytes(20) + b"\x01\x2a\x80theora", Verdict.UNSUPPORTED, "Theora"),
        (b"OggS\x00\x02" + bytes(20) + b"\x01\x50Speex   ", Verdict.UNSUPPORTED, "Speex"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", Verdict.NOT_MEDIA, "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", Verdict.NOT_MEDIA, "JPEG image"),
        (b"GIF89a\x01\x00", Verdict.NOT_MEDIA, "GIF image"),
        (b"RIFF\x00\x00\x10\x00WEBPVP8 ", Verdict.NOT_MEDIA, "WebP image"),
        (b"\x00\x00\x00\x1cftypheic\x00\x00\x00\x00", Verdict.NOT_MEDIA, "HEIF"),
        (b"%PDF-1.4\n", Verdict.NOT_MEDIA, "PDF"),
        (b"MZ\x90\x00\x03", Verdict.NOT_MEDIA, "Windows program"),
        (b"\x7fELF\x02\x01", Verdict.NOT_MEDIA, "Linux program"),
        (b"PK\x03\x04\x14\x00", Verdict.NOT_MEDIA, "zip"),
        (b"\xef\xbb\xbf  <!DOCTYPE html>\n<html>", Verdict.NOT_MEDIA, "HTML page"),
        (b"<!-- saved page --><HTML><body>", Verdict.NOT_MEDIA, "HTML page"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", Verdict.NOT_MEDIA, "SVG image"),
        (b"<?xml version='1.0'?><svg/>", Verdict.NOT_MEDIA, "SVG image"),
        (b"<?xml version='1.0'?><playlist/>", Verdict.NOT_MEDIA, "XML document"),
        ("Atme ruhig ein und aus. 🌿\n".encode() * 10, Verdict.NOT_MEDIA, "text file"),
        (bytes(range(1, 256)), Verdict.NOT_MEDIA, "unrecognised"),
    ],
)
def test_it_names_other_kinds_of_file(head: bytes, verdict: Verdict, description: str) -> None:
    sniffed = sniff(head)

    assert sniffed.verdict is verdict
    assert description in sniffed.description
    assert sniffed.container is None


def test_an_empty_head_is_empty() -> None:
    assert sniff(b"").verdict is Verdict.EMPTY


def test_an_m4a_brand_is_audio_and_other_iso_brands_are_mp4() -> None:
    assert sniff(b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00").container == "m4a"
    assert sniff(b"\x00\x00\x00\x1cftypM4B \x00\x00\x00\x00").container == "m4a"
    assert sniff(b"\x00\x00\x00\x1cftypisom\x00\x00\x02\x00").container == "mp4"
    assert sniff(b"\x00\x00\x00\x1cftypmp42\x00\x00\x00\x00").container == "mp4"


def test_mpeg_frame_headers_are_parsed_exactly() -> None:
    frame = mpeg_frame(b"\xff\xfb\x90\x64")  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz, stereo

    assert frame is not None
    assert (frame.version, frame.layer, frame.bitrate, frame.sample_rate) == (
        "1",
        3,
        128_000,
        44100,
    )
    assert (frame.channels, frame.length, frame.samples) == (2, 417, 1152)
    padded = mpeg_frame(b"\xff\xfb\x92\xc4")
    assert padded is not None
    assert (padded.length, padded.channels) == (418, 1)
    mpeg2 = mpeg_frame(b"\xff\xf3\x40\xc4")  # MPEG-2 layer III, 32 kbit/s, 22.05 kHz
    assert mpeg2 is not None
    assert (mpeg2.version, mpeg2.bitrate, mpeg2.sample_rate, mpeg2.length) == (
        "2",
        32_000,
        22050,
        104,
    )


@pytest.mark.parametrize(
    "header",
    [
        b"\xff\xfb\xf0\x64",  # bitrate index 15
        b"\xff\xfb\x00\x64",  # free format
        b"\xff\xfb\x9c\x64",  # sample rate index 3
        b"\xff\xeb\x90\x64",  # reserved MPEG version
        b"\xff\xf9\x90\x64",  # reserved layer
        b"\xff\xfb\x90\x66",  # reserved emphasis
        b"\xfe\xfb\x90\x64",
        b"\xff\xfb\x90",
    ],
)
def test_invalid_mpeg_frame_headers_are_refused(header: bytes) -> None:
    assert mpeg_frame(header) is None


def test_image_mime_recognises_only_png_and_jpeg() -> None:
    assert image_mime(mf.png_bytes()) == "image/png"
    assert image_mime(mf.jpeg_bytes()) == "image/jpeg"
    assert image_mime(b"GIF89a") is None
    assert image_mime(b"<svg/>") is None
    assert image_mime(b"") is None


def test_id3v2_size_refuses_malformed_headers() -> None:
    assert id3v2_size(b"ID3\x03\x00\x00\x00\x00\x02\x01") == 10 + 257
    assert id3v2_size(b"ID3\x04\x00\x10\x00\x00\x00\x0a") == 10 + 10 + 10  # with footer
    assert id3v2_size(b"ID3\x03\x00\x00\x80\x00\x00\x00") == 0  # not synchsafe
    assert id3v2_size(b"ID3\xff\x00\x00\x00\x00\x00\x00") == 0
    assert id3v2_size(b"ID3") == 0


@given(st.binary(max_size=HEAD_SIZE))
def test_sniff_never_raises(head: bytes) -> None:
    sniffed = sniff(head)

    assert (sniffed.container is not None) == (sniffed.verdict is Verdict.MEDIA)
    assert sniffed.description
