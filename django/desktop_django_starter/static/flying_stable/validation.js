// Browser-side form checks with the same rules and words as the server
// (example_app/forms.py). Forms with data-validate also carry novalidate, so
// the browser's own bubbles never show; the server checks everything again.
"use strict";

(function () {
  // The same warning icon the server-rendered errors use (base.html).
  const warningIcon = document.getElementById("warning-icon");

  // What Python's str.strip() removes (Django strips text fields before
  // checking them); String.prototype.trim() differs: it also removes U+FEFF.
  const PYTHON_SPACE = "[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+";
  const OUTER_SPACE = new RegExp("^" + PYTHON_SPACE + "|" + PYTHON_SPACE + "$", "g");
  // example_app/models.py is_blank(): only spaces, line breaks, control and
  // format characters (U+200B and its kin) and the letters that draw nothing.
  const NOTHING_VISIBLE = /^[\p{Zs}\p{Zl}\p{Zp}\p{Cc}\p{Cf}\u115f\u1160\u2800\u3164\uffa0]*$/u;

  function problemWith(field) {
    const value = field.value.replace(OUTER_SPACE, "");
    if (field.required && value === "") {
      return field.dataset.messageRequired || "This field is required.";
    }
    // Django counts characters (code points) of the stripped value, not UTF-16
    // units as the browser's own maxlength would: the form says data-maxlength.
    const maxLength = Number(field.dataset.maxlength || field.getAttribute("maxlength"));
    if (maxLength > 0 && Array.from(value).length > maxLength) {
      return field.dataset.messageMaxlength || "This is too long.";
    }
    if (field.dataset.messageBlank && value !== "" && NOTHING_VISIBLE.test(value)) {
      return field.dataset.messageBlank;
    }
    if (field.tagName === "SELECT") {
      const known = Array.from(field.options).some(function (option) {
        return option.value === field.value && option.value !== "";
      });
      if (!known) {
        return field.dataset.messageChoice || "Pick one of the choices.";
      }
    }
    return null;
  }

  function clearError(field) {
    const error = document.getElementById(field.id + "_error");
    if (error) {
      error.remove();
    }
    field.removeAttribute("aria-invalid");
    field.removeAttribute("aria-describedby");
  }

  function showError(field, message) {
    clearError(field);
    const error = document.createElement("p");
    error.className = "field-error";
    error.id = field.id + "_error";
    error.setAttribute("role", "alert");
    if (warningIcon) {
      error.append(warningIcon.content.cloneNode(true));
    }
    const text = document.createElement("span");
    text.textContent = message;
    error.append(text);
    field.after(error);
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", error.id);
  }

  document.querySelectorAll("form[data-validate]").forEach(function (form) {
    const fields = Array.from(form.querySelectorAll("input[name], select[name], textarea[name]"))
      .filter(function (field) {
        return field.type !== "hidden";
      });

    form.addEventListener("submit", function (event) {
      let firstInvalid = null;
      fields.forEach(function (field) {
        const message = problemWith(field);
        if (message) {
          showError(field, message);
          firstInvalid = firstInvalid || field;
        } else {
          clearError(field);
        }
      });
      if (firstInvalid) {
        event.preventDefault();
        firstInvalid.focus();
      }
    });

    fields.forEach(function (field) {
      field.addEventListener("input", function () {
        if (field.getAttribute("aria-invalid") === "true" && !problemWith(field)) {
          clearError(field);
        }
      });
    });
  });
})();
