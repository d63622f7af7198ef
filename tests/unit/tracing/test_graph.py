"""The association chain graph: nodes, edges, clusters, filters and aggregation."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from tests.support.outbreak import clustered_outbreak, outbreak_result
from venuecode.timeutil import from_micros
from venuecode.tracing.core import result_to_json_dict
from venuecode.tracing.graph import (
    LABEL_WIDTH,
    GraphFilter,
    build_graph,
    build_overview,
    clusters_of,
    label_persons,
)

from .city import case, run, visit

CHECKINS = [
    # Chain 1: C1 at the cafe exposes K (close) and G (general); K exposes S at the bar.
    visit("C1", "cafe", "10:00", "10:40"),
    visit("K", "cafe", "10:05", "10:35"),
    visit("G", "cafe", "10:35", "10:50"),
    visit("K", "bar", "12:00", "12:30"),
    visit("S", "bar", "12:00", "12:40"),
    # C2 shares the cafe with C1 (same chain); C3 is alone at the gym (a second chain).
    visit("C2", "cafe", "11:00", "11:30"),
    visit("C3", "gym", "09:00", "09:40"),
    visit("H", "gym", "09:00", "09:30"),
]


def result(**options: Any) -> dict[str, Any]:
    traced = run(CHECKINS, [case("C1"), case("C2"), case("C3")], **options)
    return result_to_json_dict(traced, lambda m: from_micros(m).isoformat())


def ids(graph: dict[str, Any], kind: str) -> set[str]:
    return {n["data"]["id"] for n in graph["nodes"] if n["data"]["kind"] == kind}


def edges(graph: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(e["data"]["source"], e["data"]["target"], e["data"]["kind"]) for e in graph["edges"]}


def test_cases_venues_and_contacts_are_nodes_linked_along_the_chain() -> None:
    graph = build_graph(result(), venue_names={"cafe": "咖啡馆"})
    assert ids(graph, "case") == {"case:C1", "case:C2", "case:C3"}
    assert ids(graph, "venue") == {"venue:cafe", "venue:bar", "venue:gym"}
    assert ids(graph, "person") == {"person:K", "person:G", "person:S", "person:H"}
    assert {("case:C1", "venue:cafe", "case_venue"), ("venue:cafe", "person:K", "venue_contact"),
            ("venue:cafe", "person:G", "venue_contact"), ("person:K", "venue:bar", "source_venue"),
            ("venue:bar", "person:S", "venue_contact")} <= edges(graph)
    cafe = next(n for n in graph["nodes"] if n["data"]["id"] == "venue:cafe")
    assert cafe["data"]["label"] == "咖啡馆"
    assert graph["counts"] == {"close": 2, "secondary": 1, "general": 1}
    assert not graph["aggregated"]


def test_a_person_node_carries_the_evidence_for_the_side_panel() -> None:
    graph = build_graph(result())
    k = next(n for n in graph["nodes"] if n["data"]["id"] == "person:K")["data"]
    assert k["tier"] == "close" and k["details"]["source"] == "C1"
    assert k["details"]["exposure_minutes"] == 30
    assert [e["venue"] for e in k["details"]["evidence"]] == ["cafe"]


def test_cases_sharing_a_venue_form_one_chain_and_each_chain_is_a_parent_node() -> None:
    assert clusters_of(result()) == {"C1": 1, "C2": 1, "C3": 2}
    graph = build_graph(result())
    assert ids(graph, "cluster") == {"cluster:1", "cluster:2"}
    parents = {n["data"]["id"]: n["data"].get("parent") for n in graph["nodes"]}
    assert parents["person:S"] == "cluster:1" and parents["person:H"] == "cluster:2"
    assert graph["clusters"] == 2


def test_filters_narrow_by_tier_and_date() -> None:
    graph = build_graph(result(), GraphFilter(tiers=frozenset({"close"})))
    assert ids(graph, "person") == {"person:K", "person:H"}
    late = datetime(2022, 4, 19, 11, 0, tzinfo=UTC)
    graph = build_graph(result(), GraphFilter(start=late))
    # Only the bar (12:00) and C2's cafe visit (11:00-11:30) overlap the afternoon.
    assert ids(graph, "person") == {"person:S"}
    assert "case:C3" not in ids(graph, "case")


def test_every_node_has_a_position_so_the_browser_needs_no_force_layout() -> None:
    graph = build_graph(result())
    assert all("position" in n for n in graph["nodes"] if n["data"]["kind"] != "cluster")


def test_a_large_outbreak_is_aggregated_into_a_drawable_graph() -> None:
    # How long this takes is measured in bench/graph, not asserted here.
    graph = build_graph(outbreak_result())
    assert graph["aggregated"] and graph["contacts"] == 47_000
    assert len(graph["nodes"]) < 2_000
    groups = [n["data"] for n in graph["nodes"] if n["data"]["kind"] == "group"]
    assert sum(g["count"] for g in groups) == 47_000
    assert all(len(g["details"]["sample"]) <= 10 for g in groups)
    # Venues beyond the limit fold into one "other venues" node per level.
    assert graph["hidden_venues"] > 0 and "venue:*:2" in ids(graph, "venue")


def test_narrowing_a_large_outbreak_to_one_venue_shows_the_persons() -> None:
    graph = build_graph(outbreak_result(), GraphFilter(venue="V010"))
    assert not graph["aggregated"]
    assert ids(graph, "person") and not ids(graph, "group")


def test_cases_at_one_venue_days_apart_are_separate_chains() -> None:
    two_days = [visit("C1", "cafe", "10:00", "10:40"), visit("K", "cafe", "10:05", "10:35")]
    base = run(two_days, [case("C1")])
    data = result_to_json_dict(base, lambda m: from_micros(m).isoformat())
    data["cases"].append({**data["cases"][0], "id_number": "C9"})
    interval = data["venues"][0]["intervals"][0]
    later = {"case": "C9", "start": "2022-04-22T10:00:00+00:00",
             "end": "2022-04-22T10:30:00+00:00", "minutes": 30.0}
    data["venues"][0]["intervals"].append(later)
    assert clusters_of(data) == {"C1": 1, "C9": 2}
    same_day = {**later, "start": interval["end"].replace("10:40", "23:00"),
                "end": interval["end"].replace("10:40", "23:30")}
    data["venues"][0]["intervals"][-1] = same_day
    assert clusters_of(data) == {"C1": 1, "C9": 1}


def test_the_overview_is_one_box_per_chain_with_its_counts() -> None:
    outbreak = clustered_outbreak(cases=48, contacts=6_000, chains=6)
    overview = build_overview(outbreak, {"V000": "文三路农贸市场"})
    boxes = [n["data"] for n in overview["nodes"]]
    assert overview["view"] == "overview" and len(boxes) == overview["clusters"] == 6
    assert sum(b["cases"] for b in boxes) == 48
    assert sum(b["persons"] for b in boxes) == 6_000
    sizes = [b["persons"] + b["cases"] for b in boxes]
    assert sizes == sorted(sizes, reverse=True)  # largest chain first
    assert any("文三路农贸市场" in b["top_venues"] for b in boxes)
    assert all(len(b["details"]["sample"]) <= 10 for b in boxes)
    positions = {(n["position"]["x"], n["position"]["y"]) for n in overview["nodes"]}
    assert len(positions) == 6  # a grid: no two boxes on one spot


def test_drilling_into_a_chain_or_a_case_keeps_only_its_persons() -> None:
    outbreak = clustered_outbreak(cases=48, contacts=6_000, chains=6)
    chains = clusters_of(outbreak)
    first = next(c for c, n in chains.items() if n == 2)
    chain = build_graph(outbreak, GraphFilter(cluster=2))
    assert {n["data"]["details"]["id_number"] for n in chain["nodes"]
            if n["data"]["kind"] == "case"} == {c for c, n in chains.items() if n == 2}
    one = build_graph(outbreak, GraphFilter(case=first))
    assert ids(one, "case") == {f"case:{first}"}
    assert 0 < one["contacts"] < chain["contacts"] < 6_000


def test_the_time_layout_puts_nodes_on_a_day_axis_without_overlapping_labels() -> None:
    outbreak = clustered_outbreak(cases=24, contacts=240, chains=3)
    graph = build_graph(outbreak, layout="time")
    assert graph["layout"] == "time" and len(graph["axis"]) >= 4
    assert [t["label"] for t in graph["axis"]][:2] == ["04-14", "04-15"]
    placed = [n["position"] for n in graph["nodes"] if "position" in n]
    rows: dict[float, list[float]] = {}
    for p in placed:
        rows.setdefault(p["y"], []).append(p["x"])
    for xs in rows.values():
        xs.sort()
        assert all(b - a >= LABEL_WIDTH for a, b in pairwise(xs))
    # Later exposures sit further right.
    k = {n["data"]["id"]: n["position"]["x"] for n in graph["nodes"] if "position" in n}
    cases = [v for key, v in k.items() if key.startswith("case:")]
    secondaries = [n["position"]["x"] for n in graph["nodes"]
                   if n["data"].get("tier") == "secondary"]
    assert min(secondaries) > min(cases)


def test_persons_are_labelled_by_masked_name() -> None:
    graph = build_graph(result())
    label_persons(graph, {"K": "王小明"})
    labels = {n["data"]["id"]: n["data"]["label"] for n in graph["nodes"]}
    assert labels["person:K"] == "王*明 ·K" and labels["person:G"] == "G"
