// Fills the citizen's scan history from the API (same data as GET /api/v1/me/scans).
(function () {
  var list = document.getElementById("history");
  fetch("/api/v1/me/scans", { credentials: "same-origin" }).then(function (r) { return r.json(); })
    .then(function (items) {
      list.textContent = "";
      if (!items.length) { var li = document.createElement("li"); li.textContent = "—"; list.appendChild(li); return; }
      items.forEach(function (item) {
        var li = document.createElement("li");
        var when = new Date(item.scanned_at);
        var strong = document.createElement("strong");
        strong.textContent = item.venue_name;
        var meta = document.createElement("span");
        meta.className = item.decision === "pass" ? "status status-approved" : "status status-rejected";
        meta.textContent = when.toLocaleString() + " · " + (item.decision === "pass" ? "✓" : "✗ " + (item.reason_names || item.reasons).join(document.documentElement.lang === "en" ? ", " : "、"));
        li.appendChild(strong); li.appendChild(meta);
        list.appendChild(li);
      });
    });
})();

// Who looked at or acted on my data (GET /api/v1/me/access-log): time, role and what, in
// words (never the action codes), and why.
(function () {
  var list = document.getElementById("access-log");
  if (!list) { return; }
  fetch("/api/v1/me/access-log", { credentials: "same-origin" }).then(function (r) { return r.json(); })
    .then(function (events) {
      list.textContent = "";
      if (!events.length) { var none = document.createElement("li"); none.textContent = "—"; list.appendChild(none); return; }
      events.forEach(function (e) {
        var li = document.createElement("li");
        li.textContent = new Date(e.at).toLocaleString() + " · " + e.role_name + " · " + e.what + (e.reason ? " · " + e.reason : "");
        list.appendChild(li);
      });
    });
})();
