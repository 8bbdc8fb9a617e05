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
