/* The supervisor's dashboard: two charts (Chart.js from static/vendor/, installed from npm at
   set-up) drawn from the figures embedded in the page, redrawn when the figures refresh; and
   the live card list: every few seconds ask for cards opened after the newest one shown and put
   them on top, highlighted, without reloading the page. Without scripts or without the chart
   library the page keeps its tables. */
(function () {
  "use strict";
  var charts = {};

  function css(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function drawCharts() {
    var source = document.getElementById("dashboard-charts");
    if (!source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var wall = document.body.classList.contains("wall");
    var font = wall ? 22 : (window.innerWidth < 720 ? 11 : 13);
    window.Chart.defaults.font.size = font;
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.color = wall ? "#e8eef8" : "#3b4a5e";
    window.Chart.defaults.animation = false;
    var blue = css("--blue", "#0b3a82"), green = css("--green", "#1f7a3a");
    var trend = document.getElementById("chart-trend");
    if (trend) {
      if (charts.trend) charts.trend.destroy();
      charts.trend = new window.Chart(trend, {
        type: "line",
        data: {
          labels: data.trend.map(function (d) { return d.day.slice(5); }),
          datasets: [
            { label: "收件", data: data.trend.map(function (d) { return d.received; }), borderColor: blue, backgroundColor: blue, tension: 0.2, pointRadius: data.trend.length > 40 ? 0 : 3 },
            { label: "办结", data: data.trend.map(function (d) { return d.concluded; }), borderColor: green, backgroundColor: green, tension: 0.2, pointRadius: data.trend.length > 40 ? 0 : 3 }
          ]
        },
        options: { responsive: true, maintainAspectRatio: false, interaction: { mode: "index", intersect: false },
                   scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { maxTicksLimit: wall ? 10 : 8 } } } }
      });
    }
    var bars = document.getElementById("chart-departments");
    if (bars) {
      if (charts.bars) charts.bars.destroy();
      var rows = data.departments.slice().sort(function (a, b) { return b.on_time_rate - a.on_time_rate; });
      charts.bars = new window.Chart(bars, {
        type: "bar",
        data: {
          labels: rows.map(function (r) { return r.label.replace(/^清远市清新区/, ""); }),
          datasets: [{ label: "按时办结率 %", data: rows.map(function (r) { return r.on_time_rate; }),
                       backgroundColor: rows.map(function (r) { return r.on_time_rate >= 95 ? green : (r.on_time_rate >= 85 ? "#d49a00" : "#c0392b"); }) }]
        },
        options: { indexAxis: "y", responsive: true, maintainAspectRatio: false,
                   plugins: { legend: { display: false } },
                   scales: { x: { min: 0, max: 100 }, y: { ticks: { autoSkip: false } } } }
      });
      bars.parentNode.style.height = Math.max(240, rows.length * (wall ? 38 : 24) + 60) + "px";
    }
  }

  document.addEventListener("tongban:refreshed", drawCharts);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawCharts); else drawCharts();

  // --- live cards ----------------------------------------------------------------------------
  var section = document.querySelector("[data-live-cards]");
  if (!section) return;
  var url = section.getAttribute("data-live-cards");
  var lastId = parseInt(section.getAttribute("data-last-id") || "0", 10);
  var seconds = parseInt(section.getAttribute("data-live-seconds") || "5", 10);
  var body = section.querySelector("[data-live-cards-body]");
  var status = section.querySelector("[data-live-status]");

  function cell(label, content) {
    var td = document.createElement("td");
    td.setAttribute("data-label", label);
    if (content instanceof Node) td.appendChild(content); else td.textContent = content;
    return td;
  }

  function link(href, text, className) {
    var a = document.createElement("a");
    a.href = href;
    var span = document.createElement("span");
    span.textContent = text;
    if (className) span.className = className;
    a.appendChild(span);
    return a;
  }

  function row(card) {
    var tr = document.createElement("tr");
    tr.className = "row-" + card.level + " live-new";
    tr.setAttribute("data-card-id", card.id);
    tr.appendChild(cell("级别", link(card.url, card.level_label, "badge badge-" + card.level)));
    tr.appendChild(cell("事由", card.trigger_label));
    var what = document.createElement("span");
    what.appendChild(link(card.application_url, card.title));
    what.appendChild(document.createElement("br"));
    var number = document.createElement("small");
    number.className = "mono muted";
    number.textContent = card.number;
    what.appendChild(number);
    tr.appendChild(cell("事项", what));
    tr.appendChild(cell("责任部门", card.department || "综合窗口"));
    tr.appendChild(cell("期限", card.due || "—"));
    tr.appendChild(cell("原因", card.reason));
    tr.appendChild(cell("亮牌时间", card.opened_at));
    return tr;
  }

  function poll() {
    if (document.hidden) return;
    fetch(url + "?after=" + lastId, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
      .then(function (data) {
        if (!data.cards.length) return;
        var empty = section.querySelector("[data-live-empty]");
        if (empty) empty.remove();
        data.cards.slice().reverse().forEach(function (card) {
          if (body.querySelector('[data-card-id="' + card.id + '"]')) return;
          body.insertBefore(row(card), body.firstChild);
        });
        lastId = Math.max(lastId, data.last_id);
        if (status) status.textContent = status.getAttribute("data-new") + " " + data.cards.length + " · " + new Date().toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" });
      })
      .catch(function () { /* the next poll tries again */ });
  }
  window.setInterval(poll, seconds * 1000);
})();
