// 数字哨兵: the gate device. Scans go to the server; when the network is down they are
// queued in localStorage with their original time and uploaded when it returns.
// Every call carries this device's key (X-Device-Key), entered once and kept in
// localStorage: the server takes gate records from registered devices only.
(function () {
  var root = document.getElementById("sentinel");
  var venue = root.dataset.venue;
  var text = JSON.parse(document.getElementById("sentinel-text").textContent);
  var KEY = "venuecode.sentinel.queue." + venue;
  var DEVICE_KEY = "venuecode.sentinel.device-key." + venue;
  var BATCH = 50;            // items per upload call (the server's cap)
  var BATCH_BYTES = 3 << 20; // and below the server's 4 MB body limit
  var overlay = document.getElementById("sentinel-verdict");
  var audio = null;
  var waitUntil = 0;         // after a 429: no upload before this time (ms)

  function deviceKey() { return localStorage.getItem(DEVICE_KEY) || ""; }

  function showKeyForm(message) {
    document.getElementById("sentinel-key").hidden = false;
    document.getElementById("sentinel-scans").hidden = true;
    var error = document.getElementById("sentinel-key-error");
    error.textContent = message || "";
    error.hidden = !message;
  }

  function showScans() {
    document.getElementById("sentinel-key").hidden = true;
    document.getElementById("sentinel-scans").hidden = false;
    document.getElementById("sentinel-key-prefix").textContent = deviceKey().slice(0, 12) + "…";
  }

  function keyRefused(response, body) {
    // 401: no key, a wrong one or a revoked one; 403 device_key_other_venue. Ask again.
    var code = body && body.error ? body.error.code : "";
    if (response.status === 401 || code === "device_key_other_venue") {
      localStorage.removeItem(DEVICE_KEY);
      showKeyForm(body && body.error ? body.error.message : "");
      return true;
    }
    return false;
  }

  function headers(extra) {
    var h = { "Accept": "application/json", "X-CSRF-Token": csrfToken(), "X-Device-Key": deviceKey() };
    Object.keys(extra || {}).forEach(function (k) { h[k] = extra[k]; });
    return h;
  }

  function csrfToken() {
    // The page's CSRF token (base.html): the server refuses cookie-signed posts without it.
    return document.querySelector('meta[name="csrf-token"]').content;
  }

  function tone(pass) {
    // Two short tones synthesised with WebAudio, so no audio files are needed:
    // a rising double beep for pass, a long low buzz for deny.
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var notes = pass ? [[880, 0, 0.12], [1320, 0.16, 0.14]] : [[220, 0, 0.6]];
      notes.forEach(function (n) {
        var osc = audio.createOscillator(), gain = audio.createGain();
        osc.type = pass ? "sine" : "square";
        osc.frequency.value = n[0];
        gain.gain.value = 0.25;
        osc.connect(gain); gain.connect(audio.destination);
        osc.start(audio.currentTime + n[1]); osc.stop(audio.currentTime + n[1] + n[2]);
      });
    } catch (e) { /* no sound on this device: the colour still shows */ }
  }

  function show(kind, big, who, why) {
    overlay.className = "sentinel-verdict sentinel-" + kind;
    document.getElementById("sentinel-big").textContent = big;
    document.getElementById("sentinel-who").textContent = who || "";
    document.getElementById("sentinel-why").textContent = why || "";
    overlay.hidden = false;
    tone(kind === "pass");
    clearTimeout(show.timer);
    show.timer = setTimeout(function () { overlay.hidden = true; }, 3500);
  }

  function queue() { try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; } }
  function save(items) {
    localStorage.setItem(KEY, JSON.stringify(items));
    document.getElementById("queue-count").textContent = items.length;
  }
  function enqueue(item) {
    item.client_id = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    var items = queue(); items.push(item); save(items);
    show("queued", text.queued, "", "");
  }

  function shrink(file) {
    // A downscaled JPEG keeps the QR readable and the queue within localStorage's quota.
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, 900 / Math.max(img.width, img.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.width * scale); canvas.height = Math.round(img.height * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        resolve(canvas.toDataURL("image/jpeg", 0.8));
      };
      img.onerror = reject;
      img.src = URL.createObjectURL(file);
    });
  }

  function scan(form, offlineItem) {
    var scannedAt = new Date().toISOString();  // the ORIGINAL time, kept for a later upload
    fetch("/api/v1/sentinel/" + encodeURIComponent(venue) + "/scan", {
      method: "POST", body: form, credentials: "same-origin", headers: headers()
    }).then(function (response) {
      return response.json().then(function (body) {
        if (keyRefused(response, body)) { return; }
        if (response.ok) {
          var color = text[body.health_color] || "";
          show(body.decision, body.decision === "pass" ? text.pass : text.deny,
               (body.name || "") + " " + body.id_number + " " + color,
               body.reasons.map(function (r) { return r.message; }).join("；"));
        } else {
          show("deny", text.error, "", body.error ? body.error.message : "");
        }
      });
    }).catch(function () {
      if (!offlineItem) { show("deny", text.error, "", ""); return; }
      Promise.resolve(offlineItem()).then(function (item) {
        item.scanned_at = scannedAt;
        enqueue(item);
      });
    });
  }

  function onPhoto(input, method) {
    input.addEventListener("change", function () {
      var file = input.files[0];
      if (!file) { return; }
      var form = new FormData(); form.append("method", method); form.append("photo", file);
      // Offline only the paper code is queued: an ID-card photo is not kept on the device.
      scan(form, method === "health_code_qr" ? function () {
        return shrink(file).then(function (data) { return { qr_image: data }; });
      } : null);
      input.value = "";
    });
  }
  onPhoto(document.getElementById("sentinel-code-photo"), "health_code_qr");
  onPhoto(document.getElementById("sentinel-card-photo"), "id_card");

  document.getElementById("sentinel-typed").addEventListener("submit", function (event) {
    event.preventDefault();
    var name = document.getElementById("sentinel-name").value;
    var number = document.getElementById("sentinel-id").value;
    var form = new FormData();
    form.append("method", "id_typed"); form.append("name", name); form.append("id_number", number);
    scan(form, function () { return { name: name, id_number: number }; });
    event.target.reset();
  });

  function chunk(items) {
    // The first items that fit one call: at most BATCH of them and BATCH_BYTES of JSON.
    var out = [], bytes = 0;
    for (var i = 0; i < items.length && out.length < BATCH; i++) {
      var size = JSON.stringify(items[i]).length;
      if (out.length && bytes + size > BATCH_BYTES) { break; }
      out.push(items[i]); bytes += size;
    }
    return out;
  }

  function report(totals) {
    document.getElementById("sentinel-upload-status").textContent = text.uploaded
      .replace("%(stored)s", totals.stored).replace("%(duplicates)s", totals.duplicates)
      .replace("%(rejected)s", totals.rejected);
  }

  var uploading = false;
  function upload() {
    if (uploading) { return; }
    uploading = true;
    send({ stored: 0, duplicates: 0, rejected: 0 });
  }

  function send(totals) {
    // One call for the next part of the queue, then the next, until it is empty.
    var items = queue();
    if (!deviceKey() || Date.now() < waitUntil || !items.length) {
      uploading = false;
      if (totals.stored + totals.duplicates + totals.rejected) { report(totals); }
      return;
    }
    fetch("/api/v1/sentinel/" + encodeURIComponent(venue) + "/checkins", {
      method: "POST", credentials: "same-origin",
      headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify({ checkins: chunk(items) })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (keyRefused(response, body)) { uploading = false; return; }
        if (response.status === 429) {
          // Too many for this device now: the queue stays, and waits as long as told.
          waitUntil = Date.now() + 1000 * (parseInt(response.headers.get("Retry-After"), 10) || 60);
        }
        if (!response.ok) { uploading = false; return; }
        // Every item got an answer (stored, duplicate or rejected): none is sent again.
        var done = {};
        body.results.forEach(function (r) { done[r.client_id] = true; });
        save(queue().filter(function (item) { return !done[item.client_id]; }));
        totals.stored += body.stored; totals.duplicates += body.duplicates; totals.rejected += body.rejected;
        send(totals);
      });
    }).catch(function () { uploading = false; /* still offline: try again later */ });
  }

  document.getElementById("sentinel-key").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = document.getElementById("sentinel-key-input").value.trim();
    if (value.indexOf("vcg_") !== 0 || value.length < 20) { showKeyForm(text.key_shape); return; }
    localStorage.setItem(DEVICE_KEY, value);
    event.target.reset();
    showScans();
    upload();
  });
  document.getElementById("sentinel-key-forget").addEventListener("click", function () {
    if (!window.confirm(text.forget)) { return; }
    localStorage.removeItem(DEVICE_KEY);
    showKeyForm("");
  });

  if (deviceKey()) { showScans(); } else { showKeyForm(""); }
  save(queue());
  window.addEventListener("online", function () { upload(); });
  setInterval(function () { upload(); }, 15000);
  upload();
})();
