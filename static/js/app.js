// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("click", function (e) {
  var t = e.target.closest("[data-toggle-nav]");
  if (t) { document.body.classList.toggle("nav-open"); }
  var c = e.target.closest("[data-confirm]");
  if (c && !window.confirm(c.getAttribute("data-confirm"))) { e.preventDefault(); }
});
document.addEventListener("change", function (e) {
  if (e.target.matches("[data-autosubmit]")) { e.target.form.submit(); }
});

// Organisation picker (apps/orgs/picker.py): htmx fills the suggestions; choosing one
// sets the hidden id and the text. Typing again clears the id (the text is then the value).
(function () {
  function picker(el) { return el && el.closest ? el.closest("[data-org-picker]") : null; }
  function close(p) {
    var box = p.querySelector(".picker-suggestions");
    if (box) { box.innerHTML = ""; }
    var t = p.querySelector("input[type=text]");
    if (t) { t.setAttribute("aria-expanded", "false"); }
  }
  function options(p) { return Array.prototype.slice.call(p.querySelectorAll("[data-pick]")); }
  document.addEventListener("click", function (e) {
    var opt = e.target.closest("[data-pick]");
    var p = picker(e.target);
    if (opt && p) {
      p.querySelector("[data-picker-value]").value = opt.getAttribute("data-pick");
      p.querySelector("input[type=text]").value = opt.getAttribute("data-label");
      close(p);
      return;
    }
    document.querySelectorAll("[data-org-picker]").forEach(function (other) { if (other !== p) { close(other); } });
  });
  document.addEventListener("input", function (e) {
    var p = picker(e.target);
    if (p && e.target.type === "text") { p.querySelector("[data-picker-value]").value = ""; }
  });
  document.addEventListener("keydown", function (e) {
    var p = picker(e.target);
    if (!p) { return; }
    var opts = options(p);
    var i = opts.indexOf(document.activeElement);
    if (e.key === "Escape") { close(p); p.querySelector("input[type=text]").focus(); }
    else if (e.key === "ArrowDown" && opts.length) { e.preventDefault(); opts[Math.min(i + 1, opts.length - 1)].focus(); }
    else if (e.key === "ArrowUp" && opts.length) { e.preventDefault(); if (i <= 0) { p.querySelector("input[type=text]").focus(); } else { opts[i - 1].focus(); } }
    else if (e.key === "Enter" && e.target.type === "text" && opts.length === 1) { e.preventDefault(); opts[0].click(); }
  });
  document.addEventListener("focusin", function (e) {
    var p = picker(e.target);
    // a chosen organisation's text is selected, so typing starts a new search
    if (p && e.target.type === "text" && p.querySelector("[data-picker-value]").value) { e.target.select(); }
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    var p = picker(e.target);
    if (p) { p.querySelector("input[type=text]").setAttribute("aria-expanded", options(p).length ? "true" : "false"); }
  });
})();
