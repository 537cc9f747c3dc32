// The one desktop-only affordance of the demo. Inside the desktop shell, the
// preload script exposes window.desktop; in a normal browser it does not
// exist and the button stays hidden.
"use strict";

(function () {
  const button = document.querySelector("[data-open-app-data-folder]");
  const bridge = window.desktop;
  if (!button || !bridge || typeof bridge.openAppDataFolder !== "function") {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    bridge.openAppDataFolder();
  });
})();
