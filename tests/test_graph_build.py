"""The NetworkX graph: one node per record, one typed edge per relationship."""

from __future__ import annotations

from govmap.graph.build import build_graph, counts
from govmap.ingest.reading.load import loads

REG = """\
areas:
  - {id: county, name: County, kind: county}
  - {id: district, name: District, kind: district, within: county}
organisations:
  - {id: police, name: Police, type: police-force, areas: county}
  - {id: council, name: Council, type: district-council}
posts:
  - {id: chief, name: Chief Constable, organisation: police}
themes:
  - {id: da, name: Domestic abuse, kind: priority}
  - {id: concern, name: Violent crime, kind: public-concern, matches: da}
bodies:
  - id: board
    name: Board
    kind: board
    top_level: true
    areas: [county]
    hosted_by: council
    members: [police, {member: chief, role: chair, on_behalf_of: police}]
    themes: [{theme: da, role: lead}]
  - {id: csp, name: CSP, kind: csp, areas: [district], reports_to: board, links_with: board}
strategies:
  - {id: sa, name: Strategic assessment, kind: strategic-assessment, informs: plan}
  - {id: plan, name: Plan, kind: plan, owner: board, themes: [da]}
platforms:
  - {id: made, name: Data exchange, kind: data-exchange, owner: police, users: [board, csp]}
"""


def test_node_and_edge_counts_by_type():
    g = build_graph(loads(REG))
    nodes, edges = counts(g)
    assert nodes == {
        "area": 2,
        "body": 2,
        "organisation": 2,
        "platform": 1,
        "post": 1,
        "strategy": 2,
        "theme": 2,
    }
    assert edges == {
        "addresses": 2,
        "covers": 3,
        "hosts": 1,
        "informs": 1,
        "links_with": 1,
        "matches": 1,
        "member_of": 2,
        "owns": 2,
        "post_in": 1,
        "reports_to": 1,
        "uses": 2,
        "within": 1,
    }


def test_edges_read_like_sentences():
    g = build_graph(loads(REG))
    typed = {(u, v, d["type"]) for u, v, d in g.edges(data=True)}
    assert ("police", "board", "member_of") in typed
    assert ("council", "board", "hosts") in typed
    assert ("board", "plan", "owns") in typed
    assert ("sa", "plan", "informs") in typed
    assert ("csp", "board", "reports_to") in typed


def test_edges_carry_role_and_status():
    g = build_graph(loads(REG))
    roles = {(u, v): d["role"] for u, v, d in g.edges(data=True) if d["type"] in ("member_of", "addresses")}
    assert roles[("chief", "board")] == "chair"
    assert roles[("board", "da")] == "lead"
    assert {d["status"] for _, _, d in g.edges(data=True)} == {"unconfirmed"}  # nothing is sourced here


def test_two_relations_between_the_same_pair_stay_two_edges():
    g = build_graph(loads(REG))
    assert g.number_of_edges("csp", "board") == 2  # reports_to and links_with


def test_seed_graph_has_an_edge_for_every_relation(seed_path):
    from govmap.ingest.reading.load import load_register

    reg = load_register(seed_path)
    g = build_graph(reg)
    rels = [r for r in reg.relations() if reg.index[r.source].label != "Document"]
    assert g.number_of_edges() == len(rels)
    assert g.number_of_nodes() == sum(1 for r in reg.records() if r.label != "Document")
