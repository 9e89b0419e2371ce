// Tell RequireJS where the widget manager's own files (fonts) live: in this book's
// _static/widgets folder, served with the pages, rather than next to each page.
(function () {
  var root = document.documentElement.dataset.content_root || "./";
  if (window.require && window.require.config) {
    window.require.config({
      paths: {
        "@jupyter-widgets/html-manager/dist": root + "_static/widgets",
        "@jupyter-widgets": root + "_static/widgets"
      }
    });
  }
})();
