/* The import preview (templates/prospecting/import_preview.html): each column's custom field name
   input shows only while its choice is "A custom field". Without this script every input shows and
   the server reads a name only where that choice is made. */
(function () {
  "use strict";

  function sync(select) {
    var input = document.querySelector('[data-custom-for="' + select.name + '"]');
    if (input) input.hidden = select.value !== select.dataset.customChoice;
  }

  function init() {
    document.querySelectorAll("select[data-custom-choice]").forEach(function (select) {
      sync(select);
      select.addEventListener("change", function () {
        sync(select);
        var input = document.querySelector('[data-custom-for="' + select.name + '"]');
        if (input && !input.hidden) input.focus();
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
