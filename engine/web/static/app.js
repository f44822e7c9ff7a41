// Nhắc việc CCHC: the one script of the desk. The timing field of the plan review shows the
// dates its phrase resolves to as it is typed (GET /api/thoi-han). Forms work without it.
(function () {
  "use strict";
  function fmt(iso) { var p = iso.split("-"); return p[2] + "/" + p[1] + "/" + p[0]; }
  document.querySelectorAll("input[data-timing]").forEach(function (input) {
    var out = input.closest("form").querySelector("output.resolved");
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = new URLSearchParams({ cum: input.value, nam: input.dataset.year, ngay: input.dataset.day });
        fetch("/api/thoi-han?" + q.toString(), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (j) {
            if (!j || !out) { return; }
            out.textContent = j.due.length ? "Hạn: " + j.due.map(fmt).join(", ") : (j.explanation || "Chưa có ngày");
          });
      }, 250);
    });
  });
})();
