// Behaviour the pages declare with data attributes: no inline script, so the
// Content-Security-Policy can forbid it (core/protection.py).
//   <select data-autosubmit>   submits its form when changed
//   <button data-print>        prints the page
//   <button data-confirm="…">  asks before its form is sent
//   <form data-download>       answered by a download (the page stays): emptied once sent
// and, for every page: a table that scrolls sideways inside its box (on a phone) takes the
// keyboard's focus, so it can be scrolled without a mouse (WCAG 2.1.1).
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
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-download]");
    // After the browser has taken the typed values: the passphrases do not stay on the screen.
    if (form && !event.defaultPrevented) { window.setTimeout(function () { form.reset(); }, 0); }
  });
  function focusScrollingTables() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth) { table.tabIndex = 0; }
      else { table.removeAttribute("tabindex"); }
    });
  }
  document.addEventListener("DOMContentLoaded", focusScrollingTables);
  document.addEventListener("htmx:afterSettle", focusScrollingTables);
  window.addEventListener("resize", focusScrollingTables);
})();
