"""The YAML a register is written as is PyYAML's text, byte for byte, however it is made: records
libyaml writes the same way go through libyaml, and a large register is written in two halves."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from govmap.ingest.reading.load import load_register
from govmap.ingest.store import dump as dump_module
from govmap.support.synth import synth_yaml

ROOT = os.path.join(os.path.dirname(__file__), "..")
REGISTERS = [os.path.join(ROOT, "data", "boards.yaml")] + [
    os.path.join(ROOT, "tests", "registers", f)
    for f in sorted(os.listdir(os.path.join(ROOT, "tests", "registers")))
]


def pyyaml_text(data):
    """What dump_register wrote before: PyYAML's own emitter, the whole register at once."""
    return dump_module._emit(data, False)


def test_every_test_register_and_the_seed_are_written_as_pyyaml_writes_them():
    for path in REGISTERS:
        if path.endswith((".yaml", ".yml")):
            try:
                reg = load_register(path)
            except Exception:  # a register made to be invalid
                continue
            data = dump_module.register_data(reg)
            assert dump_module.dump_register(reg) == pyyaml_text(data), path


# Characters a valid register's text can hold (no control characters, no U+2028/U+0085: refused),
# with the ones that make YAML quote a value, double spaces, line breaks and wide characters.
pieces = list("ab cdE:#-'\"\n\\{}[],&*!|>%@`?é€ü\u00a0 0123456789.()/") + [
    "中",
    "😀",
    "\ufeff",
    "\u00ad",
    "\u200b",
    "  ",
    ": ",
    "- ",
    "yes",
]
words = [
    "Board",
    "of",
    "the",
    "County",
    "(North)",
    "O'Neil",
    "A&E",
    "2024-25",
    "fire/rescue",
    "é",
    "中文",
    "’s",
    "yes",
]
# Wild text (mostly written by PyYAML) and prose (mostly by libyaml: long, plain).
text = st.one_of(
    st.lists(st.sampled_from(pieces), max_size=120).map("".join),
    st.lists(st.sampled_from(words), min_size=1, max_size=40).map(" ".join),
)
records = st.lists(
    st.fixed_dictionaries(
        {"id": st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True), "name": text},
        optional={
            "description": text,
            "aliases": st.lists(text, max_size=3),
            "members": st.lists(
                st.one_of(text, st.fixed_dictionaries({"member": text, "note": text})), max_size=3
            ),
            "meetings_per_year": st.integers(0, 52),
            "top_level": st.booleans(),
        },
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(records, records)
def test_records_written_partly_by_libyaml_are_the_bytes_pyyaml_writes(bodies, themes):
    data = {"govmap": 1, "register": {"id": "r", "name": "R"}, "bodies": bodies, "themes": themes}
    data = {k: v for k, v in data.items() if v != []}
    assert dump_module._dump(data) == pyyaml_text(data)
    assert yaml.safe_load(dump_module._dump(data)) == data


def test_a_large_register_written_in_two_processes_is_the_same_yaml(tmp_path):
    # In a fresh interpreter: threads other tests leave behind (drivers, servers) rightly stop a fork here.
    synth = tmp_path / "synth.yaml"
    synth.write_text(synth_yaml(1, neighbourhood_groups=30, community_orgs=60), encoding="utf-8")
    code = (
        "import sys\n"
        "from govmap.ingest.store import dump\n"
        "from govmap.support.background import can_fork\n"
        "from govmap.ingest.reading.load import load_register\n"
        "dump.SPLIT_RECORDS = 0\n"
        "assert can_fork()\n"
        "sys.stdout.buffer.write(dump.dump_register(load_register(sys.argv[1])).encode('utf-8'))\n"
    )
    for path in (REGISTERS[0], str(synth)):
        out = subprocess.run([sys.executable, "-c", code, path], capture_output=True, cwd=ROOT, check=False)
        assert out.returncode == 0, out.stderr.decode()
        assert out.stdout.decode("utf-8") == pyyaml_text(dump_module.register_data(load_register(path)))
