// The widget manager typesets each widget's label through MathJax 2's API
// (MathJax.Hub.Queue) whenever window.MathJax exists; the book serves MathJax 3, which has
// no Hub, so a page with both could throw depending on which script ran first. This gives
// whatever object window.MathJax holds (the configuration, then MathJax 3 itself) a hidden
// Hub whose Queue typesets with MathJax 3, and must run before any MathJax script.
(function () {
  "use strict";
  var current = window.MathJax;
  function queue(job) {
    var element = job && job[2];
    if (current && typeof current.typesetPromise === "function") {
      current.typesetPromise(element ? [element] : undefined).catch(function () {});
    }
  }
  function withHub(value) {
    if (value && typeof value === "object" && !("Hub" in value)) {
      Object.defineProperty(value, "Hub", {value: {Queue: queue}, enumerable: false, configurable: true, writable: true});
    }
    return value;
  }
  withHub(current);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    enumerable: true,
    get: function () { return current; },
    set: function (value) { current = withHub(value); },
  });
})();
