// Question bank pages: "add a row" in the question form, "select all" in the question list.
(function () {
  "use strict";

  function renumber(element, prefix, index) {
    var pattern = new RegExp("^" + prefix + "-\\d+-");
    ["name", "id", "for"].forEach(function (attribute) {
      element.querySelectorAll("[" + attribute + "]").forEach(function (node) {
        var value = node.getAttribute(attribute);
        if (pattern.test(value)) {
          node.setAttribute(attribute, value.replace(pattern, prefix + "-" + index + "-"));
        }
      });
    });
  }

  document.querySelectorAll("fieldset[data-rows]").forEach(function (fieldset) {
    var prefix = fieldset.getAttribute("data-rows");
    var button = fieldset.querySelector(".add-row");
    if (!button) { return; }
    button.addEventListener("click", function () {
      var rows = fieldset.querySelectorAll(".row-entry");
      var last = rows[rows.length - 1];
      if (!last) { return; }
      var copy = last.cloneNode(true);
      renumber(copy, prefix, rows.length);
      copy.querySelectorAll("input, textarea").forEach(function (input) {
        if (input.type === "checkbox") { input.checked = false; } else { input.value = ""; }
      });
      copy.querySelectorAll(".error").forEach(function (node) { node.remove(); });
      last.parentNode.insertBefore(copy, button);
      var first = copy.querySelector("textarea, input");
      if (first) { first.focus(); }
    });
  });

  document.querySelectorAll("input.select-all").forEach(function (toggle) {
    toggle.addEventListener("change", function () {
      var form = toggle.closest("form");
      form.querySelectorAll("input[name='" + toggle.getAttribute("data-target") + "']").forEach(function (box) {
        box.checked = toggle.checked;
      });
    });
  });
})();
