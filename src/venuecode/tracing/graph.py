"""Association chain graph (关联链路图) from a stored trace result: pure, no database or web.

Input is the JSON dict of `core.result_to_json_dict` (what `Trace.result()` returns);
output is cytoscape-ready data (`nodes`, `edges`, each `{"data": ..., "position": ...}`).

- Nodes: cases, venues and contacts. Edges: case -> venue (the case's exposure there),
  venue -> contact (the contact's evidence there) and source contact -> venue (where a
  close contact exposed a secondary one, and so on down the chain).
- Clusters (传播链): cases that share an exposed venue, transitively (connected components
  of the case-venue graph). Every contact belongs to the cluster of its source.
- Aggregation: an outbreak of 173 cases has ~47,000 contacts; a browser cannot lay those
  out. When more than `detail_limit` contacts pass the filter, the contacts of one tier
  whose main venue (largest evidence) is the same collapse into one count node; venues
  beyond `venue_limit` fold into one "other venues" node per tier. Narrowing the filter
  (tier, dates, one venue) brings the individual persons back.
- Positions are computed here (a layered chain: case, venue, contact, venue, contact...),
  so the browser uses a preset layout whatever the size: nothing iterates over n^2 pairs.
  `layout="time"` instead puts every node at the time of its first exposure, along a time
  axis (`axis`: one tick per day), each chain a band of lanes, so nothing overlaps.
- The command centre starts from the overview (`build_overview`): one box per chain with
  its counts (cases, contacts per tier, venues, first and last exposure), then drills into
  a chain (`GraphFilter.cluster`) or a case (`GraphFilter.case`: the contacts whose chain
  starts at that case).
- Labels: venue names, and persons by masked name (`person_names`), else the ID's tail.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from venuecode.people.idnumber import mask_name
from venuecode.tracing.types import CASE, GENERAL, tier_rank

DETAIL_LIMIT = 300
VENUE_LIMIT = 400
SAMPLE = 10
# Layout grid: a layer's nodes stack in columns of ROWS, columns COL_GAP apart.
ROWS = 10
ROW_GAP = 56.0
COL_GAP = 110.0
LAYER_GAP = 150.0
BAND_GAP = 110.0
# Cases at one venue join a chain when their exposures there are at most this far apart
# (overlapping, or the same day: the venue itself may carry it on).
CLUSTER_GAP = timedelta(hours=24)
# Time layout: pixels per hour are chosen so the whole span is about AXIS_WIDTH wide.
AXIS_WIDTH = 4000.0
LABEL_WIDTH = 130.0  # a node's label box on the time axis: lanes keep them apart
OVERVIEW_CELL = 380.0

Json = dict[str, Any]
Layout = Literal["chain", "time"]


@dataclass(frozen=True)
class GraphFilter:
    """What to show: tiers (None = all), overlap with `[start, end)`, one venue."""

    tiers: frozenset[str] | None = None
    start: datetime | None = None
    end: datetime | None = None
    venue: str | None = None
    cluster: int | None = None  # one chain of the overview
    case: str | None = None  # the contacts whose chain starts at this case

    @property
    def narrowed(self) -> bool:
        return (bool(self.tiers) or self.start is not None or self.end is not None
                or bool(self.venue) or self.cluster is not None or bool(self.case))


@dataclass
class _Graph:
    nodes: dict[str, Json] = field(default_factory=dict)
    edges: dict[str, Json] = field(default_factory=dict)
    layer: dict[str, int] = field(default_factory=dict)
    cluster: dict[str, int] = field(default_factory=dict)
    # person -> the node that stands for them (their own, or their tier group's)
    rep: dict[str, str] = field(default_factory=dict)
    # node -> its first exposure, for the time layout
    time: dict[str, datetime] = field(default_factory=dict)

    def at(self, node_id: str, when: datetime) -> None:
        if node_id not in self.time or when < self.time[node_id]:
            self.time[node_id] = when

    def node(self, node_id: str, layer: int, cluster: int, **data: Any) -> Json:
        if node_id not in self.nodes:
            self.nodes[node_id] = {"id": node_id, **data}
            self.layer[node_id] = layer
            self.cluster[node_id] = cluster
        return self.nodes[node_id]

    def edge(self, source: str, target: str, kind: str, minutes: float = 0.0) -> None:
        edge_id = f"{source}>{target}"
        found = self.edges.get(edge_id)
        if found is None:
            self.edges[edge_id] = {"id": edge_id, "source": source, "target": target,
                                   "kind": kind, "minutes": minutes, "count": 1}
        else:
            found["minutes"] += minutes
            found["count"] += 1


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _in_window(item: Mapping[str, Any], flt: GraphFilter) -> bool:
    if flt.start is not None and _instant(item["end"]) <= flt.start:
        return False
    return not (flt.end is not None and _instant(item["start"]) >= flt.end)


def tier_level(tier: str) -> int:
    """Chain depth of a tier (close 1, secondary 2, ...); general sits with close."""
    return 1 if tier == GENERAL else tier_rank(tier)


def clusters_of(result: Mapping[str, Any], gap: timedelta = CLUSTER_GAP) -> dict[str, int]:
    """Case id -> cluster number (1..n, by first case): cases joined through shared venues
    and times: two cases' exposures at one venue at most `gap` apart (transitively)."""
    parent: dict[str, str] = {c["id_number"]: c["id_number"] for c in result.get("cases", [])}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for venue in result.get("venues", []):
        spans = sorted((_instant(iv["start"]), _instant(iv["end"]), iv["case"])
                       for iv in venue["intervals"] if iv["case"] in parent)
        if not spans:
            continue
        _start, reach, anchor = spans[0]
        for start, end, case in spans[1:]:
            if start - reach <= gap:
                join(anchor, case)
                reach = max(reach, end)
            else:
                reach, anchor = end, case
    numbers: dict[str, int] = {}
    out: dict[str, int] = {}
    for case_id in parent:
        root = find(case_id)
        numbers.setdefault(root, len(numbers) + 1)
        out[case_id] = numbers[root]
    return out


