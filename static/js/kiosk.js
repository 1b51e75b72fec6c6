/* 市民之窗 kiosk: the PIN pad, the idle countdown and the poll of the terminal's session.
   No inline script, no eval (CSP). The server ends an idle session on its own; the countdown
   only shows it. */
(function () {
  "use strict";
  var body = document.body;
  var home = body.dataset.homeUrl;
  var pageSession = body.dataset.session || "";

  // --- the pads (PIN, SMS code, ID number): keys collected in a hidden field; a secret shows dots ---
  var pad = document.getElementById("pinpad");
  if (pad) {
    var field = pad.querySelector("[data-pad-field]");
    var dots = document.getElementById("pin-dots");
    var ok = document.getElementById("pin-ok");
    var max = parseInt(pad.dataset.max || "6", 10);
    var secret = pad.hasAttribute("data-secret");
    var show = function () {
      var n = field.value.length;
      if (secret) {
        dots.textContent = "●".repeat(n) + "○".repeat(max - n);
      } else if (max > 6) {  // an ID number: 6 · 8 · 4 groups, as printed on the card
        dots.textContent = [field.value.slice(0, 6), field.value.slice(6, 14), field.value.slice(14)].join(" ").trim();
      } else {
        dots.textContent = field.value + "_".repeat(max - n);
      }
      ok.disabled = n !== max;
    };
    pad.addEventListener("click", function (event) {
      var key = event.target.closest("button");
      if (!key || key.type === "submit") { return; }
      var digit = key.dataset.digit;
      // X is only the last character of an ID number
      if (digit && field.value.length < max && (digit !== "X" || field.value.length === max - 1)) {
        field.value += digit;
      }
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
