// Marks a self-check answer in the static book: no kernel, no network.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".selfcheck").forEach(function (box) {
    var button = box.querySelector(".selfcheck-button");
    var output = box.querySelector(".selfcheck-feedback");
    button.addEventListener("click", function () {
      var chosen = box.querySelector("input[type=radio]:checked");
      box.classList.remove("selfcheck-right", "selfcheck-wrong");
      if (!chosen) {
        output.textContent = "Choose an answer first.";
        return;
      }
      var right = chosen.value === box.dataset.answer;
      box.classList.add(right ? "selfcheck-right" : "selfcheck-wrong");
      output.textContent = (right ? "Correct. " : "Not quite. ") + chosen.dataset.feedback;
    });
  });
});