def case_roots(result: Mapping[str, Any]) -> dict[str, str]:
    """Every reported person's root case: the case their chain of sources starts at."""
    out = {c["id_number"]: c["id_number"] for c in result.get("cases", [])}
    for contact in sorted(result.get("contacts", []), key=lambda c: tier_level(c["tier"])):
        out[contact["id_number"]] = out.get(contact["source"], contact["source"])
    return out


def person_clusters(result: Mapping[str, Any], cases: Mapping[str, int]) -> dict[str, int]:
    """Every reported person's cluster: the cluster of their source (contacts are in tier order)."""
    out = dict(cases)
    for contact in sorted(result.get("contacts", []), key=lambda c: tier_level(c["tier"])):
        out[contact["id_number"]] = out.get(contact["source"], 0)
    return out


def _main_venue(evidence: Iterable[Mapping[str, Any]]) -> str:
    best = max(evidence, key=lambda e: (e["minutes"], -_instant(e["start"]).timestamp()))
    return str(best["venue"])


def _short(id_number: str) -> str:
    # Labels only; the side panel shows the full number (the tracer may see it).
    return f"…{id_number[-6:]}" if len(id_number) > 6 else id_number


def _person_label(id_number: str, names: Mapping[str, str]) -> str:
    """A masked name with the ID's last four (王*明 ·1234), else the ID's tail."""
    name = names.get(id_number)
    return f"{mask_name(name)} ·{id_number[-4:]}" if name else _short(id_number)


