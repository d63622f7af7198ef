// The sign-in code page: counts down to 重新发送 (60 s after the last code; the server
// gives the seconds left in data-wait), then enables the button.
(function () {
  var button = document.getElementById("resend");
  if (!button) { return; }
  var left = parseInt(button.dataset.wait || "0", 10);
  function show() {
    if (left > 0) {
      button.disabled = true;
      button.textContent = button.dataset.counting.replace("%(n)s", String(left));
    } else {
      button.disabled = false;
      button.textContent = button.dataset.ready;
    }
  }
  show();
  if (left > 0) {
    var timer = window.setInterval(function () {
      left -= 1;
      show();
      if (left <= 0) { window.clearInterval(timer); }
    }, 1000);
  }
})();
