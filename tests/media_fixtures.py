"""Small generated media files for tests: each `make_*` writes one file into `directory`.

Every generator returns the path it wrote. Audio is a quiet sine tone made with numpy, so
files stay small (well under 200 KB at the default few seconds) and take milliseconds to
make. Encoded bytes are cached per argument set for the test session and copied on later
calls, so tests may call the generators freely.

`truncate` cuts a file in place to a fraction of its size (a half-finished upload);
`with_tags` adds title/artist/album/comment and optionally a cover picture with mutagen.
"""

from __future__ import annotations

import functools
import multiprocessing
import struct
import tempfile
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

DEFAULT_RATE = 44_100


def untyped(value: object) -> Any:
    """`value` (a mutagen module or class) as Any: mutagen ships partial annotations, and most
    of its constructors and methods are untyped (wellness/catalog/formats/tags.py does the same).
    """
    return value


def tone(seconds: float, sample_rate: int = DEFAULT_RATE, channels: int = 1) -> Any:
    """A float32 sine tone (440 Hz left, 660 Hz right), shape (frames, channels)."""
    frames = round(seconds * sample_rate)
    t = np.arange(frames, dtype=np.float64) / sample_rate
    columns = [0.2 * np.sin(2 * np.pi * (440.0 + 220.0 * c) * t) for c in range(channels)]
    return np.stack(columns, axis=1).astype(np.float32)


# -- encoders (cached bytes) -------------------------------------------------------------


def _cached(encode: Callable[..., bytes]) -> Callable[..., bytes]:
    return functools.lru_cache(maxsize=None)(encode)


@_cached
def _soundfile_bytes(
    fmt: str,
    subtype: str,
    seconds: float,
    sample_rate: int,
    channels: int,
    bitrate_mode: str | None,
    title: str | None,
) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"out.{fmt.lower()}"
        extra: dict[str, Any] = {}
        if bitrate_mode is not None:
            extra["bitrate_mode"] = bitrate_mode
            extra["compression_level"] = 0.5
        with sf.SoundFile(
            path,
            "w",
            samplerate=sample_rate,
            channels=channels,
            format=fmt,
            subtype=subtype,
            **extra,
        ) as out:
            if title is not None:
                out.title = title
                out.artist = "Clinic Staff"
            samples = tone(seconds, sample_rate, channels)
            # Blocks, not one call: libsndfile 1.2.2 crashes on very large Vorbis writes.
            for start in range(0, len(samples), 65_536):
                out.write(samples[start : start + 65_536])
        return path.read_bytes()


@dataclass(frozen=True, slots=True)
class AvEncoding:
    """What PyAV is asked to encode: a container format, an audio codec and the tone."""

    fmt: str
    codec: str
    seconds: float
    sample_rate: int
    channels: int
    bit_rate: int
    options: tuple[tuple[str, str], ...] = ()
    video: bool = False
    audio: bool = True


@_cached
def _av_audio_bytes(encoding: AvEncoding) -> bytes:
    """Encoded by PyAV in a child process that never runs a test. Test workers that had encoded
    with PyAV crashed twice with a segmentation fault while the garbage collector ran, inside an
    unrelated mutagen parse (tests/unit/test_media_validation.py); PyAV's stream and frame
    objects outlive their closed container until the collector takes them, the likeliest
    cause. Keeping PyAV's objects out of test processes removes it."""
    return _encoder().submit(_av_encode_bytes, encoding).result()


@functools.cache
def _encoder() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


def _av_encode_bytes(encoding: AvEncoding) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out"
        _av_encode(path, encoding)
        return path.read_bytes()


