// Slow actions show that they are working (docs/feedback.md). A form (or its submit button,
// or a link) with data-busy="正在识别…": once sent, its buttons are disabled, so it cannot
// be sent twice, and the text shows beside a spinner until the next page arrives.
// data-busy-reset="10" gives the buttons back after 10 s, for answers that are downloads
// (a PDF, a CSV) and leave this page in place.
(function () {
  function indicator(text) {
    var box = document.createElement("span");
    box.className = "busy-indicator";
    box.setAttribute("role", "status");
    var spinner = document.createElement("span");
    spinner.className = "spinner";
    spinner.setAttribute("aria-hidden", "true");
    box.appendChild(spinner);
    box.appendChild(document.createTextNode(text));
    return box;
  }

  function controls(form) {
    return Array.prototype.slice.call(form.querySelectorAll("button, input[type=submit]"));
  }

  function release(owner, box, disabled) {
    owner.removeAttribute("aria-busy");
    delete owner.dataset.busyActive;
    disabled.forEach(function (b) { b.disabled = false; });
    if (box.parentNode) { box.parentNode.removeChild(box); }
  }

  function start(owner, source, place, disabled) {
    owner.dataset.busyActive = "1";
    owner.setAttribute("aria-busy", "true");
    var box = indicator(source.dataset.busy);
    place.parentNode.insertBefore(box, place.nextSibling);
    var seconds = parseFloat(source.dataset.busyReset || "");
    if (seconds > 0) { window.setTimeout(function () { release(owner, box, disabled); }, seconds * 1000); }
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) { release(owner, box, disabled); }  // back from the next page
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) { return; }
    var submitter = event.submitter;
    var source = submitter && submitter.dataset.busy ? submitter : form;
    if (!source.dataset.busy) { return; }
    if (form.dataset.busyActive) { event.preventDefault(); return; }  // a second tap
    var buttons = controls(form);
    start(form, source, submitter || buttons[buttons.length - 1] || form.lastChild, buttons);
    // Disabled after the browser has read the form: a disabled submit button would drop
    // its own name=value (e.g. action=revoke) from what is sent.
    window.setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
  });

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a[data-busy]") : null;
    if (!link || event.defaultPrevented) { return; }
    if (link.dataset.busyActive) { event.preventDefault(); return; }
    start(link, link, link, []);
  });
})();
