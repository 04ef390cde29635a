// Shieldwall's own page behaviour. Everything here is an enhancement: the
// pages work without it. No inline script exists (the CSP forbids it), so
// behaviour hangs off data attributes.
(function () {
  "use strict";

  // <form data-confirm="Question?"> asks before submitting, for actions that
  // cannot be undone (revoking a token, deleting a department).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form instanceof HTMLFormElement && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // <button data-copy="id" hidden> copies the value of the element with
  // that id; it shows only where the clipboard API is available.
  function enableCopyButtons(root) {
    if (!navigator.clipboard) {
      return;
    }
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
      if (button.dataset.copyReady) {
        return;
      }
      button.dataset.copyReady = "1";
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        if (!source) {
          return;
        }
        navigator.clipboard.writeText((source.value || source.textContent).trim()).then(function () {
          button.textContent = "Copied";
        }, function () {
          // Without clipboard access, select the text so that a key press copies it.
          if (typeof source.select === "function") {
            source.select();
          } else {
            window.getSelection().selectAllChildren(source);
          }
          button.textContent = "Select and copy";
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enableCopyButtons(document);
  });
  // Content that htmx swaps in gets the same behaviour.
  document.addEventListener("htmx:load", function (event) {
    enableCopyButtons(event.target);
  });
})();
