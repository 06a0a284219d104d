/*
 * The player's volume, for people sensitive to sound (benzodiazepine withdrawal brings it, with
 * anxiety and panic): a "Volume" slider whose level this browser remembers, and "Gentle start",
 * on unless the listener turns it off (remembered too), which fades the sound in. Pages load
 * it after player.js; without it (or without JavaScript) the native controls' volume applies.
 *
 * What counts as a start, and fades in: the first play on each page, whether from the
 * beginning or where a practice resumes after a reload (after time away, sound mid-sentence is
 * as sudden as at 0:00), and any play from the first second (again after the end, or after
 * going back to 0:00). Playing on after a pause on the same page, seeking, skipping and a new
 * speed never fade: the sound goes on as it was. A pause during the fade holds it there and
 * playing on continues it. Moving the slider during a fade ends the fade at the chosen level.
 *
 * While paused before a start, the media's volume already rests near silence, so no sound can
 * come out at full level before the fade's first step. The fade rises from -40 dB (1 % of the
 * level) by the same number of decibels each moment, which the ear hears as an even rise (a
 * straight line in `volume` sounds as if it all happens in the first second). Its 4 seconds
 * count only while the media plays with data to play: a stall while buffering does not use
 * them up in silence. Timers, not animation frames, drive it: animation frames stop in a
 * background tab or with the screen locked, which would leave the sound near silence.
 *
 * `prefers-reduced-motion` is not consulted: it asks for less movement on the screen, and the
 * fade moves nothing there (the slider shows the listener's level throughout). Sensitivity to
 * sound is a different need, met by "Gentle start" being on by default.
 *
 * iOS and iPadOS Safari ignore `volume` (it stays 1; only the hardware buttons set the level).
 * Where a volume set on a test element has not stuck a moment later, both controls are hidden
 * rather than pretend to work (recent versions show the value set for a moment before going
 * back to 1, so the check waits; media-chrome found the same).
 *
 * Stored per browser, naming no one: "wellness.volume" (0 to 1) and "wellness.gentle-start"
 * ("on" or "off").
 */
