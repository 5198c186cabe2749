/* The H5P frame has an opaque origin, where reading localStorage / sessionStorage throws. H5P core and some content
   types use them for small preferences; give them an in-memory store (resume state goes to the server anyway). */
(function () {
  "use strict";
  function memoryStorage() {
    var data = {};
    return {
      get length() { return Object.keys(data).length; },
      key: function (i) { return Object.keys(data)[i] || null; },
      getItem: function (k) { return Object.prototype.hasOwnProperty.call(data, k) ? data[k] : null; },
      setItem: function (k, v) { data[k] = String(v); },
      removeItem: function (k) { delete data[k]; },
      clear: function () { data = {}; },
    };
  }
  ["localStorage", "sessionStorage"].forEach(function (name) {
    var usable = true;
    try { usable = !!window[name]; } catch (e) { usable = false; }
    if (!usable) Object.defineProperty(window, name, { value: memoryStorage(), configurable: true });
  });
})();
