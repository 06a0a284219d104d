// Warn before leaving a form with unsaved changes (the session editor's new and edit pages).
// Forms marked `data-warn-unsaved` are compared with how they were when the page loaded; a
// link marked `data-confirm-leave="question"` (Cancel) asks first, and leaving the page any
// other way gets the browser's own "leave site?" prompt. Submitting the form (Save, or Publish,
// which submits it from outside) is not leaving. Without JavaScript nothing warns; nothing breaks.
(() => {
  "use strict";

  const forms = Array.from(document.querySelectorAll("form[data-warn-unsaved]"));
  if (forms.length === 0) {
    return;
  }
  const snapshot = (form) => new URLSearchParams(new FormData(form)).toString();
  const loaded = new Map(forms.map((form) => [form, snapshot(form)]));
  let leaving = false; // the person saved, or already agreed to leave

  const changed = () => !leaving && forms.some((form) => snapshot(form) !== loaded.get(form));

  forms.forEach((form) => {
    form.addEventListener("submit", () => {
      leaving = true;
    });
  });

  window.addEventListener("pageshow", () => {
    leaving = false; // back on the page from the history: warn again
  });

  window.addEventListener("beforeunload", (event) => {
    if (changed()) {
      event.preventDefault();
      event.returnValue = ""; // older browsers need a value to show the prompt
    }
  });

  document.querySelectorAll("a[data-confirm-leave]").forEach((link) => {
    link.addEventListener("click", (event) => {
      if (!changed()) {
        return;
      }
      if (window.confirm(link.dataset.confirmLeave)) {
        leaving = true;
      } else {
        event.preventDefault();
      }
    });
  });
})();
