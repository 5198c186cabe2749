/* On the lesson page: sizes the H5P frames and relays what they report to the server with the student's session
   and CSRF token. Messages are accepted only from the frames this page embedded (event.source), and the item a
   message is stored for comes from the frame's element, never from the message. Score-bearing statements are sent
   at once; others are batched (at most every 5 s, and on leaving the page). */
(function () {
  "use strict";
  if (window.__libraryEmbed) return;
  window.__libraryEmbed = true;

  var SCORING = /\/(completed|answered|passed|failed|scored)$/;
  var queues = new Map();

  function figureFor(source) {
    var frames = document.querySelectorAll("figure[data-library-item] iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === source) return frames[i].closest("figure");
    }
    return null;
  }

  function post(figure, url, body, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": figure.dataset.csrf },
      body: JSON.stringify(body),
    }).then(function (response) {
      figure.dataset.lastStatus = String(response.status);
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data && data.result) {
        figure.dataset.score = data.result.score;
        figure.dataset.maxScore = data.result.max;
        var output = figure.querySelector("[data-library-score]");
        if (output && data.result.score !== null) output.textContent = data.result.score + " / " + data.result.max;
      }
    }).catch(function () { /* the next flush retries nothing; statements are idempotent by id */ });
  }

  function flush(figure, keepalive) {
    var queue = queues.get(figure);
    if (!queue || !queue.length) return;
    queues.set(figure, []);
    post(figure, figure.dataset.xapiUrl, { statements: queue }, keepalive);
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.channel !== "library-h5p") return;
    var figure = figureFor(event.source);
    if (!figure) return;
    if (data.type === "resize" && data.height > 0) {
      figure.querySelector("iframe").style.height = Math.min(data.height + 4, 4000) + "px";
    } else if (data.type === "ready") {
      figure.dataset.ready = "true";
    } else if (data.type === "xapi" && figure.dataset.xapiUrl) {
      if (!queues.has(figure)) queues.set(figure, []);
      queues.get(figure).push(data.statement);
      var verb = (data.statement && data.statement.verb && data.statement.verb.id) || "";
      if (SCORING.test(verb)) flush(figure);
    } else if (data.type === "state" && figure.dataset.stateUrl) {
      post(figure, figure.dataset.stateUrl, {
        dataType: String(data.dataType || ""),
        subContentId: String(data.subContentId || "0"),
        data: data.data === null ? null : String(data.data),
      });
    }
  });

  window.setInterval(function () { queues.forEach(function (_q, figure) { flush(figure); }); }, 5000);
  window.addEventListener("pagehide", function () { queues.forEach(function (_q, figure) { flush(figure, true); }); });
})();
