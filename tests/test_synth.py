"""The synthetic national register: valid, deterministic, and shaped as promised."""

from __future__ import annotations

from govmap.ingest.reading.load import check_text
from govmap.support.synth import synth_yaml


def test_synthetic_register_is_valid():
    checked = check_text(synth_yaml(2), "synth.yaml")
    assert checked.errors == []


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not():
    assert synth_yaml(1, seed=7) == synth_yaml(1, seed=7)
    assert synth_yaml(1, seed=7) != synth_yaml(1, seed=8)


def test_every_synthetic_fact_is_unconfirmed():
    reg = check_text(synth_yaml(1), "synth.yaml").register
    assert {r.status.value for r in reg.records() if r.label != "Document"} == {"unconfirmed"}


def test_memberships_are_heavy_tailed():
    reg = check_text(synth_yaml(1), "synth.yaml").register
    seats: dict[str, int] = {}
    for rel in reg.relations():
        if rel.type.value == "member_of" and rel.source.startswith("fa0-org-"):
            seats[rel.source] = seats.get(rel.source, 0) + 1
    ranked = sorted(seats.values(), reverse=True)
    assert ranked[0] >= 10 * ranked[len(ranked) // 2]


def test_cli_writes_a_register_that_validates(tmp_path):
    from click.testing import CliRunner

    from govmap.cli import cli

    out = tmp_path / "s.yaml"
    result = CliRunner().invoke(cli, ["synth", "-n", "1", "-o", str(out)])
    assert result.exit_code == 0
    assert CliRunner().invoke(cli, ["validate", "-q", str(out)]).exit_code == 0
