// The case pages' behaviour: time-zone fields, and the live timeline.
// Everything is an enhancement; the pages work without it.
(function () {
  "use strict";

  // <input type="hidden" data-timezone> carries the browser's time zone,
  // so that a time typed in the form means the person's own clock.
  function fillTimeZones() {
    var zone = "";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      zone = "";
    }
    document.querySelectorAll("input[data-timezone]").forEach(function (input) {
      input.value = zone;
    });
  }

  // <section data-live="/cases/ID/live"> receives new timeline entries as
  // server-sent events whose data is the entry's HTML, made by the server's
  // templates (escaped there), and puts them at the top of #timeline-list.
  function startLive(section) {
    var list = document.getElementById("timeline-list");
    var status = document.getElementById("live-status");
    var url = section.getAttribute("data-live");
    if (!list || !url || typeof EventSource !== "function") {
      return;
    }
    var source = null;
    var retry = null;
    var opened = 0;

    // prepend puts entries (newest first) above the list, skipping any
    // already shown.
    function prepend(entries) {
      var fresh = document.createDocumentFragment();
      entries.forEach(function (entry) {
        if (entry.id && document.getElementById(entry.id)) {
          return;
        }
        entry.classList.add("entry-new");
        fresh.appendChild(entry);
      });
      list.insertBefore(fresh, list.firstChild);
    }

    // catchUp reads the page's first timeline page again after a
    // reconnect, for what was written while the stream was closed.
    function catchUp() {
      fetch(window.location.pathname, {credentials: "same-origin", headers: {"Accept": "text/html"}}).then(function (response) {
        return response.ok ? response.text() : "";
      }).then(function (html) {
        if (!html) {
          return;
        }
        var page = new DOMParser().parseFromString(html, "text/html");
        var fetched = page.getElementById("timeline-list");
        if (fetched) {
          prepend(Array.prototype.slice.call(fetched.children));
        }
      }).catch(function () {
        // The next reconnect tries again.
      });
    }

    function connect() {
      source = new EventSource(url);
      source.addEventListener("open", function () {
        opened += 1;
        if (status) {
          status.textContent = "New entries appear here as they are added.";
        }
        if (opened > 1) {
          catchUp();
        }
      });
      source.addEventListener("timeline", function (event) {
        var holder = document.createElement("template");
        holder.innerHTML = event.data;
        var entry = holder.content.firstElementChild;
        if (entry) {
          prepend([entry]);
        }
      });
      // The server closes the stream when access must be checked again (or
      // the stream fell behind): ask again, which checks it; the next "open"
      // catches up with what was written meanwhile.
      source.addEventListener("reset", function () {
        source.close();
        clearTimeout(retry);
        retry = setTimeout(connect, 1000);
      });
      source.addEventListener("error", function () {
        if (source.readyState === EventSource.CLOSED && status) {
          status.textContent = "Live updates stopped. Reload the page to see new entries.";
        }
      });
    }
    connect();
    window.addEventListener("pagehide", function () {
      if (source) {
        source.close();
      }
    });
  }

  function start() {
    fillTimeZones();
    document.querySelectorAll("[data-live]").forEach(startLive);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
