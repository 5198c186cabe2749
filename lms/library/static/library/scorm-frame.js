/* The SCORM player: hosts the runtime API (scorm-again: window.API for 1.2, window.API_1484_11 for 2004) for the
   SCO shown in the inner frame, resumes each SCO from its stored CMI data, commits in batches (every 10 s and on
   LMSFinish / Terminate, the whole CMI in one request with the CSRF token) and moves between SCOs (table of contents,
   previous / next, and SCORM 2004 navigation requests). */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("library-config").textContent);
  var frame = document.getElementById("scorm-content");
  var status = document.getElementById("scorm-status");
  var is12 = config.version === "1.2";
  var current = -1;
  var api = null;

  function indexOf(identifier) {
    for (var i = 0; i < config.scos.length; i++) if (config.scos[i].identifier === identifier) return i;
    return 0;
  }

  function settings(sco) {
    return {
      autocommit: true,
      autocommitSeconds: config.autocommitSeconds || 10,
      lmsCommitUrl: sco.commitUrl,
      dataCommitFormat: "json",
      xhrHeaders: { "X-CSRFToken": config.csrfToken },
      xhrWithCredentials: true,
      fetchMode: "same-origin",
      alwaysSendTotalTime: true,
      logLevel: config.debug ? 1 : 5,
      responseHandler: function (response) {
        return response.json().then(function (body) {
          return { result: body.result === true, errorCode: body.errorCode || 0 };
        }, function () {
          return { result: false, errorCode: 101 };
        });
      },
    };
  }

  function markCompleted(sco) {
    sco.completed = true;
    var button = document.querySelector('#scorm-toc button[data-sco="' + CSS.escape(sco.identifier) + '"]');
    if (button) button.classList.add("is-completed");
  }

  function createApi(sco) {
    var Api = is12 ? window.Scorm12API : window.Scorm2004API;
    var instance = new Api(settings(sco));
    instance.loadFromFlattenedJSON(sco.cmi || {}, "");
    if (is12) {
      instance.cmi.core.student_id = config.student.id;
      instance.cmi.core.student_name = config.student.name;
      if (sco.masteryScore) instance.cmi.student_data.mastery_score = sco.masteryScore;
    } else {
      instance.cmi.learner_id = config.student.id;
      instance.cmi.learner_name = config.student.name;
    }
    if (sco.dataFromLms) instance.cmi.launch_data = sco.dataFromLms;
    var statusKey = is12 ? "cmi.core.lesson_status" : "cmi.completion_status";
    instance.on((is12 ? "LMSSetValue." : "SetValue.") + statusKey, function (element, value) {
      if (value === "completed" || value === "passed" || (is12 && value === "failed")) markCompleted(sco);
    });
    instance.on(is12 ? "LMSFinish" : "Terminate", function () {
      if (is12) return;
      var request = instance.adl && instance.adl.nav && instance.adl.nav.request;
      if (request === "continue") window.setTimeout(function () { launch(current + 1); }, 0);
      else if (request === "previous") window.setTimeout(function () { launch(current - 1); }, 0);
    });
    return instance;
  }

  function launch(index) {
    if (index < 0 || index >= config.scos.length || index === current) return;
    var sco = config.scos[index];
    // Unload the previous SCO first: it calls LMSFinish / Terminate (its last commit) on the old API.
    frame.onload = function () {
      frame.onload = null;
      api = createApi(sco);
      if (is12) window.API = api; else window.API_1484_11 = api;
      current = index;
      var buttons = document.querySelectorAll("#scorm-toc button");
      for (var i = 0; i < buttons.length; i++) buttons[i].setAttribute("aria-current", i === index ? "true" : "false");
      document.getElementById("scorm-previous").disabled = index === 0;
      document.getElementById("scorm-next").disabled = index === config.scos.length - 1;
      status.textContent = sco.title;
      frame.src = sco.url;
    };
    frame.src = "about:blank";
  }

  document.getElementById("scorm-toc").addEventListener("click", function (event) {
    var button = event.target.closest("button[data-sco]");
    if (button) launch(indexOf(button.getAttribute("data-sco")));
  });
  document.getElementById("scorm-previous").addEventListener("click", function () { launch(current - 1); });
  document.getElementById("scorm-next").addEventListener("click", function () { launch(current + 1); });
  window.addEventListener("pagehide", function () {
    if (api && api.isInitialized && api.isInitialized() && !(api.isTerminated && api.isTerminated())) {
      try { api.commit ? api.commit("") : null; } catch (e) { /* leaving anyway */ }
    }
  });
  launch(indexOf(config.current));
})();
