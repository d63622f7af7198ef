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

