/* Runs inside the sandboxed H5P frame (opaque origin, no cookies). Plays the activity with h5p-standalone and
   relays xAPI statements, resume state and its height to the lesson page, which stores them with the student's
   session and CSRF token. Nothing here can reach the lesson page's DOM or cookies. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("library-config").textContent);
  var container = document.getElementById("h5p-container");

  function tell(message) {
    message.channel = "library-h5p";
    window.parent.postMessage(message, "*");
  }

  function patchUserData(H5P) {
    if (!H5P || H5P.__libraryPatched) return;
    H5P.__libraryPatched = true;
    H5P.setUserData = function (contentId, dataId, data, extras) {
      var sub = (extras && extras.subContentId) || 0;
      var text = data === null || data === undefined ? null : JSON.stringify(data);
      try {
        var content = window.H5PIntegration.contents["cid-" + contentId];
        content.contentUserData = content.contentUserData || {};
        content.contentUserData[sub] = content.contentUserData[sub] || {};
        content.contentUserData[sub][dataId] = text;
      } catch (e) { /* the cache is a convenience */ }
      tell({ type: "state", dataType: dataId, subContentId: String(sub), data: text });
    };
    H5P.deleteUserData = function (contentId, dataId, subContentId) {
      tell({ type: "state", dataType: dataId, subContentId: String(subContentId || 0), data: null });
    };
  }

  function reportHeight() {
    tell({ type: "resize", height: Math.ceil(document.documentElement.scrollHeight) });
  }

  var options = {
    id: config.item,
    h5pJsonPath: config.h5pJsonPath,
    librariesPath: config.librariesPath,
    frameJs: config.frameJs,
    frameCss: config.frameCss,
    // Our frame is the isolation boundary: render in it ("div"), since a nested about:blank frame of a sandboxed
    // document gets an origin of its own and H5P could not write into it.
    embedType: "div",
    frame: false,
    copyright: true,
    export: false,
    embed: false,
    fullScreen: true,
    saveFreq: config.saveFreq,
    contentUserData: config.userData,
  };
  new window.H5PStandalone.H5P(container, options).then(function () {
    patchUserData(window.H5P);
    window.H5P.externalDispatcher.on("xAPI", function (event) {
      tell({ type: "xapi", statement: event.data.statement });
    });
    tell({ type: "ready" });
    reportHeight();
    if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.documentElement);
  }, function (error) {
    container.textContent = String(error && error.message || error);
    tell({ type: "error", message: String(error && error.message || error) });
  });
})();