def _av_encode(path: Path, job: AvEncoding) -> None:
    import av  # only in the encoding child: test processes never load PyAV (`_av_audio_bytes`)

    # A real file, not a BytesIO: "+faststart" re-reads the output to move the index.
    with av.open(str(path), "w", format=job.fmt, options=dict(job.options)) as container:
        vstream: av.VideoStream | None = None
        if job.video:
            vcodec = "libvpx" if job.fmt == "webm" else "libx264"
            added = container.add_stream(vcodec, rate=10)
            assert isinstance(added, av.VideoStream)
            vstream = added
            vstream.width = 64
            vstream.height = 48
            vstream.pix_fmt = "yuv420p"
            if vcodec == "libx264":
                vstream.options = {"preset": "ultrafast", "crf": "40"}
        astream: av.AudioStream | None = None
        if job.audio:
            added = container.add_stream(job.codec, rate=job.sample_rate)
            assert isinstance(added, av.AudioStream)
            astream = added
            astream.layout = "stereo" if job.channels == 2 else "mono"
            astream.bit_rate = job.bit_rate
        if vstream is not None:
            frames = round(job.seconds * 10)
            for i in range(frames):
                pixels = np.full((48, 64, 3), (i * 20) % 256, dtype=np.uint8)
                vframe = av.VideoFrame.from_ndarray(pixels, format="rgb24")
                vframe.pts = i
                vframe.time_base = Fraction(1, 10)
                for packet in vstream.encode(vframe):
                    container.mux(packet)
            for packet in vstream.encode(None):
                container.mux(packet)
        if astream is not None:
            samples = tone(job.seconds, job.sample_rate, job.channels)
            step = 1024
            for start in range(0, len(samples), step):
                chunk = np.ascontiguousarray(samples[start : start + step].T)
                frame = av.AudioFrame.from_ndarray(
                    chunk, format="fltp", layout="stereo" if job.channels == 2 else "mono"
                )
                frame.sample_rate = job.sample_rate
                frame.pts = start
                frame.time_base = Fraction(1, job.sample_rate)
                for packet in astream.encode(frame):
                    container.mux(packet)
            for packet in astream.encode(None):
                container.mux(packet)


def _write(directory: Path, name: str, data: bytes) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(data)
    return path


# -- generators ----------------------------------------------------------------------------


def make_wav(
    directory: Path,
    seconds: float = 3.0,
    channels: int = 1,
    *,
    sample_rate: int = 22_050,
    subtype: str = "PCM_16",
    title: str | None = None,
    name: str = "tone.wav",
) -> Path:
    data = _soundfile_bytes("WAV", subtype, seconds, sample_rate, channels, None, title)
    return _write(directory, name, data)


def make_flac(
    directory: Path,
    seconds: float = 3.0,
    channels: int = 1,
    *,
    sample_rate: int = DEFAULT_RATE,
    title: str | None = None,
    name: str = "tone.flac",
) -> Path:
    data = _soundfile_bytes("FLAC", "PCM_16", seconds, sample_rate, channels, None, title)
    return _write(directory, name, data)


def make_mp3(
    directory: Path,
    seconds: float = 3.0,
    channels: int = 1,
    *,
    vbr: bool = False,
    xing: bool = True,
    sample_rate: int = DEFAULT_RATE,
    bit_rate: int = 64_000,
    name: str = "tone.mp3",
) -> Path:
    """An MP3 made by LAME. CBR files carry a LAME "Info" frame unless `xing=False`."""
    if vbr:
        data = _soundfile_bytes(
            "MP3", "MPEG_LAYER_III", seconds, sample_rate, channels, "VARIABLE", None
        )
    else:
        options = () if xing else (("write_xing", "0"),)
        data = _av_audio_bytes(
            AvEncoding("mp3", "libmp3lame", seconds, sample_rate, channels, bit_rate, options)
        )
    return _write(directory, name, data)


def make_ogg_vorbis(
    directory: Path,
    seconds: float = 3.0,
    channels: int = 1,
    *,
    sample_rate: int = DEFAULT_RATE,
    title: str | None = None,
    name: str = "tone.ogg",
) -> Path:
    data = _soundfile_bytes("OGG", "VORBIS", seconds, sample_rate, channels, None, title)
    return _write(directory, name, data)


def make_opus(
    directory: Path,
    seconds: float = 3.0,
    channels: int = 1,
    *,
    sample_rate: int = 48_000,
    title: str | None = None,
    name: str = "tone.opus",
) -> Path:
    data = _soundfile_bytes("OGG", "OPUS", seconds, sample_rate, channels, None, title)
    return _write(directory, name, data)


def make_m4a(
    directory: Path,
    seconds: float = 3.0,
    channels: int = 1,
    *,
    sample_rate: int = DEFAULT_RATE,
    faststart: bool = False,
    name: str = "tone.m4a",
) -> Path:
    """AAC in an MP4 with brand "M4A " (ffmpeg's ipod muxer); `faststart` puts moov first."""
    options = (("movflags", "+faststart"),) if faststart else ()
    data = _av_audio_bytes(
        AvEncoding("ipod", "aac", seconds, sample_rate, channels, 64_000, options)
    )
    return _write(directory, name, data)


def make_mp4_video(
    directory: Path,
    seconds: float = 2.0,
    channels: int = 1,
    *,
    with_audio: bool = True,
    sample_rate: int = DEFAULT_RATE,
    faststart: bool = False,
    name: str = "clip.mp4",
) -> Path:
    """A 64x48 H.264 video at 10 fps, with an AAC tone unless `with_audio=False`."""
    options = (("movflags", "+faststart"),) if faststart else ()
    data = _av_audio_bytes(
        AvEncoding("mp4", "aac", seconds, sample_rate, channels, 64_000, options, True, with_audio)
    )
    return _write(directory, name, data)


