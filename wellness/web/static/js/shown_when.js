// Show a choice's own fields only while that choice is made (the assignment form: a session
// for "a specific session", times a week or weekdays for their frequency). An element marked
// `data-shown-when="name=value"` is hidden unless its form's radio or select `name` has `value`
// chosen.
// Hiding clears nothing: choosing again shows what was typed. Without JavaScript every field
// shows, labelled with the choice it is for, and the server reads only the chosen one's.
(() => {
  "use strict";

  const dependents = Array.from(document.querySelectorAll("[data-shown-when]"));
  if (dependents.length === 0) {
    return;
  }
  document.documentElement.classList.add("has-shown-when");

  const update = () => {
    dependents.forEach((element) => {
      const [name, value] = element.dataset.shownWhen.split("=");
      const choice = element.closest("form").elements.namedItem(name);
      // Several radios of one name are a RadioNodeList, whose value is the checked one's; a
      // select's value is its chosen option's.
      const listed = choice instanceof RadioNodeList || choice instanceof HTMLSelectElement;
      const chosen = listed || choice?.checked ? choice.value : "";
      element.hidden = chosen !== value;
    });
  };

  new Set(dependents.map((element) => element.closest("form"))).forEach((form) => {
    form.addEventListener("change", update);
  });
  update();
})();
