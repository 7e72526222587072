// On every page: a form that comes back with errors puts focus on its error summary
// (GOV.UK's pattern), so a screen reader reads the problems first.  Following one of its links
// brings the whole field into view, its label, hint and message above the control, and puts
// focus in the control; a plain fragment link would scroll the control to the very top of the
// window, hiding its label.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var control = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!control) return;
    event.preventDefault();
    var field = control.closest(".field") || control;
    field.scrollIntoView({block: "center"});
    var top = field.getBoundingClientRect().top;
    if (top < 8) window.scrollBy(0, top - 8);  // a field taller than the window: its label first
    control.focus({preventScroll: true});
  });
})();

// A narrow window (a phone, a tablet, or zoomed to 200 % and more: the filters stand above the
// map) opens with the map's filters and legend folded, so the map is in view; each one's
// summary opens it.
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(max-width: 900px)").matches) return;
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
