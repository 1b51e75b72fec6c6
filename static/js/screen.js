/* The hall's screen: poll the screen's JSON every ~2 s with fetch() and redraw the called numbers
   in place (no reload); flash the banner when a number is called or recalled. */
(function () {
  "use strict";
  var board = document.querySelector("[data-screen-url]");
  if (!board) return;
  var url = board.getAttribute("data-screen-url");
  var seconds = parseFloat(board.getAttribute("data-screen-seconds") || "2");
  var version = board.getAttribute("data-screen-version") || "";
  var latest = board.querySelector("[data-screen-latest]");
  var rows = board.querySelector("[data-screen-rows]");
  var waiting = board.querySelector("[data-screen-waiting]");
  var status = board.querySelector("[data-screen-status]");
  var clock = board.querySelector("[data-screen-clock]");
  var words = {};
  var template = board.querySelector("[data-screen-words]");
  if (template) {
    Array.prototype.forEach.call(template.content.querySelectorAll("[data-word]"), function (el) {
      words[el.getAttribute("data-word")] = el.textContent;
    });
  }
  var fill = function (text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, key) { return values[key] == null ? "" : String(values[key]); });
  };
  var stateWord = function (row) {
    if (row.state === "called") return row.recall_count ? words.recalled : words.called;
    return words[row.state] || "";
  };
  var cell = function (tr, text) {
    var td = document.createElement("td");
    td.textContent = text;
    tr.appendChild(td);
  };

  var draw = function (data) {
    var span = document.createElement("span");
    if (data.latest) {
      span.textContent = fill(words.call, { n: data.latest.number, w: data.latest.window });
    } else {
      span.className = "hint";
      span.textContent = words.none;
    }
    latest.replaceChildren(span);
    var body = document.createDocumentFragment();
    data.called.forEach(function (row, i) {
      var tr = document.createElement("tr");
      if (i === 0) tr.className = "latest";
      cell(tr, row.number);
      cell(tr, row.window);
      cell(tr, stateWord(row));
      body.appendChild(tr);
    });
    rows.replaceChildren(body);
    var queues = document.createDocumentFragment();
    data.waiting.forEach(function (q) {
      var s = document.createElement("span");
      s.textContent = q.prefix + " " + q.label + " · " + fill(words.waiting, { n: q.waiting });
      queues.appendChild(s);
    });
    waiting.replaceChildren(queues);
    if (data.version !== version) {
      version = data.version;
      board.setAttribute("data-screen-version", version);
      latest.classList.remove("flash");
      void latest.offsetWidth; // restart the animation
      if (data.latest) latest.classList.add("flash");
    }
  };

  var busy = false;
  var poll = function () {
    if (busy) return;
    busy = true;
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        draw(data);
        status.textContent = "";
      })
      .catch(function () { status.textContent = status.getAttribute("data-failed"); })
      .then(function () { busy = false; });
  };
  var tick = function () {
    if (clock) clock.textContent = new Date().toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" });
  };
  tick();
  window.setInterval(tick, 1000);
  window.setInterval(poll, seconds * 1000);
})();
