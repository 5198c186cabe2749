/* Test delivery: every answer change is sent at once with a per-attempt sequence number; unsent changes live in
 * localStorage (they survive a reload or a dropped connection) and are re-sent until the server acknowledges them.
 * The server's clock is the only clock: the countdown is re-synchronised from every reply. No inline script.
 * In the waiting room the exam is on the page, hidden and without its paper: when the server's countdown reaches zero
 * (or the student presses Start) one request opens the attempt and brings the paper, and the page becomes the
 * attempt page without loading another. */
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root) return;
  var d = root.dataset;

  // The waiting room: count down to the opening (the server's time, sent as milliseconds to go), then open.
  function waitingRoom() {
    var form = document.getElementById("start-form");
    var button = form && form.querySelector("button[type=submit]");
    var codeInput = document.getElementById("access-code");
    var errorEl = document.getElementById("start-error");
    var countdown = document.getElementById("countdown");
    var opensAt = Date.now() + (parseInt(d.msToStart, 10) || 0);
    var starting = false, retry = 500;

    function say(message) {
      if (!errorEl) return;
      errorEl.textContent = message || "";
      errorEl.hidden = !message;
    }
    function refused(message) {
      starting = false;
      if (button) button.disabled = false;
      say(message || d.msgStartFailed);
    }
    function later(ms) {
      starting = false;
      window.setTimeout(start, ms);
    }
    function retryLater() {  // no answer, or the server was busy: again, spread out so a room does not ask at once
      say(d.msgStartFailed);
      later(retry * (0.5 + Math.random()));
      retry = Math.min(retry * 2, 8000);
    }
    function open(body) {
      document.getElementById("paper").innerHTML = body.questions;
      d.secondsLeft = String(body.seconds_left);
      d.lastSeq = String(body.last_seq);
      document.getElementById("code").textContent = body.code;
      document.getElementById("answered").textContent = body.answered;
      var lobby = document.getElementById("lobby");
      if (lobby) lobby.hidden = true;
      root.hidden = false;
      if (window.history && window.history.replaceState) window.history.replaceState(null, "", d.attemptUrl);
      run();
    }
    function ask() {  // the start request: the paper at the start, "checked_in" before it, or a refusal
      return fetch(d.beginUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": d.csrf, "X-Exam-Token": d.saveToken || "" },
        body: JSON.stringify({ access_code: codeInput ? codeInput.value : "" })
      }).then(function (res) {
        return res.json().then(function (body) { return { code: res.status, body: body || {} }; });
      });
    }
    function checkIn() {
      // Within the last 30 s the same request checks in: the server opens the attempt from the start then, so
      // that at the start itself it only hands out papers. A failure changes nothing: the start asks again.
      if (starting) return;
      if (codeInput && !codeInput.value.trim()) {  // the code is not typed yet: look again in a moment
        if (opensAt - Date.now() > 6000) window.setTimeout(checkIn, 1000 + Math.random() * 2000);
        return;
      }
      ask().then(function (r) {
        if (r.code === 200 && r.body.status === "checked_in") return;
        if (r.code === 409 && r.body.status === "not_yet") { moved((r.body.seconds_to_start || 0) * 1000); return; }
        if (r.code === 400 || r.code === 403) say(r.body.error);  // (a wrong code: said now, before the start)
      }).catch(function () {});
    }
    function start() {
      if (starting) return;
      starting = true;
      if (button) button.disabled = true;
      say(d.msgStarting);
      ask().then(function (r) {
        if (r.code === 200 && r.body.status === "checked_in") {  // this computer's clock ran ahead of the server's
          later(Math.max(200, (r.body.seconds_to_start || 0) * 1000));
          return;
        }
        if (r.code === 200) { open(r.body); return; }
        if (r.code === 409 && r.body.status === "not_yet") {  // ahead, or the test was moved: count down again
          starting = false;
          moved((r.body.seconds_to_start || 0) * 1000);
          return;
        }
        if (r.code === 409 && r.body.url) { window.location.assign(r.body.url); return; }  // held by another device
        if (r.code >= 500) { retryLater(); return; }
        refused(r.body.error);
      }).catch(retryLater);
    }

    if (form) form.addEventListener("submit", function (e) { e.preventDefault(); start(); });
    // The countdown to the server's start, the check-in at a moment of the check-in time picked at random (from 5 s
    // after it opens, or now, until 5 s before the start, so that the room's check-ins are spread over it rather
    // than sent at once), and the start at zero. Armed again when the server says the start is later (the test was
    // moved, or this computer's clock ran ahead).
    var checkInMs = parseInt(d.checkInMs, 10) || 0;
    var timers = {};
    function arm(msToStart) {
      opensAt = Date.now() + msToStart;
      window.clearTimeout(timers.checkIn);
      window.clearTimeout(timers.start);
      window.clearInterval(timers.shown);
      var earliest = Math.max(Date.now(), opensAt - checkInMs + 5000), latest = opensAt - 5000;
      if (checkInMs && latest > earliest) {
        timers.checkIn = window.setTimeout(checkIn, earliest - Date.now() + Math.random() * (latest - earliest));
      }
      var tick = function () {
        if (countdown) countdown.textContent = Math.max(0, Math.ceil((opensAt - Date.now()) / 1000));
      };
      tick();
      timers.shown = window.setInterval(tick, 1000);
      timers.start = window.setTimeout(function () {
        window.clearInterval(timers.shown);
        if (countdown) countdown.textContent = "0";
        if (button) button.disabled = false;
        if (codeInput && !codeInput.value.trim()) { codeInput.focus(); return; }  // the code first, then Start
        start();
      }, Math.max(0, opensAt - Date.now()));
    }
    function moved(ms) {
      if (ms > 5000) {  // moved (not a clock a few seconds ahead): say so, and wait with the button off again
        say(d.msgMoved);
        if (button) button.disabled = true;
      }
      arm(Math.max(200, ms));
    }
    if (d.autoStart) arm(opensAt - Date.now());
  }

  // The attempt: from its page, or from the waiting room once the paper is in.
  function run() {
    var KEY = "exam-attempt:" + d.attempt;
    var state;
    try { state = JSON.parse(window.localStorage.getItem(KEY)) || {}; } catch (e) { state = {}; }
    state.seq = Math.max(state.seq || 0, parseInt(d.lastSeq, 10) || 0);
    state.queue = state.queue || [];
    state.events = state.events || [];
    var statusEl = document.getElementById("status");
    var timerEl = document.getElementById("timer");
    var answeredEl = document.getElementById("answered");
    var deadline = Date.now() + (parseInt(d.secondsLeft, 10) || 0) * 1000;
    var inFlight = false, retry = 1000, timeUp = false, done = false, intervals = [];

    function persist() {
      if (done) return;  // (submitted: nothing is kept for this attempt any more)
      try { window.localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode: memory only */ }
    }
    function show(kind, extra) {
      var text = d["msg" + kind] || kind;
      if (kind !== "Saved" && state.queue.length) text += " (" + state.queue.length + " " + d.msgPending + ")";
      statusEl.textContent = extra ? text + ": " + extra : text;
      statusEl.setAttribute("data-state", kind.toLowerCase());
    }

    // The response of a question (or of a sub-question / gap: any element with data-type), as the server takes it.
    function own(el, selector) {
      // the inputs of `el` itself, not those of its sub-questions
      return Array.prototype.filter.call(el.querySelectorAll(selector), function (i) {
        return i.closest("[data-part], [data-gap], .exam-q") === el;
      });
    }
    function responseOf(el) {
      var type = el.getAttribute("data-type");
      if (type === "group" || type === "cloze") {
        var subs = type === "group" ? el.querySelectorAll("[data-part]") : el.querySelectorAll("[data-gap]");
        var values = [], anyValue = false;
        Array.prototype.forEach.call(subs, function (sub) {
          if (sub.parentElement.closest("[data-type]") !== el) return;
          var v = responseOf(sub);
          values.push(v);
          if (v !== null) anyValue = true;
        });
        return anyValue ? values : null;
      }
      if (type === "matching") {
        var pairs = {}, matched = false;
        own(el, "select[data-left]").forEach(function (s) {
          if (s.value) { pairs[s.getAttribute("data-left")] = s.value; matched = true; }
        });
        return matched ? pairs : null;
      }
      if (type === "ordering") {
        var list = el.querySelector("[data-ordering]");
        if (!list || !list.getAttribute("data-answered")) return null;
        return Array.prototype.map.call(list.querySelectorAll("li[data-item]"), function (li) {
          return li.getAttribute("data-item");
        });
      }
      if (type === "true_false_4") {
        var out = {}, any = false;
        own(el, "input[type=radio]:checked").forEach(function (i) {
          out[i.getAttribute("data-statement")] = i.value; any = true;
        });
        return any ? out : null;
      }
      if (type === "multiple_response") {
        var chosen = [];
        own(el, "input[type=checkbox]:checked").forEach(function (i) { chosen.push(i.value); });
        return chosen.length ? chosen : null;
      }
      if (type === "single_choice" || type === "true_false") {
        var r = own(el, "input[type=radio]:checked")[0] || own(el, "select")[0];
        return r && r.value ? r.value : null;
      }
      var t = own(el, "input[type=text], textarea")[0];
      return t && t.value.trim() !== "" ? t.value : null;
    }

    function apply(el, response) {
      var type = el.getAttribute("data-type");
      if (type === "group" || type === "cloze") {
        var subs = type === "group" ? el.querySelectorAll("[data-part]") : el.querySelectorAll("[data-gap]");
        var n = 0;
        Array.prototype.forEach.call(subs, function (sub) {
          if (sub.parentElement.closest("[data-type]") !== el) return;
          apply(sub, response && n < response.length ? response[n] : null);
          n += 1;
        });
        return;
      }
      if (type === "matching") {
        own(el, "select[data-left]").forEach(function (s) {
          s.value = (response && response[s.getAttribute("data-left")]) || "";
        });
        return;
      }
      if (type === "ordering") {
        var list = el.querySelector("[data-ordering]");
        if (!list || !response) return;
        var byText = {};
        list.querySelectorAll("li[data-item]").forEach(function (li) { byText[li.getAttribute("data-item")] = li; });
        response.forEach(function (text) { if (byText[text]) list.appendChild(byText[text]); });
        list.setAttribute("data-answered", "1");
        return;
      }
      own(el, "input[type=radio], input[type=checkbox]").forEach(function (i) {
        if (type === "true_false_4") i.checked = !!response && response[i.getAttribute("data-statement")] === i.value;
        else if (type === "multiple_response") i.checked = !!response && response.indexOf(i.value) >= 0;
        else i.checked = response !== null && String(response) === i.value;
      });
      var s = own(el, "select")[0];
      if (s) s.value = response === null ? "" : response;
      var t = own(el, "input[type=text], textarea")[0];
      if (t) t.value = response === null ? "" : response;
    }

    // Ordering: the Up / Down buttons move an item; focus stays on the moved item's button.
    function move(button) {
      var li = button.closest("li"), list = li.parentElement;
      var step = parseInt(button.getAttribute("data-move"), 10);
      var other = step < 0 ? li.previousElementSibling : li.nextElementSibling;
      if (!other) return false;
      if (step < 0) list.insertBefore(li, other); else list.insertBefore(other, li);
      list.setAttribute("data-answered", "1");
      button.focus();
      return true;
    }

    function change(fs) {
      if (timeUp) return;
      var slot = parseInt(fs.getAttribute("data-slot"), 10);
      state.seq += 1;
      state.queue = state.queue.filter(function (c) { return c.slot !== slot; });
      state.queue.push({ seq: state.seq, slot: slot, response: responseOf(fs) });
      persist();
      show("Saving");
      flush();
    }

    function flush(force) {
      if (inFlight || done) return;
      if (!force && !state.queue.length && !state.events.length) return;
      var batch = state.queue.slice(), events = state.events.slice();
      inFlight = true;
      fetch(d.saveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": d.csrf, "X-Exam-Token": d.saveToken || "" },
        body: JSON.stringify({ changes: batch, events: events })
      }).then(function (res) {
        return res.json().then(function (body) { return { ok: res.ok, code: res.status, body: body }; });
      }).then(function (r) {
        inFlight = false;
        if (!r.ok) {
          show("Error", r.body && r.body.error);
          if (r.code === 400) { dropSent(batch.map(function (c) { return c.seq; }), events.length); }
          if (r.code === 409) { stopHere(r.body && r.body.error); }  // continued on another device
          if (r.code === 403 || r.code === 401) {  // outside the allowed network, or logged out: kept, tried again
          window.setTimeout(function () { flush(); }, 10000);
        }
          return;
        }
        retry = 1000;
        dropSent(r.body.acked || [], events.length);
        if (typeof r.body.seconds_left === "number") deadline = Date.now() + r.body.seconds_left * 1000;
        if (typeof r.body.answered === "number" && answeredEl) answeredEl.textContent = r.body.answered;
        if (r.body.status === "submitted") { finish(); return; }
        if (state.queue.length || state.events.length) flush(); else show("Saved");
      }).catch(function () {
        inFlight = false;
        show("Offline");
        window.setTimeout(function () { flush(); }, retry);
        retry = Math.min(retry * 2, 10000);
      });
    }

    function dropSent(acked, eventsSent) {
      state.queue = state.queue.filter(function (c) { return acked.indexOf(c.seq) < 0; });
      state.events = state.events.slice(eventsSent);
      persist();
    }

    // Another device took the attempt over: stop saving here for good (the unsent changes stay in localStorage).
    function stopHere(message) {
      done = true;
      root.querySelectorAll(".exam-q input, .exam-q textarea, #submit-form button").forEach(function (i) { i.disabled = true; });
      statusEl.textContent = message || d.msgTakenOver;
      statusEl.setAttribute("data-state", "taken-over");
      root.classList.add("taken-over");
    }

    function finish(url) {
      done = true;
      try { window.localStorage.removeItem(KEY); } catch (e) { /* nothing to clean */ }
      window.location.assign(url || d.resultUrl);
    }

    // The submit's reply carries the result (the result page's content): shown in place, at the result page's
    // address, without a second request — at time-up a whole room would otherwise open the result page at once.
    function showResult(url, html) {
      done = true;
      intervals.forEach(function (id) { window.clearInterval(id); });
      try { window.localStorage.removeItem(KEY); } catch (e) { /* nothing to clean */ }
      var main = document.getElementById("main");
      if (!main || !window.history || !window.history.replaceState) { finish(url); return; }
      window.history.replaceState(null, "", url);
      main.innerHTML = html;
      window.scrollTo(0, 0);
      var heading = main.querySelector("h1");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }

    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      timerEl.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      if (left === 0 && !timeUp) {
        timeUp = true;
        root.querySelectorAll(".exam-q input, .exam-q textarea, .exam-q select, .exam-q button").forEach(function (i) {
          i.disabled = true;
        });
        show("Timeup");
        flush(true);
      }
    }

    // Restore what this browser had not yet got acknowledged (it is newer than what the server rendered).
    state.queue.forEach(function (c) {
      var fs = root.querySelector('.exam-q[data-slot="' + c.slot + '"]');
      if (fs) apply(fs, c.response);
    });

    var timers = {};
    root.querySelectorAll(".exam-q").forEach(function (fs) {
      fs.addEventListener("change", function () { change(fs); });
      fs.addEventListener("click", function (e) {
        var button = e.target.closest("button[data-move]");
        if (button && !timeUp && move(button)) change(fs);
      });
      fs.addEventListener("input", function (e) {
        if (e.target.type !== "text" && e.target.tagName !== "TEXTAREA") return;
        window.clearTimeout(timers[fs.dataset.slot]);
        timers[fs.dataset.slot] = window.setTimeout(function () { change(fs); }, 400);
      });
    });
    window.addEventListener("online", function () { flush(true); });
    window.addEventListener("offline", function () { show("Offline"); });
    window.addEventListener("blur", function () {
      state.events.push({ kind: "blur", at: new Date().toISOString() }); persist(); flush();
    });
    window.addEventListener("focus", function () {
      state.events.push({ kind: "focus", at: new Date().toISOString() }); persist(); flush();
    });
    var form = document.getElementById("submit-form");
    var submitting = false;
    // Submit through the save gateway (JSON, the save token: no page to build, as a whole room submits at time-up);
    // the answer names the result page. If that request cannot be made, the form is posted as without a script.
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (state.queue.length) { flush(true); show("Saving"); return; }
      if (submitting) return;
      submitting = true;
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": d.csrf, "X-Exam-Token": d.saveToken || "" },
        body: "{}"
      }).then(function (r) {
        if (r.redirected) { finish(r.url); return; }
        return r.json().then(function (body) {
          if (r.ok && body.url && typeof body.html === "string") { showResult(body.url, body.html); return; }
          if (r.ok && body.url) { finish(body.url); return; }
          submitting = false;
          show("Error", body && body.error);
        });
      }).catch(function () {
        done = true;
        try { window.localStorage.removeItem(KEY); } catch (err) { /* ignore */ }
        form.submit();
      });
    });
    if (typeof window.renderMathInElement === "function") {
      window.renderMathInElement(root, {
        delimiters: [{ left: "\\(", right: "\\)", display: false }, { left: "\\[", right: "\\]", display: true }],
        throwOnError: false
      });
    }
    intervals.push(window.setInterval(tick, 1000));
    intervals.push(window.setInterval(function () { flush(true); }, (parseInt(d.heartbeat, 10) || 15) * 1000));
    tick();
    if (state.queue.length || state.events.length) { show("Saving"); flush(); } else show("Saved");
  }

  if (d.waiting) waitingRoom(); else run();
})();
