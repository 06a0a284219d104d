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
