/* Workbench dashboards: a click on a row of a ranked table or a chart point ([data-nid]) opens that candidate's
   card. The row's id is typed into the app's hidden text widget (.wb-pick), whose value the kernel
   observes and checks against the snapshot on screen; nothing else is sent. */
(function () {
  document.addEventListener("click", function (event) {
    var row = event.target.closest ? event.target.closest("[data-nid]") : null;
    if (!row) { return; }
    var root = row.closest(".wb-meeting") || document;
    var input = root.querySelector(".wb-pick input");
    if (!input) { return; }
    input.value = row.getAttribute("data-nid");
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
/* A page that closes frees its kernel. Voila posts the shutdown on `beforeunload` with the `_xsrf`
   cookie as its form field, but the notebook page never sets that cookie, so the server refused the
   post (403 "_xsrf argument missing") and every closed page left a kernel until the idle cull. The
   page sets the double-submit cookie itself when it is missing: same origin only, as the server's own. */
(function () {
  if (/(^|;\s*)_xsrf=/.test(document.cookie) || !window.crypto || !window.crypto.getRandomValues) { return; }
  var bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  document.cookie = "_xsrf=" + hex + "; path=/; SameSite=Strict";
})();
