// 帮扫: when a leaf of the clover is chosen, bring its form into view and put the cursor in
// its first field, so the helper does not have to scroll on a phone. On arrival after a
// person was added (the way already chosen, #help-next), the same field gets the cursor:
// the browser skips `autofocus` when the URL has a fragment. The page works without this
// script (the radio buttons and CSS show the form).
(function () {
  var FORMS = { id_photo: "form-id-photo", card_number: "form-card",
                health_code_qr: "form-code", id_typed: "form-typed" };

  function focusWay(way, scroll) {
    var form = document.getElementById(FORMS[way]);
    if (!form) { return; }
    if (scroll) { form.scrollIntoView({ block: "center", behavior: "smooth" }); }
    var field = form.querySelector("input:not([type=hidden])");
    if (field && field.type !== "file") { field.focus({ preventScroll: true }); }
  }

  document.addEventListener("change", function (event) {
    var radio = event.target;
    if (radio instanceof HTMLInputElement && radio.classList.contains("way-radio")) {
      focusWay(radio.value, true);
    }
  });

  var chosen = document.querySelector(".way-radio:checked");
  if (chosen && !document.getElementById("confirm-form")) {
    // After the browser has scrolled to #help-next, which would take a focus given earlier.
    window.addEventListener("load", function () {
      window.setTimeout(function () { focusWay(chosen.value, false); }, 0);
    });
  }
})();
