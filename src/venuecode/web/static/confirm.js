// Destructive actions ask first (docs/feedback.md). A form, its submit button or a link
// with data-confirm="what will happen" opens the page's #confirm-dialog (base.html); only
// 继续 sends it, 取消 or Esc leaves everything as it was. data-confirm-ok names the button
// ("挂失作废"). No inline handlers: the CSP allows none.
(function () {
  var dialog = document.getElementById("confirm-dialog");

  function ask(message, okLabel, onYes) {
    if (!dialog || typeof dialog.showModal !== "function") {
      if (window.confirm(message)) { onYes(); }
      return;
    }
    var ok = document.getElementById("confirm-ok");
    var cancel = document.getElementById("confirm-cancel");
    document.getElementById("confirm-text").textContent = message;
    ok.textContent = okLabel || ok.dataset.label;
    function finish(yes) {
      ok.removeEventListener("click", onOk);
      cancel.removeEventListener("click", onCancel);
      dialog.removeEventListener("cancel", onCancel);
      if (dialog.open) { dialog.close(); }
      if (yes) { onYes(); }
    }
    function onOk() { finish(true); }
    function onCancel(event) { if (event) { event.preventDefault(); } finish(false); }
    ok.addEventListener("click", onOk);
    cancel.addEventListener("click", onCancel);
    dialog.addEventListener("cancel", onCancel);
    dialog.showModal();
    cancel.focus();  // the safe choice is the default
  }

  // Capture phase: runs before busy.js, which must not mark a form busy that is not sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    var submitter = event.submitter;
    var source = submitter && submitter.dataset.confirm ? submitter : form;
    var message = source.dataset.confirm;
    if (!message) { return; }
    if (form.dataset.confirmed === "1") { delete form.dataset.confirmed; return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    ask(message, source.dataset.confirmOk, function () {
      form.dataset.confirmed = "1";
      if (submitter && typeof form.requestSubmit === "function") { form.requestSubmit(submitter); }
      else if (typeof form.requestSubmit === "function") { form.requestSubmit(); }
      else { form.submit(); }
    });
  }, true);

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a[data-confirm]") : null;
    if (!link) { return; }
    event.preventDefault();
    ask(link.dataset.confirm, link.dataset.confirmOk, function () { window.location.assign(link.href); });
  });
})();
