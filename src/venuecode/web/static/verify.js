// 防伪核验: verify a scan result's proof (its small QR) and show the verdict full screen.
// The live camera needs the browser's BarcodeDetector (Chrome on Android, Safari); without
// it a photo goes to the server, which reads the QR (zxing-cpp). The pasted text works
// everywhere. POST /api/v1/verify answers the verdict or a 422 naming the fault.
(function () {
  if (!document.querySelector("[data-proof-verify]")) { return; }
  var text = JSON.parse(document.getElementById("proof-text-data").textContent);
  var overlay = document.getElementById("proof-verdict");
  var busy = document.getElementById("proof-busy");
  var video = document.getElementById("proof-video");
  var stream = null, ticking = null, expiresAt = 0;

  function csrfToken() { return document.querySelector('meta[name="csrf-token"]').content; }
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function clockText(d) { return two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds()); }

  function tick() {
    var now = new Date();
    document.getElementById("proof-clock").textContent = clockText(now);
    var left = document.getElementById("proof-left");
    if (expiresAt) {
      var s = Math.max(0, Math.ceil((expiresAt - now.getTime()) / 1000));
      left.textContent = text.left.replace("%(s)s", s);
    } else { left.textContent = ""; }
  }

  function show(kind, body) {
    overlay.className = "proof-verdict proof-" + kind;
    var ok = kind !== "refused";
    document.getElementById("proof-big").textContent = text[kind];
    document.getElementById("proof-venue").textContent = ok ? body.venue.name + (body.venue.sub_area ? " · " + body.venue.sub_area : "") : "";
    document.getElementById("proof-when").textContent = ok ? text.scanned.replace("%(time)s", clockText(new Date(body.scanned_at))) : "";
    document.getElementById("proof-who").textContent = ok ? (body.person.name || "") + " " + body.person.id_number : "";
    document.getElementById("proof-why").textContent = ok ? "" : body;
    expiresAt = ok ? new Date(body.expires_at).getTime() : 0;
    overlay.hidden = false;
    tick();
    clearInterval(ticking);
    ticking = setInterval(tick, 1000);
  }

  function answer(response) {
    return response.json().then(function (body) {
      if (response.ok) { show(body.decision === "pass" ? "pass" : "deny", body); }
      else { show("refused", body.error ? body.error.message : text.network); }
    });
  }

  function post(url, options) {
    busy.hidden = false;
    options.method = "POST"; options.credentials = "same-origin";
    options.headers = options.headers || {};
    options.headers["Accept"] = "application/json";
    options.headers["X-CSRF-Token"] = csrfToken();
    return fetch(url, options).then(answer)
      .catch(function () { show("refused", text.network); })
      .then(function () { busy.hidden = true; });
  }

  function verifyText(value) {
    return post("/api/v1/verify", { headers: { "Content-Type": "application/json" },
                                   body: JSON.stringify({ proof: value.trim() }) });
  }

  document.getElementById("proof-paste-form").addEventListener("submit", function (event) {
    event.preventDefault();
    verifyText(document.getElementById("proof-text").value);
  });

  var photo = document.getElementById("proof-photo");
  photo.addEventListener("change", function () {
    var file = photo.files[0];
    if (!file) { return; }
    var form = new FormData(); form.append("photo", file);
    post("/api/v1/verify/photo", { body: form });
    photo.value = "";
  });

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.hidden = true;
  }

  if ("BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    var start = document.getElementById("proof-camera-start");
    start.hidden = false;
    start.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
        stream = s; video.srcObject = s; video.hidden = false; video.play();
        (function look() {
          if (!stream) { return; }
          detector.detect(video).then(function (codes) {
            if (codes.length && codes[0].rawValue) { stopCamera(); verifyText(codes[0].rawValue); }
            else { setTimeout(look, 250); }
          }).catch(function () { setTimeout(look, 500); });
        })();
      }).catch(function () { start.hidden = true; });
    });
  }

  document.getElementById("proof-again").addEventListener("click", function () {
    overlay.hidden = true; clearInterval(ticking); expiresAt = 0;
    document.getElementById("proof-paste-form").reset();
  });
})();
