/* 通办 Tongban — a little vanilla JS. Every page works without it. */
(function () {
  "use strict";

  // Mobile menu.
  var toggle = document.querySelector(".nav-toggle");
  var list = document.getElementById("nav-list");
  if (toggle && list) {
    toggle.addEventListener("click", function () {
      var open = list.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // Validate first, then confirm (issue 17): before asking "确认…?" the fields this action needs
  // must be filled in — those named by data-requires="id …" on the button (or the form), and the
  // form's own [required] fields (forms with novalidate skip the browser's check). An empty one
  // is marked with its data-empty-message and focused, and nothing is asked or sent; the server
  // checks everything again.
  function markEmpty(field, message) {
    var wrap = field.closest(".field") || field.parentNode;
    wrap.classList.add("has-error");
    field.setAttribute("aria-invalid", "true");
    var list = wrap.querySelector("ul.errorlist[data-client]");
    if (!list) {
      list = document.createElement("ul");
      list.className = "errorlist";
      list.setAttribute("data-client", "");
      list.setAttribute("role", "alert");
      list.id = (field.id || "field") + "_client_error";
      field.insertAdjacentElement("afterend", list);
      var described = field.getAttribute("aria-describedby");
      field.setAttribute("aria-describedby", (described ? described + " " : "") + list.id);
    }
    list.innerHTML = "";
    var item = document.createElement("li");
    item.textContent = message;
    list.appendChild(item);
  }

  function clearMark(field) {
    var wrap = field.closest(".field") || field.parentNode;
    var list = wrap.querySelector("ul.errorlist[data-client]");
    if (!list) return;
    list.remove();
    if (!wrap.querySelector("ul.errorlist")) wrap.classList.remove("has-error");
    field.removeAttribute("aria-invalid");
  }

  function emptyFields(form, button) {
    var ids = ((button && button.getAttribute("data-requires")) || form.getAttribute("data-requires") || "")
      .split(/\s+/).filter(Boolean);
    var fields = ids.map(function (id) { return document.getElementById(id); }).filter(Boolean);
    Array.prototype.forEach.call(form.querySelectorAll("[required]"), function (f) {
      if (fields.indexOf(f) < 0) fields.push(f);
    });
    return fields.filter(function (f) {
      if (f.disabled || f.type === "hidden") return false;
      if (f.type === "checkbox" || f.type === "radio") {
        return !form.querySelector("input[name='" + f.name + "']:checked");
      }
      return !String(f.value || "").trim();
    });
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[aria-invalid=true]")) clearMark(event.target);
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[aria-invalid=true]")) clearMark(event.target);
  });

  // Ask before irreversible actions (撤回, 不予受理, 不予许可 …): <form data-confirm="…">, or a
  // submit button with data-confirm when one form has several.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question) {
      var empty = emptyFields(form, button);
      if (empty.length) {
        event.preventDefault();
        empty.forEach(function (f) {
          markEmpty(f, f.getAttribute("data-empty-message") || "请先填写此项。");
        });
        empty[0].focus();
        return;
      }
    }
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // One submission per form: a double click must not send twice (the server is idempotent
    // too, by the form's idempotency key). Buttons are not disabled, so their value is sent.
    if (form.hasAttribute("data-once")) {
      if (form.getAttribute("data-sent") === "1") {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "1");
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit], button:not([type])"), function (b) {
        b.classList.add("is-busy");
        b.setAttribute("aria-disabled", "true");
      });
    }
  }, true);

  // Back/forward cache: a page shown again may be submitted again.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-sent]"), function (form) {
      form.removeAttribute("data-sent");
      Array.prototype.forEach.call(form.querySelectorAll(".is-busy"), function (b) {
        b.classList.remove("is-busy");
        b.removeAttribute("aria-disabled");
      });
    });
  });

  // Ticking a material in the one-time notice makes its reason required, and vice versa.
  Array.prototype.forEach.call(document.querySelectorAll("[data-reason-for]"), function (input) {
    var box = document.getElementById(input.getAttribute("data-reason-for"));
    if (!box) return;
    var sync = function () { input.required = box.checked; };
    box.addEventListener("change", sync);
    sync();
  });

  // Self-refreshing region (the supervisor's dashboard): fetch the same page's figures and swap
  // them in place, without reloading the page; paused while the tab is hidden.
  Array.prototype.forEach.call(document.querySelectorAll("[data-refresh-url]"), function (region) {
    var url = region.getAttribute("data-refresh-url");
    var seconds = parseInt(region.getAttribute("data-refresh-seconds") || "60", 10);
    var status = document.querySelector("[data-refresh-status]");
    var refresh = function () {
      if (document.hidden) return;
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          region.innerHTML = html;
          region.dispatchEvent(new CustomEvent("tongban:refreshed", { bubbles: true }));
          if (status) status.textContent = status.getAttribute("data-ok") + " " + new Date().toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" });
        })
        .catch(function () {
          if (status) status.textContent = status.getAttribute("data-failed");
        });
    };
    window.setInterval(refresh, seconds * 1000);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
  });
})();

