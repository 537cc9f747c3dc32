// Browser-side form checks with the same rules and words as the server
// (example_app/forms.py). Forms with data-validate also carry novalidate, so
// the browser's own bubbles never show; the server checks everything again.
"use strict";

(function () {
  // The same warning icon the server-rendered errors use (base.html).
  const warningIcon = document.getElementById("warning-icon");

  function problemWith(field) {
    const value = field.value.trim();
    if (field.required && value === "") {
      return field.dataset.messageRequired || "This field is required.";
    }
    const maxLength = Number(field.getAttribute("maxlength"));
    if (maxLength > 0 && field.value.length > maxLength) {
      return field.dataset.messageMaxlength || "This is too long.";
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
