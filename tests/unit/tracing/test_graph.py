"""The association chain graph: nodes, edges, clusters, filters and aggregation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.support.outbreak import outbreak_result
from venuecode.timeutil import from_micros
from venuecode.tracing.core import result_to_json_dict
from venuecode.tracing.graph import GraphFilter, build_graph, clusters_of

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
