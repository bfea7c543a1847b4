// Member development pages: progress bars (CSP forbids inline styles in markup) and the
// conversion form showing "extension months" only when the outcome is an extension.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-pct]").forEach(function (bar) {
    var pct = Math.max(0, Math.min(100, parseInt(bar.getAttribute("data-pct"), 10) || 0));
    bar.style.width = pct + "%";
  });
  document.querySelectorAll("[data-check-all]").forEach(function (all) {
    var name = all.getAttribute("data-check-all");
    all.addEventListener("change", function () {
      all.form.querySelectorAll("input[type=checkbox][name=" + name + "]").forEach(function (box) { box.checked = all.checked; });
    });
  });
  var outcome = document.querySelector("form[data-step] select[name=outcome]");
  var months = document.querySelector("form[data-step] input[name=extension_months]");
  if (outcome && months) {
    var field = months.closest(".field");
    var sync = function () { if (field) { field.hidden = outcome.value !== "extend"; } };
    outcome.addEventListener("change", sync);
    sync();
  }
});
