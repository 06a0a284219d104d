/*
 * A timed transcript that follows playback (the session page loads it after player.js, only
 * for a transcript with time stamps and a recording). Without it, the stamps are plain text.
 *
 * - Each stamp (<time data-transcript-at="360">6:00</time>) becomes a button that moves the
 *   player to that moment ("Go to 6:00"); it does not start playback by itself.
 * - The block being said (a stamped paragraph and the unstamped ones after it) is marked with
 *   aria-current="true" once playback has begun or the position was moved.
 * - "Follow along" (off until chosen, remembered in localStorage) scrolls the transcript's own
 *   box, never the page, to keep that block in view; without smooth scrolling when the person
 *   prefers reduced motion.
 */
(function () {
  "use strict";

  var FOLLOW_KEY = "wellness.transcript.follow";

  function remembered() {
    try {
      return window.localStorage.getItem(FOLLOW_KEY) === "on";
    } catch (ignored) {
      return false; // storage refused: off, as for a first visit
    }
  }

  function remember(on) {
    try {
      window.localStorage.setItem(FOLLOW_KEY, on ? "on" : "off");
    } catch (ignored) {
      // the box still works on this page
    }
  }

  function reducedMotion() {
    return (
      typeof window.matchMedia === "function" &&
      window.matchMedia("(prefers-reduced-motion: reduce)").matches
    );
  }

  function stampButton(stamp) {
    var button = document.createElement("button");
    var hidden = document.createElement("span");
    button.type = "button";
    button.className = stamp.className;
    button.setAttribute("data-transcript-at", stamp.getAttribute("data-transcript-at"));
    hidden.className = "visually-hidden";
    hidden.textContent = "Go to ";
    button.appendChild(hidden);
    button.appendChild(document.createTextNode(stamp.textContent));
    return button;
  }

  // The cue being said at `seconds`: the latest start not after it (none before the first).
  function cueAt(cues, seconds) {
    var found = null;
    var best = -1;
    for (var i = 0; i < cues.length; i += 1) {
      var start = parseFloat(cues[i].getAttribute("data-transcript-cue"));
      if (start <= seconds + 0.25 && start > best) {
        best = start;
        found = cues[i];
      }
    }
    return found;
  }

  // Scrolls only `box` (not the page) so that `cue` is in view, a little below its top.
  function keepInView(box, cue) {
    var boxRect = box.getBoundingClientRect();
    var cueRect = cue.getBoundingClientRect();
    var inView = cueRect.top >= boxRect.top && cueRect.bottom <= boxRect.bottom;
    if (inView || box.scrollHeight <= box.clientHeight) {
      return;
    }
    var top = box.scrollTop + (cueRect.top - boxRect.top) - box.clientHeight / 6;
    var target = Math.max(0, top);
    if (typeof box.scrollTo === "function") {
      box.scrollTo({ top: target, behavior: reducedMotion() ? "auto" : "smooth" });
    } else {
      box.scrollTop = target;
    }
  }

  function follow(box, media, toggle) {
    var cues = box.querySelectorAll("[data-transcript-cue]");
    var current = null;
    var begun = false;

    function mark() {
      if (!begun) {
        return;
      }
      var cue = cueAt(cues, media.currentTime);
      if (cue === current) {
        return;
      }
      if (current) {
        current.removeAttribute("aria-current");
      }
      current = cue;
      if (cue) {
        cue.setAttribute("aria-current", "true");
        if (toggle && toggle.checked) {
          keepInView(box, cue);
        }
      }
    }

    function begin() {
      begun = true;
      mark();
    }

    media.addEventListener("play", begin);
    media.addEventListener("seeked", begin);
    media.addEventListener("timeupdate", mark);
    if (!media.paused || media.currentTime > 0) {
      begin(); // playing, or moved (a resumed practice), before this script ran
    }
    if (toggle) {
      toggle.checked = remembered();
      box.classList.toggle("transcript__text--following", toggle.checked);
      toggle.addEventListener("change", function () {
        remember(toggle.checked);
        box.classList.toggle("transcript__text--following", toggle.checked);
        if (toggle.checked && current) {
          keepInView(box, current);
        }
      });
    }
  }

  function enhance(box) {
    var media = document.querySelector("[data-player] [data-player-media]");
    if (!media) {
      return;
    }
    var stamps = box.querySelectorAll("time[data-transcript-at]");
    for (var i = 0; i < stamps.length; i += 1) {
      stamps[i].parentNode.replaceChild(stampButton(stamps[i]), stamps[i]);
    }
    box.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button[data-transcript-at]") : null;
      if (!button || !box.contains(button)) {
        return;
      }
      var seconds = parseFloat(button.getAttribute("data-transcript-at")) || 0;
      var end = isFinite(media.duration) && media.duration > 0 ? media.duration : seconds;
      media.currentTime = Math.min(Math.max(seconds, 0), end);
    });
    var tools = document.querySelector("[data-transcript-tools]");
    var toggle = tools ? tools.querySelector("[data-transcript-follow]") : null;
    if (tools) {
      tools.hidden = false;
    }
    follow(box, media, toggle);
  }

  var boxes = document.querySelectorAll("[data-transcript]:not([data-enhanced])");
  for (var i = 0; i < boxes.length; i += 1) {
    boxes[i].setAttribute("data-enhanced", "");
    enhance(boxes[i]);
  }
})();
