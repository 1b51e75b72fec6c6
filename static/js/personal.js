// 我的 / 企业主页: a query can take a few seconds when a source is slow; say so on the button.
(function () {
  "use strict";
  document.querySelectorAll("form[data-query-form]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (!button || button.classList.contains("is-busy")) return;
      button.classList.add("is-busy");
      button.setAttribute("aria-busy", "true");
      var busy = button.getAttribute("data-busy-text");
      if (busy) button.firstChild.textContent = busy;
    });
  });
})();
