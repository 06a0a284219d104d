/*
 * Session player: a playback-speed menu and keyboard shortcuts on top of the browser's own
 * <audio>/<video> controls. Without this file the page still plays: everything here is extra.
 *
 * Keys act only while the player region itself has focus (it is focusable and labelled), never
 * while focus is in the speed menu, the native controls or any other control, so typing and
 * the browser's own keys are never taken over.
 *   Space: play or pause    ← / →: back or forward 10 seconds
 */
(function () {
  "use strict";

  var SKIP_SECONDS = 10;

  function clamp(value, low, high) {
    return Math.min(Math.max(value, low), high);
  }

  function enhance(region) {
    var media = region.querySelector("[data-player-media]");
    if (!media) {
      return;
    }
    var controls = region.querySelector("[data-player-controls]");
    var rate = region.querySelector("[data-player-rate]");
    var keys = region.querySelector("[data-player-keys]");
    if (controls && rate) {
      controls.hidden = false;
      rate.addEventListener("change", function () {
        var value = parseFloat(rate.value);
        if (value > 0) {
          media.playbackRate = value;
        }
      });
      // Some browsers reset the rate when a new source loads; keep the listener's choice.
      media.addEventListener("loadedmetadata", function () {
        var value = parseFloat(rate.value);
        if (value > 0) {
          media.playbackRate = value;
        }
      });
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
          var playing = media.play();
          if (playing && typeof playing.catch === "function") {
            playing.catch(function () {});
          }
        } else {
          media.pause();
        }
      } else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
        event.preventDefault();
        var step = event.key === "ArrowLeft" ? -SKIP_SECONDS : SKIP_SECONDS;
        var end = isFinite(media.duration) ? media.duration : media.currentTime + step;
        media.currentTime = clamp(media.currentTime + step, 0, end);
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
 * Practice logging for patients: the player reports how much of the session was actually
 * played, so the practice counts once enough of it was heard. "Listened" is the total of the
 * media's played ranges, so seeking ahead adds nothing. Progress goes to the JSON API every
 * 15 seconds while playing, and once more on pause, end and page close (fetch with keepalive,
 * which outlives the page like sendBeacon but can send JSON). Without JavaScript the page
 * still plays; the patient can log the practice by hand instead.
 */
(function () {
  "use strict";

  var REPORT_EVERY_MS = 15000;

  function listenedSeconds(media) {
    var total = 0;
    for (var i = 0; i < media.played.length; i += 1) {
      total += media.played.end(i) - media.played.start(i);
    }
    return Math.floor(total);
  }

  function postJson(url, body, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
  }

  function track(region) {
    var media = region.querySelector("[data-player-media]");
    var sessionId = parseInt(region.getAttribute("data-practice-session"), 10);
    if (!media || !sessionId) {
      return;
    }
    var practiceId = parseInt(region.getAttribute("data-practice-id") || "", 10) || null;
    var starting = null;
    var lastSent = -1;
    var timer = null;

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

    function ensurePractice() {
      if (practiceId) {
        return Promise.resolve(practiceId);
      }
      if (!starting) {
        starting = postJson("/api/v1/practice/playback", { session_id: sessionId })
          .then(function (response) {
            return response.ok ? response.json() : Promise.reject(response.status);
          })
          .then(function (body) {
            practiceId = body.practice.id;
            region.setAttribute("data-practice-id", String(practiceId));
            return practiceId;
          });
      }
      return starting;
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

    media.addEventListener("play", function () {
      ensurePractice()
        .then(function (id) {
          revealAfterRating(id);
          if (!timer) {
            timer = window.setInterval(function () {
              report(false);
            }, REPORT_EVERY_MS);
          }
        })
        .catch(function () {});
    });
    function stop() {
      if (timer) {
        window.clearInterval(timer);
        timer = null;
      }
      report(true);
    }
    media.addEventListener("pause", stop);
    media.addEventListener("ended", stop);
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