def make_webm(directory: Path, seconds: float = 2.0, *, name: str = "clip.webm") -> Path:
    """Opus audio in WebM (a Matroska profile): a format we do not accept."""
    data = _av_audio_bytes(AvEncoding("webm", "libopus", seconds, 48_000, 1, 48_000))
    return _write(directory, name, data)


def make_big_wav(directory: Path, megabytes: int = 50, *, name: str = "big.wav") -> Path:
    """A silent 16-bit mono WAV of about `megabytes` MB, written as a header plus zeros."""
    data_size = megabytes * 1_000_000 // 2 * 2
    header = _wav_header(data_size, sample_rate=DEFAULT_RATE, channels=1, bits=16)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    zeros = bytes(1 << 20)
    with path.open("wb") as out:
        out.write(header)
        remaining = data_size
        while remaining:
            chunk = min(remaining, len(zeros))
            out.write(zeros[:chunk])
            remaining -= chunk
    return path


def _wav_header(data_size: int, *, sample_rate: int, channels: int, bits: int) -> bytes:
    block_align = channels * bits // 8
    fmt = struct.pack(
        "<HHIIHH", 1, channels, sample_rate, sample_rate * block_align, block_align, bits
    )
    return (
        b"RIFF"
        + struct.pack("<I", 4 + 8 + len(fmt) + 8 + data_size)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", data_size)
    )


