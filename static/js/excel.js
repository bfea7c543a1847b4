// Excel import page: check the chosen file before uploading (type and size), so a
// county administrator learns at once that a .xls or an oversized file will be refused.
// The server checks again; this only saves a round trip. No inline scripts (CSP).
document.addEventListener("change", function (e) {
  var input = e.target;
  if (!input.matches || !input.matches("[data-excel-upload] input[type=file]")) { return; }
  var form = input.closest("form");
  var out = form.querySelector("[data-excel-upload-error]");
  var file = input.files && input.files[0];
  var message = "";
  if (file) {
    var max = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
    if (!/\.xlsx$/i.test(file.name)) {
      message = /\.xls$/i.test(file.name)
        ? "这是旧版 .xls 文件：请在Excel中“另存为”Excel工作簿（.xlsx）后再上传"
        : "请选择 .xlsx 格式的Excel文件";
    } else if (max && file.size > max) {
      message = "文件过大：上限为 " + Math.round(max / 1048576) + " MB，请分批导入";
    }
  }
  out.textContent = message;
  out.hidden = !message;
  form.querySelector("button[type=submit]").disabled = !!message;
});
