// On every page: a form that comes back with errors puts focus on its error summary
// (GOV.UK's pattern), so a screen reader reads the problems first.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
})();
