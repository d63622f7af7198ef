// Association chain graph (关联链路图): draws /tracing/traces/{id}/graph.json with cytoscape.
// Positions come from the server (a layered chain layout), so even a large, aggregated
// outbreak renders without the browser running a force layout over thousands of nodes.
(function () {
  "use strict";
  const box = document.getElementById("cy");
  const panel = document.getElementById("panel");
  const summary = document.getElementById("graph-summary");
  const form = document.getElementById("graph-filters");
  const T = JSON.parse(document.getElementById("graph-text").textContent);
  const traceId = box.dataset.trace;
  const COLORS = {case: "#d62828", close: "#f77f00", secondary: "#f6c700", tertiary: "#f9e79f",
                  general: "#9e9e9e", venue: "#1f6feb"};
  // A pale fill per chain, so parallel chains read as separate groups.
  const CHAIN_FILLS = ["#fdecea", "#e8f1fd", "#eaf7ee", "#fff6e0", "#f3e9fb", "#e6f7f7"];
  let cy = null;

  function tierColor(tier) {
    return COLORS[tier] || (tier && tier.indexOf("tier") === 0 ? "#fbefc5" : "#9e9e9e");
  }

  function text(value) {
    const span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span.innerHTML;
  }

  // The server writes times with the deployment's offset (e.g. +08:00); show that wall
  // clock as is, so the graph agrees with the list whatever the browser's time zone.
  function localTime(iso) {
    return iso ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : "";
  }

  function label(data) {
    if (data.kind === "group") return `${T[data.tier] || data.tier} ${data.label}`;
    if (data.kind === "cluster") return `${T.chain} #${data.cluster} · ${T.cases} ${data.cases}`;
    if (data.other) return T.other_venues;
    return data.label;
  }

  function elements(graph) {
    const nodes = graph.nodes.map((n) => {
      const data = Object.assign({}, n.data);
      data.display = label(data);
      data.color = data.kind === "cluster" ? CHAIN_FILLS[(data.cluster - 1) % CHAIN_FILLS.length] : tierColor(data.tier);
      data.size = data.kind === "group" ? Math.min(90, 34 + 8 * Math.log2(1 + data.count)) : (data.kind === "case" ? 44 : 32);
      return {group: "nodes", data: data, position: n.position};
    });
    const edges = graph.edges.map((e) => ({group: "edges", data: Object.assign({width: Math.min(8, 1.5 + Math.log2(e.data.count))}, e.data)}));
    return nodes.concat(edges);
  }

  const STYLE = [
    {selector: "node", style: {"background-color": "data(color)", "label": "data(display)", "width": "data(size)",
      "height": "data(size)", "font-size": 13, "min-zoomed-font-size": 6, "text-valign": "bottom", "text-margin-y": 4, "color": "#222",
      "text-outline-color": "#fff", "text-outline-width": 2, "border-width": 1, "border-color": "#0003"}},
    {selector: "node[kind = 'venue']", style: {"shape": "round-rectangle", "width": 38, "height": 26,
      "text-wrap": "ellipsis", "text-max-width": 160}},
    {selector: "node[kind = 'case']", style: {"border-width": 3, "border-color": "#7a0010", "font-weight": "bold"}},
    {selector: "node[kind = 'group']", style: {"border-width": 4, "border-style": "double", "border-color": "#555",
      "text-valign": "center", "text-margin-y": 0, "font-weight": "bold"}},
    {selector: "node[kind = 'cluster']", style: {"shape": "round-rectangle", "background-opacity": 0.6,
      "border-color": "#bbb", "border-width": 1, "text-valign": "top", "text-halign": "center", "font-size": 18,
      "font-weight": "bold", "padding": 18, "color": "#555"}},
    {selector: "edge", style: {"width": "data(width)", "line-color": "#b0b7c3", "curve-style": "bezier",
      "target-arrow-shape": "triangle", "target-arrow-color": "#b0b7c3", "arrow-scale": 0.8, "opacity": 0.85}},
    {selector: "edge[kind = 'case_venue']", style: {"line-color": "#e57373", "target-arrow-color": "#e57373"}},
    {selector: "edge[kind = 'source_venue']", style: {"line-style": "dashed"}},
    {selector: ":selected", style: {"overlay-color": "#0a6cff", "overlay-opacity": 0.25, "overlay-padding": 6}},
  ];

  function evidenceList(items) {
    return "<ul class='evidence'>" + items.map((e) =>
      `<li>${text(e.venue_name || e.venue)} · ${localTime(e.start)}–${localTime(e.end).slice(-5)} · ${Math.round(e.minutes)} ${text(T.minutes)}</li>`
    ).join("") + "</ul>";
  }

  function showDetails(data) {
    const d = data.details || {};
    let html = `<h3>${text(data.kind === "group" ? T.group : (T[data.tier] || data.tier))}</h3>`;
    if (data.kind === "case") {
      html += `<p class="mono">${text(d.id_number)}</p><p>${text(T.window)}: ${localTime(d.window_start)} – ${localTime(d.window_end)}</p>`;
      html += evidenceList(d.venues || []);
    } else if (data.kind === "person") {
      html += `<p class="mono">${text(d.id_number)}</p><p>${text(T.source)}: <span class="mono">${text(d.source)}</span><br>` +
              `${text(T.exposure)}: ${Number(d.exposure_minutes).toFixed(1)}</p><p>${text(T.evidence)}:</p>` + evidenceList(d.evidence || []);
    } else if (data.kind === "venue") {
      html = `<h3>${text(data.other ? T.other_venues : d.venue_name)}</h3><p class="mono muted">${text(d.venue)}</p>`;
      if ((d.intervals || []).length) {
        html += `<p>${text(T.intervals)}:</p><ul class='evidence'>` + d.intervals.map((iv) =>
          `<li class="mono">${text(iv.case)} · ${localTime(iv.start)}–${localTime(iv.end).slice(-5)}</li>`).join("") + "</ul>";
      }
    } else if (data.kind === "group") {
      const params = new URLSearchParams({tier: d.tier});
      if (d.venue && d.venue !== "*") params.set("venue", d.venue);
      html += `<p><b>${data.count}</b> ${text(T.persons)} · ${text(T[d.tier] || d.tier)} · ${text(d.venue_name === "*" ? T.other_venues : d.venue_name)}</p>`;
      html += `<p>${text(T.sample)}:</p><ul class='mono'>` + (d.sample || []).map((p) => `<li>${text(p)}</li>`).join("") + "</ul>";
      html += `<p><a href="/tracing/traces/${traceId}?${params}#persons">${text(T.open_list)}</a></p>`;
    } else {
      html += `<p>${text(data.display)}</p>`;
    }
    panel.innerHTML = html;
  }

  function query() {
    const params = new URLSearchParams();
    const tiers = Array.from(form.querySelectorAll("input[name=tier]"));
    const checked = tiers.filter((i) => i.checked).map((i) => i.value);
    // All tiers ticked means no tier filter (so aggregation can apply to the full trace).
    if (checked.length && checked.length < tiers.length) params.set("tier", checked.join(","));
    if (form.from.value) params.set("from", form.from.value);
    if (form.to.value) params.set("to", form.to.value);
    return params;
  }

  async function load() {
    summary.textContent = T.loading;
    const response = await fetch(`/tracing/traces/${traceId}/graph.json?${query()}`, {headers: {Accept: "application/json"}});
    const graph = await response.json();
    if (!response.ok) { summary.textContent = (graph.error && graph.error.message) || response.status; return; }
    if (!form.from.value && graph.trace.first) { form.from.min = graph.trace.first; form.to.max = graph.trace.last; }
    const els = elements(graph);
    if (cy) cy.destroy();
    cy = cytoscape({container: box, elements: els, style: STYLE, layout: {name: "preset", fit: true, padding: 30},
                    minZoom: 0.05, maxZoom: 3, wheelSensitivity: 0.3, textureOnViewport: els.length > 2000,
                    hideEdgesOnViewport: els.length > 2000});
    cy.on("tap", "node", (event) => {
      cy.elements().unselect();
      event.target.select();
      showDetails(event.target.data());
    });
    window.venuecodeGraph = cy;  // for the browser test and the console
    const people = graph.contacts;
    let line = `${T.cases} ${graph.cases} · ${T.chain} ${graph.clusters} · ` +
               Object.entries(graph.counts).map(([t, n]) => `${T[t] || t} ${n}`).join(" · ") +
               ` · ${cy.nodes().length} ${T.summary}, ${cy.edges().length} ${T.edges}`;
    if (graph.aggregated) line += ` — ${T.aggregated}`;
    if (graph.hidden_venues) line += ` (${graph.hidden_venues} ${T.hidden})`;
    if (!people && !graph.cases) line = T.empty;
    summary.textContent = line;
    box.dataset.nodes = String(cy.nodes().length);
    box.dataset.ready = "1";
  }

  function download(name, blob) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  document.getElementById("export-png").addEventListener("click", () => {
    if (cy) download(`trace-${traceId}-graph.png`, cy.png({output: "blob", full: true, scale: 2, maxWidth: 8000, maxHeight: 8000, bg: "#ffffff"}));
  });
  document.getElementById("export-svg").addEventListener("click", () => {
    if (cy) download(`trace-${traceId}-graph.svg`, new Blob([cy.svg({full: true, scale: 1, bg: "#ffffff"})], {type: "image/svg+xml"}));
  });
  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  load();
})();
