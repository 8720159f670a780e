// Live SLA countdowns: every element with data-due (ISO time) shows the time left or overdue,
// coloured by how close the due time is. Re-run after htmx swaps new rows in.
(function () {
  function fmt(ms, dayUnit) {
    var s = Math.floor(Math.abs(ms) / 1000), d = Math.floor(s / 86400);
    var h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var t = (d ? d + (dayUnit || "d") + " " : "") + String(h).padStart(2, "0") + ":" + String(m).padStart(2, "0") + ":" + String(sec).padStart(2, "0");
    return t;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      if (el.dataset.state === "paused") { return; }
      var left = Date.parse(el.dataset.due) - now;
      var overdue = el.dataset.overdue || "overdue";
      el.textContent = left >= 0 ? fmt(left, el.dataset.day) : overdue + " " + fmt(left, el.dataset.day);
      var warnMs = Number(el.dataset.warnMs || 1800000);
      el.classList.toggle("badge-bad", left < 0);
      el.classList.toggle("badge-warn", left >= 0 && left < warnMs);
      el.classList.toggle("badge-ok", left >= warnMs);
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
})();
