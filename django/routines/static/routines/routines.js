// Live status for Stable Routines: ask /routines/status/ every second and
// update each row in place. When routines appear or vanish (started in
// another window, cleared), reload the page to render the new list.
"use strict";

(function () {
  const container = document.querySelector("[data-status-url]");
  if (!container) {
    return;
  }
  const statusUrl = container.dataset.statusUrl;

  function shownIds() {
    return Array.from(document.querySelectorAll("[data-routine-id]"), function (row) {
      return row.dataset.routineId;
    });
  }

  function resultText(routine) {
    if (routine.result) {
      return routine.result;
    }
    return routine.status === "running" ? "In the air…" : "Waiting for a worker.";
  }

  function metaText(routine) {
    const parts = [];
    if (routine.duration_seconds !== null) {
      parts.push(routine.duration_seconds + " s");
    }
    if (routine.attempts > 1) {
      parts.push("attempt " + routine.attempts);
    }
    return parts.join(" · ");
  }

  // "Cloud hop #3 is waiting for a worker." is true only while it waits:
  // once the routine it names has left the queue, take the message away.
  function retireFlashMessages(routines) {
    document.querySelectorAll(".flash").forEach(function (flash) {
      const announced = routines.find(function (routine) {
        return flash.textContent.startsWith(routine.name + " ");
      });
      if (announced && announced.status !== "queued") {
        flash.remove();
      }
    });
    const list = document.querySelector(".flash-messages");
    if (list && list.children.length === 0) {
      list.remove();
    }
  }

  function render(routines, workerState) {
    const ids = routines.map(function (routine) {
      return String(routine.id);
    });
    // A routine appeared or vanished, or the worker stopped or came back: render the page again.
    if (ids.join() !== shownIds().join() || workerState !== container.dataset.workerState) {
      window.location.reload();
      return;
    }
    routines.forEach(function (routine) {
      const row = document.querySelector('[data-routine-id="' + routine.id + '"]');
      row.querySelector("[data-status]").dataset.status = routine.status;
      row.querySelector(".routine-status-label").textContent = routine.status_label;
      row.querySelector(".routine-result").textContent = resultText(routine);
      row.querySelector(".routine-meta").textContent = metaText(routine);
    });
    retireFlashMessages(routines);
  }

  async function poll() {
    if (!document.hidden) {
      try {
        const response = await fetch(statusUrl, { headers: { Accept: "application/json" } });
        if (response.ok) {
          const status = await response.json();
          render(status.routines, status.worker_state);
        }
      } catch (error) {
        // The server is restarting (development reload); try again next tick.
      }
    }
    window.setTimeout(poll, 1000);
  }

  window.setTimeout(poll, 1000);
})();
