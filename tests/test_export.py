"""Graph formats other tools open: each read back by NetworkX with the same nodes and edges.

No installed package ships the GraphML or GEXF XML schemas (XSD), so the files
are checked by reading them back with NetworkX and by their declared attribute
types, not against the schemas.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from govmap.cli import cli
from govmap.graph.build import build_graph
from govmap.graph.export import (
    export_graph,
    read_back,
    to_csv_pair,
    to_cytoscape,
    to_gexf,
    to_graphml,
    to_popolo,
)
from govmap.ingest.reading.load import load_register, loads
from govmap.support.synth import synth_yaml
from govmap.webviz.map.style import KIND_STYLE

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "boards.yaml"

#: Two links between the same pair (a reporting line and a sub-group) make parallel edges.
SMALL = """\
govmap: 1
register: {id: small, name: Small}
documents: [{id: doc, name: Doc}]
areas: [{id: shire, name: Shire, kind: county}]
organisations:
  - {id: police, name: Police, type: police-force, areas: [shire]}
posts: [{id: chief, name: Chief Constable, organisation: police}]
people: [{id: pat, name: Pat, holds: [{to: chief, start: 2020-04-01}]}]
bodies:
  - id: board
    name: Board
    kind: board
    statutory: true
    top_level: true
    areas: [shire]
    members:
      - {member: police, role: chair, start: 2024-01, end: 2026-03-31}
      - {member: chief, on_behalf_of: police}
      - pat
  - {id: group, name: Group, kind: group, reports_to: [board], sub_group_of: [board], members: [police]}
