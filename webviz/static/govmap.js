// On every page: a form that comes back with errors puts focus on its error summary
// (GOV.UK's pattern), so a screen reader reads the problems first.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
})();

// A narrow window (a phone, or zoomed to 200 % and more) opens with the map's filters and legend
// folded, so the map is in view; each one's summary opens it.
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(max-width: 40em)").matches) return;
  document.querySelectorAll("details.legend[open], details.filters-fold[open]").forEach(function (d) {
    d.open = false;
  });
})();

// Printing: every closed <details> (a report group, a finding's evidence) prints open, and
// closes again afterwards.  Chromium also does this from print.css (details::details-content);
// this is for the browsers that do not.
(function () {
  "use strict";
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      if (d.closest(".noprint, .decide")) return;
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
