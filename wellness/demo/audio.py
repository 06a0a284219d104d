"""Synthesised audio for the demo catalog: soft tones, chimes and bells, encoded as MP3.

Everything is quiet (peaks around -18 dBFS) and starts and ends on a smooth envelope, because
people in benzodiazepine withdrawal are often sensitive to sound: no clicks, nothing sudden.

Tracks are rendered block by block, so a 20-minute track never sits in memory whole, and
encoded files are cached by a hash of their plan, so a second demo start re-uses them.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import numpy as np
import soundfile as sf
from mutagen.easyid3 import EasyID3

from wellness.demo.content import AudioPlan, BreathPace

SAMPLE_RATE: Final = 16_000
BLOCK_FRAMES: Final = 1 << 16
# Bump when the synthesis changes, so cached files made by older code are not re-used.
SYNTH_VERSION: Final = 1
EXTENSION: Final = "mp3"

# Peak levels (full scale = 1.0). Bells and breathing tones never start together, so a
# track peaks around -18 dBFS, well below the -12 dBFS the tests allow.
BREATH_LEVEL: Final = 0.12
BELL_LEVEL: Final = 0.11
CHIME_LEVEL: Final = 0.06
PAD_LEVEL: Final = 0.025

FloatArray = Any  # numpy's float64 arrays; numpy's own generics add nothing here
_EasyID3: Any = EasyID3  # mutagen ships partial annotations; this constructor is untyped


# --- building blocks -------------------------------------------------------------------------


def _raised_cosine(x: FloatArray) -> FloatArray:
    """0 -> 1 with zero slope at both ends, for x from 0 to 1 (clipped outside)."""
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))


def _times(frames: int) -> FloatArray:
    return np.arange(frames) / SAMPLE_RATE


def _struck(
    fundamental: float,
    level: float,
    partials: tuple[tuple[float, float, float], ...],  # (ratio, amplitude, decay seconds)
    seconds: float,
) -> FloatArray:
    """A struck bowl: inharmonic partials with their own decays, a soft attack and a faded tail."""
    t = _times(round(seconds * SAMPLE_RATE))
    total = sum(amplitude for _, amplitude, _ in partials)
    sound = np.zeros_like(t)
    for ratio, amplitude, decay in partials:
        sound += (
            amplitude / total * np.sin(2 * np.pi * fundamental * ratio * t) * np.exp(-t / decay)
        )
    return level * _raised_cosine(t / 0.012) * _raised_cosine((seconds - t) / 1.5) * sound


@functools.cache
def _bell() -> FloatArray:
    return _struck(293.66, BELL_LEVEL, ((1.0, 1.0, 5.0), (2.71, 0.3, 2.5), (5.04, 0.08, 0.9)), 14.0)


@functools.cache
def _chime() -> FloatArray:
    return _struck(587.33, CHIME_LEVEL, ((1.0, 1.0, 2.2), (2.76, 0.2, 0.9), (5.4, 0.05, 0.4)), 7.0)


@functools.cache
def _breath_cycle(pace: BreathPace) -> FloatArray:
    """One breath of cue tone: loudness and pitch rise over the inhale, fall over the exhale.

    The pitch glides between 220 and 330 Hz along a raised cosine, with the phase the exact
    integral of that frequency. Each breath starts and ends at silence with zero slope, so
    breaths follow each other without a click.
    """
    low, span = 220.0, 110.0
    inhale, exhale = pace.inhale_seconds, pace.exhale_seconds
    u = _times(round(pace.cycle_seconds * SAMPLE_RATE))
    v = u - inhale
    rising = u < inhale
    envelope = np.where(rising, _raised_cosine(u / inhale), 1 - _raised_cosine(v / exhale))
    turns_in = low * u + span / 2 * (u - inhale / np.pi * np.sin(np.pi * u / inhale))
    turns_out = (low + span / 2) * inhale + (
        low * v + span / 2 * (v + exhale / np.pi * np.sin(np.pi * v / exhale))
    )
    phase = 2 * np.pi * np.mod(np.where(rising, turns_in, turns_out), 1.0)
    tone = np.sin(phase) + 0.3 * np.sin(2 * phase) + 0.08 * np.sin(3 * phase)
    return BREATH_LEVEL / 1.3 * envelope * tone


PAD_LOOP_SECONDS: Final = 20.0


@functools.cache
def _pad_loop() -> FloatArray:
    """A low, slowly swelling drone; every partial is periodic in PAD_LOOP_SECONDS, so it loops."""
    t = _times(round(PAD_LOOP_SECONDS * SAMPLE_RATE))
    swell = 0.75 + 0.25 * np.sin(2 * np.pi * t / PAD_LOOP_SECONDS)
    tone = (
        np.sin(2 * np.pi * 130.8 * t)
        + 0.6 * np.sin(2 * np.pi * 196.0 * t + 1.0)
        + 0.3 * np.sin(2 * np.pi * 261.6 * t + 2.0)
    )
    return PAD_LEVEL / 1.9 * swell * tone


def _add_at(block: FloatArray, first: int, sound: FloatArray, start: int) -> None:
    """Mix `sound`, which begins at frame `start` of the track, into `block` (from `first`)."""
    low, high = max(first, start), min(first + len(block), start + len(sound))
    if low < high:
        block[low - first : high - first] += sound[low - start : high - start]


def _add_looped(block: FloatArray, first: int, loop: FloatArray, start: int, end: int) -> None:
    """Mix `loop`, repeated from frame `start` up to frame `end`, into `block`."""
    low, high = max(first, start), min(first + len(block), end)
    if low < high:
        block[low - first : high - first] += loop[np.arange(low - start, high - start) % len(loop)]


def _fade(block: FloatArray, first: int, seconds: float, start: float, end: float) -> None:
    """Fade in over `seconds` after `start` and out over `seconds` before `end` (in seconds)."""
    t = (first + np.arange(len(block))) / SAMPLE_RATE
    if t[0] < start + seconds or t[-1] > end - seconds:
        block *= _raised_cosine((t - start) / seconds) * _raised_cosine((end - t) / seconds)


# --- whole tracks ----------------------------------------------------------------------------


def frame_count(plan: AudioPlan) -> int:
    return round(plan.seconds * SAMPLE_RATE)


def _frame(seconds: float) -> int:
    return round(seconds * SAMPLE_RATE)


def blocks(plan: AudioPlan) -> Iterator[FloatArray]:
    """The track as float32 mono blocks of at most BLOCK_FRAMES samples."""
    total = frame_count(plan)
    strikes = [(_frame(at), _bell()) for at in plan.bells_at]
    strikes += [(_frame(at), _chime()) for at in plan.chimes_at]
    breath_start = _frame(plan.breathing_start)
    breath = _breath_cycle(plan.breathing) if plan.breathing is not None else None
    breath_end = breath_start + plan.breathing_cycles() * (len(breath) if breath is not None else 0)
    for first in range(0, total, BLOCK_FRAMES):
        block = np.zeros(min(BLOCK_FRAMES, total - first))
        if plan.pad:
            pad = np.zeros_like(block)
            _add_looped(pad, first, _pad_loop(), 0, total)
            _fade(pad, first, min(8.0, plan.seconds / 4), 0.0, plan.seconds)
            block += pad
        if breath is not None:
            _add_looped(block, first, breath, breath_start, breath_end)
        for start, sound in strikes:
            _add_at(block, first, sound, start)
        _fade(block, first, min(2.0, plan.seconds / 4), -math.inf, plan.seconds)
        yield block.astype(np.float32)


def render(plan: AudioPlan) -> FloatArray:
    """The whole track as one float32 array (for short tracks and tests)."""
    parts = list(blocks(plan))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


def encode(plan: AudioPlan, path: Path, *, title: str = "", artist: str = "") -> None:
    """Write the track to `path` as mono VBR MP3: small, and every browser plays it."""
    with sf.SoundFile(
        path,
        "w",
        samplerate=SAMPLE_RATE,
        channels=1,
        format="MP3",
        subtype="MPEG_LAYER_III",
        bitrate_mode="VARIABLE",
        compression_level=0.3,  # ~30 dB signal-to-noise on these tones, ~1 MB per 10 minutes
    ) as out:
        for block in blocks(plan):
            out.write(block)
    if title or artist:
        # libsndfile writes ID3 text as Latin-1 bytes; mutagen writes proper UTF-8 frames.
        tags = _EasyID3()
        tags.update({"title": title, "artist": artist, "album": "Wellness demo library"})
        tags.save(path)


def plan_digest(plan: AudioPlan) -> str:
    """A stable hash of everything that shapes the encoded bytes."""
    recipe = f"{SYNTH_VERSION}|{SAMPLE_RATE}|{EXTENSION}|{plan!r}"
    return hashlib.sha256(recipe.encode()).hexdigest()[:16]


def cached_track(
    plan: AudioPlan, cache_dir: Path, name: str, *, title: str = "", artist: str = ""
) -> Path:
    """The encoded track, from `cache_dir` when an identical plan was encoded before.

    A new file is written under a temporary name and renamed, so an interrupted run never
    leaves a half-written file under a name a later run would trust.
    """
    digest = hashlib.sha256(f"{plan_digest(plan)}|{title}|{artist}".encode()).hexdigest()[:16]
    target = cache_dir / f"{name}-{digest}.{EXTENSION}"
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = cache_dir / f".{name}-{secrets.token_hex(8)}.part.{EXTENSION}"
    try:
        encode(plan, partial, title=title, artist=artist)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def dbfs(level: float) -> float:
    return -math.inf if level <= 0 else 20 * math.log10(level)
