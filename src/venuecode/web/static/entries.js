// A venue's entries of one day (masked): today's refresh every 10 seconds, a past day's once.
// The words for channels, results, colours and reasons come from the page (data-words).
(function () {
  var box = document.getElementById("counts");
  var rows = document.getElementById("rows");
  var empty = document.getElementById("no-rows");
  var updated = document.getElementById("updated");
  var words = JSON.parse(box.dataset.words);
  var heads = Array.prototype.map.call(document.querySelectorAll(".entries-table th"),
                                       function (th) { return th.textContent; });
  function say(table, code) { return (code && words[table][code]) || code || ""; }
  function cell(text, index) {
    var td = document.createElement("td");
    td.textContent = text;
    td.dataset.label = heads[index];
    return td;
  }
  function result(row) {
    var text = (row.decision === "pass" ? "✓ " : "✗ ") + say("decisions", row.decision);
    if (row.decision !== "pass") {
      var color = row.color ? say("colors", row.color) : "";
      // A reason that only repeats the colour (黄码 · 黄码) is said once.
      var why = row.reasons.map(function (r) { return say("reasons", r); })
        .filter(function (r) { return r !== color; }).join("、");
      text += (color ? " · " + color : "") + (why ? " · " + why : "");
    }
    return text;
  }
  function load() {
    fetch(box.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (data) {
        ["green", "yellow", "red", "denied"].forEach(function (k) {
          document.getElementById("count-" + k).textContent = data.counts[k];
        });
        rows.textContent = "";
        data.rows.forEach(function (row) {
          var tr = document.createElement("tr");
          tr.className = "row-" + row.decision + " channel-" + row.channel;
          // The venue's local time, as the server states it (not the phone's zone).
          [row.local_time, row.name || "—", row.id_number, row.sub_area || "—",
           say("channels", row.channel), result(row)].forEach(function (text, i) {
            tr.appendChild(cell(text, i));
          });
          rows.appendChild(tr);
        });
        empty.hidden = data.rows.length > 0;
        updated.textContent = new Date().toLocaleTimeString();
      });
  }
  load();
  if (box.dataset.live === "yes") { setInterval(load, 10000); }
})();
