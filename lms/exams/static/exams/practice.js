/* Practice: an answer typed or chosen but not yet checked is kept in this browser (localStorage, per attempt and
 * question) while the student moves between questions, and put back when the question's page opens again. It is
 * dropped once the server has checked the answer (the page shows the feedback), and every draft of the attempt
 * once it is finished (the summary page says so with data-drafts-done). No inline script. */
(function () {
  "use strict";
  var finished = document.querySelector("[data-drafts-done]");
  if (finished) {
    var prefix = "practice-draft:" + finished.getAttribute("data-drafts-done") + "-";
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var name = window.localStorage.key(i);
        if (name && name.indexOf(prefix) === 0) window.localStorage.removeItem(name);
      }
    } catch (e) { /* no storage: nothing was kept */ }
    return;
  }
  var form = document.querySelector("form[data-draft-key]");
  if (!form) return;
  var KEY = "practice-draft:" + form.getAttribute("data-draft-key");
  var fieldset = form.querySelector("fieldset.practice-q");

  function storage(action, value) {
    try {
      if (action === "get") return JSON.parse(window.localStorage.getItem(KEY));
      if (action === "set") window.localStorage.setItem(KEY, JSON.stringify(value));
      else window.localStorage.removeItem(KEY);
    } catch (e) { /* private mode, storage full: the draft is not kept */ }
    return null;
  }
  if (form.hasAttribute("data-checked")) { storage("remove"); return; }  // checked: the server has the answer
  if (!fieldset) return;

  function fields() {
    return Array.prototype.filter.call(fieldset.querySelectorAll("input, select, textarea"), function (el) {
      return el.name && el.type !== "hidden" && el.type !== "submit" && el.type !== "button";
    });
  }
  function save() {
    var draft = {}, any = false;
    fields().forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        if (!el.checked) return;
        (draft[el.name] = draft[el.name] || []).push(el.value);
      } else if (el.value !== "") {
        draft[el.name] = [el.value];
      } else return;
      any = true;
    });
    if (any) storage("set", draft); else storage("remove");
  }
  function restore() {
    var draft = storage("get");
    if (!draft || typeof draft !== "object") return false;
    var restored = false;
    fields().forEach(function (el) {
      var values = draft[el.name];
      if (!Array.isArray(values)) return;
      if (el.type === "radio" || el.type === "checkbox") el.checked = values.indexOf(el.value) >= 0;
      else el.value = values[0];
      restored = true;
    });
    return restored;
  }

  if (restore()) {
    var note = document.getElementById("draft-note");
    if (note) note.hidden = false;
  }
  form.addEventListener("input", save);
  form.addEventListener("change", save);
})();
