// "Everyone listed" on the group attendance form: ticking it ticks every patient, unticking it
// unticks them, and it shows whether all of them are ticked. An element marked
// `data-ticks-all="name"` is that box for its form's checkboxes called `name`. Without
// JavaScript the server reads the box itself (everyone the form listed), so the form works the
// same.
(() => {
  "use strict";

  document.querySelectorAll("input[data-ticks-all]").forEach((everyone) => {
    const name = everyone.dataset.ticksAll;
    const boxes = () =>
      Array.from(everyone.form.elements).filter(
        (element) => element.type === "checkbox" && element.name === name,
      );
    const reflect = () => {
      everyone.checked = boxes().every((box) => box.checked);
    };
    everyone.addEventListener("change", () => {
      boxes().forEach((box) => {
        box.checked = everyone.checked;
      });
    });
    everyone.form.addEventListener("change", (event) => {
      if (event.target.name === name) {
        reflect();
      }
    });
    if (everyone.checked) {
      boxes().forEach((box) => {
        box.checked = true;
      });
    } else {
      reflect();
    }
  });
})();
