/* The walk-in screen (窗口收件): applicant look-up by ID number, material marks and a live
   summary of what is missing. The page works without it (the server checks everything). */
(function () {
  "use strict";

  var situation = document.querySelector(".situation-form");
  var form = document.getElementById("walk-in");
  if (situation && !form) {
    // Answer the situation questions first: the first unanswered question gets the focus.
    var first = situation.querySelector("fieldset:not(:has(input:checked)) input[type=radio]") ||
      situation.querySelector("input[type=radio]");
    if (first) first.focus();
    return;
  }
  if (!form) return;

  function lookup(input, output, param, onFound) {
    var last = "";
    function run() {
      var value = input.value.trim().toUpperCase();
      if (value.length !== 18 || value === last) return;
      last = value;
      var url = form.getAttribute("data-lookup") + "?" + param + "=" + encodeURIComponent(value);
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || input.value.trim().toUpperCase() !== value) return;
          output.textContent = data.message || "";
          output.className = "help " + (data.valid ? (data.found ? "lookup-found" : "lookup-new") : "lookup-bad");
          if (onFound) onFound(data);
        })
        .catch(function () { last = ""; });
    }
    input.addEventListener("input", run);
    input.addEventListener("change", run);
    run();
  }

  var idInput = document.getElementById("applicant_id_number");
  var nameInput = document.getElementById("applicant_real_name");
  if (idInput) {
    lookup(idInput, document.getElementById("applicant_lookup"), "id_number", function (data) {
      if (!nameInput) return;
      nameInput.required = data.valid && !data.found;
      nameInput.placeholder = data.found ? data.name + "(已登记,可不填)" : "";
      form.setAttribute("data-applicant", data.found ? "found" : (data.valid ? "new" : "bad"));
    });
  }
  var creditInput = document.getElementById("enterprise");
  if (creditInput) lookup(creditInput, document.getElementById("enterprise_lookup"), "credit_code");

  var rows = Array.prototype.slice.call(form.querySelectorAll("tr.material-mark"));
  var summary = document.getElementById("missing-summary");

  function markOf(row) {
    var checked = row.querySelector("input[type=radio]:checked");
    var mark = checked ? checked.value : "none";
    var file = row.querySelector("input[type=file]");
    if (mark === "upload" && !(file && file.files && file.files.length)) return "none";
    return mark;
  }

  function refresh() {
    if (!summary) return;
    var missing = [], deferred = 0;
    rows.forEach(function (row) {
      var mark = markOf(row);
      if (mark === "deferred") deferred += 1;
      if (row.getAttribute("data-must") === "1" && mark === "none") missing.push(row.getAttribute("data-label"));
    });
    summary.innerHTML = "";
    var p = document.createElement("p");
    if (missing.length) {
      summary.className = "alert alert-warning";
      p.textContent = "尚缺 " + missing.length + " 项必需材料:" + missing.join("、") +
        "。不能当场受理;可出具一次性补正告知,列明以上全部材料。";
    } else {
      summary.className = "alert alert-success";
      p.textContent = "必需材料已齐全" + (deferred ? "(其中 " + deferred + " 项容缺后补)" : "") + ",可以当场受理。";
    }
    summary.appendChild(p);
    summary.setAttribute("data-missing", String(missing.length));
  }

  rows.forEach(function (row) {
    row.addEventListener("change", function (event) {
      if (event.target.type === "file" && event.target.files.length) {
        var upload = row.querySelector("input[value=upload]");
        if (upload) upload.checked = true;
      }
      refresh();
    });
  });
  var all = document.getElementById("mark-all");
  if (all) {
    all.addEventListener("click", function () {
      rows.forEach(function (row) {
        if (markOf(row) !== "none") return;  // keep uploads and 容缺 already chosen
        var radio = row.querySelector("input[value=window]");
        if (radio) radio.checked = true;
      });
      refresh();
    });
  }
  refresh();
})();
