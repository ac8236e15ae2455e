// stackscan HTML report: the only script of the page (its hash is in the Content-Security-Policy). Printing
// opens every folded part, so that paper shows all the evidence; they fold back afterwards.
"use strict";
(function () {
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) {
      d.open = false;
    });
    opened = [];
  });
})();