"""

GRAPH_FORMATS = ("graphml", "gexf", "cytoscape", "csv-graph")


def payload(fmt: str, g):
    return {"graphml": to_graphml, "gexf": to_gexf, "cytoscape": to_cytoscape, "csv-graph": to_csv_pair}[fmt](
        g
    )


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
@pytest.mark.parametrize("source", ["small", "seed", "synth"])
def test_every_graph_format_reads_back_with_the_same_nodes_and_edges(fmt, source):
    reg = {
        "small": lambda: loads(SMALL),
        "seed": lambda: load_register(SEED),
        "synth": lambda: loads(synth_yaml(1)),
    }[source]()
    g = export_graph(reg)
    built = build_graph(reg)
    assert (g.number_of_nodes(), g.number_of_edges()) == (built.number_of_nodes(), built.number_of_edges())
    back = read_back(fmt, payload(fmt, g))
    assert sorted(back.nodes) == sorted(g.nodes)
    assert back.number_of_edges() == g.number_of_edges()
    assert sorted((u, v) for u, v in back.edges()) == sorted((u, v) for u, v in g.edges())


def test_parallel_edges_survive_every_format():
    g = export_graph(loads(SMALL))
    assert g.number_of_edges("group", "board") == 2
    for fmt in GRAPH_FORMATS:
        assert read_back(fmt, payload(fmt, g)).number_of_edges("group", "board") == 2, fmt


def test_graphml_declares_typed_attributes_only():
    root = ET.fromstring(to_graphml(export_graph(loads(SMALL))))
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    keys = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in root.findall("g:key", ns)}
    assert keys == {
        ("graph", "name"): "string",
        ("graph", "register"): "string",
        ("node", "label"): "string",
        ("node", "kind"): "string",
        ("node", "subtype"): "string",
        ("node", "status"): "string",
        ("node", "areas"): "string",
        ("node", "statutory"): "boolean",
        ("edge", "relation"): "string",
        ("edge", "role"): "string",
        ("edge", "status"): "string",
        ("edge", "origin"): "string",
    }
    back = read_back("graphml", to_graphml(export_graph(loads(SMALL))))
    assert back.nodes["board"] == {
        "label": "Board",
        "kind": "body",
        "subtype": "board",
        "status": "unconfirmed",
        "areas": "shire",
        "statutory": True,
    }
    chair = [d for u, v, d in back.edges(data=True) if (u, v) == ("police", "board")]
    assert chair == [{"relation": "member_of", "role": "chair", "status": "unconfirmed", "origin": "board"}]


def test_gexf_carries_the_map_colours_sizes_and_positions():
    g = export_graph(loads(SMALL))
    colours = {k: v["color"] for k, v in KIND_STYLE.items()}
    text = to_gexf(g, colours, {"body": 20.0}, {"board": (10.0, 20.0)})
    ns = {"g": "http://www.gexf.net/1.2draft", "viz": "http://www.gexf.net/1.2draft/viz"}
    board = next(
        n for n in ET.fromstring(text).iter("{http://www.gexf.net/1.2draft}node") if n.get("id") == "board"
    )
    colour = board.find("viz:color", ns)
    assert "#{:02x}{:02x}{:02x}".format(*(int(colour.get(c)) for c in "rgb")) == KIND_STYLE["body"]["color"]
    assert board.find("viz:size", ns).get("value") == "20.0"
    assert (board.find("viz:position", ns).get("x"), board.find("viz:position", ns).get("y")) == (
        "10.0",
        "-20.0",
    )


def test_cytoscape_json_has_elements_with_data_and_an_id_for_every_edge():
    data = json.loads(to_cytoscape(export_graph(loads(SMALL))))
    assert {n["data"]["id"] for n in data["elements"]["nodes"]} == {
        "shire",
        "police",
        "chief",
        "pat",
        "board",
        "group",
    }
    edges = data["elements"]["edges"]
    assert all({"id", "source", "target", "relation"} <= set(e["data"]) for e in edges)
    assert len({e["data"]["id"] for e in edges}) == len(edges)


def test_popolo_has_organizations_posts_persons_and_dated_memberships():
    data = json.loads(to_popolo(loads(SMALL)))
    assert [o["id"] for o in data["organizations"]] == ["police", "board", "group"]
    assert data["organizations"][2]["parent_id"] == "board"
    assert data["posts"] == [{"id": "chief", "label": "Chief Constable", "organization_id": "police"}]
    assert data["persons"] == [{"id": "pat", "name": "Pat"}]
    assert data["memberships"] == [
        {
            "id": "board/members/0",
            "organization_id": "board",
            "role": "chair",
            "member": {"@type": "Organization", "id": "police"},
            "start_date": "2024-01",
            "end_date": "2026-03-31",
        },
        {
            "id": "board/members/1",
            "organization_id": "board",
            "role": "member",
            "post_id": "chief",
            "on_behalf_of_id": "police",
        },
        {"id": "board/members/2", "organization_id": "board", "role": "member", "person_id": "pat"},
        {
            "id": "group/members/0",
            "organization_id": "group",
            "role": "member",
            "member": {"@type": "Organization", "id": "police"},
        },
        {
            "id": "pat/holds/0",
            "person_id": "pat",
            "post_id": "chief",
            "organization_id": "police",
            "role": "Chief Constable",
            "start_date": "2020-04-01",
        },
    ]


def test_export_commands_write_each_format(tmp_path):
    reg = tmp_path / "boards.yaml"
    reg.write_text(SMALL)
    run = CliRunner()
    for fmt, out in (
        ("graphml", "g.graphml"),
        ("gexf", "g.gexf"),
        ("cytoscape", "g.json"),
        ("popolo", "p.json"),
    ):
        result = run.invoke(cli, ["export", str(reg), "--format", fmt, "-o", str(tmp_path / out)])
        assert result.exit_code == 0, result.output
        assert result.stderr == f"wrote {tmp_path / out}\n"
    result = run.invoke(cli, ["export", str(reg), "--format", "csv-graph", "-o", str(tmp_path / "g")])
    assert (
        result.stderr == f"wrote 2 files in {tmp_path / 'g'}/: 6 nodes, 10 edges\n"
    )  # 2 covers, post_in, holds, 4 members, reports_to, sub_group_of
    assert sorted(p.name for p in (tmp_path / "g").iterdir()) == ["edges.csv", "nodes.csv"]
    result = run.invoke(cli, ["export", str(reg), "--format", "popolo"])
    assert json.loads(result.stdout)["name"] == "Small"
    result = run.invoke(cli, ["export", str(reg), "-o", str(tmp_path / "g.gexf")])  # format from the suffix
    assert result.exit_code == 0
    assert read_back("gexf", (tmp_path / "g.gexf").read_text()).number_of_nodes() == 6


def test_export_without_a_format_or_file_says_what_to_give(tmp_path):
    result = CliRunner().invoke(cli, ["export", str(SEED)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: say which format with --format (xlsx, csv, graphml, gexf, cytoscape, popolo, csv-graph, map)"
    )


def test_a_name_that_looks_like_a_formula_stays_text_in_nodes_csv():
    reg = loads(SMALL.replace("    name: Board\n", '    name: "=HYPERLINK(\\"http://evil.example\\")"\n'))
    rows = to_csv_pair(export_graph(reg))["nodes.csv"].decode("utf-8").splitlines()
    assert 'board,"\'=HYPERLINK(""http://evil.example"")",body,board,unconfirmed,shire,true' in rows
