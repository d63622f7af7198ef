// "Show phone": one person at a time, each reveal is audited on the server.
document.querySelectorAll("button.show-phone").forEach(function (button) {
  button.addEventListener("click", async function () {
    const token = document.querySelector('meta[name="csrf-token"]').content;
    const response = await fetch("/tracing/traces/" + encodeURIComponent(button.dataset.trace) + "/persons/" + encodeURIComponent(button.dataset.id) + "/phone",
                                 {method: "POST", credentials: "same-origin",
                                  headers: {"Accept": "application/json", "X-CSRF-Token": token}});
    const body = await response.json();
    const cell = button.parentElement;
    cell.textContent = response.ok ? [body.name, body.phone].filter(Boolean).join(" ") || "—" : (body.error && body.error.message) || response.status;
  });
});

// Links that export personal data ask first (data-confirm-link), like forms with data-confirm.
document.addEventListener("click", function (event) {
  var link = event.target instanceof Element ? event.target.closest("a[data-confirm-link]") : null;
  if (link && !window.confirm(link.dataset.confirmLink)) {
    event.preventDefault();
  }
});
