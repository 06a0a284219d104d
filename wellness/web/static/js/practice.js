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
