"""The player's sound in Chromium (volume.js): "Gentle start" fades the sound in when a session
starts and when it comes back after a long pause or mute, not after a short one; the listener's
volume is remembered for the next page; Mute silences without losing the level; and all three
work by keyboard.

The browser is launched with --mute-audio (conftest), so the tests leave the media's own
`muted` to the player's Mute. Long silences pass on Playwright's clock (`page.clock`), which
stands in for `performance.now()`, `Date` and the timers; nothing in the page is made shorter
for tests.

A coordinator plays here: the player is the same for everyone who opens a session, and a
coordinator's plays leave the demo patients' practice history to the tests that count it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.test_accessibility import sign_in
from tests.browser.test_player import MEDIA, media, session_titled, wait_for_media

pytestmark = pytest.mark.browser

VIEWER = "coordinator@demo.wellness"

# The media's volume every 100 ms from now until it reaches `level` or `limit` ms have passed.
SAMPLE_VOLUME = f"""
async ([level, limit]) => {{
  const m = document.querySelector('{MEDIA}');
  const samples = [];
  const start = performance.now();
  while (performance.now() - start < limit) {{
    samples.push(m.volume);
    if (Math.abs(m.volume - level) < 1e-6 && samples.length > 1) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }}
  return samples;
}}
"""


def volume_until(page: Page, level: float, limit_ms: int = 12_000) -> list[float]:
    samples: list[float] = page.evaluate(SAMPLE_VOLUME, [level, limit_ms])
    return samples


def volume_for(page: Page, ms: int) -> list[float]:
    """The volume sampled for `ms` milliseconds (the level 2 is never reached)."""
    return volume_until(page, 2.0, ms)


def open_session(context: BrowserContext, page: Page, title: str) -> None:
    page.goto(f"/sessions/{session_titled(context, title)}")
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible()


def assert_fades_in(samples: list[float], level: float) -> None:
    assert samples[0] < 0.1 * level, samples  # near silence when the sound begins
    assert samples == sorted(samples), samples  # only ever rises
    assert samples[-1] == pytest.approx(level), samples
    rising = [sample for sample in samples if 0.02 * level < sample < 0.98 * level]
    assert len(rising) >= 10, samples  # a rise over seconds, not a jump


def assert_steady(samples: list[float], level: float) -> None:
    assert samples == pytest.approx([level] * len(samples)), samples


def test_a_session_fades_in_from_the_start_and_goes_on_at_its_level_after_a_pause(
    context: BrowserContext, page: Page
) -> None:
    sign_in(page, VIEWER)
    open_session(context, page, "Body scan, lying down")
    gentle = page.get_by_role("checkbox", name="Gentle start")
    expect(gentle).to_be_checked()  # on by default
    expect(gentle).to_have_accessible_description("The sound fades in over the first seconds.")
    assert media(page, "volume") < 0.05  # resting near silence before the start

    page.get_by_role("button", name="Play", exact=True).click()
    assert_fades_in(volume_until(page, 1.0), 1.0)
    page.get_by_role("button", name="Pause").click()
    wait_for_media(page, "m.paused")

    page.get_by_role("button", name="Play", exact=True).click()
    wait_for_media(page, "!m.paused")
    assert_steady(volume_for(page, 1000), 1.0)  # going on after a pause: no fade
    page.get_by_role("button", name="Forward 10 seconds").click()
    assert_steady(volume_for(page, 500), 1.0)  # nor after a skip

    page.get_by_role("button", name="Pause").click()
    page.get_by_role("slider", name="Position").focus()
    page.keyboard.press("Home")
    wait_for_media(page, "m.paused && m.currentTime < 1")
    page.get_by_role("button", name="Play", exact=True).click()
    assert_fades_in(volume_until(page, 1.0), 1.0)  # from the beginning again: a start


def test_the_listeners_volume_and_gentle_start_are_remembered_and_set_by_keyboard(
    context: BrowserContext, page: Page
) -> None:
    sign_in(page, VIEWER)
    open_session(context, page, "Seated body scan")
    volume = page.get_by_role("slider", name="Volume")
    volume.focus()
    for _ in range(8):
        page.keyboard.press("ArrowLeft")
    expect(volume).to_have_attribute("aria-valuetext", "60%")
    gentle = page.get_by_role("checkbox", name="Gentle start")
    gentle.focus()
    page.keyboard.press("Space")
    expect(gentle).not_to_be_checked()
    stored = page.evaluate(
        "() => [localStorage.getItem('wellness.volume'),"
        " localStorage.getItem('wellness.gentle-start')]"
    )
    assert stored == ["0.6", "off"]

    open_session(context, page, "Gentle chair yoga")

    expect(page.get_by_role("slider", name="Volume")).to_have_value("60")
    expect(page.get_by_role("checkbox", name="Gentle start")).not_to_be_checked()
    assert media(page, "volume") == pytest.approx(0.6)  # restored before playback
    page.get_by_role("button", name="Play", exact=True).click()
    wait_for_media(page, "!m.paused")
    assert_steady(volume_for(page, 1000), 0.6)  # no fade when it is off
    wait_for_media(page, "m.currentTime > 2")  # past the first second, so Home is a move

    page.get_by_role("button", name="Pause").click()
    page.get_by_role("checkbox", name="Gentle start").focus()
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name="Gentle start")).to_be_checked()
    page.get_by_role("slider", name="Position").focus()
    page.keyboard.press("Home")
    wait_for_media(page, "m.paused && m.currentTime < 1")
    page.get_by_role("button", name="Play", exact=True).click()
    assert_fades_in(volume_until(page, 0.6), 0.6)  # to the listener's level, not the device's


def test_moving_the_volume_during_the_fade_ends_it_at_the_chosen_level(
    context: BrowserContext, page: Page
) -> None:
    sign_in(page, VIEWER)
    open_session(context, page, "Drifting towards sleep")
    page.get_by_role("button", name="Play", exact=True).click()
    wait_for_media(page, "!m.paused && m.volume > 0.02 && m.volume < 0.5")

    page.get_by_role("slider", name="Volume").focus()
    page.keyboard.press("ArrowLeft")

    assert_steady(volume_for(page, 600), 0.95)


# What iOS Safari does with a page's volume: shows the value set for a moment, then keeps 1.
VOLUME_AS_ON_IOS = """
const shownForAMoment = new WeakMap();
Object.defineProperty(HTMLMediaElement.prototype, "volume", {
  configurable: true,
  get() { return shownForAMoment.has(this) ? shownForAMoment.get(this) : 1; },
  set(value) {
    shownForAMoment.set(this, value);
    setTimeout(() => shownForAMoment.delete(this), 50);
  },
});
"""


def test_where_the_browser_ignores_the_volume_neither_control_is_offered(
    context: BrowserContext, page: Page
) -> None:
    page.add_init_script(VOLUME_AS_ON_IOS)
    sign_in(page, VIEWER)
    open_session(context, page, "Seated body scan")

    expect(page.get_by_role("checkbox", name="Gentle start")).to_be_hidden()
    expect(page.get_by_role("slider", name="Volume")).to_be_hidden()
    page.get_by_role("button", name="Play", exact=True).click()
    wait_for_media(page, "!m.paused && m.currentTime > 1")  # it plays as before

    mute = page.get_by_role("button", name="Mute")  # iOS honours `muted`: Mute stays
    mute.click()
    expect(mute).to_have_attribute("aria-pressed", "true")
    assert media(page, "muted") is True
    mute.click()
    expect(mute).to_have_attribute("aria-pressed", "false")
    assert media(page, "muted") is False


def press_on_player(page: Page, key: str) -> None:
    page.locator("[data-player]").focus()
    page.keyboard.press(key)


def test_mute_silences_by_click_and_by_key_and_unmuting_returns_to_the_level(
    context: BrowserContext, page: Page
) -> None:
    sign_in(page, VIEWER)
    open_session(context, page, "Seated body scan")
    page.get_by_role("checkbox", name="Gentle start").uncheck()
    volume = page.get_by_role("slider", name="Volume")
    volume.focus()
    for _ in range(8):
        page.keyboard.press("ArrowLeft")
    mute = page.get_by_role("button", name="Mute")
    expect(mute).to_have_attribute("aria-pressed", "false")
    expect(mute).to_have_accessible_name("Mute")
    page.get_by_role("button", name="Play", exact=True).click()
    wait_for_media(page, "!m.paused")

    mute.click()
    expect(mute).to_have_attribute("aria-pressed", "true")
    expect(mute).to_have_accessible_name("Muted")
    assert media(page, "muted") is True
    assert media(page, "volume") == pytest.approx(0.6)  # the level is kept under the mute
    expect(volume).to_have_value("60")

    press_on_player(page, "m")
    expect(mute).to_have_attribute("aria-pressed", "false")
    assert media(page, "muted") is False
    assert_steady(volume_for(page, 500), 0.6)  # back at the level, playing on

    press_on_player(page, "M")
    expect(mute).to_have_attribute("aria-pressed", "true")
    mute.focus()
    page.keyboard.press("Enter")
    expect(mute).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Space")
    expect(mute).to_have_attribute("aria-pressed", "true")

    open_session(context, page, "Gentle chair yoga")  # a mute is for this page only
    expect(page.get_by_role("button", name="Mute")).to_have_attribute("aria-pressed", "false")
    assert media(page, "muted") is False
    expect(page.get_by_role("slider", name="Volume")).to_have_value("60")


def test_muting_during_the_fade_holds_it_and_unmuting_goes_on_from_there(
    context: BrowserContext, page: Page
) -> None:
    sign_in(page, VIEWER)
    open_session(context, page, "Drifting towards sleep")
    page.get_by_role("button", name="Play", exact=True).click()
    wait_for_media(page, "!m.paused && m.volume > 0.03 && m.volume < 0.3")
    mute = page.get_by_role("button", name="Mute")

    mute.click()
    expect(mute).to_have_attribute("aria-pressed", "true")
    held = media(page, "volume")
    assert 0.03 < held < 0.5, held
    assert_steady(volume_for(page, 1000), held)  # held: the fade does not run on unheard

    mute.click()
    samples = volume_until(page, 1.0)
    assert samples[0] == pytest.approx(held, abs=0.05), samples  # from where it was held
    assert samples == sorted(samples), samples
    assert samples[-1] == pytest.approx(1.0), samples
    assert len([s for s in samples if held + 0.01 < s < 0.98]) >= 10, samples  # still a rise


def test_sound_fades_in_again_after_a_long_pause_or_mute_and_not_after_a_short_pause(
    context: BrowserContext, page: Page
) -> None:
    page.clock.install()
    sign_in(page, VIEWER)
    open_session(context, page, "Body scan, lying down")
    play = page.get_by_role("button", name="Play", exact=True)
    play.click()
    assert_fades_in(volume_until(page, 1.0), 1.0)

    page.get_by_role("button", name="Pause").click()
    expect(play).to_be_visible()  # the pause has been seen by the page's scripts
    page.clock.fast_forward("00:40")  # a short pause: goes on at its level
    play.click()
    wait_for_media(page, "!m.paused")
    assert_steady(volume_for(page, 1000), 1.0)

    page.get_by_role("button", name="Pause").click()
    expect(play).to_be_visible()  # the pause has been seen by the page's scripts
    page.clock.fast_forward("01:10")  # a long pause: time away
    assert media(page, "volume") < 0.05  # resting near silence before the sound comes back
    assert media(page, "currentTime") > 1  # not a start from the beginning
    play.click()
    assert_fades_in(volume_until(page, 1.0), 1.0)

    mute = page.get_by_role("button", name="Mute")
    mute.click()
    expect(mute).to_have_attribute("aria-pressed", "true")
    page.clock.fast_forward("01:10")  # muted for over a minute while it plays on
    mute.click()
    assert_fades_in(volume_until(page, 1.0), 1.0)
