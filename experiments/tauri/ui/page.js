// The shell's one local page: "starting" while Django starts, or, when the shell
// passes ?failure=<json>, what failed, what to do, and the log's last lines.
/* global window, document, URLSearchParams */
"use strict";

const passed = new URLSearchParams(window.location.search).get("failure");
if (passed) {
  const failure = JSON.parse(passed);
  document.title = failure.title;
  document.getElementById("starting").hidden = true;
  document.getElementById("failure").hidden = false;
  document.getElementById("title").textContent = failure.title;
  document.getElementById("message").textContent = failure.message;
  document.getElementById("log-file").textContent = failure.log_file;
  const lines = document.getElementById("lines");
  lines.textContent = failure.lines.length ? failure.lines.join("\n") : "(Django printed nothing.)";
  // The last line is usually the exception: show the end of the log first.
  lines.scrollTop = lines.scrollHeight;
}
