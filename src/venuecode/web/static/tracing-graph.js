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

  function counts(byTier) {
    return Object.entries(byTier || {}).map(([t, n]) => `${T[t] || t} ${n}`).join(" · ");
  }

  function label(data) {
    if (data.kind === "cluster_box") {
      return [`${T.chain} #${data.cluster}`, `${T.cases} ${data.cases} · ${T.persons_total} ${data.persons}`,
              counts(data.counts), `${T.venues} ${data.venues}: ${(data.top_venues || []).join("、")}`].join("\n");
    }
    if (data.kind === "tick") return data.label;
    if (data.kind === "group") return `${T[data.tier] || data.tier} ${data.label}`;
    if (data.kind === "cluster") return `${T.chain} #${data.cluster} · ${T.cases} ${data.cases}`;
    if (data.other) return T.other_venues;
    return data.label;
  }

  function elements(graph, flat) {
    const nodes = graph.nodes.map((n) => {
      const data = Object.assign({}, n.data);
      if (flat) delete data.parent;  // dagre lays out plain nodes; chains are one per view
      data.display = label(data);
      data.color = (data.kind === "cluster" || data.kind === "cluster_box") ? CHAIN_FILLS[(data.cluster - 1) % CHAIN_FILLS.length] : tierColor(data.tier);
      if (data.kind !== "cluster_box") {
        data.size = data.kind === "group" ? Math.min(90, 34 + 8 * Math.log2(1 + data.count)) : (data.kind === "case" ? 44 : 32);
      }
      return {group: "nodes", data: data, position: n.position};
    }).filter((n) => !(flat && n.data.kind === "cluster"));
    const edges = graph.edges.map((e) => ({group: "edges", data: Object.assign({width: Math.min(8, 1.5 + Math.log2(e.data.count))}, e.data)}));
    // The time axis: a label per day above the bands and a line down through them.
    const axis = [];
    (graph.axis || []).forEach((tick, i) => {
      axis.push({group: "nodes", data: {id: `tick:${i}`, kind: "tick", display: tick.label, label: tick.label}, position: {x: tick.x, y: -90}});
      axis.push({group: "nodes", data: {id: `tick-end:${i}`, kind: "tick-end", display: ""}, position: {x: tick.x, y: tick.height}});
      axis.push({group: "edges", data: {id: `tick-line:${i}`, source: `tick:${i}`, target: `tick-end:${i}`, kind: "axis", width: 1}});
    });
    return nodes.concat(edges, axis);
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
    {selector: "node[kind = 'cluster_box']", style: {"shape": "round-rectangle", "width": "data(size)", "height": "data(size)",
      "text-wrap": "wrap", "text-max-width": "data(size)", "text-valign": "center", "text-margin-y": 0, "font-size": 21,
      "line-height": 1.4, "border-width": 2, "border-color": "#8895a7", "text-outline-width": 0, "padding": 8}},
    {selector: "node[kind = 'tick']", style: {"shape": "rectangle", "width": 1, "height": 1, "background-opacity": 0,
      "border-width": 0, "font-size": 44, "min-zoomed-font-size": 0, "font-weight": "bold", "color": "#555",
      "text-valign": "top", "events": "no"}},
    {selector: "node[kind = 'tick-end']", style: {"width": 1, "height": 1, "background-opacity": 0, "border-width": 0, "events": "no"}},
    {selector: "edge[kind = 'axis']", style: {"line-color": "#d0d5dd", "line-style": "dashed", "width": 1,
      "target-arrow-shape": "none", "curve-style": "straight", "events": "no"}},
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
    } else if (data.kind === "cluster_box") {
      html = `<h3>${text(T.chain)} #${data.cluster}</h3><p>${text(T.cases)} ${data.cases} · ${text(T.persons_total)} ${data.persons}</p>` +
             `<p>${text(counts(data.counts))}</p><p>${text(T.venues)} ${data.venues}: ${text((data.top_venues || []).join("、"))}</p>` +
             `<p>${text(T.window)}: ${localTime(data.first)} – ${localTime(data.last)}</p>` +
             `<p>${text(T.cases)}:</p><ul class='mono'>` + (d.sample || []).map((p) => `<li>${text(p)}</li>`).join("") + "</ul>" +
             `<p><button type="button" class="button small" id="open-chain" data-cluster="${data.cluster}">${text(T.open_chain)}</button></p>`;
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
    if (form.case.value) params.set("case", form.case.value);
    if (form.venue.value) params.set("venue", form.venue.value);
    if (state.cluster) params.set("cluster", state.cluster);
    params.set("view", state.view);
    params.set("layout", form.layout.value);
    return params;
  }

  const state = {view: "auto", cluster: ""};

  function fillChoices(graph) {
    if (form.case.options.length > 1) return;
    (graph.cases_list || []).forEach((c) => form.case.add(new Option(c, c)));
    (graph.venues_list || []).forEach((v) => form.venue.add(new Option(v.name, v.venue)));
  }

  async function load() {
    summary.textContent = T.loading;
    box.dataset.ready = "0";
    const response = await fetch(`/tracing/traces/${traceId}/graph.json?${query()}`, {headers: {Accept: "application/json"}});
    const graph = await response.json();
    if (!response.ok) { summary.textContent = (graph.error && graph.error.message) || response.status; return; }
    if (!form.from.value && graph.trace.first) { form.from.min = graph.trace.first; form.to.max = graph.trace.last; }
    fillChoices(graph);
    // A chain small enough to lay out in the browser gets dagre's layered layout, which
    // sizes nodes with their labels so none overlap; the rest keep the server's positions.
    const dagre = graph.view === "chain" && graph.layout === "chain" && !graph.aggregated &&
                  graph.nodes.length <= 1500 && typeof cytoscapeDagre !== "undefined";
    const els = elements(graph, dagre);
    if (cy) cy.destroy();
    const layout = dagre ? {name: "dagre", rankDir: "LR", nodeSep: 14, rankSep: 90, edgeSep: 8,
                            nodeDimensionsIncludeLabels: true, fit: true, padding: 30}
                         : {name: "preset", fit: true, padding: 30};
    cy = cytoscape({container: box, elements: els, style: STYLE, layout: layout,
                    minZoom: 0.02, maxZoom: 4, userZoomingEnabled: false,
                    textureOnViewport: els.length > 2000, hideEdgesOnViewport: els.length > 2000});
    cy.on("tap", "node", (event) => {
      const data = event.target.data();
      if (data.kind === "tick" || data.kind === "tick-end") return;
      cy.elements().unselect();
      event.target.select();
      showDetails(data);
    });
    cy.on("dbltap", "node[kind = 'cluster_box']", (event) => openChain(event.target.data("cluster")));
    box.dataset.view = graph.view;
    box.dataset.layout = dagre ? "dagre" : graph.layout;
    window.venuecodeGraph = cy;  // for the browser test and the console
    const people = graph.contacts;
    let line = (graph.view === "overview" ? `${T.overview}: ` : (state.cluster ? `${T.chain} #${state.cluster}: ` : "")) +
               `${T.cases} ${graph.cases} · ${T.chain} ${graph.clusters} · ` +
               Object.entries(graph.counts).map(([t, n]) => `${T[t] || t} ${n}`).join(" · ") +
               ` · ${cy.nodes().length} ${T.summary}, ${cy.edges().length} ${T.edges}`;
    if (graph.aggregated && graph.view !== "overview") line += ` — ${T.aggregated}`;
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
  // Wheel zoom of our own: cytoscape's ignores the wheel for a moment after any page
  // scroll, so a tracer who scrolled down to the graph kept scrolling the page instead.
  box.addEventListener("wheel", (event) => {
    if (!cy) return;
    event.preventDefault();
    const rect = box.getBoundingClientRect();
    const step = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
    cy.zoom({level: cy.zoom() * Math.pow(1.002, -step),
             renderedPosition: {x: event.clientX - rect.left, y: event.clientY - rect.top}});
  }, {passive: false});

  function openChain(cluster) {
    state.cluster = String(cluster);
    state.view = "chain";
    load();
  }

  panel.addEventListener("click", (event) => {
    const button = event.target.closest("#open-chain");
    if (button) openChain(button.dataset.cluster);
  });
  document.getElementById("show-overview").addEventListener("click", () => {
    state.cluster = "";
    state.view = "overview";
    form.case.value = "";
    form.venue.value = "";
    load();
  });
  document.getElementById("zoom-in").addEventListener("click", () => { if (cy) cy.zoom({level: cy.zoom() * 1.4, renderedPosition: {x: box.clientWidth / 2, y: box.clientHeight / 2}}); });
  document.getElementById("zoom-out").addEventListener("click", () => { if (cy) cy.zoom({level: cy.zoom() / 1.4, renderedPosition: {x: box.clientWidth / 2, y: box.clientHeight / 2}}); });
  document.getElementById("zoom-fit").addEventListener("click", () => { if (cy) cy.fit(undefined, 30); });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    // A case or venue narrows within the whole trace; the filters leave the overview.
    if (form.case.value || form.venue.value) state.cluster = "";
    if (state.view !== "chain") state.view = "chain";
    load();
  });
  form.layout.addEventListener("change", () => { if (state.view === "overview") state.view = "chain"; load(); });
  load();
})();
