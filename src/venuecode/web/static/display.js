// The venue display (动态场所码): derives each time step's code in the browser, TOTP-style,
// from the venue's display key (venues/display.py), so the screen keeps working offline.
// stamp = base64url(HMAC-SHA256(key, "<token>.<step>")[:8]); URL = base + token.step.stamp
(function () {
  "use strict";

  function fromBase64Url(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function toBase64Url(bytes) {
    var raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  var keys = {};
  function hmacKey(keyText) {
    if (!keys[keyText]) {
      keys[keyText] = crypto.subtle.importKey("raw", fromBase64Url(keyText),
        { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    }
    return keys[keyText];
  }

  // The stamp of `token` at time step `step` (a Promise of its 11 characters).
  function stampFor(keyText, token, step) {
    return hmacKey(keyText).then(function (key) {
      return crypto.subtle.sign("HMAC", key, new TextEncoder().encode(token + "." + step));
    }).then(function (mac) {
      return toBase64Url(new Uint8Array(mac).slice(0, 8));
    });
  }

  function stepAt(millis, seconds) { return Math.floor(millis / 1000 / seconds); }

  window.venuecodeDisplay = { stampFor: stampFor, stepAt: stepAt };

  var screen = document.getElementById("display");
  if (!screen) { return; }
  var box = document.getElementById("display-qr");
  var countdown = document.getElementById("countdown");
  var seconds = parseInt(screen.getAttribute("data-seconds"), 10);
  var token = screen.getAttribute("data-token");
  var keyText = screen.getAttribute("data-key");
  var base = screen.getAttribute("data-base");
  var shownStep = null;

  function draw(url) {
    // Level Q, as on the poster; the quiet zone of 4 modules the standard asks for.
    var qr = qrcode(0, "Q");
    qr.addData(url, "Byte");
    qr.make();
    box.innerHTML = qr.createSvgTag({ cellSize: 8, margin: 4, scalable: true });
    box.setAttribute("data-url", url);
    box.setAttribute("data-step", String(shownStep));
  }

  var derive = window.crypto && window.crypto.subtle && window.TextEncoder;
  function tick() {
    var now = Date.now();
    var step = stepAt(now, seconds);
    countdown.textContent = String(seconds - Math.floor(now / 1000) % seconds);
    if (step === shownStep || !derive) { return; }
    shownStep = step;
    stampFor(keyText, token, step).then(function (stamp) {
      if (step === shownStep) { draw(base + token + "." + step + "." + stamp); }
    });
  }

  if (!derive) {
    // Plain http on another machine: no WebCrypto. Show the server's code and say so.
    document.getElementById("display-note").textContent = screen.getAttribute("data-no-crypto");
    draw(box.getAttribute("data-url"));
  }
  tick();
  setInterval(tick, 250);
})();
