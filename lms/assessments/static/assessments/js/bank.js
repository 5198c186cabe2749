/*
 * Question bank pages: the authoring form (show the fields of the chosen type, live preview typeset by the vendored
 * KaTeX), typesetting of question previews, and the progress bar of a background import.
 *
 * Loaded deferred after katex.min.js and auto-render.min.js. No inline script and no eval (the site's content
 * security policy allows scripts from 'self' only). The preview is built with textContent, never innerHTML, so what
 * a teacher types cannot inject markup; KaTeX then typesets the maths in it.
 */
(() => {
  "use strict";

  const DELIMITERS = [
    { left: "$$", right: "$$", display: true },
    { left: "\\[", right: "\\]", display: true },
    { left: "\\(", right: "\\)", display: false },
    { left: "$", right: "$", display: false },
  ];

  function typeset(element) {
    if (typeof window.renderMathInElement === "function") {
      window.renderMathInElement(element, { delimiters: DELIMITERS, throwOnError: false });
    }
  }

  function value(form, name) {
    const field = form.elements.namedItem(name);
    return field ? field.value.trim() : "";
  }

  function checked(form, name) {
    const field = form.elements.namedItem(name);
    return Boolean(field && field.checked);
  }

  function line(parent, tag, text, className) {
    const el = document.createElement(tag);
    el.textContent = text;
    if (className) el.className = className;
    parent.appendChild(el);
    return el;
  }

  function renderPreview(form) {
    const preview = form.querySelector("[data-preview]");
    if (!preview) return;
    const type = value(form, "type");
    preview.replaceChildren();
    line(preview, "p", value(form, "stem"), "stem");
    if (type === "single_choice" || type === "multiple_response") {
      const list = line(preview, "ol", "", "choices");
      for (let i = 0; i < 8; i += 1) {
        const text = value(form, `option_${i}`);
        if (text) line(list, "li", `${"ABCDEFGH"[i]}. ${text}`, checked(form, `option_${i}_correct`) ? "correct" : "");
      }
    } else if (type === "true_false_4") {
      const list = line(preview, "ul", "", "statements");
      for (const label of "abcd") {
        const text = value(form, `statement_${label}`);
        const truth = checked(form, `statement_${label}_true`) ? "Đ" : "S";
        line(list, "li", `${label}) ${text} — ${truth}`, truth === "Đ" ? "correct" : "");
      }
    } else if (type === "numeric") {
      line(preview, "p", `= ${value(form, "number")}`, "correct");
    } else if (type === "short_answer") {
      line(preview, "p", value(form, "answers").split("\n").join(" / "), "correct");
    }
    const solution = value(form, "solution");
    if (solution) line(preview, "p", solution, "solution");
    typeset(preview);
  }

  function showFieldsFor(form) {
    const type = value(form, "type");
    for (const block of form.querySelectorAll("[data-types]")) {
      block.hidden = !block.dataset.types.split(" ").includes(type);
    }
  }

  function setUpForm(form) {
    let timer = null;
    const refresh = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => renderPreview(form), 150);
    };
    form.addEventListener("input", refresh);
    form.addEventListener("change", (event) => {
      if (event.target.name === "type") showFieldsFor(form);
      refresh();
    });
    showFieldsFor(form);
    renderPreview(form);
  }

  function followImport(box) {
    const bar = box.querySelector("[data-progress]");
    const status = box.querySelector("[data-import-status]");
    const poll = () => {
      fetch(box.dataset.importJob, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => response.json())
        .then((job) => {
          bar.value = job.percent;
          bar.textContent = `${job.percent}%`;
          status.textContent = `${job.status} — ${job.done}/${job.total}`;
          if (job.status === "pending" || job.status === "running") window.setTimeout(poll, 1000);
        })
        .catch(() => window.setTimeout(poll, 3000));
    };
    poll();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-question-form]").forEach(setUpForm);
    document.querySelectorAll("[data-math]").forEach(typeset);
    document.querySelectorAll("[data-import-job]").forEach(followImport);
  });
})();
