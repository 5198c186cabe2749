// Time spent on a plan item's page (R7): while the page is visible, post the seconds spent every 30 s (and when it
// is hidden). The server counts at most 60 s per beat.
(function () {
  var el = document.querySelector("[data-heartbeat-url]");
  if (!el) return;
  var url = el.getAttribute("data-heartbeat-url");
  var token = el.getAttribute("data-csrf");
  var since = document.visibilityState === "visible" ? Date.now() : null;
  function send() {
    if (since === null) return;
    var seconds = Math.round((Date.now() - since) / 1000);
    since = document.visibilityState === "visible" ? Date.now() : null;
    if (seconds < 1) return;
    var body = new FormData();
    body.append("seconds", String(seconds));
    body.append("csrfmiddlewaretoken", token);
    if (navigator.sendBeacon && document.visibilityState === "hidden") navigator.sendBeacon(url, body);
    else fetch(url, { method: "POST", body: body, credentials: "same-origin" });
  }
  setInterval(send, 30000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") send();
    else since = Date.now();
  });
})();
