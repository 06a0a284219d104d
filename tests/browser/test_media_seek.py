"""Seeking in a long recording works in Chromium: the player asks for a byte range and gets a 206.

Litestar's own file responses ignore Range, and Chromium then jumps back to the start when a
patient drags the playhead. This plays a four-minute WAV through `/media/{id}` and seeks to the
middle.
"""

from __future__ import annotations

import io
import json
import math
import struct
import urllib.request
import wave
from http.cookiejar import CookieJar
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Response

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-wellness"
SECONDS = 240
RATE = 8000


def long_wav() -> bytes:
    """A quiet 400 Hz tone: one second of samples (exactly 400 cycles) repeated."""
    second = b"".join(
        struct.pack("<h", int(3000 * math.sin(2 * math.pi * 400 * n / RATE))) for n in range(RATE)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(second * SECONDS)
    return buffer.getvalue()


class ApiClient:
    """The JSON API as a script uses it: cookies, no browser."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def call(self, path: str, body: bytes, content_type: str) -> Any:
        request = urllib.request.Request(  # noqa: S310  (the live server's http:// address)
            self.base + path, data=body, headers={"content-type": content_type}, method="POST"
        )
        with self.opener.open(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def post_json(self, path: str, payload: dict[str, Any]) -> Any:
        return self.call(path, json.dumps(payload).encode(), "application/json")

    def upload(self, filename: str, data: bytes) -> Any:
        boundary = "wellness-browser-test-boundary"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{filename}"\r\nContent-Type: audio/wav\r\n\r\n'
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.call("/api/v1/media", body, f"multipart/form-data; boundary={boundary}")


@pytest.fixture(scope="module")
def published_media_url(live_server: LiveServer) -> str:
    """A published session whose media is a four-minute recording, set up as a coordinator."""
    coordinator = ApiClient(live_server.url)
    coordinator.post_json(
        "/api/v1/auth/login", {"email": "coordinator@demo.wellness", "password": DEMO_PASSWORD}
    )
    asset = coordinator.upload("long-body-scan.wav", long_wav())
    assert asset["duration_seconds"] == pytest.approx(SECONDS, abs=0.1)
    session = coordinator.post_json(
        "/api/v1/sessions",
        {"title": "Long body scan", "kind": "body_scan", "primary_asset_id": asset["id"]},
    )
    coordinator.post_json(f"/api/v1/sessions/{session['id']}/publish", {})
    return f"/media/{asset['id']}"


LOAD_METADATA = """
async (src) => {
  const audio = document.createElement("audio");
  audio.preload = "metadata";
  audio.muted = true;
  document.body.appendChild(audio);
  window.testAudio = audio;
  await new Promise((resolve, reject) => {
    audio.addEventListener("loadedmetadata", resolve, { once: true });
    audio.addEventListener("error", () => reject(new Error(`media error ${audio.error.code}`)));
    setTimeout(() => reject(new Error("no metadata within 10 s")), 10000);
    audio.src = src;
  });
  return audio.duration;
}
"""

SEEK_AND_PLAY = """
async (target) => {
  const audio = window.testAudio;
  await new Promise((resolve, reject) => {
    audio.addEventListener("seeked", resolve, { once: true });
    setTimeout(() => reject(new Error("no seeked event within 10 s")), 10000);
    audio.currentTime = target;
  });
  const afterSeek = audio.currentTime;
  await audio.play();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  audio.pause();
  return { afterSeek, afterPlaying: audio.currentTime };
}
"""


def test_seeking_to_the_middle_of_a_long_recording_stays_there(
    context: BrowserContext, page: Page, live_server: LiveServer, published_media_url: str
) -> None:
    signed_in = context.request.post(
        "/api/v1/auth/login", data={"email": "patient@demo.wellness", "password": DEMO_PASSWORD}
    )
    assert signed_in.status == 200
    media_responses: list[Response] = []
    page.on(
        "response",
        lambda response: (
            media_responses.append(response) if response.url.endswith(published_media_url) else None
        ),
    )
    page.goto("/")  # any page of the app, so the player is same-origin

    duration = page.evaluate(LOAD_METADATA, published_media_url)
    middle = duration / 2
    position = page.evaluate(SEEK_AND_PLAY, middle)

    assert duration == pytest.approx(SECONDS, abs=0.5)
    assert position["afterSeek"] == pytest.approx(middle, abs=1)
    assert middle - 1 <= position["afterPlaying"] <= middle + 10, position
    partial = [response for response in media_responses if response.status == 206]
    assert partial, [response.status for response in media_responses]
    assert any(
        response.request.headers.get("range", "").startswith("bytes=") for response in partial
    )
    assert f'"GET {published_media_url} HTTP/1.1" 206' in live_server.log()
