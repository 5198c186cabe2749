/*
 * Typesets the maths of a lesson page with the vendored KaTeX (content/static/vendor/katex).
 *
 * Loaded with {% katex_assets %} (content/templatetags/math_tags.py) after katex.min.js and auto-render.min.js, all
 * three deferred, so they run in order once the document is parsed. No inline script, no eval: the site's content
 * security policy allows scripts from 'self' only.
 *
 * 1. Every element with a data-latex attribute (content.math.MathBlock) is rendered from that attribute; its text,
 *    the raw LaTeX written by the server, stays as the fallback when JavaScript or KaTeX is unavailable or fails.
 *    data-display="block" typesets it on its own line, anything else inline.
 * 2. Inside elements with class "rich-text", maths written between \( ... \) (inline), \[ ... \] or $$ ... $$ (on its
 *    own line) is rendered by KaTeX's auto-render extension.
 *    A single $ ... $ is NOT a delimiter by default: prices ("5$", "US$"), Tin học lessons mentioning shell or PHP
 *    variables ("$HOME", "$x") and text pasted from elsewhere would silently turn into maths. A container can opt in
 *    with the attribute data-math-dollar (e.g. a lesson imported from a LaTeX document).
 *
 * Formulas are rendered with trust: false (no \href, \url, \includegraphics, \html...) and throwOnError: false, so
 * a broken formula shows KaTeX's red error text (message in its title) instead of stopping the rest of the page.
 */
(function () {
  "use strict";

  var OPTIONS = { throwOnError: false, strict: "ignore", trust: false };

  function renderFormula(el) {
    if (el.getAttribute("data-math-rendered") === "true") {
      return;
    }
    var source = el.getAttribute("data-latex");
    if (!source) {
      return;
    }
    try {
      window.katex.render(source, el, {
        displayMode: el.dataset.display === "block",
        throwOnError: OPTIONS.throwOnError,
        strict: OPTIONS.strict,
        trust: OPTIONS.trust,
      });
      el.setAttribute("data-math-rendered", "true");
    } catch (error) {
      // Not a ParseError (those are rendered as red text): keep the raw LaTeX that the server wrote.
      el.textContent = source;
      el.classList.add("math--error");
      el.setAttribute("title", String(error && error.message ? error.message : error));
    }
  }

  function delimitersFor(container) {
    var delimiters = [
      { left: "$$", right: "$$", display: true },
      { left: "\\[", right: "\\]", display: true },
      { left: "\\(", right: "\\)", display: false },
    ];
    if (container.hasAttribute("data-math-dollar")) {
      delimiters.push({ left: "$", right: "$", display: false });
    }
    return delimiters;
  }

  function renderRichText(container) {
    if (typeof window.renderMathInElement !== "function") {
      return;
    }
    window.renderMathInElement(container, {
      delimiters: delimitersFor(container),
      ignoredClasses: ["math", "katex", "no-math"],
      throwOnError: OPTIONS.throwOnError,
      strict: OPTIONS.strict,
      trust: OPTIONS.trust,
    });
  }

  function renderAll(root) {
    root = root || document;
    if (!window.katex) {
      return; // KaTeX did not load: the raw LaTeX stays readable
    }
    Array.prototype.forEach.call(root.querySelectorAll("[data-latex]"), renderFormula);
    Array.prototype.forEach.call(root.querySelectorAll(".rich-text"), renderRichText);
  }

  // For content inserted later (e.g. a lesson section loaded on demand): window.lmsMath.render(element).
  window.lmsMath = { render: renderAll };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      renderAll(document);
    });
  } else {
    renderAll(document);
  }
})();
