/*
 * Question bank pages: the authoring form (show the fields of the chosen type, rich-text editors for the question
 * text, options, statements and solution, live preview typeset by the vendored KaTeX), typesetting of question
 * previews, and the progress bar of a background import.
 *
 * Loaded deferred after katex.min.js and auto-render.min.js. No inline script, no inline style and no eval (the
 * site's content security policy allows scripts from 'self' only).
 *
 * Rich text: every <textarea data-rich-text> becomes a contenteditable editor with a toolbar (cloned from the
 * page's <template data-rich-text-toolbar>); the textarea is hidden and always holds the editor's HTML, so the form
 * posts it as before and works without JavaScript. HTML only ever reaches the page through clean(): it is parsed in
 * an inert <template>, and only the tags and attributes of the server's whitelist (rendering.safe_html) are copied,
 * element by element, into new nodes. Pictures are shown with their URL and stored as @@PLUGINFILE@@/name.
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

  // ------------------------------------------------------------------ whitelist (mirrors rendering.ALLOWED)
  const ALLOWED = new Set(
    (
      "p br b strong i em u s sub sup span div ul ol li table thead tbody tr td th img a blockquote pre code hr " +
      "ruby rt rp math mrow mi mn mo msup msub msubsup mfrac msqrt mroot mtext mspace mtable mtr mtd mover munder " +
      "munderover semantics annotation mstyle mfenced"
    ).split(" "),
  );
  const ATTRIBUTES = {
    img: ["src", "alt", "width", "height"],
    a: ["href"],
    td: ["colspan", "rowspan"],
    th: ["colspan", "rowspan"],
  };
  const DROPPED = new Set(["script", "style", "template", "iframe", "object", "embed", "noscript", "title", "head"]);
  const MATHML = "http://www.w3.org/1998/Math/MathML";
  const PLUGINFILE = "@@PLUGINFILE@@/";

  function parse(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function textToHtml(text) {
    const div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML.replace(/\r?\n/g, "<br>");
  }

  // Copy the allowed part of `source` into `target`. media: {name: url}. mode "show": pictures get their URL and
  // data-file=name; mode "store": pictures get @@PLUGINFILE@@/name back.
  function copyClean(source, target, media, mode) {
    for (const node of source.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) {
        // the editor types a space at the end of a line as a no-break space; store a plain one
        const text = mode === "store" ? node.nodeValue.replace(/\u00a0/g, " ") : node.nodeValue;
        target.appendChild(document.createTextNode(text));
        continue;
      }
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      const tag = node.localName;
      if (DROPPED.has(tag)) continue;
      if (!ALLOWED.has(tag)) {
        copyClean(node, target, media, mode);
        continue;
      }
      const el = node.namespaceURI === MATHML ? document.createElementNS(MATHML, tag) : document.createElement(tag);
      for (const name of ATTRIBUTES[tag] || []) {
        let attr = node.getAttribute(name);
        if (attr === null) continue;
        if (name === "src") {
          const file = node.getAttribute("data-file") || (attr.startsWith(PLUGINFILE) ? attr.slice(PLUGINFILE.length) : "");
          if (file) {
            if (mode === "store") attr = PLUGINFILE + file;
            else if (media[file]) {
              attr = media[file];
              el.setAttribute("data-file", file);
            } else continue;
          } else if (!/^(https?:\/\/|\/)/.test(attr)) continue;
        }
        if (name === "href" && !/^https?:\/\//.test(attr)) continue;
        el.setAttribute(name, attr);
      }
      copyClean(node, el, media, mode);
      target.appendChild(el);
    }
    return target;
  }

  // What the server puts into a rich-text textarea is always HTML (plain texts are escaped by the server); only a
  // text typed before the editor started (no markup, no entity, line breaks) is taken as plain text.
  function clean(html, media, mode) {
    const plain = !/<[a-z/!]|&[#a-z0-9]+;/i.test(html) && /\n/.test(html);
    return copyClean(parse(plain ? textToHtml(html) : html), document.createDocumentFragment(), media || {}, mode || "show");
  }

  function toStored(editor, media) {
    const box = document.createElement("div");
    box.appendChild(copyClean(editor, document.createDocumentFragment(), media, "store"));
    const html = box.innerHTML.trim();
    // an editor left with only empty markup (<br>, <p></p>) stores nothing
    return box.textContent.trim() || box.querySelector("img") ? html : "";
  }

  // ------------------------------------------------------------------ the rich-text editor
  function setUpEditors(form) {
    const toolbarTemplate = form.querySelector("[data-rich-text-toolbar]");
    const areas = form.querySelectorAll("textarea[data-rich-text]");
    if (!toolbarTemplate || !areas.length || typeof document.execCommand !== "function") return;
    let media = {};
    try {
      media = JSON.parse(form.dataset.media || "{}");
    } catch (error) {
      media = {};
    }
    form.richMedia = media;
    const dialog = form.querySelector("[data-formula-dialog]");
    const csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    const token = form.querySelector("input[name=upload_token]");
    const picker = document.createElement("input");
    picker.type = "file";
    picker.accept = "image/png,image/jpeg,image/gif,image/webp";
    picker.hidden = true;
    form.appendChild(picker);
    let target = null; // {editor, range} the picture or formula goes into

    form.querySelectorAll("[data-without-editor]").forEach((el) => {
      el.hidden = true;
    });

    function rememberRange(editor) {
      const selection = window.getSelection();
      const range = selection.rangeCount ? selection.getRangeAt(0) : null;
      target = { editor, range: range && editor.contains(range.commonAncestorContainer) ? range.cloneRange() : null };
    }

    function restoreRange() {
      target.editor.focus();
      const selection = window.getSelection();
      selection.removeAllRanges();
      if (target.range) {
        selection.addRange(target.range);
      } else {
        const range = document.createRange();
        range.selectNodeContents(target.editor);
        range.collapse(false);
        selection.addRange(range);
      }
    }

    function sync(editor) {
      editor.richSource.value = toStored(editor, media);
      editor.richSource.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function status(editor, message) {
      editor.richStatus.textContent = message;
      editor.richStatus.hidden = !message;
    }

    function upload(editor, file) {
      const tooLarge = form.querySelector("[data-upload-too-large]");
      if (file.size > 5 * 1024 * 1024) {
        status(editor, tooLarge ? tooLarge.textContent : "");
        return;
      }
      const body = new FormData();
      body.append("file", file);
      body.append("token", token ? token.value : "");
      status(editor, "");
      editor.setAttribute("aria-busy", "true");
      fetch(form.dataset.uploadUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf ? csrf.value : "" },
      })
        .then((response) => response.json().then((data) => ({ ok: response.ok, data })))
        .then(({ ok, data }) => {
          if (!ok) throw new Error(data.error || "");
          media[data.name] = data.url;
          restoreRange();
          const img = document.createElement("img");
          img.src = data.url;
          img.alt = "";
          img.setAttribute("data-file", data.name);
          const range = window.getSelection().getRangeAt(0);
          range.deleteContents();
          range.insertNode(img);
          range.setStartAfter(img);
          range.collapse(true);
          sync(editor);
        })
        .catch((error) => {
          const failed = form.querySelector("[data-upload-failed]");
          status(editor, error.message || (failed ? failed.textContent : ""));
        })
        .finally(() => editor.removeAttribute("aria-busy"));
    }

    function refreshButtons(editor) {
      for (const button of editor.richToolbar.querySelectorAll("[data-command][aria-pressed]")) {
        let on = false;
        try {
          on = document.queryCommandState(button.dataset.command);
        } catch (error) {
          on = false;
        }
        button.setAttribute("aria-pressed", on ? "true" : "false");
      }
    }

    for (const area of areas) {
      const label = form.querySelector(`label[for="${area.id}"]`);
      const wrapper = document.createElement("div");
      wrapper.className = "rich-editor";
      const toolbar = toolbarTemplate.content.firstElementChild.cloneNode(true);
      const editor = document.createElement("div");
      editor.className = "rich-content";
      editor.contentEditable = "true";
      editor.setAttribute("role", "textbox");
      editor.setAttribute("aria-multiline", "true");
      editor.dataset.richFor = area.name;
      if (area.rows <= 1) {
        editor.classList.add("rich-short");
        wrapper.classList.add("rich-editor-short");
      }
      if (label) {
        if (!label.id) label.id = `${area.id}-label`;
        editor.setAttribute("aria-labelledby", label.id);
        toolbar.setAttribute("aria-label", label.textContent.trim().replace(/:$/, ""));
        label.addEventListener("click", () => editor.focus());
      }
      const described = area.parentElement.querySelector(".helptext");
      if (described) {
        if (!described.id) described.id = `${area.id}-help`;
        editor.setAttribute("aria-describedby", described.id);
      }
      const message = document.createElement("p");
      message.className = "errorlist";
      message.setAttribute("role", "alert");
      message.hidden = true;
      editor.richSource = area;
      editor.richToolbar = toolbar;
      editor.richStatus = message;
      editor.appendChild(clean(area.value, media, "show"));
      area.hidden = true;
      area.after(wrapper);
      wrapper.append(toolbar, editor, message);

      toolbar.addEventListener("mousedown", (event) => {
        if (event.target.closest("button")) event.preventDefault(); // keep the selection in the editor
      });
      toolbar.addEventListener("click", (event) => {
        const button = event.target.closest("button");
        if (!button) return;
        if (button.dataset.command) {
          editor.focus();
          document.execCommand("styleWithCSS", false, false);
          document.execCommand(button.dataset.command, false, null);
          sync(editor);
          refreshButtons(editor);
        } else if (button.dataset.action === "formula" && dialog) {
          rememberRange(editor);
          openFormula(window.getSelection().toString());
        } else if (button.dataset.action === "picture") {
          rememberRange(editor);
          picker.value = "";
          picker.click();
        }
      });
      toolbar.addEventListener("keydown", (event) => {
        // one tab stop for the toolbar; arrows move between its buttons
        if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
        const buttons = [...toolbar.querySelectorAll("button")];
        const i = buttons.indexOf(document.activeElement);
        const next = buttons[(i + (event.key === "ArrowRight" ? 1 : buttons.length - 1)) % buttons.length];
        buttons.forEach((b) => b.setAttribute("tabindex", b === next ? "0" : "-1"));
        next.focus();
        event.preventDefault();
      });
      toolbar.querySelectorAll("button").forEach((b, i) => b.setAttribute("tabindex", i ? "-1" : "0"));
      editor.addEventListener("input", () => sync(editor));
      editor.addEventListener("keyup", () => refreshButtons(editor));
      editor.addEventListener("mouseup", () => refreshButtons(editor));
      editor.addEventListener("paste", (event) => {
        const data = event.clipboardData;
        if (!data) return;
        event.preventDefault();
        const file = [...data.files].find((f) => f.type.startsWith("image/"));
        if (file) {
          rememberRange(editor);
          upload(editor, file);
          return;
        }
        const html = data.getData("text/html");
        if (html) {
          const box = document.createElement("div");
          box.appendChild(clean(html, media, "show"));
          document.execCommand("insertHTML", false, box.innerHTML);
        } else {
          document.execCommand("insertText", false, data.getData("text/plain"));
        }
        sync(editor);
      });
      editor.addEventListener("drop", (event) => {
        const file = event.dataTransfer && [...event.dataTransfer.files].find((f) => f.type.startsWith("image/"));
        if (!event.dataTransfer || !event.dataTransfer.files.length) return;
        event.preventDefault();
        if (file) {
          rememberRange(editor);
          upload(editor, file);
        }
      });
    }

    picker.addEventListener("change", () => {
      if (target && picker.files.length) upload(target.editor, picker.files[0]);
    });

    // ---------------------------------------------------------------- the formula dialog
    if (!dialog) return;
    const latex = dialog.querySelector("[data-formula-latex]");
    const display = dialog.querySelector("[data-formula-display]");
    const preview = dialog.querySelector("[data-formula-preview]");
    const empty = dialog.querySelector("[data-formula-error]");

    function showFormula() {
      empty.hidden = true;
      preview.replaceChildren();
      if (!latex.value.trim()) return;
      if (window.katex) {
        window.katex.render(latex.value, preview, {
          throwOnError: false,
          displayMode: display.checked,
        });
      } else {
        preview.textContent = latex.value;
      }
    }

    function openFormula(selected) {
      latex.value = (selected || "").replace(/^\\[([]|\\[)\]]$/g, "").trim();
      display.checked = false;
      showFormula();
      if (typeof dialog.showModal === "function") dialog.showModal();
      else dialog.setAttribute("open", "");
      latex.focus();
    }

    function closeFormula() {
      if (typeof dialog.close === "function") dialog.close();
      else dialog.removeAttribute("open");
    }

    latex.addEventListener("input", showFormula);
    display.addEventListener("change", showFormula);
    dialog.querySelector("[data-formula-cancel]").addEventListener("click", () => {
      closeFormula();
      if (target) restoreRange();
    });
    dialog.addEventListener("close", () => {
      if (target && !dialog.dataset.inserted) target.editor.focus();
      delete dialog.dataset.inserted;
    });
    latex.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        dialog.querySelector("[data-formula-insert]").click();
      }
    });
    dialog.querySelector("[data-formula-insert]").addEventListener("click", () => {
      const text = latex.value.trim();
      if (!text) {
        empty.hidden = false;
        latex.focus();
        return;
      }
      dialog.dataset.inserted = "1";
      closeFormula();
      restoreRange();
      const [left, right] = display.checked ? ["\\[", "\\]"] : ["\\(", "\\)"];
      document.execCommand("insertText", false, `${left}${text}${right}`);
      sync(target.editor);
    });
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

  // A rich text of the form as preview nodes (through the whitelist; pictures shown by their URL).
  function rich(parent, tag, prefix, html, suffix, className) {
    const el = line(parent, tag, prefix, className);
    el.appendChild(clean(html, media(form_of(parent)), "show"));
    if (suffix) el.appendChild(document.createTextNode(suffix));
    return el;
  }

  function form_of(el) {
    return el.closest("form");
  }

  function media(form) {
    if (form.richMedia) return form.richMedia;
    try {
      return JSON.parse(form.dataset.media || "{}");
    } catch (error) {
      return {};
    }
  }

  function renderPreview(form) {
    const preview = form.querySelector("[data-preview]");
    if (!preview) return;
    const type = value(form, "type");
    preview.replaceChildren();
    rich(preview, "div", "", value(form, "stem"), "", "stem");
    if (type === "single_choice" || type === "multiple_response") {
      const list = line(preview, "ol", "", "choices");
      const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
      for (let i = 0; form.elements.namedItem(`option_${i}`); i += 1) {
        const text = value(form, `option_${i}`);
        if (text) {
          const correct = checked(form, `option_${i}_correct`) ? "correct" : "";
          rich(list, "li", `${letters[i]}. `, text, "", correct);
          const feedback = value(form, `option_${i}_feedback`);
          if (feedback) rich(list, "div", "", feedback, "", "feedback");
        }
      }
    } else if (type === "true_false_4") {
      const list = line(preview, "ul", "", "statements");
      for (const label of "abcd") {
        const text = value(form, `statement_${label}`);
        const truth = checked(form, `statement_${label}_true`) ? "Đ" : "S";
        rich(list, "li", `${label}) `, text, ` — ${truth}`, truth === "Đ" ? "correct" : "");
      }
    } else if (type === "numeric") {
      line(preview, "p", `= ${value(form, "number")}`, "correct");
    } else if (type === "short_answer") {
      line(preview, "p", value(form, "answers").split("\n").join(" / "), "correct");
    }
    const solution = value(form, "solution");
    if (solution) rich(preview, "div", "", solution, "", "solution");
    for (const name of ["feedback", "correct_feedback", "incorrect_feedback"]) {
      const text = value(form, name);
      if (text) rich(preview, "div", "", text, "", "feedback");
    }
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
    setUpEditors(form);
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
