/*
 * The player's sound, for people sensitive to it (benzodiazepine withdrawal brings that, with
 * anxiety and panic): a "Mute" button, a "Volume" slider whose level this browser remembers,
 * and "Gentle start", on unless the listener turns it off (remembered too), which fades the
 * sound in. Pages load it after player.js; without it (or without JavaScript) the native
 * controls' volume and mute apply.
 *
 * What counts as a start, and fades in: the first time sound is heard on each page, whether
 * from the beginning or where a practice resumes after a reload (after time away, sound
 * mid-sentence is as sudden as at 0:00); any play from the first second (again after the end,
 * or after going back to 0:00); and sound coming back after more than LONG_SILENCE_SECONDS of
 * silence on the same page (paused or muted), which is time away too. Sound coming back after
 * a shorter pause or mute, seeking, skipping and a new speed never fade: the sound goes on as
 * it was. A pause or a mute during the fade holds it there, and sound coming back within the
 * minute continues it. Moving the slider during a fade ends the fade at the chosen level.
 *
 * LONG_SILENCE_SECONDS is 60: a sip of water, a cough or a change of posture on the mat takes
 * seconds, and the listener expects the voice back at once, as it was; past a minute attention
 * has gone elsewhere (a phone call, someone at the door) and the ears have settled into quiet.
 * The silence is measured on the page's clock (`performance.now()`, which clock changes do not
 * move); as some systems stop that clock while the device sleeps, the wall clock may also call
 * a silence long, never short: an error that way costs only an unneeded 4-second fade.
 *
 * Mute sets the media's `muted`, which leaves `volume` alone: the slider keeps its level and
 * unmuting returns to it (or to the held fade). The button is a toggle (`aria-pressed`, its word
 * "Mute" or "Muted"), and M presses it while the player region itself has focus (as Space and
 * the arrows in player.js). It follows `muted` however set (a video's full-screen controls).
 * It is not remembered: each page starts unmuted. Someone who muted for a knock at the door and
 * comes back tomorrow to silence would think the session broken; the remembered level and
 * Gentle start are what make the next start quiet.
 *
 * While silent before a start, the media's volume already rests near silence, so no sound can
 * come out at full level before the fade's first step. The fade rises from -40 dB (1 % of the
 * level) by the same number of decibels each moment, which the ear hears as an even rise (a
 * straight line in `volume` sounds as if it all happens in the first second). Its 4 seconds
 * count only while the media plays unmuted with data to play: a stall while buffering does not
 * use them up in silence. Timers, not animation frames, drive it: animation frames stop in a
 * background tab or with the screen locked, which would leave the sound near silence.
 *
 * `prefers-reduced-motion` is not consulted: it asks for less movement on the screen, and the
 * fade moves nothing there (the slider shows the listener's level throughout). Sensitivity to
 * sound is a different need, met by "Gentle start" being on by default.
 *
 * iOS and iPadOS Safari ignore `volume` (it stays 1; only the hardware buttons set the level).
 * Where a volume set on a test element has not stuck a moment later, the slider and Gentle
 * start are hidden rather than pretend to work (recent versions show the value set for a moment
 * before going back to 1, so the check waits; media-chrome found the same). `muted` does work
 * there (WebKit's policies let muted video play inline on its own), so Mute stays.
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
  var LONG_SILENCE_SECONDS = 60;

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
    var mute = region.querySelector("[data-player-mute]");
    if (!media || !slider || !gentle || !mute) {
      return;
    }
    var muteLabel = mute.querySelector("[data-player-mute-label]");
    var level = recalledLevel();
    var refused = false; // by the browser: see whenVolumeRefused
    var heardNow = heard(); // as of the last change of playing or muted
    var playedHere = heardNow; // heard before this script ran: that was the start
    // When the sound last fell silent (page clock and wall clock), null while it is heard.
    var silentSince = null;
    var silenceTimer = null;
    // `active` from the start of a fade to its end; `since` is null while it is held.
    var fade = { active: false, elapsed: 0, since: null, timer: null };

    function heard() {
      return !media.paused && !media.muted;
    }

    function longSilence() {
      if (silentSince === null) {
        return false;
      }
      var silentMs = Math.max(
        window.performance.now() - silentSince.page,
        Date.now() - silentSince.wall
      );
      return silentMs >= LONG_SILENCE_SECONDS * 1000;
    }

    function nextSoundIsStart() {
      return (
        !playedHere || media.ended || media.currentTime < START_WINDOW_SECONDS || longSilence()
      );
    }

    // The volume while silent: near silence when the next sound is a start to fade in.
    function rest() {
      if (fade.active || heard() || refused) {
        return;
      }
      media.volume = gentle.checked && nextSoundIsStart() ? level * fadeGain(0) : level;
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
      if (fade.since !== null && heard() && media.readyState >= HAVE_FUTURE_DATA) {
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

    // A held fade is dropped after a long silence: the next sound starts a new one.
    function settleAfterLongSilence() {
      silenceTimer = null;
      if (!heard()) {
        stopTicking();
        fade.active = false;
        rest();
      }
    }

    function soundStops() {
      silentSince = { page: window.performance.now(), wall: Date.now() };
      if (refused) {
        return;
      }
      if (fade.active) {
        holdFade();
      }
      window.clearTimeout(silenceTimer);
      silenceTimer = window.setTimeout(settleAfterLongSilence, LONG_SILENCE_SECONDS * 1000);
    }

    function soundReturns() {
      window.clearTimeout(silenceTimer);
      silenceTimer = null;
      if (!refused) {
        if (gentle.checked && longSilence()) {
          startFade(); // time away: a start, even if a fade was held
        } else if (fade.active) {
          tick(); // paused or muted during the fade: it goes on from where it was held
        } else if (gentle.checked && nextSoundIsStart()) {
          startFade();
        } else {
          media.volume = level;
        }
      }
      silentSince = null;
      playedHere = true;
    }

    // Called on every change of playing or muted, however it came about.
    function followSound() {
      var heardAfter = heard();
      if (heardAfter && !heardNow) {
        soundReturns();
      } else if (!heardAfter && heardNow) {
        soundStops();
      }
      heardNow = heardAfter;
    }

    function showMuted() {
      mute.setAttribute("aria-pressed", media.muted ? "true" : "false");
      muteLabel.textContent = media.muted ? "Muted" : "Mute";
    }

    function toggleMute() {
      if (media.muted && !media.paused) {
        // The volume is set before the sound is let out, not a moment after it.
        soundReturns();
        heardNow = true;
      }
      media.muted = !media.muted;
    }

    media.addEventListener("play", followSound);
    media.addEventListener("pause", followSound);
    media.addEventListener("volumechange", function () {
      followSound();
      showMuted();
    });
    media.addEventListener("ended", rest);
    media.addEventListener("seeked", rest);

    mute.addEventListener("click", toggleMute);
    region.addEventListener("keydown", function (event) {
      if (event.target !== region || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      if (event.key === "m" || event.key === "M") {
        event.preventDefault();
        toggleMute();
      }
    });

    slider.addEventListener("input", function () {
      var percent = parseFloat(slider.value);
      level = isFinite(percent) ? Math.min(Math.max(percent / 100, 0), 1) : level;
      showLevel(slider, level);
      remember(VOLUME_KEY, String(level));
      if (fade.active) {
        endFade(); // the listener has chosen a level: it applies now
      } else if (!heard()) {
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
    showMuted();
    media.volume = level;
    rest();
    var controls = region.querySelectorAll("[data-player-volume-controls]");
    showControls(controls, true);
    showControls(region.querySelectorAll("[data-player-sound]"), true);
    whenVolumeRefused(function () {
      refused = true;
      stopTicking();
      window.clearTimeout(silenceTimer);
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
