// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Buttons with data-confirm ask before submitting their form. With data-confirm-needs="field" they ask
  // only once that field has an answer (else the server names the missing field; nothing to confirm yet),
  // and "{choice}" in the question becomes the chosen option's label.
  function chosenLabel(form, name) {
    var field = form.elements[name];
    if (!field) { return ""; }
    var chosen = field.length !== undefined && !field.options ? Array.prototype.find.call(field, function (f) { return f.checked; }) : field;
    if (!chosen || !chosen.value) { return ""; }
    if (chosen.options) { return chosen.options[chosen.selectedIndex].text; }
    var label = chosen.id && form.querySelector('label[for="' + chosen.id + '"]');
    return label ? label.textContent.trim() : chosen.value;
  }

  document.addEventListener("submit", function (event) {
    // USWDS's file input empties itself when a file of the wrong type is chosen and says so; sending the
    // form then would only earn "no file was given". Keep the form here, the message in view.
    var refused = event.target.querySelector(".has-invalid-file input[type=file]");
    if (refused && !refused.value && !(event.submitter && event.submitter.hasAttribute("formnovalidate"))) {
      event.preventDefault();
      refused.focus();
      return;
    }
    var button = event.submitter;
    if (!button || !button.dataset.confirm) { return; }
    var question = button.dataset.confirm;
    if (button.dataset.confirmNeeds) {
      var choice = chosenLabel(event.target, button.dataset.confirmNeeds);
      if (!choice) { return; }
      question = question.replace("{choice}", choice);
    }
    if (!window.confirm(question)) {
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
      // The row's heading and its Remove button's accessible name ("Remove line 3") both carry the number.
      row.querySelectorAll("[data-row-number]").forEach(function (label) { label.textContent = String(i + 1); });
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
    // An error summary's link moves focus to the field it names; when it names a group (a fieldset of
    // radios or checkboxes), to the group's first control, so the link never leaves focus nowhere.
    var fix = event.target.closest(".usa-alert a[href^='#']");
    if (fix && fix.getAttribute("href").length > 1) {
      var target = document.getElementById(fix.getAttribute("href").slice(1));
      if (target) {
        var control = target.matches("input, select, textarea, button") ? target
          : target.querySelector("input:not([type=hidden]):not([disabled]), select, textarea");
        event.preventDefault();
        var heading = target.closest(".usa-form-group, .usa-fieldset") || target;
        heading.scrollIntoView({block: "center"});
        (control || target).focus({preventScroll: true});
        if (!control) { target.setAttribute("tabindex", "-1"); target.focus({preventScroll: true}); }
        return;
      }
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      event.preventDefault();
      var row = remove.closest("[data-row]");
      var parent = row.closest("[data-rows]");
      var rows = Array.prototype.slice.call(parent.querySelectorAll("[data-row]"));
      var index = rows.indexOf(row);
      row.remove();
      renumber(parent);
      // Keep focus in the list: the Remove button of the row that took this one's place (or the one before),
      // else the "Add" button; never the page body.
      var left = parent.querySelectorAll("[data-row]");
      var next = left[Math.min(index, left.length - 1)];
      var target = next ? next.querySelector("[data-remove-row]") : document.querySelector('[data-add-row="' + parent.id + '"]');
      if (target) { target.focus(); }
    }
  });

  // Error summaries take focus so screen readers announce them. This file loads in the <head>
  // (so the handlers above exist before any button can be clicked); the body is parsed later.
  // Only while nothing else has focus: someone quick enough to click a link (or tab) before the page
  // finished parsing keeps the focus they chose.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("form-errors");
    var active = document.activeElement;
    if (summary && (!active || active === document.body || active === document.documentElement)) {
      summary.focus();
    }
  });
})();
