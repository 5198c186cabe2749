// Autocomplete for the search box: asks /tim-kiem/goi-y/?q=… (titles the person may see) as they type.
// No inline script (the site's CSP forbids it); the suggestions' HTML is escaped by the server except <mark>.
(function () {
  "use strict";
  function setup(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var url = input.getAttribute("data-autocomplete-url");
    var timer = null, active = -1, controller = null, lastQuery = "";

    function close() { list.hidden = true; list.innerHTML = ""; active = -1; input.setAttribute("aria-expanded", "false"); }
    function select(index) {
      var items = list.querySelectorAll("li");
      items.forEach(function (li, i) { li.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (items[index]) { input.setAttribute("aria-activedescendant", items[index].id); }
    }
    function render(suggestions) {
      list.innerHTML = "";
      suggestions.forEach(function (s, i) {
        var li = document.createElement("li"), a = document.createElement("a");
        li.id = "search-suggestion-" + i; li.setAttribute("role", "option"); li.setAttribute("aria-selected", "false");
        a.href = s.url; a.innerHTML = s.title_html;  // escaped on the server, only <mark> added
        li.appendChild(a); list.appendChild(li);
      });
      list.hidden = suggestions.length === 0;
      input.setAttribute("aria-expanded", suggestions.length ? "true" : "false");
      active = -1;
    }
    function ask() {
      var q = input.value;
      if (q.trim() === "") { close(); return; }
      if (q === lastQuery) { return; }
      lastQuery = q;
      if (controller) { controller.abort(); }
      controller = new AbortController();
      fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin", signal: controller.signal })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) { if (input.value === q) { render(data.suggestions || []); } })
        .catch(function () {});
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 150); });
    input.addEventListener("keydown", function (event) {
      var items = list.querySelectorAll("li");
      if (list.hidden || !items.length) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); select((active + 1) % items.length); }
      else if (event.key === "ArrowUp") { event.preventDefault(); select((active - 1 + items.length) % items.length); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); window.location.href = items[active].querySelector("a").href; }
    });
    input.addEventListener("blur", function () { setTimeout(close, 200); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-autocomplete-url]").forEach(setup);
  });
})();
