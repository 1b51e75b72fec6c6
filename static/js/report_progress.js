/* A report built in the worker: poll its status once a second and move the progress bar; show
   the download links when it is done. The page works without this (reload to see the state). */
(function () {
  "use strict";
  var box = document.querySelector("[data-report-job]");
  if (!box) return;
  var url = box.getAttribute("data-report-job");
  var bar = box.querySelector("[data-report-progress]");
  var state = box.querySelector("[data-report-state]");
  var message = box.querySelector("[data-report-message]");
  var links = box.querySelector("[data-report-links]");
  var failures = 0;

  function show(job) {
    bar.value = job.progress;
    bar.textContent = job.progress + "%";
    state.textContent = job.state_label;
    message.textContent = job.progress + "% · " + job.message;
    if (job.pdf_url) {
      links.querySelector("[data-report-pdf]").href = job.pdf_url;
      links.querySelector("[data-report-xlsx]").href = job.xlsx_url;
      links.hidden = false;
      links.style.display = "";
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (job) {
        failures = 0;
        show(job);
        if (!job.finished) window.setTimeout(poll, 1000);
      })
      .catch(function () {
        failures += 1;
        if (failures < 10) window.setTimeout(poll, 3000);
      });
  }
  if (box.getAttribute("data-finished") !== "1") poll();
})();
