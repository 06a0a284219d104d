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

/*
 * Practice for patients, around the player.
 *
 * "Save and start" saves the rating before (the JSON API, no reload) and starts playback in
 * the same click, which is what lets the browser play sound. Pressing play without a rating
 * starts the practice too. The after-rating is offered once playback has started.
 *
 * The player reports how much of the session was actually played, so the practice counts once
 * enough of it was heard. "Listened" is the total of the media's played ranges, so seeking
 * ahead adds nothing. Progress goes to the JSON API every 15 seconds while playing, and once
 * more on pause, end and page close (fetch with keepalive, which outlives the page like
 * sendBeacon but can send JSON).
 *
 * Resuming: the position is kept in localStorage for the practice at every second of play, and
 * the server names the open practice (with its played seconds) when the page loads. The stored
 * position wins: it is exact and written before the page can go, while the server's copy is up
 * to 15 seconds old and the last report races the reload. Without storage (private windows,
 * another device) the played seconds are the fallback, never ahead of what was heard.
 */
(function () {
  "use strict";

  var REPORT_EVERY_MS = 15000;
  var RESUME_END_MARGIN = 10;

  function listenedSeconds(media) {
    var total = 0;
    for (var i = 0; i < media.played.length; i += 1) {
      total += media.played.end(i) - media.played.start(i);
    }
    return Math.floor(total);
  }

  // The API asks a browser's writes for the page's CSRF token, as forms send it in a field.
  function csrfToken() {
    var meta = document.querySelector("meta[name='csrf-token']");
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function postJson(url, body, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "x-csrftoken": csrfToken(),
      },
      body: JSON.stringify(body),
    });
  }

  function positionKey(practiceId) {
    return "wellness.practice." + practiceId + ".position";
  }

  function storedPosition(practiceId) {
    try {
      var value = parseFloat(window.localStorage.getItem(positionKey(practiceId)) || "");
      return isFinite(value) && value >= 0 ? value : null;
    } catch (ignored) {
      return null; // storage refused (a private window, a setting): use the server's copy
    }
  }

  function storePosition(practiceId, seconds) {
    try {
      if (seconds === null) {
        window.localStorage.removeItem(positionKey(practiceId));
      } else {
        window.localStorage.setItem(positionKey(practiceId), String(Math.floor(seconds)));
      }
    } catch (ignored) {
      // nothing to do: resuming falls back to the played seconds the server keeps
    }
  }

  function playSafely(media) {
    var playing = media.play();
    if (playing && typeof playing.catch === "function") {
      playing.catch(function () {});
    }
  }

  function track(region) {
    var media = region.querySelector("[data-player-media]");
    var sessionId = parseInt(region.getAttribute("data-practice-session"), 10);
    if (!media || !sessionId) {
      return;
    }
    var status = region.querySelector("[data-player-status]");
    var practiceId = parseInt(region.getAttribute("data-practice-id") || "", 10) || null;
    // The list of suggestions this session was chosen from, linked to the practice it starts.
    var suggestionId = parseInt(region.getAttribute("data-suggestion") || "", 10) || null;
    var starting = null;
    var lastSent = -1;
    var lastStored = -1;
    var timer = null;

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function revealAfterRating(id) {
      var form = document.querySelector("[data-after-form]");
      var card = document.querySelector("[data-after-rating]");
      var before = document.querySelector("[data-before-rating]");
      // Playback has begun: a rating "before" would start a second practice record.
      if (before) {
        before.hidden = true;
      }
      if (form && !form.getAttribute("action")) {
        form.setAttribute("action", "/practice/" + id + "/after");
      }
      if (card) {
        card.hidden = false;
      }
    }

    function started(response) {
      if (!response.ok) {
        return Promise.reject(response.status);
      }
      return response.json().then(function (body) {
        practiceId = body.practice.id;
        region.setAttribute("data-practice-id", String(practiceId));
        if (body.alert_raised) {
          // A high rating before: the support panel first (the practice stays open).
          media.pause();
          window.location.assign("/support");
          return Promise.reject("support");
        }
        return practiceId;
      });
    }

    function begin(body) {
      if (suggestionId) {
        body.suggestion_id = suggestionId;
      }
      starting = postJson("/api/v1/practice/playback", body).then(started);
      starting.catch(function () {
        starting = null;
      });
      return starting;
    }

    function ensurePractice() {
      if (practiceId) {
        return Promise.resolve(practiceId);
      }
      return starting || begin({ session_id: sessionId });
    }

    function report(final) {
      var listened = listenedSeconds(media);
      if (!practiceId || listened === lastSent) {
        return;
      }
      lastSent = listened;
      postJson(
        "/api/v1/practice/" + practiceId + "/progress",
        { listened_seconds: listened },
        final
      ).catch(function () {
        lastSent = -1; // try again with the next report
      });
    }

    function resume() {
      if (!practiceId) {
        return;
      }
      var stored = storedPosition(practiceId);
      var served = parseFloat(region.getAttribute("data-resume-at") || "") || 0;
      var at = stored !== null ? stored : served;
      var length = isFinite(media.duration) ? media.duration : Infinity;
      if (at > 0 && at < length - RESUME_END_MARGIN && media.currentTime < 1) {
        media.currentTime = at;
        say("Continuing where you left off, at " + Math.floor(at / 60) + ":" +
          ("0" + Math.floor(at % 60)).slice(-2) + ".");
      }
      if (stored !== null && stored > 0) {
        revealAfterRating(practiceId); // played here before this page was loaded
      }
    }

    var before = document.querySelector("[data-before-rating]");
    if (before) {
      before.addEventListener("submit", function (event) {
        event.preventDefault();
        if (practiceId || starting) {
          playSafely(media); // a second tap while the first is on its way starts nothing new
          return;
        }
        var chosen = before.querySelector("input[name='anxiety_before']:checked");
        var body = { session_id: sessionId };
        if (chosen) {
          body.anxiety_before = parseInt(chosen.value, 10);
        }
        begin(body).catch(function (problem) {
          if (problem !== "support") {
            // Refused or unreachable: let the plain form name the problem (or start it).
            media.pause();
            before.submit();
          }
        });
        // In the same click, so the browser lets it play with sound.
        playSafely(media);
        // The form goes once playback begins: keep focus and view on the player.
        var toggle = region.querySelector("[data-player-toggle]");
        if (toggle && toggle.offsetParent !== null) {
          toggle.focus({ preventScroll: true });
        }
        region.scrollIntoView({ block: "nearest" });
      });
    }

    var after = document.querySelector("[data-after-form]");
    if (after) {
      after.addEventListener("submit", function () {
        if (practiceId) {
          storePosition(practiceId, null);
        }
      });
    }

    if (media.readyState >= 1) {
      resume();
    } else {
      media.addEventListener("loadedmetadata", resume, { once: true });
    }

    function played() {
      ensurePractice()
        .then(function (id) {
          revealAfterRating(id);
          if (media.paused) {
            // Paused before the practice record came back: stop() had no record to report
            // to then.
            report(true);
            return;
          }
          if (!timer) {
            timer = window.setInterval(function () {
              report(false);
            }, REPORT_EVERY_MS);
          }
        })
        .catch(function () {});
    }
    media.addEventListener("play", played);
    if (!media.paused) {
      played(); // started with the browser's own controls before this script had run
    }
    media.addEventListener("timeupdate", function () {
      var second = Math.floor(media.currentTime);
      if (practiceId && !media.paused && second !== lastStored) {
        lastStored = second;
        storePosition(practiceId, second);
      }
    });
    function stop() {
      if (timer) {
        window.clearInterval(timer);
        timer = null;
      }
      if (practiceId && !media.ended) {
        storePosition(practiceId, media.currentTime);
      }
      report(true);
    }
    media.addEventListener("pause", stop);
    media.addEventListener("ended", function () {
      stop();
      if (practiceId) {
        storePosition(practiceId, null);
        say("The session has ended. You can rate how you feel now.");
      }
    });
    window.addEventListener("pagehide", stop);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        report(true);
      }
    });
  }

  var regions = document.querySelectorAll("[data-player][data-practice-session]");
  for (var i = 0; i < regions.length; i += 1) {
    track(regions[i]);
  }
})();
