// Progress of a bulk screening job: poll its JSON status while it is queued or running, then reload
// the page once it has finished or failed (the server renders the summary and the download link).
(function () {
  "use strict";
  var box = document.getElementById("screen-progress");
  if (!box) { return; }
  var url = box.dataset.statusUrl;
  var running = function (status) { return status === "queued" || status === "running"; };
  if (!running(box.dataset.status)) { return; }
  var number = function (n) { return Number(n || 0).toLocaleString(); };

  function show(data) {
    box.querySelector('[data-field="status"]').textContent = data.status;
    var bar = box.querySelector('[data-field="percent"]');
    bar.value = data.percent;
    bar.textContent = data.percent + "%";
    box.querySelector('[data-field="rows_done"]').textContent = number(data.rows_done);
    box.querySelector('[data-field="rows_total"]').textContent = number(data.rows_total);
    box.querySelector('[data-field="rate"]').textContent = number(data.rate);
    box.querySelector('[data-field="bad_rows"]').textContent = number(data.bad_rows);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        show(data);
        if (running(data.status)) { window.setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
