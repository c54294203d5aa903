// KoG-Portal: the few behaviours that need script. Everything works without
// it; this only adds the warning before the session ends.
(function () {
  "use strict";
  function sessionWarning() {
    var body = document.body;
    var end = Date.parse(body.getAttribute("data-session-end") || "");
    var warnMinutes = parseInt(body.getAttribute("data-session-warning") || "5", 10);
    var box = document.getElementById("session-warning");
    if (!end || !box) { return; }
    var show = function () {
      var left = end - Date.now();
      if (left <= 0) {
        var msg = box.querySelector("[data-session-message]");
        if (msg) { msg.textContent = "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an; nicht gespeicherte Eingaben sind verloren."; }
        var form = box.querySelector("form");
        if (form) { form.hidden = true; }
      }
      box.hidden = false;
      if (left > 0) { setTimeout(show, left + 1000); }
    };
    var delay = end - warnMinutes * 60 * 1000 - Date.now();
    setTimeout(show, Math.max(delay, 0));
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", sessionWarning);
  } else {
    sessionWarning();
  }
})();
