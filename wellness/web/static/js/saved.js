/*
 * The Save / Saved toggles (templates/catalog/_saved.html), in place.
 *
 * Without this script each toggle is a form that saves or unsaves and comes back to the same
 * page at the same card. With it, a press sends the same change through the JSON API
 * (PUT or DELETE /api/v1/me/saved/{id}, with the form's CSRF token; both are idempotent),
 * then flips the button (aria-pressed and its word; its width is fixed, so nothing moves) and
 * says what happened in the page's polite live region. If the API refuses (a full list: 409)
 * its message is said instead and the button stays as it was; if it cannot be reached, the
 * form is sent as it would be without the script.
 */
(function () {
  "use strict";

  var status = document.querySelector("[data-saved-status]");

  function say(message) {
    if (!status) return;
    // Emptied first, so the same words said twice are announced twice.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function titleOf(form) {
    var hidden = form.querySelector(".visually-hidden");
    return hidden ? hidden.textContent.trim() : "This session";
  }

  function show(form, saved) {
    var id = form.getAttribute("data-save-toggle");
    form.setAttribute("action", "/sessions/" + id + (saved ? "/unsave" : "/save"));
    var button = form.querySelector("button");
    button.setAttribute("aria-pressed", saved ? "true" : "false");
    form.querySelector("[data-save-label]").textContent = saved ? "Saved" : "Save";
  }

  function toggle(form) {
    var id = form.getAttribute("data-save-toggle");
    var button = form.querySelector("button");
    var saving = button.getAttribute("aria-pressed") !== "true";
    var token = form.querySelector("input[name='_csrf_token']");
    button.disabled = true;
    fetch("/api/v1/me/saved/" + id, {
      method: saving ? "PUT" : "DELETE",
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "x-csrftoken": token ? token.value : "",
      },
    })
      .then(function (response) {
        button.disabled = false;
        if (response.ok) {
          show(form, saving);
          say(saving ? titleOf(form) + " is saved." : titleOf(form) + " is no longer saved.");
          return;
        }
        if (response.status === 409) {
          return response.json().then(function (body) {
            say(body.detail || "This session could not be saved.");
          });
        }
        form.submit(); // let the server answer as it would without the script
      })
      .catch(function () {
        button.disabled = false;
        form.submit();
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-save-toggle")) return;
    if (!window.fetch) return;
    event.preventDefault();
    toggle(form);
  });
})();
