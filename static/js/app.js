// The case desk's own script: what happens around each htmx swap (focus, the status region, error answers) and
// the idle sign-out warning. htmx does the rest; there is no inline script anywhere (the CSP forbids it).
(function () {
  "use strict";
  var WARN_SECONDS = 120;
  var POLL_MS = 30000;

  function csrfHeaders() {
    var raw = document.body.getAttribute("data-hx-headers");
    try { return raw ? JSON.parse(raw) : {}; } catch (e) { return {}; }
  }

  // The status region ---------------------------------------------------------------------------------
  // One region per page, never replaced: only its text changes, so screen readers announce each change.
  function announce(text, kind) {
    var region = document.getElementById("status-region");
    if (!region || !text) { return; }
    region.className = "status-region " + (kind || "success");
    region.textContent = "";
    // A new text after a tick, so that the same sentence twice is announced twice.
    setTimeout(function () { region.textContent = text; }, 50);
  }

  function messageOf(xhr) {
    // Error pages carry their sentence in [data-message]; read it as text, never as markup.
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
      var found = doc.querySelector("[data-message]");
      if (found) { return found.textContent.trim(); }
    } catch (e) { /* fall through to the generic sentence */ }
    return document.body.dataset.errorText || "";
  }

  // Focus after a swap -----------------------------------------------------------------------------------
  // When the element that had focus was replaced, focus goes where the next step is: what the server marked
  // with data-focus, else the first field in error, else the updated section's heading, else the section.
  function focusTarget(root) {
    if (root.hasAttribute("data-focus")) { return root; }
    return root.querySelector("[data-focus]") || root.querySelector(".error-summary") ||
      root.querySelector("[aria-invalid='true']") || root.querySelector("h1, h2, h3, h4") || root;
  }

  function moveFocus(root) {
    var target = focusTarget(root);
    if (!target.matches("a[href], button, input, select, textarea, [tabindex]")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus({ preventScroll: false });
  }

  // Kept on the request itself: several regions may swap at once, each after its own request.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target, focused = document.activeElement;
    event.detail.xhr.hrsnSwap = {
      id: target && target.id ? target.id : null,
      hadFocus: !!(focused && target && target.contains(focused))
    };
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var swap = event.detail.xhr && event.detail.xhr.hrsnSwap;
    if (!swap || !swap.id) { return; }
    var root = document.getElementById(swap.id);
    var lost = !document.activeElement || document.activeElement === document.body;
    if (root && (swap.hadFocus || lost)) { moveFocus(root); }
  });

  // What the server asks to announce (HX-Trigger: {"hrsnAnnounce": "..."}).
  document.addEventListener("hrsnAnnounce", function (event) {
    announce(event.detail && event.detail.value, "success");
  });

  // Errors never replace a form: the sentence goes to the status region and what was typed stays.
  document.addEventListener("htmx:responseError", function (event) {
    announce(messageOf(event.detail.xhr), "error");
  });
  document.addEventListener("htmx:sendError", function () {
    announce(document.body.dataset.offlineText, "error");
  });

  // Enter in a field saves the form. Where the header's language switch also belongs to the form (so that a
  // change of language keeps what was typed), that switch comes first in the page and would otherwise be the
  // button Enter presses.
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || !field.form || field.tagName === "TEXTAREA" || field.type === "submit") { return; }
    var save = field.form.querySelector("button.primary");
    if (save && document.querySelector("button[form='" + field.form.id + "'][name='switch_lang']")) {
      event.preventDefault();
      field.form.requestSubmit(save);
    }
  });

  // Upload progress: a form holding a <progress data-upload-progress> shows how much of its file has gone up
  // (a large directory import takes a while on a slow office network).
  document.addEventListener("htmx:xhr:progress", function (event) {
    var bar = event.target.querySelector && event.target.querySelector("progress[data-upload-progress]");
    if (!bar || !event.detail.lengthComputable) { return; }
    bar.hidden = false;
    bar.max = event.detail.total;
    bar.value = event.detail.loaded;
  });

  // Idle sign-out ------------------------------------------------------------------------------------------
  function startIdleWatch() {
    var body = document.body;
    var statusUrl = body.dataset.sessionStatus;
    if (!statusUrl) { return; }
    var dialog = document.getElementById("idle-warning");
    var stay = document.getElementById("stay-signed-in");

    function show() {
      if (!dialog.open) {
        dialog.show();
        stay.focus();
      }
    }

    function check() {
      // Background check: the server does not count it as activity.
      fetch(statusUrl, { headers: { "X-HRSN-Background": "1" }, credentials: "same-origin", redirect: "manual" })
        .then(function (r) {
          if (r.type === "opaqueredirect" || r.status === 401 || r.redirected) { window.location = body.dataset.login; return null; }
          return r.json();
        })
        .then(function (data) {
          if (!data) { return; }
          if (data.remaining <= 0) { window.location = body.dataset.login; return; }
          if (data.remaining > WARN_SECONDS) { dialog.close(); } else { show(); }
          if (data.remaining <= WARN_SECONDS && data.remaining < POLL_MS / 1000) { setTimeout(check, data.remaining * 1000 + 500); }
        })
        .catch(function () { /* offline for a moment: try again at the next tick */ });
    }

    stay.addEventListener("click", function () {
      fetch(body.dataset.keepalive, { method: "POST", headers: csrfHeaders(), credentials: "same-origin" })
        .then(function () { dialog.close(); });
    });
    check();
    setInterval(check, POLL_MS);
  }

  document.addEventListener("DOMContentLoaded", startIdleWatch);
})();
