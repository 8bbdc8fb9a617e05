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
/* The page's scripts are asked for while the page itself still arrives. Voila's loader finds the
   scripts it needs one wave at a time (its bundle, then ~60 chunks, then the widget extensions, then
   the chunks the kernel connection needs), each wave only after the previous one ran. This browser
   remembers which same-origin scripts the page loaded last time and preloads them all at once from
   the page's head; the loader then finds them ready. A file gone since (a new Voila) costs one 404. */
(function () {
  var KEY = "workbench-preload";
  var store;
  try { store = window.localStorage; } catch (e) { return; }
  if (!store) { return; }
  try {
    var urls = JSON.parse(store.getItem(KEY) || "[]");
    for (var i = 0; i < urls.length && i < 400; i++) {
      if (typeof urls[i] !== "string" || urls[i].indexOf(location.origin + "/") !== 0) { continue; }
      var link = document.createElement("link");
      link.rel = "preload";
      link.as = "script";
      link.href = urls[i];
      document.head.appendChild(link);
    }
  } catch (e) { /* a damaged list: nothing preloaded */ }
  function remember() {
    try {
      var seen = performance.getEntriesByType("resource").filter(function (r) {
        return (r.initiatorType === "script" || r.initiatorType === "link") && r.name.indexOf(location.origin + "/") === 0
          && /\.js(\?|$)/.test(r.name) && r.name.indexOf("/api/") < 0;
      }).map(function (r) { return r.name; });
      if (seen.length) { store.setItem(KEY, JSON.stringify(seen.filter(function (u, k) { return seen.indexOf(u) === k; }))); }
    } catch (e) { /* storage full or disabled: nothing remembered */ }
  }
  window.addEventListener("load", function () { setTimeout(remember, 5000); });
  window.addEventListener("pagehide", remember);
})();
