"""A 200 MB media upload: wall time and the server's extra memory, against a raw-ASGI baseline.

Target: a 200 MB upload with at most 16 MB of extra server memory, written at >= 0.5x the speed
of streaming the raw request body to disk.

Usage: .venv/bin/python bench/upload.py [--megabytes 200] [--runs 5]

What it does, all on 127.0.0.1 inside one temporary folder that is removed afterwards:
1. writes a valid stereo 16-bit 44.1 kHz WAV of --megabytes MB (header + a generated tone);
2. creates a coordinator with `wellness users create` and starts `wellness serve` (one uvicorn
   worker, WELLNESS_MAX_UPLOAD_MB=300), then signs in for the session cookie;
3. starts the baseline: a raw ASGI app (`create_sink_app` below) run by uvicorn the same way,
   which streams the request body into a file in the same filesystem and fsyncs it;
4. uploads the file as multipart field `file` to each server in turn, --runs times, from a raw
   socket that streams the file from disk with sendfile(2) (the client costs almost no CPU);
5. prints seconds, MB/s, the app's ratio to the baseline, the server's peak RSS increase over
   the upload (VmHWM reset just before, read after), and PASS/MISS for both targets.

"After send" is the time from the client's last byte to the first byte of the answer: for the
app that is mostly validation, fsync, rename and the database row (the SHA-256 is computed while
streaming); for the baseline, the fsync. The parts the app does while streaming (multipart
parsing and SHA-256) are also timed alone in this process, for comparison.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import secrets
import socket
import statistics
import struct
import sys
import threading
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import (
    HOST,
    PASSWORD,
    bench_env,
    create_account,
    free_port,
    machine_note,
    memory_kib,
    reset_peak_rss,
    running_server,
    sign_in,
    workspace,
)

EMAIL = "bench@example.org"
SPEED_TARGET = 0.5
MEMORY_TARGET_MB = 16.0
RATE, CHANNELS, BITS = 44_100, 2, 16
MB = 1_000_000


# --- the baseline: a raw ASGI app that streams the body to disk ---------------------------------


def create_sink_app() -> Callable[..., Any]:
    """uvicorn factory: POST bodies go to a new file in $BENCH_SINK_DIR, fsynced; 201 + size."""
    folder = Path(os.environ["BENCH_SINK_DIR"])
    folder.mkdir(parents=True, exist_ok=True)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        size = 0
        if scope["method"] == "POST":
            with (folder / f"{secrets.token_hex(16)}.part").open("wb") as out:
                more = True
                while more:
                    message = await receive()
                    body = message.get("body", b"")
                    out.write(body)
                    size += len(body)
                    more = message.get("more_body", False)
                out.flush()
                os.fsync(out.fileno())
        await send(
            {
                "type": "http.response.start",
                "status": 201 if scope["method"] == "POST" else 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": json.dumps({"size": size}).encode()})

    return app


# --- the file ----------------------------------------------------------------------------------


def write_wav(path: Path, megabytes: int) -> int:
    """A valid PCM WAV of about `megabytes` MB: a 440 Hz tone, written one second at a time."""
    block_align = CHANNELS * BITS // 8
    data_size = megabytes * MB // block_align * block_align
    fmt = struct.pack("<HHIIHH", 1, CHANNELS, RATE, RATE * block_align, block_align, BITS)
    header = b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + data_size) + b"WAVE"
    header += b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", data_size)
    samples = array("h")
    for n in range(RATE):
        value = int(12_000 * math.sin(2 * math.pi * 440 * n / RATE))
        samples.extend([value] * CHANNELS)
    second = samples.tobytes()
    with path.open("wb") as out:
        out.write(header)
        remaining = data_size
        while remaining:
            piece = second[: min(remaining, len(second))]
            out.write(piece)
            remaining -= len(piece)
    return len(header) + data_size


def make_unique(path: Path, run: int) -> None:
    """Change the first samples so every upload has new content (the app dedupes by hash)."""
    with path.open("r+b") as handle:
        handle.seek(44)
        handle.write(struct.pack("<Q", 0x5A5A_0000_0000_0000 + run))


# --- the client: a raw socket streaming the file with sendfile ---------------------------------


@dataclass(frozen=True)
class Upload:
    status: int
    body: bytes
    seconds: float  # first byte sent -> answer complete
    after_send: float  # last byte sent -> first byte of the answer
    peak_rss_delta_mb: float | None


def upload(port: int, path: Path, target: str, cookie: str | None, pid: int) -> Upload:
    boundary = "wellness-bench-" + secrets.token_hex(12)
    part_head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: audio/wav\r\n\r\n"
    ).encode()
    part_tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(part_head) + path.stat().st_size + len(part_tail)
    headers = [
        f"POST {target} HTTP/1.1",
        f"Host: {HOST}:{port}",
        f"Content-Type: multipart/form-data; boundary={boundary}",
        f"Content-Length: {length}",
        "Connection: close",
    ]
    if cookie:
        headers.append(f"Cookie: {cookie}")
    request_head = ("\r\n".join(headers) + "\r\n\r\n").encode()

    sampler = _RssSampler(pid)
    before = memory_kib(pid)["VmRSS"]
    hwm_reset = reset_peak_rss(pid)
    sampler.start()
    with socket.create_connection((HOST, port)) as sock, path.open("rb") as source:
        started = time.perf_counter()
        try:
            sock.sendall(request_head + part_head)
            sock.sendfile(source)
            sock.sendall(part_tail)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused mid-way: the answer below says why
        sent = time.perf_counter()
        first = sock.recv(65536)
        answered = time.perf_counter()
        chunks = [first]
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        finished = time.perf_counter()
    sampler.stop()
    peak = memory_kib(pid)["VmHWM"] if hwm_reset else sampler.peak
    response = b"".join(chunks)
    status = int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/") else 0
    return Upload(
        status=status,
        body=response.partition(b"\r\n\r\n")[2],
        seconds=finished - started,
        after_send=answered - sent,
        peak_rss_delta_mb=max(0, peak - before) / 1024,
    )


class _RssSampler:
    """Fallback when VmHWM cannot be reset: VmRSS every 5 ms."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, memory_kib(self.pid)["VmRSS"])
            self._stop.wait(0.005)


