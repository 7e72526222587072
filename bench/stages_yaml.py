"""Benchmark stages: the YAML register read, validated and edited."""

from __future__ import annotations

import argparse
import os
from typing import Any

from stages_common import stage, text_of, timed


@stage
def yaml_load(args: argparse.Namespace) -> dict[str, Any]:
    """Baseline: bare yaml.load with the C loader (no checks at all)."""
    import yaml

    text = text_of(args)
    seconds, _ = timed(lambda: yaml.load(text, Loader=yaml.CSafeLoader))
    return {"seconds": seconds}


@stage
def load_validate(args: argparse.Namespace) -> dict[str, Any]:
    """govmap's read + every validation rule."""
    from govmap.ingest.reading.load import check_text

    text = text_of(args)
    seconds, checked = timed(lambda: check_text(text, args.register))
    assert checked.register is not None, [p.format() for p in checked.errors[:5]]
    return {"seconds": seconds, "records": sum(1 for _ in checked.register.records())}


@stage
def yaml_edit(args: argparse.Namespace) -> dict[str, Any]:
    """Web edits on the YAML store (``YamlStore.apply``, as the edit form saves), on a copy of
    the register: six edits (descriptions of bodies and organisations, a membership added),
    each made against its record's version, then the store's next ``load()`` (the page after
    a save).  ``seconds`` is the median; ``first_seconds`` the first save (which may parse the
    file once for the round-trip document); ``next_page_seconds`` the median reload.  Outside
    the median: ``add_seconds`` (a theme added), ``remove_seconds`` (that theme removed: the
    first removal also indexes who names what) and ``refused_seconds`` (a membership naming no
    record, refused)."""
    import shutil
    import statistics
    import tempfile

    from govmap.ingest.model import record_version
    from govmap.ingest.store.edits import AddLink, ChangeRecord
    from govmap.ingest.store.yamlstore import YamlStore

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "boards.yaml")
        shutil.copy(args.register, path)
        store = YamlStore(path)
        register, _ = store.load()
        bodies = sorted(register.bodies, key=lambda b: (-len(b.members), b.id))
        orgs = sorted(o.id for o in register.organisations)
        edits: list[tuple[Any, str]] = []
        for b in bodies[:2]:
            edits.append((ChangeRecord(b.id, {"description": "Edited by the benchmark"}), b.id))
        for o in orgs[:: max(1, len(orgs) // 3)][:3]:
            edits.append((ChangeRecord(o, {"description": "Edited by the benchmark"}), o))
        body = bodies[-1]
        outsider = next(o for o in orgs if o not in {m.member for m in body.members})
        edits.append((AddLink(body.id, "members", outsider), body.id))
        saves, pages = [], []
        for edit, rid in edits:
            version = record_version(register.get(rid))
            t, _ = timed(lambda e=edit, v=version: store.apply(e, v, "bench"))
            saves.append(t)
            page, (register, _) = timed(store.load)
            pages.append(page)
        # Not in the median: a record added, then removed, and an edit refused (worded by the
        # whole-register validation, so it costs a whole check).
        from govmap.ingest.errors import EditInvalid
        from govmap.ingest.store.edit_values import AddRecord, RemoveRecord

        theme = {"id": "bench-theme", "name": "Benchmark theme", "kind": "priority"}
        add, _ = timed(lambda: store.apply(AddRecord("themes", theme), "absent", "bench"))
        register, _ = store.load()
        version = record_version(register.get("bench-theme"))
        remove, _ = timed(lambda: store.apply(RemoveRecord("bench-theme"), version, "bench"))
        register, _ = store.load()

        def refused() -> None:
            try:
                store.apply(
                    AddLink(body.id, "members", "no-such-record"),
                    record_version(register.get(body.id)),
                    "bench",
                )
            except EditInvalid:
                return
            raise AssertionError("an edit naming a record that does not exist was saved")

        refuse, _ = timed(refused)
    return {
        "seconds": statistics.median(saves),
        "first_seconds": saves[0],
        "saves": [round(x, 3) for x in saves],
        "next_page_seconds": statistics.median(pages),
        "add_seconds": add,
        "remove_seconds": remove,
        "refused_seconds": refuse,
    }