def build_graph(result: Mapping[str, Any], flt: GraphFilter | None = None,
                venue_names: Mapping[str, str] | None = None,
                detail_limit: int = DETAIL_LIMIT, venue_limit: int = VENUE_LIMIT,
                person_names: Mapping[str, str] | None = None,
                layout: Layout = "chain") -> Json:
    """Graph data for cytoscape; see the module docstring for what is drawn and folded."""
    flt = flt or GraphFilter()
    names = venue_names or {}
    people = person_names or {}
    case_cluster = clusters_of(result)
    cluster_of = person_clusters(result, case_cluster)
    allowed = _allowed(result, flt, cluster_of)
    contacts = [c for c in _filtered_contacts(result, flt)
                if allowed is None or c["id_number"] in allowed]
    aggregate = len(contacts) > detail_limit
    g = _Graph()

    exposed = _exposed_intervals(result, flt, allowed)
    venues_used = _venue_ranking(exposed, contacts)
    kept_venues = set(venues_used[:venue_limit])

    # Cases are the roots of every chain: all of them unless a filter narrows the view,
    # then those with an exposure that passes it.
    cases = {c["id_number"]: c for c in result.get("cases", [])}
    with_exposure = {iv["case"] for ivs in exposed.values() for iv in ivs}
    for case_id, case in cases.items():
        if (flt.narrowed and case_id not in with_exposure) or (
                allowed is not None and case_id not in allowed):
            continue
        node_id = f"case:{case_id}"
        g.node(node_id, 0, case_cluster.get(case_id, 0), kind="case", tier=CASE,
               label=_person_label(case_id, people),
               details={**case, "venues": _case_venues(exposed, case_id, names)})
        g.rep[case_id] = node_id
    for venue, intervals in exposed.items():
        cluster = case_cluster.get(intervals[0]["case"], 0)
        target = (_venue_node(g, venue, 1, cluster, names, intervals) if venue in kept_venues
                  else _other_venues(g, 1, cluster))
        for iv in intervals:
            source = g.rep.get(iv["case"], f"case:{iv['case']}")
            g.edge(source, target, "case_venue", iv["minutes"])
            g.at(source, _instant(iv["start"]))
            g.at(target, _instant(iv["start"]))

    for contact in contacts:
        _place_contact(g, contact, aggregate, kept_venues, exposed, names, cluster_of, people)

    axis = _time_layout(g) if layout == "time" else _layout(g)
    counts = Counter(c["tier"] for c in contacts)
    return {
        "view": "chain", "layout": layout, "axis": axis,
        "nodes": [{"data": {**data, **_parent(g, node_id)}, "position": g.nodes[node_id]["_pos"]}
                  for node_id, data in ((k, _public(v)) for k, v in g.nodes.items())]
                 + _cluster_nodes(g),
        "edges": [{"data": e} for e in g.edges.values()],
        "aggregated": aggregate,
        "hidden_venues": max(0, len(venues_used) - len(kept_venues)),
        "counts": dict(sorted(counts.items(), key=lambda kv: tier_rank(kv[0]))),
        "contacts": len(contacts),
        "cases": sum(1 for d in g.nodes.values() if d.get("kind") == "case"),
        "clusters": len({g.cluster[n] for n, d in g.nodes.items() if d.get("kind") == "case"}),
        "detail_limit": detail_limit,
    }


def _allowed(result: Mapping[str, Any], flt: GraphFilter,
             cluster_of: Mapping[str, int]) -> set[str] | None:
    """The persons (cases and contacts) a chain or case filter keeps; None: everyone."""
    if flt.cluster is None and not flt.case:
        return None
    roots = case_roots(result) if flt.case else {}
    return {person for person, cluster in cluster_of.items()
            if (flt.cluster is None or cluster == flt.cluster)
            and (not flt.case or roots.get(person) == flt.case)}


def _filtered_contacts(result: Mapping[str, Any], flt: GraphFilter) -> list[Json]:
    """Contacts passing the filter, each with only the evidence that passes it."""
    out: list[Json] = []
    for contact in result.get("contacts", []):
        if flt.tiers and contact["tier"] not in flt.tiers:
            continue
        evidence = [e for e in contact["evidence"] if _in_window(e, flt)
                    and (not flt.venue or e["venue"] == flt.venue)]
        if evidence:
            out.append({**contact, "shown": evidence})
    return out


def _exposed_intervals(result: Mapping[str, Any], flt: GraphFilter,
                       allowed: set[str] | None = None) -> dict[str, list[Json]]:
    out: dict[str, list[Json]] = {}
    for venue in result.get("venues", []):
        if flt.venue and venue["venue"] != flt.venue:
            continue
        kept = [iv for iv in venue["intervals"] if _in_window(iv, flt)
                and (allowed is None or iv["case"] in allowed)]
        if kept:
            out[venue["venue"]] = kept
    return out


