// After a submit that came back with errors, bring the first one into view and give it the focus:
// on a phone the form is longer than the screen, and the error would otherwise sit out of sight.
(function () {
  "use strict";
  function show() {
    var summary = document.querySelector("[data-form-errors]");
    var field = document.querySelector(".field--error input, .field--error select, .field--error textarea");
    var target = summary || field;
    if (!target) return;
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
  else show();
})();
