/*
 * Session player. The page works without this file: the browser's own <audio>/<video> with
 * `controls` plays, and the "Save and start" form reloads the page with the practice started.
 *
 * With it, the native controls give way to the player's own (progressive enhancement: the
 * markup is in the page, hidden, and shown here): a large play/pause button, back and forward
 * 10 seconds, a position slider (an <input type=range>, so arrows, Home/End and screen readers
 * work; its aria-valuetext reads "2 minutes 10 seconds of 6 minutes"), elapsed and remaining
 * time and the speed menu. The Media Session API gives the lock screen and headset buttons the
 * same controls. Keys on the player region itself (it is focusable and labelled), never while
 * focus is in a form control:
 *   Space: play or pause    ← / →: back or forward 10 seconds
 * On the position slider, ← / → move 5 seconds and Page Up / Page Down 30 seconds.
 */
(function () {
  "use strict";

  var SKIP_SECONDS = 10;
  var SLIDER_STEP = 5;
  var SLIDER_PAGE = 30;

  function clamp(value, low, high) {
    return Math.min(Math.max(value, low), high);
  }

  function twoDigits(number) {
    return (number < 10 ? "0" : "") + number;
  }

  function clockText(seconds) {
    var whole = Math.max(0, Math.floor(seconds));
    var hours = Math.floor(whole / 3600);
    var minutes = Math.floor((whole % 3600) / 60);
    var rest = whole % 60;
    if (hours) {
      return hours + ":" + twoDigits(minutes) + ":" + twoDigits(rest);
    }
    return minutes + ":" + twoDigits(rest);
  }

  function counted(number, unit) {
    return number + " " + unit + (number === 1 ? "" : "s");
  }

  function spoken(seconds) {
    var whole = Math.max(0, Math.round(seconds));
    var hours = Math.floor(whole / 3600);
    var minutes = Math.floor((whole % 3600) / 60);
    var rest = whole % 60;
    var parts = [];
    if (hours) {
      parts.push(counted(hours, "hour"));
    }
    if (minutes) {
      parts.push(counted(minutes, "minute"));
    }
    if (rest || !parts.length) {
      parts.push(counted(rest, "second"));
    }
    return parts.join(" ");
  }

  function playSafely(media) {
    var playing = media.play();
    if (playing && typeof playing.catch === "function") {
      playing.catch(function () {});
    }
    return playing;
  }

  function lengthOf(media, fallback) {
    return isFinite(media.duration) && media.duration > 0 ? media.duration : fallback;
  }

  function seekTo(media, seconds, fallback) {
    var end = lengthOf(media, fallback);
    media.currentTime = clamp(seconds, 0, end > 0 ? end : seconds);
  }

  function mediaSession(region, media, skip, fallback) {
    if (!("mediaSession" in navigator)) {
      return;
    }
    var session = navigator.mediaSession;

    function describe() {
      if (typeof window.MediaMetadata !== "function") {
        return;
      }
      var artwork = region.getAttribute("data-artwork");
      session.metadata = new window.MediaMetadata({
        title: region.getAttribute("data-title") || document.title,
        artist: region.getAttribute("data-artist") || "",
        album: "wellness",
        artwork: artwork ? [{ src: new URL(artwork, window.location.href).href }] : [],
      });
    }

    function position() {
      if (typeof session.setPositionState !== "function" || !isFinite(media.duration)) {
        return;
      }
      try {
        session.setPositionState({
          duration: media.duration,
          playbackRate: media.playbackRate || 1,
          position: clamp(media.currentTime, 0, media.duration),
        });
      } catch (ignored) {
        // A duration the browser does not accept yet: the next event tries again.
      }
    }

    var handlers = {
      play: function () {
        playSafely(media);
      },
      pause: function () {
        media.pause();
      },
      seekbackward: function (details) {
        skip(-((details && details.seekOffset) || SKIP_SECONDS));
      },
      seekforward: function (details) {
        skip((details && details.seekOffset) || SKIP_SECONDS);
      },
      seekto: function (details) {
        if (details && typeof details.seekTime === "number") {
          seekTo(media, details.seekTime, fallback);
          position();
        }
      },
    };
    Object.keys(handlers).forEach(function (action) {
      try {
        session.setActionHandler(action, handlers[action]);
      } catch (ignored) {
        // This browser has no such action: the on-page controls still do it.
      }
    });
    describe();
    media.addEventListener("play", function () {
      describe(); // the page's latest player owns the lock screen
      session.playbackState = "playing";
      position();
    });
    media.addEventListener("pause", function () {
      session.playbackState = "paused";
      position();
    });
    ["loadedmetadata", "durationchange", "ratechange", "seeked"].forEach(function (name) {
      media.addEventListener(name, position);
    });
  }

  function customControls(region, media, ui) {
    var toggle = ui.querySelector("[data-player-toggle]");
    var toggleLabel = ui.querySelector("[data-player-toggle-label]");
    var seek = ui.querySelector("[data-player-seek]");
    var elapsed = ui.querySelector("[data-player-elapsed]");
    var remaining = ui.querySelector("[data-player-remaining]");
    var skips = ui.querySelectorAll("[data-player-skip]");
    var fallback = parseFloat(seek.max) || 0;

    function skip(seconds) {
      seekTo(media, media.currentTime + seconds, fallback);
      showTime(true);
    }

    function showTime(spokenToo) {
      var total = lengthOf(media, fallback);
      var now = clamp(media.currentTime, 0, total || media.currentTime);
      if (String(Math.floor(total)) !== seek.max) {
        seek.max = String(Math.floor(total));
      }
      seek.value = String(Math.floor(now));
      seek.style.setProperty("--player-progress", total ? (now / total) * 100 + "%" : "0%");
      elapsed.textContent = clockText(now);
      // Whole seconds left of the whole length, so elapsed and remaining always add up.
      remaining.textContent = "\u2212" + clockText(Math.round(total) - Math.floor(now));
      // While it plays with the slider focused, a new value every second would be read out
      // every second: the text follows on pause, on seeking and when focus leaves.
      if (spokenToo || media.paused || document.activeElement !== seek) {
        seek.setAttribute("aria-valuetext", spoken(now) + " of " + spoken(total));
      }
    }

    function showState() {
      var playing = !media.paused && !media.ended;
      region.classList.toggle("is-playing", playing);
      toggleLabel.textContent = playing ? "Pause" : "Play";
    }

    media.removeAttribute("controls");
    ui.hidden = false;
    region.classList.add("player--custom");

    toggle.addEventListener("click", function () {
      if (media.paused || media.ended) {
        playSafely(media);
      } else {
        media.pause();
      }
    });
    for (var i = 0; i < skips.length; i += 1) {
      skips[i].addEventListener("click", function (event) {
        skip(parseFloat(event.currentTarget.getAttribute("data-player-skip")) || 0);
      });
    }
    seek.addEventListener("input", function () {
      seekTo(media, parseFloat(seek.value) || 0, fallback);
      showTime(true);
    });
    seek.addEventListener("keydown", function (event) {
      var steps = {
        ArrowLeft: -SLIDER_STEP,
        ArrowDown: -SLIDER_STEP,
        ArrowRight: SLIDER_STEP,
        ArrowUp: SLIDER_STEP,
        PageDown: -SLIDER_PAGE,
        PageUp: SLIDER_PAGE,
      };
      if (event.altKey || event.ctrlKey || event.metaKey || !(event.key in steps)) {
        return; // Home, End and Tab keep their own meaning
      }
      event.preventDefault();
      skip(steps[event.key]);
    });
    if (media.tagName === "VIDEO") {
      media.addEventListener("click", function () {
        toggle.click();
      });
    }
    ["play", "playing", "pause", "ended"].forEach(function (name) {
      media.addEventListener(name, showState);
    });
    ["timeupdate", "durationchange", "loadedmetadata", "seeked"].forEach(function (name) {
      media.addEventListener(name, function () {
        showTime(false);
      });
    });
    seek.addEventListener("blur", function () {
      showTime(true);
    });
    showState();
    showTime(true);
    mediaSession(region, media, skip, fallback);
    return skip;
  }

  // A video's captions track is shown by default (`default`); with the native controls gone,
  // the player's "Captions" box turns it off and on, and the choice is kept for next time.
  var CAPTIONS_KEY = "wellness.captions";

  function captionsToggle(media, box) {
    function apply() {
      for (var i = 0; i < media.textTracks.length; i += 1) {
        if (media.textTracks[i].kind === "captions") {
          media.textTracks[i].mode = box.checked ? "showing" : "hidden";
        }
      }
    }
    try {
      box.checked = window.localStorage.getItem(CAPTIONS_KEY) !== "off";
    } catch (ignored) {
      // storage refused: captions stay on
    }
    box.addEventListener("change", function () {
      apply();
      try {
        window.localStorage.setItem(CAPTIONS_KEY, box.checked ? "on" : "off");
      } catch (ignored) {
        // the box still works on this page
      }
    });
    apply();
  }

  function enhance(region) {
    var media = region.querySelector("[data-player-media]");
    if (!media) {
      return;
    }
    var ui = region.querySelector("[data-player-ui]");
    var rate = region.querySelector("[data-player-rate]");
    var keys = region.querySelector("[data-player-keys]");
    var skip = function (seconds) {
      seekTo(media, media.currentTime + seconds, 0);
    };
    if (ui) {
      skip = customControls(region, media, ui);
    }
    if (rate) {
      var applyRate = function () {
        var value = parseFloat(rate.value);
        if (value > 0) {
          media.playbackRate = value;
        }
      };
      rate.addEventListener("change", applyRate);
      // Some browsers reset the rate when a new source loads; keep the listener's choice.
      media.addEventListener("loadedmetadata", applyRate);
    }
    if (keys) {
      keys.hidden = false;
    }
    var captions = region.querySelector("[data-player-captions]");
    if (captions) {
      captionsToggle(media, captions);
    }

    region.addEventListener("keydown", function (event) {
      if (event.target !== region || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      if (event.key === " " || event.key === "Spacebar") {
        event.preventDefault();
        if (media.paused) {
          playSafely(media);
        } else {
          media.pause();
        }
      } else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
        event.preventDefault();
        skip(event.key === "ArrowLeft" ? -SKIP_SECONDS : SKIP_SECONDS);
      }
    });
  }

  function enhanceAll() {
    var regions = document.querySelectorAll("[data-player]:not([data-enhanced])");
    for (var i = 0; i < regions.length; i += 1) {
      regions[i].setAttribute("data-enhanced", "");
      enhance(regions[i]);
    }
  }

  enhanceAll();
  // upload.js swaps in a fresh <main> after replacing a session's media.
  document.addEventListener("wellness:replaced", enhanceAll);
})();
