/*
 * Live KaTeX preview under LaTeX textareas in the Wagtail editor (content.math.LatexInput, used by MathBlock).
 *
 * Wagtail includes this file (and katex.min.js before it) through the widget's Media: StreamField collects the media
 * of every block's widget into the page editor. Blocks are added, duplicated and moved by Wagtail's JavaScript after
 * the page has loaded, so the script does not look for textareas once: it previews those present when it starts,
 * and a MutationObserver on document.body previews those added later. Typing is handled by one delegated "input"
 * listener, and a change of the sibling "display" choice (block / inline) re-typesets the preview.
 *
 * No inline script and no eval (the content security policy allows scripts from 'self' only). Errors are shown as
 * text: KaTeX's message, in muted red, under the formula.
 */
(() => {
  "use strict";

  const INPUT_SELECTOR = "textarea[data-latex-input]";
  const previews = new WeakMap();

  function previewFor(textarea) {
    let preview = previews.get(textarea);
    if (preview && preview.isConnected) {
      return preview;
    }
    const widget = textarea.closest("[data-latex-widget]");
    preview = widget ? widget.querySelector("[data-latex-preview]") : null;
    if (!preview) {
      // A bare textarea[data-latex-input] (not rendered by LatexInput): add the preview right after it.
      preview = document.createElement("div");
      preview.className = "latex-preview";
      preview.setAttribute("data-latex-preview", "");
      preview.setAttribute("aria-live", "polite");
      textarea.insertAdjacentElement("afterend", preview);
    }
    previews.set(textarea, preview);
    return preview;
  }

  /* The name of the sibling "display" field: Wagtail names StructBlock children "<prefix>-<child name>". */
  function displayFieldName(textarea) {
    const field = textarea.getAttribute("data-latex-display-from");
    if (!field || !textarea.name) {
      return null;
    }
    return textarea.name.replace(/[^-]*$/, field);
  }

  function displayMode(textarea) {
    const name = displayFieldName(textarea);
    if (!name) {
      return true;
    }
    const fields = Array.from(document.getElementsByName(name));
    const chosen = fields.find((field) => (field.type === "radio" ? field.checked : true));
    return !chosen || chosen.value !== "inline";
  }

  function render(textarea) {
    const preview = previewFor(textarea);
    const source = textarea.value;
    preview.classList.remove("latex-preview--error");
    if (!source.trim()) {
      preview.textContent = "";
      preview.classList.add("latex-preview--empty");
      return;
    }
    preview.classList.remove("latex-preview--empty");
    if (!window.katex) {
      preview.textContent = source;
      return;
    }
    try {
      // throwOnError: true only so that KaTeX's message can be shown as readable text below; the lesson page
      // itself renders with throwOnError: false.
      window.katex.render(source, preview, {
        displayMode: displayMode(textarea),
        throwOnError: true,
        strict: "ignore",
        trust: false,
      });
    } catch (error) {
      const message = document.createElement("div");
      message.className = "latex-preview__error";
      message.textContent = error && error.message ? error.message : String(error);
      preview.replaceChildren(message);
      preview.classList.add("latex-preview--error");
    }
  }

  function attachWithin(node) {
    if (node.nodeType !== Node.ELEMENT_NODE) {
      return;
    }
    if (node.matches(INPUT_SELECTOR)) {
      render(node);
    }
    node.querySelectorAll(INPUT_SELECTOR).forEach(render);
  }

  function start() {
    attachWithin(document.body);
    new MutationObserver((mutations) => {
      mutations.forEach((mutation) => mutation.addedNodes.forEach(attachWithin));
    }).observe(document.body, { childList: true, subtree: true });
  }

  document.addEventListener("input", (event) => {
    if (event.target instanceof Element && event.target.matches(INPUT_SELECTOR)) {
      render(event.target);
    }
  });

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (!(target instanceof Element) || !target.name) {
      return;
    }
    if (target.matches(INPUT_SELECTOR)) {
      render(target);
      return;
    }
    document.querySelectorAll(`${INPUT_SELECTOR}[data-latex-display-from]`).forEach((textarea) => {
      if (displayFieldName(textarea) === target.name) {
        render(textarea);
      }
    });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
