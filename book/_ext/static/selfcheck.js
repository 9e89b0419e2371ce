// Marks a self-check answer in the static book: no kernel, no network.
// The verdict is told in words and by a symbol, not by colour alone: "✓ Correct." or
// "✗ Not quite.", in a live region that screen readers announce. The words come from the
// page (data-right, data-wrong, data-first), so each edition speaks its own language.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".selfcheck").forEach(function (box) {
    var button = box.querySelector(".selfcheck-button");
    var output = box.querySelector(".selfcheck-feedback");
    button.addEventListener("click", function () {
      var chosen = box.querySelector("input[type=radio]:checked");
      box.classList.remove("selfcheck-right", "selfcheck-wrong");
      output.textContent = "";
      if (!chosen) {
        output.textContent = box.dataset.first || "Choose an answer first.";
        return;
      }
      var right = chosen.value === box.dataset.answer;
      box.classList.add(right ? "selfcheck-right" : "selfcheck-wrong");
      var verdict = document.createElement("strong");
      verdict.className = "selfcheck-verdict";
      var symbol = document.createElement("span");
      symbol.className = "selfcheck-symbol";
      symbol.setAttribute("aria-hidden", "true");
      symbol.textContent = right ? "\u2713 " : "\u2717 ";
      verdict.appendChild(symbol);
      verdict.appendChild(document.createTextNode(right ? box.dataset.right || "Correct." : box.dataset.wrong || "Not quite."));
      output.appendChild(verdict);
      output.appendChild(document.createTextNode(" " + chosen.dataset.feedback));
    });
  });
});