def _venue_ranking(exposed: Mapping[str, list[Json]], contacts: list[Json]) -> list[str]:
    """Venues by importance: exposed venues first, then by how many contacts were there."""
    people: Counter[str] = Counter()
    for contact in contacts:
        for venue in {e["venue"] for e in contact["shown"]}:
            people[venue] += 1
    return sorted(set(exposed) | set(people),
                  key=lambda v: (v not in exposed, -people[v], v))


def _case_venues(exposed: Mapping[str, list[Json]], case_id: str,
                 names: Mapping[str, str]) -> list[Json]:
    return [{**iv, "venue": v, "venue_name": names.get(v, v)}
            for v, ivs in exposed.items() for iv in ivs if iv["case"] == case_id]


def _venue_node(g: _Graph, venue: str, layer: int, cluster: int, names: Mapping[str, str],
                intervals: list[Json] | None = None) -> str:
    node_id = f"venue:{venue}"
    g.node(node_id, layer, cluster, kind="venue", tier="venue", label=names.get(venue, venue),
           details={"venue": venue, "venue_name": names.get(venue, venue),
                    "intervals": intervals or [], "exposed": intervals is not None})
    # A venue reached at a shallower level is drawn at that level.
    g.layer[node_id] = min(g.layer[node_id], layer)
    return node_id


def _place_contact(g: _Graph, contact: Json, aggregate: bool, kept_venues: set[str],
                   exposed: Mapping[str, list[Json]], names: Mapping[str, str],
                   cluster_of: Mapping[str, int], people: Mapping[str, str]) -> None:
    tier, person = contact["tier"], contact["id_number"]
    level = tier_level(tier)
    cluster = cluster_of.get(person, 0)
    venue = _main_venue(contact["shown"])
    if aggregate:
        if venue in kept_venues:
            node_id = f"group:{tier}:{venue}"
            label_venue = names.get(venue, venue)
        else:
            node_id, venue, label_venue = f"group:{tier}:*", "*", "*"
        node = g.node(node_id, 2 * level, cluster, kind="group", tier=tier, count=0,
                      details={"tier": tier, "venue": venue, "venue_name": label_venue,
                               "sample": []})
        node["count"] += 1
        node["label"] = f"×{node['count']}"
        if len(node["details"]["sample"]) < SAMPLE:
            node["details"]["sample"].append(person)
    else:
        node_id = f"person:{person}"
        g.node(node_id, 2 * level, cluster, kind="person", tier=tier,
               label=_person_label(person, people),
               details={"id_number": person, "tier": tier, "source": contact["source"],
                        "exposure_minutes": contact["exposure_minutes"],
                        "evidence": [{**e, "venue_name": names.get(e["venue"], e["venue"])}
                                     for e in contact["evidence"]]})
    g.rep[person] = node_id
    for e in contact["shown"]:
        v = e["venue"] if e["venue"] in kept_venues else None
        if v is None:
            target_venue = _other_venues(g, level, cluster)
        else:
            target_venue = _venue_node(g, v, 2 * level - 1, cluster, names, exposed.get(v))
        g.edge(target_venue, node_id, "venue_contact", e["minutes"])
        g.at(node_id, _instant(e["start"]))
        g.at(target_venue, _instant(e["start"]))
        # The chain: who exposed this person there (a case for tier 1, else a contact).
        # Contacts come in tier order, so a shown source already has its node.
        source = g.rep.get(contact["source"])
        if level > 1 and source is not None and source != node_id:
            g.edge(source, target_venue, "source_venue", e["minutes"])


def _other_venues(g: _Graph, level: int, cluster: int) -> str:
    node_id = f"venue:*:{level}"
    node = g.node(node_id, 2 * level - 1, cluster, kind="venue", tier="venue", label="…",
                  details={"venue": "*", "venue_name": "*", "intervals": [], "exposed": False})
    node["other"] = True
    return node_id


