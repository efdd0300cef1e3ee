// Behaviour the pages declare with data attributes: no inline script, so the
// Content-Security-Policy can forbid it (core/protection.py).
//   <select data-autosubmit>   submits its form when changed
//   <button data-print>        prints the page
//   <button data-confirm="…">  asks before its form is sent
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) { field.form.submit(); }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); return; }
    var asking = event.target.closest("[data-confirm]");
    if (asking && !window.confirm(asking.dataset.confirm)) { event.preventDefault(); }
  });
})();