def make_raw_wav(
    directory: Path,
    *,
    format_tag: int = 1,
    bits: int = 16,
    channels: int = 1,
    sample_rate: int = 8_000,
    name: str = "raw.wav",
) -> Path:
    """One second of silence in a WAV whose format chunk says exactly what it is told, sane or
    not (soundfile writes only encodings it can write)."""
    align = max(channels * bits // 8, 1) if channels else 0
    data = b"\x00" * (sample_rate * align or 8_000)
    fmt = struct.pack(
        "<HHIIHH", format_tag, channels, sample_rate, sample_rate * align, align, bits
    )
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return _write(directory, name, b"RIFF" + struct.pack("<I", len(body)) + body)


def write_bytes(directory: Path, name: str, data: bytes) -> Path:
    """Any bytes under any name (for text, HTML, executables pretending to be audio)."""
    return _write(directory, name, data)


# -- images --------------------------------------------------------------------------------


def png_bytes(width: int = 8, height: int = 8) -> bytes:
    """A valid, tiny RGB PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + bytes([120, 160, 200]) * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@functools.cache
def jpeg_bytes() -> bytes:
    """A valid, tiny JPEG (encoded by ffmpeg's mjpeg encoder), in the encoding child process
    as all PyAV work is: made here, its codec and frames crashed a test process's garbage
    collector (see `_av_audio_bytes`)."""
    return _encoder().submit(_jpeg_encode_bytes).result()


def _jpeg_encode_bytes() -> bytes:
    import av  # only in the encoding child, as in `_av_encode`

    codec = av.CodecContext.create("mjpeg", "w")
    codec.width = 16
    codec.height = 16
    codec.pix_fmt = "yuvj420p"
    codec.time_base = Fraction(1, 25)
    frame = av.VideoFrame.from_ndarray(np.full((16, 16, 3), 90, dtype=np.uint8), format="rgb24")
    frame = frame.reformat(format="yuvj420p")
    packets = list(codec.encode(frame)) + list(codec.encode(None))
    return b"".join(bytes(p) for p in packets)


# -- transformations -----------------------------------------------------------------------


def truncate(path: Path, fraction: float) -> Path:
    """Cut `path` in place to `fraction` of its size, as a half-finished upload would be."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.truncate(int(size * fraction))
    return path


def copy_as(path: Path, name: str) -> Path:
    """A copy of `path` in the same directory under another name (e.g. a FLAC named .mp3)."""
    return _write(path.parent, name, path.read_bytes())


def with_tags(
    path: Path,
    *,
    container: str,
    title: str = "",
    artist: str = "",
    album: str = "",
    comment: str = "",
    cover: bytes | None = None,
    cover_mime: str = "image/png",
) -> Path:
    """Write tags (and a front-cover picture) into `path` the way common taggers do."""
    writer = _TAG_WRITERS[container]
    writer(path, title, artist, album, comment, cover, cover_mime)
    return path


def with_id3_cover(path: Path, cover: bytes | None = None) -> Path:
    """An MP3 (or WAV) with an ID3v2 APIC front cover and a title."""
    container = "wav" if path.read_bytes()[:4] == b"RIFF" else "mp3"
    return with_tags(path, container=container, title="Body Scan", cover=cover or png_bytes())


def with_ape_tags(path: Path, *, title: str = "Morning Breath") -> Path:
    """Append an APEv2 tag (with header and footer) to an MP3."""
    from mutagen.apev2 import APEv2

    tag = untyped(APEv2)()
    tag["Title"] = title
    tag["Artist"] = "APE Tagger"
    tag.save(str(path))
    return path


def with_id3v1(path: Path, *, title: str = "Old Tag") -> Path:
    """Append a 128-byte ID3v1 tag at the end of the file."""
    body = b"TAG" + title.encode("latin-1")[:30].ljust(30, b"\x00") + bytes(94) + b"\xff"
    with path.open("ab") as out:
        out.write(body)
    return path


def _id3_writer(
    path: Path,
    title: str,
    artist: str,
    album: str,
    comment: str,
    cover: bytes | None,
    cover_mime: str,
) -> None:
    from mutagen import id3

    untyped_id3 = untyped(id3)
    tags: Any
    if path.read_bytes()[:4] == b"RIFF":
        from mutagen.wave import WAVE

        wave = untyped(WAVE)(str(path))
        if wave.tags is None:
            wave.add_tags()
        tags = wave.tags
    else:
        try:
            tags = untyped_id3.ID3(str(path))
        except id3.ID3NoHeaderError:
            tags = untyped_id3.ID3()
        wave = None
    if title:
        tags.add(untyped_id3.TIT2(encoding=3, text=title))
    if artist:
        tags.add(untyped_id3.TPE1(encoding=3, text=artist))
    if album:
        tags.add(untyped_id3.TALB(encoding=3, text=album))
    if comment:
        tags.add(untyped_id3.COMM(encoding=3, lang="eng", desc="", text=comment))
    if cover is not None:
        tags.add(untyped_id3.APIC(encoding=3, mime=cover_mime, type=3, desc="cover", data=cover))
    if wave is not None:
        wave.save()
    else:
        tags.save(str(path))


def _flac_picture(cover: bytes, mime: str) -> Any:
    from mutagen.flac import Picture

    picture = untyped(Picture)()
    picture.type = 3
    picture.mime = mime
    picture.desc = "cover"
    picture.width = picture.height = 8
    picture.depth = 24
    picture.data = cover
    return picture


def _vorbis_writer(cls_path: str) -> Callable[..., None]:
    def write(
        path: Path,
        title: str,
        artist: str,
        album: str,
        comment: str,
        cover: bytes | None,
        cover_mime: str,
    ) -> None:
        import base64
        import importlib

        module, _, name = cls_path.rpartition(".")
        audio = getattr(importlib.import_module(module), name)(str(path))
        if audio.tags is None:
            audio.add_tags()
        for key, value in (
            ("title", title),
            ("artist", artist),
            ("album", album),
            ("comment", comment),
        ):
            if value:
                audio[key] = value
        if cover is not None:
            picture = _flac_picture(cover, cover_mime)
            if name == "FLAC":
                audio.add_picture(picture)
            else:
                audio["metadata_block_picture"] = [base64.b64encode(picture.write()).decode()]
        audio.save()

    return write


def _mp4_writer(
    path: Path,
    title: str,
    artist: str,
    album: str,
    comment: str,
    cover: bytes | None,
    cover_mime: str,
) -> None:
    from mutagen.mp4 import MP4, MP4Cover

    audio = untyped(MP4)(str(path))
    if audio.tags is None:
        audio.add_tags()
    for key, value in (
        ("\xa9nam", title),
        ("\xa9ART", artist),
        ("\xa9alb", album),
        ("\xa9cmt", comment),
    ):
        if value:
            audio[key] = [value]
    if cover is not None:
        kind = MP4Cover.FORMAT_PNG if cover_mime == "image/png" else MP4Cover.FORMAT_JPEG
        audio["covr"] = [untyped(MP4Cover)(cover, imageformat=kind)]
    audio.save()


_TAG_WRITERS: dict[str, Callable[..., None]] = {
    "mp3": _id3_writer,
    "wav": _id3_writer,
    "flac": _vorbis_writer("mutagen.flac.FLAC"),
    "ogg_vorbis": _vorbis_writer("mutagen.oggvorbis.OggVorbis"),
    "ogg_opus": _vorbis_writer("mutagen.oggopus.OggOpus"),
    "m4a": _mp4_writer,
    "mp4": _mp4_writer,
}
