// moudesk: small enhancements only. Every form and link works without
// this file; it adds a live Markdown preview and the side-by-side toggle.
(function () {
  "use strict";

  // Live preview: a textarea with data-preview-url posts its text (with the
  // page's CSRF token) and shows the server-rendered, sanitized HTML.
  function livePreview(area) {
    var url = area.getAttribute("data-preview-url");
    var target = document.getElementById(area.getAttribute("data-preview-target"));
    var form = area.form;
    if (!url || !target || !form || !window.fetch) return;
    var token = form.querySelector("input[name=csrf_token]");
    var timer = null;
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var body = new URLSearchParams();
        body.set("body", area.value);
        if (token) body.set("csrf_token", token.value);
        fetch(url, { method: "POST", credentials: "same-origin", body: body })
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) {
            if (html === null) return;
            // The server renders Markdown without raw HTML and with unsafe
            // links removed; this is the same fragment the no-JS preview shows.
            target.innerHTML = html;
            target.closest("[hidden]") && target.closest("[hidden]").removeAttribute("hidden");
          })
          .catch(function () {});
      }, 400);
    });
  }

  // Side-by-side toggle: switch the redline view in place when both views
  // are on the page; the links still work without it.
  function viewToggle(box) {
    var links = box.querySelectorAll("a[data-view]");
    Array.prototype.forEach.call(links, function (a) {
      a.addEventListener("click", function (ev) {
        var want = a.getAttribute("data-view");
        var panes = document.querySelectorAll("[data-redline-view]");
        if (panes.length < 2) return;
        ev.preventDefault();
        Array.prototype.forEach.call(panes, function (p) {
          p.hidden = p.getAttribute("data-redline-view") !== want;
        });
        Array.prototype.forEach.call(links, function (l) {
          if (l === a) l.setAttribute("aria-current", "true"); else l.removeAttribute("aria-current");
        });
        if (window.history && history.replaceState) history.replaceState(null, "", a.getAttribute("href"));
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-preview-url]"), livePreview);
    Array.prototype.forEach.call(document.querySelectorAll(".view-switch"), viewToggle);
  });
})();
