// 帮扫: when a leaf of the clover is chosen, bring its form into view and put the cursor in
// its first field, so the helper does not have to scroll on a phone. The page itself works
// without this script (the radio buttons and CSS show the form).
(function () {
  document.addEventListener("change", function (event) {
    var radio = event.target;
    if (!(radio instanceof HTMLInputElement) || !radio.classList.contains("way-radio")) { return; }
    var form = document.getElementById({ id_photo: "form-id-photo", card_number: "form-card",
                                         health_code_qr: "form-code", id_typed: "form-typed" }[radio.value]);
    if (!form) { return; }
    form.scrollIntoView({ block: "center", behavior: "smooth" });
    var field = form.querySelector("input:not([type=hidden])");
    if (field && field.type !== "file") { field.focus({ preventScroll: true }); }
  });
})();
