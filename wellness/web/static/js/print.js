// A "Print or save as PDF" button (the patient report): opens the browser's print dialog, where
// "Save as PDF" is one of the printers. Without JavaScript the button stays hidden and the page
// says to use the browser's own Print command, which prints the same page.
(() => {
  "use strict";

  document.querySelectorAll("button[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
})();