/* File inputs: show the chosen file's name beside the Chinese "选择文件" button. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("file-input")) return;
    var pick = input.closest(".file-pick");
    var label = pick && pick.querySelector(".file-name");
    if (!label) return;
    var file = input.files && input.files[0];
    label.textContent = file ? file.name : label.getAttribute("data-empty");
    pick.classList.toggle("has-file", Boolean(file));
  });
})();

/* What used to be inline (the Content-Security-Policy runs no inline script or style attribute):
   widths computed on the server (data-width="NN" percent, data-flex="N"), print buttons
   (data-print), selects that submit their form (data-autosubmit) and "back" links (data-back). */
(function () {
  "use strict";
  var apply = function (root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-width]"), function (el) {
      var n = parseFloat(el.getAttribute("data-width"));
      if (!isNaN(n)) el.style.width = Math.max(0, Math.min(100, n)) + "%";
    });
    Array.prototype.forEach.call(root.querySelectorAll("[data-flex]"), function (el) {
      var n = parseFloat(el.getAttribute("data-flex"));
      if (!isNaN(n)) el.style.flex = String(n);
    });
  };
  apply(document);
  document.addEventListener("tongban:refreshed", function (event) { apply(event.target); });
  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-print], [data-back]");
    if (!target) return;
    if (target.hasAttribute("data-print")) {
      window.print();
    } else if (window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
  document.addEventListener("change", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-autosubmit") && event.target.form) {
      event.target.form.submit();
    }
  });
})();

// The installable mobile hall (issue 13, portal/offline.py): a signed-in citizen's phone keeps
// the progress pages and licences readable offline. A page without data-service-worker (signed
// out, staff, a hall computer) removes the worker and every copy it kept.
(function () {
  "use strict";
  var banner = document.querySelector("[data-offline-banner]");
  var showState = function () { if (banner) banner.hidden = navigator.onLine; };
  window.addEventListener("online", showState);
  window.addEventListener("offline", showState);
  showState();
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  var script = document.body.getAttribute("data-service-worker");
  if (script) {
    navigator.serviceWorker.register(script, { scope: "/" }).catch(function () { /* pages work without it */ });
    return;
  }
  navigator.serviceWorker.getRegistrations().then(function (registrations) {
    registrations.forEach(function (registration) { registration.unregister(); });
  });
  if (window.caches) {
    var forget = function () {
      caches.keys().then(function (names) {
        names.filter(function (name) { return name.indexOf("tongban-") === 0; })
          .forEach(function (name) { caches.delete(name); });
      });
    };
    forget();
    // The worker still controls this page until it is gone: it may keep a copy of this page's
    // files after the first pass (a slow box showed it). Forget once more when they are loaded.
    window.addEventListener("load", function () { window.setTimeout(forget, 1000); });
  }
})();
