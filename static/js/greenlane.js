// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // Repeating rows (contacts, parties, lines, requirements): a container [data-rows] holds rows
  // [data-row]; "Add" clones a <template data-row-template> with __index__ replaced; "Remove" deletes.
  // The buttons may be submit buttons (the server adds or removes the row when JavaScript is off);
  // here their default action is cancelled so the page does not also submit.
  function renumber(container) {
    var rows = container.querySelectorAll("[data-row]");
    rows.forEach(function (row, i) {
      var label = row.querySelector("[data-row-number]");
      if (label) { label.textContent = String(i + 1); }
    });
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      event.preventDefault(); // the button also submits the form when JavaScript is off
      var container = document.getElementById(add.dataset.addRow);
      var template = container.querySelector("template[data-row-template]");
      var next = Number(container.dataset.nextIndex || container.querySelectorAll("[data-row]").length);
      var html = template.innerHTML.replace(/__index__/g, String(next));
      container.dataset.nextIndex = String(next + 1);
      template.insertAdjacentHTML("beforebegin", html);
      renumber(container);
      var rows = container.querySelectorAll("[data-row]");
      var first = rows[rows.length - 1].querySelector("input, select, textarea");
      if (first) { first.focus(); }
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      event.preventDefault();
      var row = remove.closest("[data-row]");
      var parent = row.closest("[data-rows]");
      row.remove();
      renumber(parent);
    }
  });

  // Error summaries take focus so screen readers announce them. This file loads in the <head>
  // (so the handlers above exist before any button can be clicked); the body is parsed later.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("form-errors");
    if (summary) { summary.focus(); }
  });
})();
