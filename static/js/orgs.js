// Organisation tree: the ▸ button loads children once (htmx), then toggles them.
document.addEventListener("click", function (e) {
  var t = e.target.closest("[data-org-toggle]");
  if (!t) { return; }
  var kids = t.parentNode.querySelector(":scope > .kids");
  var open = t.getAttribute("aria-expanded") === "true";
  if (open) {
    kids.hidden = true;
    t.setAttribute("aria-expanded", "false");
    t.textContent = "▸";
  } else {
    kids.hidden = false;
    t.setAttribute("aria-expanded", "true");
    t.textContent = "▾";
  }
});
