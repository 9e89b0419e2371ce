// Accessibility repairs for parts of the page this book does not render itself:
// the theme's navigation, the bibliography list and the embedded Jupyter widgets.
(function () {
  function label(root) {
    // Navigation: the theme's expand/collapse toggles have an icon but no text.
    root.querySelectorAll("nav details > summary").forEach(function (summary) {
      if (!summary.textContent.trim() && !summary.getAttribute("aria-label")) {
        var link = summary.parentElement && summary.parentElement.parentElement
          ? summary.parentElement.parentElement.querySelector(":scope > a") : null;
        var name = link ? link.textContent.trim() : "this section";
        summary.setAttribute("aria-label", "Show or hide the pages under " + name);
      }
    });
    // Bibliography: entries carry their own role, so the container is not an ARIA list.
    root.querySelectorAll(".citation-list[role='list']").forEach(function (list) {
      list.removeAttribute("role");
    });
    // Widgets: name each slider handle after its widget's description.
    root.querySelectorAll(".widget-slider").forEach(function (slider) {
      var description = slider.querySelector(".widget-label");
      var text = description ? description.textContent.trim() : "";
      slider.querySelectorAll("[role='slider']").forEach(function (handle) {
        if (!handle.getAttribute("aria-label")) {
          handle.setAttribute("aria-label", text || "slider");
        }
      });
    });
    // Widgets: the figure an explorer drew when the book was built has no alt text of its own.
    root.querySelectorAll(".widget-output img:not([alt])").forEach(function (image) {
      image.setAttribute("alt", "Chart drawn by the interactive explorer above, in its starting state. " +
        "Its sliders need a live Python kernel to redraw it.");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    label(document);
    new MutationObserver(function () { label(document); })
      .observe(document.body, { childList: true, subtree: true });
  });
})();
