// Live list of today's entries at a venue (masked); polls the JSON every 10 seconds.
(function () {
  var box = document.getElementById("counts");
  var rows = document.getElementById("rows");
  var updated = document.getElementById("updated");
  var labels = { pass: "✓", deny: "✗" };
  // Each cell names its column, for the card layout on a phone (app.css, data-label).
  var heads = [].map.call(rows.parentNode.querySelectorAll("thead th"), function (th) { return th.textContent; });
  function labelled(tr) {
    [].forEach.call(tr.children, function (td, i) { if (heads[i]) td.setAttribute("data-label", heads[i]); });
    return tr;
  }
  function cell(text) { var td = document.createElement("td"); td.textContent = text; return td; }
  function load() {
    fetch(box.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (data) {
        ["green", "yellow", "red", "denied"].forEach(function (k) {
          document.getElementById("count-" + k).textContent = data.counts[k];
        });
        rows.textContent = "";
        data.rows.forEach(function (row) {
          var tr = document.createElement("tr");
          tr.className = "row-" + row.decision;
          tr.appendChild(cell(new Date(row.at).toLocaleTimeString()));
          tr.appendChild(cell(row.name));
          tr.appendChild(cell(row.id_number));
          tr.appendChild(cell(labels[row.decision] + " " + (row.color || "") + " " + row.reasons.join(", ")));
          rows.appendChild(labelled(tr));
        });
        updated.textContent = new Date().toLocaleTimeString();
      });
  }
  load();
  setInterval(load, 10000);
})();
