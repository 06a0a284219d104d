"""The library in Chromium: upload with drag-and-drop JavaScript, describe, publish, find, play.

Screenshots of each page at desktop and phone widths are written to the test's tmp_path.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect

from tests.browser.conftest import ACTION_TIMEOUT_MS, LiveServer
from tests.media_fixtures import make_wav, write_bytes

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-wellness"
WIDTHS = (1280, 390)


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def screenshots(page: Page, directory: Path, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        path = directory / f"{name}-{width}.png"
        page.screenshot(path=path, full_page=True)
        assert path.stat().st_size > 0
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def new_context(browser: Browser, live_server: LiveServer, **options: object) -> BrowserContext:
    context = browser.new_context(base_url=live_server.url, **options)  # type: ignore[arg-type]
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(ACTION_TIMEOUT_MS)
    return context


def test_a_coordinator_uploads_describes_and_publishes_and_a_patient_finds_and_plays_it(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    word = f"lantern{secrets.token_hex(3)}"
    recording = make_wav(tmp_path, seconds=30.0, title=f"Lantern {word}", name=f"{word}.wav")
    not_audio = write_bytes(tmp_path, "notes.mp3", b"just some text, not audio\n" * 20)
    errors: list[str] = []

    coordinator = new_context(browser, live_server)
    page = coordinator.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "coordinator@demo.wellness")

    # Upload two files at once through the JavaScript drop zone: one good, one refused.
    page.goto("/library/upload")
    expect(page.locator("[data-drop-prompt]")).to_be_visible()
    expect(page.locator("#file")).to_have_attribute("multiple", "")
    page.locator("#file").set_input_files([recording, not_audio])
    done = page.locator(".upload-item--done")
    refused = page.locator(".upload-item--error")
    expect(done).to_have_count(1)
    expect(refused).to_have_count(1)
    expect(done.locator("progress")).to_have_attribute("value", "100")
    expect(done).to_contain_text(f"{word}.wav")
    expect(done).to_contain_text(re.compile(r"(Ready|Already in the library): 0:30 · WAV"))
    expect(refused).to_contain_text("notes.mp3")
    expect(refused).to_contain_text("not audio or video")
    screenshots(page, tmp_path, "upload-results")

    # Describe it: the title comes from the file's tag; a bad anxiety range is refused first.
    done.get_by_role("link", name="Create session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New session")
    expect(page.locator("#title")).to_have_value(f"Lantern {word}")
    page.locator("#kind").select_option("breathing")
    page.locator("#transcript").fill(f"Breathe in slowly; {word} glows on the out-breath.")
    page.locator("#anxiety_min").fill("9")
    page.locator("#anxiety_max").fill("3")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".error-summary")).to_contain_text("must not exceed the highest")
    screenshots(page, tmp_path, "new-session-errors")
    page.locator("#anxiety_min").fill("3")
    page.locator("#anxiety_max").fill("8")
    page.locator("#avoid-breath_hold").check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flash--success")).to_contain_text("was saved as a draft")
    assert re.search(r"/library/sessions/\d+/edit$", page.url)
    screenshots(page, tmp_path, "edit-form")

    # Leaving with unsaved edits asks first (Cancel: a confirm; any other way: the browser's
    # prompt); Publish saves what is on screen, then publishes it.
    edit_url = page.url
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.type if dialog.type == "beforeunload" else dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_role("link", name="Cancel").click()  # nothing changed: leaves without a word
    expect(page).to_have_url(re.compile(r"/sessions/\d+$"))
    assert dialogs == []
    page.goto(edit_url)
    page.locator("#title").press("End")
    page.locator("#title").press_sequentially(" at dusk")
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Back to the session").click()
    expect(page.locator("#title")).to_have_value(f"Lantern {word} at dusk")
    assert page.url == edit_url
    assert dialogs == ["Leave without saving your changes?", "beforeunload"]
    page.remove_listener("dialog", dismiss)
    page.get_by_role("button", name="Save and publish").click()
    # No therapist has reviewed it, and the demo clinic does not require review: asked first.
    expect(page.locator(".publish-check")).to_be_focused()
    expect(page.locator(".publish-check")).to_contain_text("Not reviewed")
    expect(page.locator("#title")).to_have_value(f"Lantern {word} at dusk")
    page.get_by_role("button", name="Publish anyway").click()
    expect(page.locator(".flash--success")).to_contain_text(
        f"“Lantern {word} at dusk” is published"
    )
    session_path = re.sub(r"^https?://[^/]+", "", page.url)
    assert re.fullmatch(r"/sessions/\d+", session_path)
    media_src = page.locator("audio").get_attribute("src")
    assert media_src is not None
    assert re.fullmatch(r"/media/\d+", media_src)
    coordinator.close()

    # A patient finds it by a word from its transcript and plays it.
    patient = new_context(browser, live_server)
    page = patient.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "patient@demo.wellness")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    page.get_by_label("Search").fill(word)
    page.get_by_role("button", name="Show sessions").click()
    expect(page.locator(".table-summary")).to_contain_text(f"1 session matching “{word}”")
    screenshots(page, tmp_path, "browse-search")
    page.get_by_role("link", name=f"Lantern {word}").click()
    assert page.url.endswith(session_path)
    audio = page.locator("audio")
    expect(audio).to_have_attribute("src", media_src)
    expect(audio).to_have_attribute("preload", "metadata")
    page.wait_for_function("() => document.querySelector('audio').readyState >= 1")
    assert page.evaluate("document.querySelector('audio').duration") == pytest.approx(30, abs=0.5)
    expect(page.locator(".transcript__text")).to_contain_text(word)
    expect(page.get_by_text("Anxiety 3")).to_have_count(0)  # clinical notes are for staff

    # The speed menu and the keys work while the player has focus, and nowhere else.
    page.get_by_label("Speed").select_option("1.5")
    assert page.evaluate("document.querySelector('audio').playbackRate") == 1.5
    player = page.locator("[data-player]")
    player.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('audio').currentTime >= 9.5")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => document.querySelector('audio').currentTime < 1")
    page.keyboard.press(" ")
    page.wait_for_function("() => !document.querySelector('audio').paused")
    page.keyboard.press(" ")
    page.wait_for_function("() => document.querySelector('audio').paused")
    page.get_by_label("Speed").focus()
    page.keyboard.press("ArrowRight")  # the select's own key: no seeking
    assert page.evaluate("document.querySelector('audio').currentTime") < 5
    screenshots(page, tmp_path, "session-page")
    patient.close()
    assert errors == []


def test_uploading_and_replacing_media_work_without_javascript_and_with_it(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    word = f"harbour{secrets.token_hex(3)}"
    first = make_wav(tmp_path, seconds=5.0, title=f"Harbour {word}", name="first.wav")
    second = make_wav(tmp_path, seconds=12.0, name="second.wav")
    third = make_wav(tmp_path, seconds=7.0, name="third.wav")

    # Without JavaScript: the plain multipart form, CSRF field included.
    plain = new_context(browser, live_server, java_script_enabled=False)
    page = plain.new_page()
    page.goto("/login")
    page.locator("#email").fill("coordinator@demo.wellness")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/library/upload")
    expect(page.locator("[data-drop-prompt]")).to_be_hidden()
    page.locator("#file").set_input_files(first)
    page.get_by_role("button", name="Upload and describe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New session")
    expect(page.locator(".flash")).to_contain_text("first.wav was uploaded.")
    page.locator("#kind").select_option("grounding")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flash--success")).to_contain_text("saved as a draft")
    edit_path = re.sub(r"^https?://[^/]+", "", page.url)
    page.locator("#file").set_input_files(second)
    page.get_by_role("button", name="Replace media").click()
    expect(page.locator(".flash--success")).to_contain_text("now plays for this session")
    expect(page.locator(".media-facts")).to_contain_text("0:12")
    plain.close()

    # With JavaScript: the same form, sent with a progress bar; the page updates in place.
    scripted = new_context(browser, live_server)
    page = scripted.new_page()
    sign_in(page, "coordinator@demo.wellness")
    page.goto(edit_path)
    page.locator("#file").set_input_files(third)
    page.get_by_role("button", name="Replace media").click()
    expect(page.locator(".flash--success")).to_contain_text("now plays for this session")
    expect(page.locator(".media-facts")).to_contain_text("0:07")
    assert page.url.endswith(edit_path)
    page.locator("#file").set_input_files(
        write_bytes(tmp_path, "page.wav", b"<!doctype html><p>not audio</p>")
    )
    page.get_by_role("button", name="Replace media").click()
    expect(page.locator(".error-summary")).to_contain_text("Media file:")
    expect(page.locator(".media-facts")).to_contain_text("0:07")
    # After a refusal the fresh form is enhanced again and still works.
    page.locator("#file").set_input_files(second)
    page.get_by_role("button", name="Replace media").click()
    expect(page.locator(".flash--success")).to_contain_text("now plays for this session")
    expect(page.locator(".media-facts")).to_contain_text("0:12")
    screenshots(page, tmp_path, "edit-replaced")
    scripted.close()