def _layout(g: _Graph) -> list[Json]:
    """Layered positions: each chain is a box (x by chain layer, long layers wrap into
    columns), and the boxes are packed row by row into a roughly 16:10 rectangle, so 86
    chains do not become one thin strip."""
    per_band: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for node_id in g.nodes:
        per_band[g.cluster[node_id]][g.layer[node_id]].append(node_id)
    boxes = [_band_box(g, layers) for _cluster, layers in sorted(per_band.items())]
    area = sum((w + BAND_GAP) * (h + BAND_GAP) for w, h, _ in boxes)
    target = max([w for w, _h, _p in boxes] + [math.sqrt(area * 1.6)])
    x = y = row_height = 0.0
    for width, height, places in boxes:
        if x > 0 and x + width > target:
            x, y, row_height = 0.0, y + row_height + BAND_GAP, 0.0
        for node_id, (dx, dy) in places.items():
            g.nodes[node_id]["_pos"] = {"x": x + dx, "y": y + dy}
        x += width + BAND_GAP
        row_height = max(row_height, height)
    return []


def _time_layout(g: _Graph) -> list[Json]:
    """x: the node's first exposure on a time axis; y: lanes within its chain's band, a
    node taking the first lane whose last label ends before it. Returns the day ticks."""
    if not g.nodes:
        return []
    known = list(g.time.values())
    t0 = min(known) if known else datetime.now().astimezone()
    t1 = max(known) if known else t0
    hours = max((t1 - t0).total_seconds() / 3600, 1.0)
    per_hour = min(240.0, max(8.0, AXIS_WIDTH / hours))

    def x_of(when: datetime) -> float:
        return (when - t0).total_seconds() / 3600 * per_hour

    y = 0.0
    bands: dict[int, list[str]] = defaultdict(list)
    for node_id in g.nodes:
        bands[g.cluster[node_id]].append(node_id)
    for _cluster, ids in sorted(bands.items()):
        ids.sort(key=lambda i: (g.time.get(i, t0), g.layer[i], i))
        lanes: list[float] = []
        for node_id in ids:
            x = x_of(g.time.get(node_id, t0))
            lane = next((n for n, end in enumerate(lanes) if end <= x), len(lanes))
            if lane == len(lanes):
                lanes.append(0.0)
            lanes[lane] = x + LABEL_WIDTH
            g.nodes[node_id]["_pos"] = {"x": x, "y": y + lane * ROW_GAP}
        y += len(lanes) * ROW_GAP + BAND_GAP
    # A tick per day, or every three hours when the span is two days or less.
    step = timedelta(days=1) if t1 - t0 > timedelta(days=2) else timedelta(hours=3)
    tick = t0.replace(minute=0, second=0, microsecond=0)
    tick = tick.replace(hour=0) if step == timedelta(days=1) else tick.replace(hour=tick.hour // 3 * 3)
    ticks = []
    while tick <= t1 + step:
        label = tick.strftime("%m-%d") if step == timedelta(days=1) else tick.strftime("%m-%d %H:%M")
        ticks.append({"x": x_of(tick), "label": label, "height": y})
        tick += step
    return ticks


def named_persons(graph: Json) -> list[str]:
    """The ID numbers of the case and person nodes, whose names label them."""
    return [n["data"]["details"]["id_number"] for n in graph["nodes"]
            if n["data"].get("kind") in ("case", "person")]


def label_persons(graph: Json, person_names: Mapping[str, str]) -> None:
    """Relabel case and person nodes by masked name, once the names are looked up."""
    for node in graph["nodes"]:
        data = node["data"]
        if data.get("kind") in ("case", "person"):
            data["label"] = _person_label(data["details"]["id_number"], person_names)


def build_overview(result: Mapping[str, Any], venue_names: Mapping[str, str] | None = None
                   ) -> Json:
    """One box per chain (传播链) with its counts, largest first, on a grid: what the
    command centre reads first. A click on a box asks for that chain's graph."""
    names = venue_names or {}
    case_cluster = clusters_of(result)
    cluster_of = person_clusters(result, case_cluster)
    stats: dict[int, Json] = {}
    for number in sorted(set(case_cluster.values())):
        stats[number] = {"cases": [], "tiers": Counter(), "venues": Counter(),
                         "first": None, "last": None}
    for case_id, number in case_cluster.items():
        stats[number]["cases"].append(case_id)
    for venue in result.get("venues", []):
        for iv in venue["intervals"]:
            chain = case_cluster.get(iv["case"])
            if chain is None:
                continue
            box = stats[chain]
            box["venues"][venue["venue"]] += 1
            start, end = iv["start"], iv["end"]
            box["first"] = start if box["first"] is None or _instant(start) < _instant(box["first"]) else box["first"]
            box["last"] = end if box["last"] is None or _instant(end) > _instant(box["last"]) else box["last"]
    for contact in result.get("contacts", []):
        number = cluster_of.get(contact["id_number"], 0)
        if number in stats:
            stats[number]["tiers"][contact["tier"]] += 1
    order = sorted(stats, key=lambda n: (-sum(stats[n]["tiers"].values()) - len(stats[n]["cases"]), n))
    columns = max(1, math.ceil(math.sqrt(len(order) * 1.6)))
    nodes = []
    for index, number in enumerate(order):
        box = stats[number]
        persons = sum(box["tiers"].values())
        row, column = divmod(index, columns)
        size = min(OVERVIEW_CELL - 40, 200 + 4 * math.sqrt(persons))
        top = [names.get(v, v) for v, _n in box["venues"].most_common(3)]
        nodes.append({"data": {
            "id": f"cluster:{number}", "kind": "cluster_box", "cluster": number,
            "cases": len(box["cases"]), "persons": persons, "size": size,
            "counts": dict(sorted(box["tiers"].items(), key=lambda kv: tier_rank(kv[0]))),
            "venues": len(box["venues"]), "top_venues": top,
            "first": box["first"], "last": box["last"],
            # The cases the panel lists (audited as shown).
            "details": {"sample": sorted(box["cases"])[:SAMPLE]},
        }, "position": {"x": column * OVERVIEW_CELL, "y": row * OVERVIEW_CELL}})
    counts = Counter(c["tier"] for c in result.get("contacts", []))
    return {"view": "overview", "layout": "grid", "axis": [], "nodes": nodes, "edges": [],
            "aggregated": True, "hidden_venues": 0,
            "counts": dict(sorted(counts.items(), key=lambda kv: tier_rank(kv[0]))),
            "contacts": len(result.get("contacts", [])), "cases": len(case_cluster),
            "clusters": len(stats), "detail_limit": DETAIL_LIMIT}


def _band_box(g: _Graph, layers: Mapping[int, list[str]]) -> tuple[float, float, dict[str, tuple[float, float]]]:
    """One chain's width, height and node offsets; rows grow with the chain so it stays squarish."""
    total = sum(len(ids) for ids in layers.values())
    rows = max(ROWS, math.ceil(math.sqrt(total * COL_GAP / ROW_GAP)))
    rows = min(rows, max(len(ids) for ids in layers.values()))
    places: dict[str, tuple[float, float]] = {}
    x = 0.0
    for layer in sorted(layers):
        ids = sorted(layers[layer], key=lambda i: (g.nodes[i].get("kind") == "group", i))
        offset = (rows - min(rows, len(ids))) * ROW_GAP / 2
        for index, node_id in enumerate(ids):
            column, row = divmod(index, rows)
            places[node_id] = (x + column * COL_GAP, offset + row * ROW_GAP)
        x += -(-len(ids) // rows) * COL_GAP + LAYER_GAP
    return x - LAYER_GAP - COL_GAP, rows * ROW_GAP, places


def _public(data: Json) -> Json:
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _parent(g: _Graph, node_id: str) -> Json:
    # Compound parents only when there is more than one chain to tell apart.
    if len(set(g.cluster.values())) < 2:
        return {}
    return {"parent": f"cluster:{g.cluster[node_id]}", "cluster": g.cluster[node_id]}


def _cluster_nodes(g: _Graph) -> list[Json]:
    clusters = sorted(set(g.cluster.values()))
    if len(clusters) < 2:
        return []
    cases = Counter(g.cluster[n] for n, d in g.nodes.items() if d.get("kind") == "case")
    return [{"data": {"id": f"cluster:{c}", "kind": "cluster", "cluster": c, "cases": cases[c],
                      "label": f"#{c}"}} for c in clusters]
