// OpenVMI portal: small progressive enhancements. Every page works without this file.
"use strict";

// After a refused form, move keyboard and screen-reader focus to the summary of what to fix.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".form-errors[tabindex]");
  if (summary) {
    summary.focus();
  }
});
