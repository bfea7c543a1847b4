// 考学: the countdown of an attempt (the server enforces the time limit; this only shows it).
(function () {
  var box = document.querySelector(".quiz-timer[data-deadline-seconds]");
  if (!box) return;
  var left = parseInt(box.getAttribute("data-deadline-seconds"), 10) || 0;
  var out = box.querySelector(".quiz-left");
  var end = Date.now() + left * 1000;
  function tick() {
    var s = Math.max(0, Math.round((end - Date.now()) / 1000));
    out.textContent = Math.floor(s / 60) + "分" + (s % 60) + "秒";
    if (s > 0) setTimeout(tick, 1000);
    else box.classList.add("msg-error");
  }
  tick();
})();