# --- the parts the app does while streaming, timed alone in this process --------------------


def time_parts(path: Path) -> dict[str, float]:
    """MB/s of SHA-256 and of python-multipart's parser over the file (from the page cache)."""
    from python_multipart import MultipartParser

    size = path.stat().st_size
    chunk_size = 64 * 1024
    started = time.perf_counter()
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    sha_seconds = time.perf_counter() - started

    boundary = b"wellness-bench-parts"
    sink: list[int] = [0]

    def on_part_data(data: bytes, start: int, end: int) -> None:
        sink[0] += end - start

    parser = MultipartParser(boundary, {"on_part_data": on_part_data})
    started = time.perf_counter()
    parser.write(
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="a.wav"'
        b"\r\n\r\n"
    )
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            parser.write(chunk)
    parser.write(b"\r\n--" + boundary + b"--\r\n")
    parser.finalize()
    parse_seconds = time.perf_counter() - started

    from wellness.catalog.validation import inspect_media

    started = time.perf_counter()
    inspect_media(path)
    inspect_seconds = time.perf_counter() - started
    return {
        "sha256 MB/s": size / MB / sha_seconds,
        "multipart parse MB/s": size / MB / parse_seconds,
        "inspect_media s": inspect_seconds,
    }


# --- the run -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5, choices=range(1, 8))
    args = parser.parse_args()
    print(f"upload benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n{machine_note()}")

    with workspace("wellness-bench-upload-") as tmp:
        env = bench_env(tmp, WELLNESS_MAX_UPLOAD_MB="300")
        wav = tmp / "upload.wav"
        size = write_wav(wav, args.megabytes)
        print(f"file: {size / MB:.1f} MB WAV; runs per server: {args.runs}")
        create_account(env, EMAIL, "Bench", "coordinator")
        sink_env = {**env, "BENCH_SINK_DIR": str(tmp / "media" / "sink")}
        app_port, sink_port = free_port(), free_port()
        with (
            running_server(env, app_port, log=tmp / "app.log") as app,
            running_server(
                sink_env, sink_port, factory="upload:create_sink_app", log=tmp / "sink.log"
            ) as sink,
        ):
            cookie = sign_in(f"http://{HOST}:{app_port}", EMAIL, PASSWORD)
            results: dict[str, list[Upload]] = {"baseline": [], "app": []}
            for run in range(args.runs):
                make_unique(wav, run)
                # Alternate which server goes first, so neither always meets a busier disk.
                order = ["baseline", "app"] if run % 2 == 0 else ["app", "baseline"]
                for name in order:
                    if name == "baseline":
                        results[name].append(upload(sink_port, wav, "/", None, sink.pid))
                    else:
                        results[name].append(
                            upload(app_port, wav, "/api/v1/media", cookie, app.pid)
                        )
                if results["app"][-1].status not in (200, 201):
                    log = (tmp / "app.log").read_text(errors="replace")[-3000:]
                    print(f"error: the app answered {results['app'][-1].status}: ", end="")
                    print(f"{results['app'][-1].body[:500]!r}\n{log}")
                    return 1
            answer = json.loads(results["app"][-1].body)
            parts = time_parts(wav)
    return report(size, results, answer, parts)


