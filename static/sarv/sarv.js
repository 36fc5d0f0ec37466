/* Sarv's page behaviour. No inline scripts anywhere: the Content-Security-Policy forbids them. */
(function () {
  "use strict";

  // Jalali date picker on Persian pages: inputs rendered with data-jdp get it.
  function startDatePicker() {
    if (window.jalaliDatepicker) {
      window.jalaliDatepicker.startWatch({
        persianDigits: true,
        autoShow: true,
        autoHide: true,
        hideAfterChange: true,
        date: true,
        time: false,
        zIndex: 2000,
      });
    }
  }

  // "Select all" checkbox and the bulk bar of record lists.
  function updateBulkBar(form) {
    var checked = form.querySelectorAll("input[name=selected]:checked").length;
    var counter = form.querySelector("[data-selected-count]");
    if (counter) {
      counter.textContent = String(checked);
    }
    form.querySelectorAll("[data-needs-selection]").forEach(function (el) {
      el.disabled = checked === 0;
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement)) {
      return;
    }
    var form = target.form;
    if (target.matches("[data-select-all]") && form) {
      form.querySelectorAll("input[name=selected]").forEach(function (box) {
        box.checked = target.checked;
      });
    }
    if (form && (target.name === "selected" || target.matches("[data-select-all]"))) {
      updateBulkBar(form);
    }
    // Filters submit themselves when a select changes.
    if (target.matches("[data-autosubmit]") && form) {
      form.requestSubmit();
    }
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select instanceof HTMLSelectElement && select.matches("[data-autosubmit]") && select.form) {
      select.form.requestSubmit();
    }
  });

  // Confirm dangerous actions with the message in data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // Show or hide parts of a form with data-show-when="fieldname=value".
  function applyConditionalFields(root) {
    (root || document).querySelectorAll("[data-show-when]").forEach(function (el) {
      var rule = el.getAttribute("data-show-when").split("=");
      var form = el.closest("form");
      if (!form) {
        return;
      }
      var field = form.elements.namedItem(rule[0]);
      var value = field ? field.value : "";
      el.hidden = value !== rule[1];
    });
  }
  document.addEventListener("change", function () { applyConditionalFields(document); });

  // File pickers: show the chosen file names next to Sarv's own (translated) button.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("sarv-file-input")) {
      return;
    }
    var names = input.parentElement.querySelector(".sarv-file-names");
    if (names) {
      var chosen = Array.prototype.map.call(input.files, function (file) { return file.name; });
      var separator = document.documentElement.lang === "fa" ? "، " : ", ";
      names.textContent = chosen.length ? chosen.join(separator) : names.getAttribute("data-empty");
    }
  });

  // After a failed submit the page comes back scrolled to the top; bring the first error into view.
  function showFirstError(root) {
    var invalid = (root || document).querySelector("main .is-invalid, main .invalid-feedback.d-block");
    if (!invalid) {
      return;
    }
    invalid.scrollIntoView({ block: "center" });
    var field = invalid.matches("input, select, textarea") ? invalid :
      invalid.parentElement && invalid.parentElement.querySelector("input:not([type=hidden]), select, textarea");
    if (field && typeof field.focus === "function") {
      field.focus({ preventScroll: true });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    showFirstError(document);
    startDatePicker();
    applyConditionalFields(document);
    document.querySelectorAll("form[data-bulk]").forEach(updateBulkBar);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    applyConditionalFields(event.target);
    document.querySelectorAll("form[data-bulk]").forEach(updateBulkBar);
  });
})();

/* --- Incident pages (agent workspace and requester portal) --- */
(function () {
  "use strict";

  // A quick-action modal rendered with errors carries data-sarv-show: open it so the user sees the errors.
  function showFlaggedModals(root) {
    if (!window.bootstrap) {
      return;
    }
    (root || document).querySelectorAll(".modal[data-sarv-show]").forEach(function (el) {
      window.bootstrap.Modal.getOrCreateInstance(el).show();
    });
  }

  document.addEventListener("DOMContentLoaded", function () { showFlaggedModals(document); });

  // Leave empty filters out of the list's HTMX requests, so the address pushed to the history stays short.
  document.addEventListener("htmx:configRequest", function (event) {
    var source = event.detail.elt;
    if (!source || source.id !== "incident-filters") {
      return;
    }
    var parameters = event.detail.parameters;
    Array.from(parameters.keys()).forEach(function (name) {
      var values = parameters.getAll(name).filter(function (value) {
        return value !== "" && !(name === "is_major" && value === "unknown");
      });
      parameters.delete(name);
      values.forEach(function (value) { parameters.append(name, value); });
    });
  });
})();

/* --- CI pickers: a suggested configuration item fills the select named in data-pick-target --- */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-pick-ci]") : null;
    if (!button) {
      return;
    }
    var select = document.getElementById(button.getAttribute("data-pick-target") || "");
    if (!(select instanceof HTMLSelectElement)) {
      return;
    }
    var value = button.getAttribute("data-pick-ci");
    var option = Array.prototype.find.call(select.options, function (item) { return item.value === value; });
    if (!option) {
      option = new Option(button.getAttribute("data-pick-label") || value, value);
      select.add(option);
    }
    option.selected = true;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();
