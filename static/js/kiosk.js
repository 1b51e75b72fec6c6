/* 市民之窗 kiosk: the PIN pad, the idle countdown and the poll of the terminal's session.
   No inline script, no eval (CSP). The server ends an idle session on its own; the countdown
   only shows it. */
(function () {
  "use strict";
  var body = document.body;
  var home = body.dataset.homeUrl;
  var pageSession = body.dataset.session || "";

  // --- the PIN pad: digits collected in a hidden field, shown as dots ---
  var pad = document.getElementById("pinpad");
  if (pad) {
    var field = document.getElementById("pin");
    var dots = document.getElementById("pin-dots");
    var ok = document.getElementById("pin-ok");
    var show = function () {
      var n = field.value.length;
      dots.textContent = "●●●●●●".slice(0, n) + "○○○○○○".slice(n);
      ok.disabled = n !== 6;
    };
    pad.addEventListener("click", function (event) {
      var key = event.target.closest("button");
      if (!key || key.type === "submit") { return; }
      if (key.hasAttribute("data-digit") && field.value.length < 6) { field.value += key.dataset.digit; }
      if (key.hasAttribute("data-back")) { field.value = field.value.slice(0, -1); }
      if (key.hasAttribute("data-clear")) { field.value = ""; }
      show();
    });
    show();
  }

  // --- printing a receipt: the PDF in a hidden frame, printed by the terminal's printer ---
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-receipt]");
    if (!link) { return; }
    event.preventDefault();
    var frame = document.createElement("iframe");
    frame.className = "kprint-frame";
    frame.title = link.textContent;
    frame.src = link.href;
    frame.addEventListener("load", function () {
      try { frame.contentWindow.print(); } catch (e) { /* the terminal's printer is driven by its agent */ }
    });
    document.body.appendChild(frame);
    link.textContent = "正在打印凭条…";
  });

  // --- the countdown to the automatic sign-out ---
  var counter = document.getElementById("countdown");
  var left = parseInt(body.dataset.remaining, 10);
  var leaving = false;
  var leave = function () {
    if (leaving) { return; }
    leaving = true;
    window.setTimeout(function () { window.location.assign(home); }, 1200);
  };
  if (counter && !isNaN(left)) {
    var tick = function () {
      left = Math.max(0, left - 1);
      counter.textContent = String(left);
      if (left <= 10) { body.classList.add("expiring"); }
      if (left === 0) { leave(); }
    };
    window.setInterval(tick, 1000);
  }

  // --- the poll: a card read or removed, or the session ended by the server ---
  if (!body.hasAttribute("data-kiosk") || !body.dataset.stateUrl) { return; }
  var poll = function () {
    if (leaving) { return; }
    fetch(body.dataset.stateUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state || leaving) { return; }
        var now = state.session ? String(state.session) : "";
        if (now === pageSession) {
          if (counter && state.remaining < left) { left = state.remaining; counter.textContent = String(left); }
          return;
        }
        if (counter && state.ended_reason === "idle" && String(state.ended) === pageSession) {
          left = Math.min(left, 1);  // let the countdown show its end
          return;
        }
        window.location.assign(home);
      })
      .catch(function () { /* the network is back at the next poll */ });
  };
  window.setInterval(poll, 2000);
})();