def report(
    size: int, results: dict[str, list[Upload]], answer: dict[str, Any], parts: dict[str, float]
) -> int:
    print(
        f"app stored: {answer.get('container')} {answer.get('codec')}, "
        f"{answer.get('duration_seconds', 0):.0f} s of audio"
    )
    print(f"{'server':<9} {'run':>3} {'status':>6} {'seconds':>8} {'MB/s':>7} ", end="")
    print(f"{'after send s':>12} {'peak RSS +MB':>12}")
    for name, runs in results.items():
        for number, run in enumerate(runs, 1):
            rss = f"{run.peak_rss_delta_mb:.1f}" if run.peak_rss_delta_mb is not None else "?"
            print(
                f"{name:<9} {number:>3} {run.status:>6} {run.seconds:>8.2f} "
                f"{size / MB / run.seconds:>7.0f} {run.after_send:>12.3f} {rss:>12}"
            )
    base = statistics.median(run.seconds for run in results["baseline"])
    app = statistics.median(run.seconds for run in results["app"])
    ratio = base / app
    peak = max(run.peak_rss_delta_mb or 0.0 for run in results["app"])
    after = statistics.median(run.after_send for run in results["app"])
    print(
        f"parts alone in this process: SHA-256 {parts['sha256 MB/s']:.0f} MB/s, "
        f"multipart parse {parts['multipart parse MB/s']:.0f} MB/s, "
        f"inspect_media {parts['inspect_media s'] * 1000:.1f} ms"
    )
    print(
        f"median: baseline {base:.2f} s ({size / MB / base:.0f} MB/s), "
        f"app {app:.2f} s ({size / MB / app:.0f} MB/s), of which {after:.2f} s after the last "
        "byte was sent"
    )
    speed_ok, memory_ok = ratio >= SPEED_TARGET, peak <= MEMORY_TARGET_MB
    verdict = {True: "PASS", False: "MISS"}
    print(
        f"{verdict[speed_ok]}  upload speed: {ratio:.2f}x the raw-ASGI baseline "
        f"(target >= {SPEED_TARGET}x)"
    )
    print(
        f"{verdict[memory_ok]}  server memory: peak +{peak:.1f} MB over the upload "
        f"(target <= {MEMORY_TARGET_MB:.0f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
