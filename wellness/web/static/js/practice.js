/*
 * Practice for patients, around the player (player.js, which the session page loads first).
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
 *
 * Reports that do not arrive (no network on a clinic's patchy Wi-Fi, the server briefly
 * unavailable, the sign-in expired) are not dropped: the practice counts only once the server
 * knows enough was heard, and the last report of a session is the one that makes it count.
 * Each report is written to localStorage before it is sent and removed once answered; what is
 * left is sent again with growing pauses, when the browser comes back online, and when a
 * session page next loads (after a new sign-in, say). Progress only goes forwards on the
 * server, so sending a report twice is harmless. Entries are kept per patient, so a shared
 * tablet never sends one patient's report under another's sign-in.
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

  // Answers that sending again cannot change: stored, or refused for good (not this
  // patient's practice, not played here, a body the API refuses).
  var SETTLED = [400, 404, 409, 413, 415, 422];
  // Answers that need a new page or a new sign-in first (a stale CSRF token, a session gone):
  // kept for the next session page rather than retried from this one.
  var NEEDS_NEW_PAGE = [401, 403];
  var RETRY_PAUSES_MS = [2000, 5000, 15000, 30000, 60000, 120000, 300000];
  var UNSENT_PREFIX = "wellness.unsent-progress.";

  function unsentKey(patientId, practiceId) {
    return UNSENT_PREFIX + patientId + "." + practiceId;
  }

  function readUnsent(key) {
    try {
      var value = parseInt(window.localStorage.getItem(key) || "", 10);
      return isFinite(value) && value >= 0 ? value : null;
    } catch (ignored) {
      return null;
    }
  }

  function keepUnsent(key, seconds) {
    try {
      var kept = readUnsent(key);
      if (kept === null || seconds > kept) {
        window.localStorage.setItem(key, String(seconds));
      }
    } catch (ignored) {
      // storage refused: the report is still sent, only not kept for a retry
    }
  }

  function dropUnsent(key, seconds) {
    try {
      var kept = readUnsent(key);
      if (kept !== null && kept <= seconds) {
        window.localStorage.removeItem(key); // a larger report written meanwhile stays
      }
    } catch (ignored) {
      // nothing kept, nothing to drop
    }
  }

  var outbox = { patientId: null, timer: null, attempt: 0 };

  function scheduleRetry() {
    if (outbox.timer !== null) {
      return;
    }
    var pause = RETRY_PAUSES_MS[Math.min(outbox.attempt, RETRY_PAUSES_MS.length - 1)];
    outbox.attempt += 1;
    outbox.timer = window.setTimeout(function () {
      outbox.timer = null;
      sendUnsent();
    }, pause);
  }

  // Resolves when the server has answered for good; rejects with "retry" or "later" otherwise.
  function sendProgress(patientId, practiceId, seconds, keepalive) {
    var key = unsentKey(patientId, practiceId);
    keepUnsent(key, seconds);
    return postJson(
      "/api/v1/practice/" + practiceId + "/progress",
      { listened_seconds: seconds },
      keepalive
    ).then(
      function (response) {
        if (response.ok || SETTLED.indexOf(response.status) >= 0) {
          dropUnsent(key, seconds);
          outbox.attempt = 0;
          return;
        }
        return Promise.reject(NEEDS_NEW_PAGE.indexOf(response.status) >= 0 ? "later" : "retry");
      },
      function () {
        return Promise.reject("retry"); // no answer at all: offline, or the connection cut
      }
    );
  }

  function retryWhenDue(problem) {
    if (problem === "retry") {
      scheduleRetry();
    }
  }

  // Every report this patient's earlier pages could not deliver.
  function sendUnsent() {
    if (!outbox.patientId) {
      return;
    }
    var prefix = UNSENT_PREFIX + outbox.patientId + ".";
    var waiting = [];
    try {
      for (var i = 0; i < window.localStorage.length; i += 1) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(prefix) === 0) {
          waiting.push(key);
        }
      }
    } catch (ignored) {
      return;
    }
    waiting.forEach(function (key) {
      var practiceId = parseInt(key.slice(prefix.length), 10);
      var seconds = readUnsent(key);
      if (practiceId > 0 && seconds !== null) {
        sendProgress(outbox.patientId, practiceId, seconds, false).catch(retryWhenDue);
      }
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
    var patientId = parseInt(region.getAttribute("data-practice-patient") || "", 10) || null;
    if (!media || !sessionId || !patientId) {
      return;
    }
    outbox.patientId = patientId;
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
      sendProgress(patientId, practiceId, listened, final).catch(function (problem) {
        lastSent = -1; // the next periodic report sends it again, if playback goes on
        retryWhenDue(problem);
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
  sendUnsent();
  window.addEventListener("online", function () {
    if (outbox.timer !== null) {
      window.clearTimeout(outbox.timer);
      outbox.timer = null;
    }
    sendUnsent();
  });
})();