(function () {
  "use strict";

  var VOLUME_KEY = "wellness.volume";
  var GENTLE_KEY = "wellness.gentle-start";
  var FADE_SECONDS = 4;
  var FADE_FROM_DB = -40;
  var FADE_TICK_MS = 50;
  var START_WINDOW_SECONDS = 1;
  var HAVE_FUTURE_DATA = 3;
  var VOLUME_CHECK_MS = 250;

  function recalled(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (ignored) {
      return null; // storage refused: the defaults apply
    }
  }

  function remember(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (ignored) {
      // the choice still holds on this page
    }
  }

  function recalledLevel() {
    var level = parseFloat(recalled(VOLUME_KEY) || "");
    return isFinite(level) && level >= 0 && level <= 1 ? level : 1;
  }

  // Calls `refused` where the browser keeps `volume` at 1 whatever a page sets (iOS Safari).
  function whenVolumeRefused(refused) {
    var probe = document.createElement("audio");
    probe.volume = 0.5;
    window.setTimeout(function () {
      if (Math.abs(probe.volume - 0.5) > 0.01) {
        refused();
      }
    }, VOLUME_CHECK_MS);
  }

  // The share of the level at `progress` (0 to 1) through the fade: even steps in decibels.
  function fadeGain(progress) {
    return Math.pow(10, (FADE_FROM_DB * (1 - Math.min(Math.max(progress, 0), 1))) / 20);
  }

  function showLevel(slider, level) {
    var percent = Math.round(level * 100);
    slider.value = String(percent);
    slider.setAttribute("aria-valuetext", percent + "%");
    slider.style.setProperty("--player-progress", percent + "%");
  }

  function enhance(region) {
    var media = region.querySelector("[data-player-media]");
    var slider = region.querySelector("[data-player-volume]");
    var gentle = region.querySelector("[data-player-gentle]");
    if (!media || !slider || !gentle) {
      return;
    }
    var level = recalledLevel();
    var refused = false; // by the browser: see whenVolumeRefused
    var playedHere = !media.paused; // started before this script ran: that was the start
    // `active` from the start of a fade to its end; `since` is null while it is held.
    var fade = { active: false, elapsed: 0, since: null, timer: null };

    function nextPlayIsStart() {
      return !playedHere || media.ended || media.currentTime < START_WINDOW_SECONDS;
    }

    // The volume while paused: near silence when the next play is a start to fade in.
    function rest() {
      if (fade.active || !media.paused) {
        return;
      }
      media.volume = gentle.checked && nextPlayIsStart() ? level * fadeGain(0) : level;
    }

    function stopTicking() {
      if (fade.timer !== null) {
        window.clearInterval(fade.timer);
        fade.timer = null;
      }
    }

    function endFade() {
      stopTicking();
      fade.active = false;
      media.volume = level;
    }

    function step() {
      var now = window.performance.now();
      if (fade.since !== null && !media.paused && media.readyState >= HAVE_FUTURE_DATA) {
        fade.elapsed += (now - fade.since) / 1000;
      }
      fade.since = now;
      if (fade.elapsed >= FADE_SECONDS) {
        endFade();
      } else {
        media.volume = level * fadeGain(fade.elapsed / FADE_SECONDS);
      }
    }

    function tick() {
      fade.since = window.performance.now();
      if (fade.timer === null) {
        fade.timer = window.setInterval(step, FADE_TICK_MS);
      }
    }

    function startFade() {
      fade.active = true;
      fade.elapsed = 0;
      media.volume = level * fadeGain(0);
      tick();
    }

    function holdFade() {
      step();
      stopTicking();
      fade.since = null;
    }

    media.addEventListener("play", function () {
      if (refused) {
        return;
      } else if (fade.active) {
        tick(); // paused during the fade: it goes on from where it was held
      } else if (gentle.checked && nextPlayIsStart()) {
        startFade();
      } else {
        media.volume = level;
      }
      playedHere = true;
    });
    media.addEventListener("pause", function () {
      if (fade.active) {
        holdFade();
      }
    });
    media.addEventListener("ended", rest);
    media.addEventListener("seeked", rest);

    slider.addEventListener("input", function () {
      var percent = parseFloat(slider.value);
      level = isFinite(percent) ? Math.min(Math.max(percent / 100, 0), 1) : level;
      showLevel(slider, level);
      remember(VOLUME_KEY, String(level));
      if (fade.active) {
        endFade(); // the listener has chosen a level: it applies now
      } else if (media.paused) {
        rest();
      } else {
        media.volume = level;
      }
    });

    gentle.checked = recalled(GENTLE_KEY) !== "off";
    gentle.addEventListener("change", function () {
      remember(GENTLE_KEY, gentle.checked ? "on" : "off");
      if (!gentle.checked && fade.active) {
        endFade();
      }
      rest();
    });

    showLevel(slider, level);
    media.volume = level;
    rest();
    var controls = region.querySelectorAll("[data-player-volume-controls]");
    showControls(controls, true);
    whenVolumeRefused(function () {
      refused = true;
      stopTicking();
      showControls(controls, false);
    });
  }

  function showControls(controls, shown) {
    for (var i = 0; i < controls.length; i += 1) {
      controls[i].hidden = !shown;
    }
  }

  function enhanceAll() {
    var regions = document.querySelectorAll("[data-player]:not([data-volume-enhanced])");
    for (var i = 0; i < regions.length; i += 1) {
      regions[i].setAttribute("data-volume-enhanced", "");
      enhance(regions[i]);
    }
  }

  enhanceAll();
  // upload.js swaps in a fresh <main> after replacing a session's media.
  document.addEventListener("wellness:replaced", enhanceAll);
})();
