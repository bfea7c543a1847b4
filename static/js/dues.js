// Dues pages: show the proxy payer's name only for proxy payments; draw disclosure bars.
(function () {
  function syncPayer(root) {
    (root || document).querySelectorAll("select[name$='payer_kind']").forEach(function (sel) {
      var form = sel.closest("form");
      var name = form && form.querySelector("input[name$='payer_name']");
      if (!name) { return; }
      var field = name.closest(".field") || name;
      field.style.display = sel.value === "proxy" ? "" : "none";
    });
  }
  function drawRates() {
    document.querySelectorAll(".dues-rate[data-rate]").forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, parseFloat(bar.getAttribute("data-rate")) || 0)) + "%";
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches("select[name$='payer_kind']")) { syncPayer(e.target.closest("form")); }
  });
  document.addEventListener("DOMContentLoaded", function () { syncPayer(); drawRates(); });
  document.addEventListener("htmx:afterSwap", function (e) { syncPayer(e.target); });
})();
