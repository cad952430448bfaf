// Progressive enhancement only: every page works without this file.
"use strict";

// Markdown preview for entry forms. Forms opt in with data-preview-url (the
// entries.preview endpoint, which returns HTML already sanitised on the server)
// and mark their Markdown textareas with data-markdown-preview. Without
// JavaScript the forms offer a "Preview" submit button instead.
(function () {
  function previewer(form) {
    var url = form.getAttribute("data-preview-url");
    var token = form.querySelector('input[name="csrf_token"]');
    var label = form.getAttribute("data-preview-label") || "Preview";
    var failed = form.getAttribute("data-preview-failed") || "";
    form.querySelectorAll("textarea[data-markdown-preview]").forEach(function (area) {
      var output = document.createElement("div");
      output.className = "preview rendered live-preview";
      output.id = area.id + "-live-preview";
      output.hidden = true;
      output.setAttribute("aria-live", "polite");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button preview-toggle";
      button.textContent = label;
      button.setAttribute("aria-controls", output.id);
      area.insertAdjacentElement("afterend", output);
      area.insertAdjacentElement("afterend", button);
      var timer = null;

      function refresh() {
        var body = new FormData();
        body.append("text", area.value);
        if (token) { body.append("csrf_token", token.value); }
        fetch(url, { method: "POST", body: body, credentials: "same-origin" })
          .then(function (response) { return response.text(); })
          .then(function (html) { output.innerHTML = html; output.hidden = false; })
          .catch(function () { output.textContent = failed; output.hidden = false; });
      }

      button.addEventListener("click", refresh);
      area.addEventListener("input", function () {
        if (output.hidden) { return; }
        window.clearTimeout(timer);
        timer = window.setTimeout(refresh, 700);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-preview-url]").forEach(previewer);
  });
})();
