// In-page confirmation for destructive forms. A form with
// data-confirm="<dialog id>" opens that <dialog> instead of submitting; its
// data-dialog-confirm button submits the form for real. Without JavaScript
// the form simply submits.
"use strict";

(function () {
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    const dialog = document.getElementById(form.dataset.confirm);
    if (!dialog || typeof dialog.showModal !== "function") {
      return;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      dialog.showModal();
      dialog.querySelector("[data-dialog-confirm]").focus();
    });
    dialog.querySelector("[data-dialog-confirm]").addEventListener("click", function () {
      dialog.close();
      form.submit();
    });
    dialog.querySelector("[data-dialog-cancel]").addEventListener("click", function () {
      dialog.close();
    });
    // A click on the backdrop (outside the dialog box) cancels too.
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) {
        dialog.close();
      }
    });
  });
})();
