// The case desk's own script: the idle sign-out warning. (htmx does the rest; no inline script anywhere.)
(function () {
  "use strict";
  var WARN_SECONDS = 120;
  var POLL_MS = 30000;

  function csrfHeaders() {
    var raw = document.body.getAttribute("data-hx-headers");
    try { return raw ? JSON.parse(raw) : {}; } catch (e) { return {}; }
  }

  function startIdleWatch() {
    var body = document.body;
    var statusUrl = body.dataset.sessionStatus;
    if (!statusUrl) { return; }
    var banner = document.getElementById("idle-warning");
    var stay = document.getElementById("stay-signed-in");

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
          banner.hidden = data.remaining > WARN_SECONDS;
          if (!banner.hidden && data.remaining < POLL_MS / 1000) { setTimeout(check, data.remaining * 1000 + 500); }
        })
        .catch(function () { /* offline for a moment: try again at the next tick */ });
    }

    stay.addEventListener("click", function () {
      var headers = csrfHeaders();
      fetch(body.dataset.keepalive, { method: "POST", headers: headers, credentials: "same-origin" })
        .then(function () { banner.hidden = true; });
    });
    check();
    setInterval(check, POLL_MS);
  }

  document.addEventListener("DOMContentLoaded", startIdleWatch);
})();
