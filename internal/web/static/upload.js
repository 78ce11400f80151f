// Upload forms (data-upload-progress): refuse a file over the limit before
// sending it (data-max-bytes, message in data-too-large), and show the
// progress of a long upload. Without JavaScript the forms work as they are;
// the server checks the limit in any case and keeps the form.
(function () {
  "use strict";
  if (!window.FormData || !window.XMLHttpRequest) return;
  document.querySelectorAll("form[data-upload-progress]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      var input = form.querySelector("input[type=file]");
      var max = parseInt(form.getAttribute("data-max-bytes") || "0", 10);
      var box = form.querySelector(".upload-progress") || document.querySelector(".upload-progress");
      var status = box && box.querySelector(".upload-status");
      if (input && input.files && input.files[0] && max > 0 && input.files[0].size > max) {
        ev.preventDefault();
        input.setAttribute("aria-invalid", "true");
        if (box && status) {
          box.hidden = false;
          box.querySelector("progress").hidden = true;
          status.textContent = form.getAttribute("data-too-large");
        }
        input.focus();
        return;
      }
      if (!box) return;
      ev.preventDefault();
      var bar = box.querySelector("progress");
      bar.hidden = false;
      box.hidden = false;
      status.textContent = status.getAttribute("data-sending");
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((100 * e.loaded) / e.total);
          if (e.loaded === e.total) status.textContent = status.getAttribute("data-processing");
        }
      });
      xhr.addEventListener("load", function () {
        // Show the answer as the browser would have: the report page.
        if (xhr.responseURL && xhr.responseURL !== location.href) history.replaceState(null, "", xhr.responseURL);
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener("error", function () { form.submit(); });
      xhr.send(new FormData(form));
    });
  });
})();
