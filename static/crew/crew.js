// Crew pages: small touches on top of server-rendered HTML (no build step).
// - the result of a tap shows where the finger is: a toast at the bottom of the screen
//   (successes fade, refusals stay until dismissed) and the card tapped brought into view;
// - "Copy link" buttons.
(function () {
  "use strict";

  function settleToasts(root) {
    root.querySelectorAll(".toast").forEach(function (toast) {
      if (toast.dataset.settled) return;
      toast.dataset.settled = "1";
      var close = toast.querySelector(".toast-close");
      if (close) close.addEventListener("click", function () { toast.remove(); });
      if (toast.hasAttribute("data-autohide")) {
        setTimeout(function () { toast.classList.add("toast-gone"); }, 6000);
        setTimeout(function () { toast.remove(); }, 6600);
      }
      // The card the tap was about, brought into view if the swap moved it away.
      bringIntoView(toast.dataset.for && document.getElementById(toast.dataset.for));
    });
    // A question the tap raised (e.g. "Replace Casey?") is asked where the finger is.
    root.querySelectorAll("[data-bring-into-view]").forEach(function (el) {
      if (el.dataset.settled) return;
      el.dataset.settled = "1";
      bringIntoView(el);
    });
  }

  function bringIntoView(el) {
    if (!el) return;
    var box = el.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) el.scrollIntoView({ block: "center" });
  }

  function copyButtons(root) {
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      if (button.dataset.bound) return;
      button.dataset.bound = "1";
      button.addEventListener("click", function () {
        var field = document.querySelector(button.dataset.copy);
        if (!field) return;
        var done = function () {
          var label = button.textContent;
          button.textContent = button.dataset.copied || "Copied";
          setTimeout(function () { button.textContent = label; }, 2500);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
        } else {
          field.select();
          if (document.execCommand && document.execCommand("copy")) done();
        }
      });
    });
  }

  function enhance(root) {
    settleToasts(root);
    copyButtons(root);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function () { enhance(document); });
})();
