"""The corpus check: the report over real landscapes, measured against what reviewers said.

``tests/landscapes/<slug>/`` holds a real landscape researched from public
sources: ``register.yaml``; ``expected.yaml`` (the findings a reviewer expects,
and ``not_expected`` ones a reviewer would reject, written before the first
report run); ``judged.yaml`` (findings of a run that a reviewer judged false,
with the reason).  :func:`evaluate` runs the report on one landscape and says
what a reviewer would: which expected findings are present or missing, which
rejected ones appeared, which judged-false ones returned (and at what
severity), the findings per record and the top ten.

As ruff's ecosystem check and mypy_primer do for linters, :func:`compare`
gives the findings gained and lost between two revisions of the code over the
same landscapes: the other revision is installed from a temporary
``git worktree`` and run in its own process (its results are cached by commit).
``scripts/corpus`` is the command; ``tests/test_landscapes.py`` asserts the
measures.

A finding *matches* an expectation when its kind is the expectation's, every
id in ``about`` is among its subjects and, where the expectation gives a
``severity``, the finding is at least that severe.  An expectation of a kind
not built yet (``Kind`` has no such member) is skipped, and says so.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govmap.graph.analysis.findings import Severity
from govmap.graph.report.corpus_files import Expectation, Judged, Landscape, landscapes

#: The most findings per record (documents not counted) a reviewer will read.
MAX_PER_RECORD = 0.5
#: The severities at which a finding judged false must not return.
SERIOUS = (Severity.HIGH, Severity.MEDIUM)

#: What a run gives of each finding: enough to match, diff and print it.
_RUN_SNIPPET = """
import datetime as dt, json, sys
from govmap.graph.report import ReportOptions, report
from govmap.ingest.reading.load import load_register
out = {}
for slug, path, as_of in (JOBS if "JOBS" in globals() else json.loads(sys.argv[1])):
    try:
        reg = load_register(path)
        rep = report(reg, options=ReportOptions(as_of=dt.date.fromisoformat(as_of)))
    except Exception as e:  # a revision that crashes on a landscape: say so, run the others
        out[slug] = {"error": f"{type(e).__name__}: {e}", "findings": [], "top": [], "in_words": "", "records": 0}
        continue
    out[slug] = {
        "findings": [
            {"id": f.id, "kind": f.kind.value, "severity": f.severity.value, "title": f.title,
             "subjects": [s.id for s in f.subjects]}
            for f in rep.findings
        ],
        "top": [f.id for f in rep.top()],
        "in_words": rep.in_words(),
        "records": sum(1 for r in reg.records() if type(r).__name__ != "Document"),
    }
if __name__ == "__main__":
    json.dump(out, sys.stdout)
"""


# -- runs ----------------------------------------------------------------


def _jobs(items: Sequence[Landscape]) -> list[tuple[str, str, str]]:
    return [(ls.slug, str(ls.register), ls.as_of.isoformat()) for ls in items]


def run_here(items: Sequence[Landscape]) -> dict[str, Any]:
    """The report of each landscape with the code of this working tree (in this process)."""
    scope: dict[str, Any] = {"__name__": "corpus", "JOBS": _jobs(items)}
    exec(compile(_RUN_SNIPPET, "<corpus>", "exec"), scope)
    result: dict[str, Any] = scope["out"]
    return result


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "govmap-corpus"


def run_revision(
    rev: str, items: Sequence[Landscape], repo: Path | None = None
) -> tuple[str, dict[str, Any]]:
    """The report of each landscape with the code of git revision ``rev`` (the same register files).

    The revision is checked out in a temporary ``git worktree``, installed into a
    scratch folder (``pip install --no-deps --target``) and run in a fresh
    process; the result is cached by commit and by the landscapes' contents.
    Returns the commit and the results.
    """
    top = Path(_git(repo or Path(__file__).resolve().parent, "rev-parse", "--show-toplevel"))
    commit = _git(top, "rev-parse", "--verify", f"{rev}^{{commit}}")
    digest = hashlib.sha256(_RUN_SNIPPET.encode())
    for ls in items:
        digest.update(ls.slug.encode() + ls.as_of.isoformat().encode() + ls.register.read_bytes())
    cached = _cache_dir() / f"{commit}-{digest.hexdigest()[:16]}.json"
    if cached.exists():
        return commit, json.loads(cached.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="govmap-corpus-") as tmp:
        tree, site = Path(tmp) / "tree", Path(tmp) / "site"
        _git(top, "worktree", "add", "--detach", str(tree), commit)
        try:
            env = {**os.environ, "PIP_CONSTRAINT": str(top / "constraints.txt")}
            subprocess.run(
                [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                 "--root-user-action=ignore", "--no-deps", "--target", str(site), str(tree)],
                check=True, env=env, capture_output=True,
            )  # fmt: skip
            env["PYTHONPATH"] = str(site)
            done = subprocess.run(
                [sys.executable, "-c", _RUN_SNIPPET, json.dumps(_jobs(items))],
                check=True, env=env, capture_output=True, text=True, cwd=tmp,
            )  # fmt: skip
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=top, capture_output=True)
    result: dict[str, Any] = json.loads(done.stdout)
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(result), encoding="utf-8")
    return commit, result


# -- judging a run ---------------------------------------------------------


def _rank(severity: str) -> int:
    return Severity(severity).rank


def matches(f: Mapping[str, Any], kind: str, about: Iterable[str], severity: str | None = None) -> bool:
    """Whether finding ``f`` (a run's row) is of ``kind``, about every id in ``about``, and at least ``severity``.

    >>> f = {"kind": "orphan", "severity": "low", "subjects": ["a", "b"]}
    >>> matches(f, "orphan", ["a"]), matches(f, "orphan", ["a", "c"]), matches(f, "orphan", ["a"], "medium")
    (True, False, False)
    """
    return (
        f["kind"] == kind
        and set(about) <= set(f["subjects"])
        and (severity is None or _rank(f["severity"]) >= _rank(severity))
    )


@dataclass
class Evaluation:
    """What a reviewer would say of one landscape's run."""

    landscape: Landscape
    run: Mapping[str, Any]
    found: list[tuple[Expectation, Mapping[str, Any]]] = field(default_factory=list)
    missed: list[Expectation] = field(default_factory=list)
    skipped: list[Expectation] = field(default_factory=list)
    contested: list[Expectation] = field(default_factory=list)
    unwanted: list[tuple[Expectation, Mapping[str, Any]]] = field(default_factory=list)
    #: Findings judged false that returned, with the judgement (any severity).
    returned: list[tuple[Judged, Mapping[str, Any]]] = field(default_factory=list)

    @property
    def findings(self) -> list[Mapping[str, Any]]:
        return list(self.run["findings"])

    @property
    def per_record(self) -> float:
        return len(self.findings) / max(int(self.run["records"]), 1)

    @property
    def top(self) -> list[Mapping[str, Any]]:
        by_id = {f["id"]: f for f in self.findings}
        return [by_id[i] for i in self.run["top"] if i in by_id]

    def judged_false(self, f: Mapping[str, Any]) -> Judged | None:
        """The judgement ``f`` repeats (same kind, about the same subjects), if any."""
        return next(
            (j for j in self.landscape.judged_false if not j.corrected and matches(f, j.kind, j.about)), None
        )

    @property
    def serious_returned(self) -> list[tuple[Judged, Mapping[str, Any]]]:
        """Findings judged false that are back at high or medium."""
        return [(j, f) for j, f in self.returned if Severity(f["severity"]) in SERIOUS]

    @property
    def false_in_top(self) -> list[Mapping[str, Any]]:
        return [f for f in self.top if self.judged_false(f) is not None]

    @property
    def ids_shared(self) -> list[str]:
        """Finding ids that two different findings share."""
        seen: dict[str, int] = {}
        for f in self.findings:
            seen[f["id"]] = seen.get(f["id"], 0) + 1
        return sorted(i for i, n in seen.items() if n > 1)


def evaluate(landscape: Landscape, run: Mapping[str, Any]) -> Evaluation:
    """Judge one run (a :func:`run_here` / :func:`run_revision` entry) against the landscape's files."""
    ev = Evaluation(landscape, run)
    fs = ev.findings
    for e in landscape.expected:
        if not e.built:
            ev.skipped.append(e)
            continue
        hit = next((f for f in fs if matches(f, e.kind, e.about, e.severity)), None)
        if hit is None and e.contested:
            ev.contested.append(e)
        elif hit is None:
            ev.missed.append(e)
        else:
            ev.found.append((e, hit))
    for e in landscape.not_expected:
        ev.unwanted += [(e, f) for f in fs if matches(f, e.kind, e.about)]
    for f in fs:
        j = ev.judged_false(f)
        if j is not None:
            ev.returned.append((j, f))
    return ev


# -- printing --------------------------------------------------------------


def _line(f: Mapping[str, Any]) -> str:
    return f"{f['severity']:<6} {f['kind']} [{', '.join(f['subjects'][:6])}{', ...' if len(f['subjects']) > 6 else ''}] {f['title']}"


def render(ev: Evaluation, verbose: bool = False) -> str:
    """One landscape's evaluation as text."""
    ls, fs = ev.landscape, ev.findings
    counts = {s.value: 0 for s in Severity}
    for f in fs:
        counts[f["severity"]] += 1
    built = len(ls.expected) - len(ev.skipped) - len(ev.contested)
    if ev.run.get("error"):
        return f"== {ls.slug}: the report failed: {ev.run['error']}"
    out = [
        f"== {ls.slug}: {len(fs)} findings ({', '.join(f'{n} {s}' for s, n in counts.items())}), "
        f"{ev.run['records']} records, {ev.per_record:.2f} a record (at most {MAX_PER_RECORD})",
        f"expected: {len(ev.found)} of {built} found"
        + (f"; {len(ev.skipped)} skipped" if ev.skipped else "")
        + (f"; {len(ev.contested)} contested, not found" if ev.contested else ""),
    ]
    out += [
        f"  MISSED {e.id} {e.kind} [{', '.join(e.about)}]" + (f" >= {e.severity}" if e.severity else "")
        for e in ev.missed
    ]
    out += [f"  skipped {e.id} {e.kind} [{', '.join(e.about)}]: kind not built yet" for e in ev.skipped]
    out += [f"  contested {e.id} {e.kind} [{', '.join(e.about)}]: {e.contested}" for e in ev.contested]
    out.append(f"not expected, appeared: {len(ev.unwanted)}")
    out += [f"  {e.id}: {_line(f)}" for e, f in ev.unwanted]
    by_sev = {s.value: 0 for s in Severity}
    for _, f in ev.returned:
        by_sev[f["severity"]] += 1
    out.append(
        f"judged false, returned: {len(ev.returned)} ({', '.join(f'{n} {s}' for s, n in by_sev.items() if n)})"
        if ev.returned
        else "judged false, returned: 0"
    )
    shown = ev.returned if verbose else ev.serious_returned
    out += [f"  {_line(f)}" for _, f in shown]
    if ev.ids_shared:
        out.append(f"ids shared by two findings: {', '.join(ev.ids_shared)}")
    out.append("top ten:")
    for i, f in enumerate(ev.top, 1):
        out.append(f"  {i:>2}.{' FALSE' if ev.judged_false(f) else ''} {_line(f)}")
    out.append(f"in words: {ev.run['in_words']}")
    return "\n".join(out)


def _key(f: Mapping[str, Any]) -> tuple[str, tuple[str, ...], str]:
    return (f["kind"], tuple(sorted(f["subjects"])), f["title"])


def compare(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
    """Findings gained, lost and changed (same id, other severity or title) per landscape."""
    out: dict[str, dict[str, list[Any]]] = {}
    for slug in sorted(set(before) | set(after)):
        old = {f["id"]: f for f in before.get(slug, {}).get("findings", [])}
        new = {f["id"]: f for f in after.get(slug, {}).get("findings", [])}
        changed = [
            (old[i], new[i])
            for i in sorted(set(old) & set(new))
            if (old[i]["severity"], old[i]["title"]) != (new[i]["severity"], new[i]["title"])
        ]
        gained = sorted((new[i] for i in set(new) - set(old)), key=_key)
        lost = sorted((old[i] for i in set(old) - set(new)), key=_key)
        errors = [
            f"{side}: {r[slug]['error']}"
            for side, r in (("before", before), ("after", after))
            if r.get(slug, {}).get("error")
        ]
        out[slug] = {"gained": gained, "lost": lost, "changed": changed, "errors": errors}
    return out


def render_compare(diff: Mapping[str, Mapping[str, list[Any]]], rev: str, commit: str) -> str:
    lines = [f"== changes against {rev} ({commit[:10]}): + gained, - lost, ~ changed"]
    for slug, d in diff.items():
        lines.append(f"{slug}: +{len(d['gained'])} -{len(d['lost'])} ~{len(d['changed'])}")
        lines += [f"  ! {e}" for e in d.get("errors", [])]
        lines += [f"  + {_line(f)}" for f in d["gained"]]
        lines += [f"  - {_line(f)}" for f in d["lost"]]
        lines += [f"  ~ {_line(a)}\n    -> {b['severity']} {b['title']}" for a, b in d["changed"]]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``scripts/corpus``: evaluate every landscape, then the changes against a revision."""
    p = argparse.ArgumentParser(prog="scripts/corpus", description=__doc__.split("\n\n")[0])
    p.add_argument("landscapes", nargs="*", help="landscape slugs (default: all)")
    p.add_argument("--rev", default="main", help="git revision to compare with (default: main)")
    p.add_argument("--no-compare", action="store_true", help="do not build and run the other revision")
    p.add_argument("--root", type=Path, default=None, help="folder of landscapes (default: tests/landscapes)")
    p.add_argument("-v", "--verbose", action="store_true", help="list low and info findings judged false too")
    args = p.parse_args(argv)
    items = landscapes(args.root, args.landscapes)
    if not items:
        print("no landscapes found", file=sys.stderr)
        return 2
    now = run_here(items)
    evals = [evaluate(ls, now[ls.slug]) for ls in items]
    print("\n\n".join(render(ev, args.verbose) for ev in evals))
    if not args.no_compare:
        commit, then = run_revision(args.rev, items)
        print()
        print(render_compare(compare(then, now), args.rev, commit))
    failing = [
        ev.landscape.slug
        for ev in evals
        if ev.run.get("error")
        or ev.missed
        or ev.serious_returned
        or ev.false_in_top
        or ev.per_record > MAX_PER_RECORD
    ]
    print()
    print(
        f"measures met on {len(evals) - len(failing)} of {len(evals)} landscapes"
        + (f"; not on {', '.join(failing)}" if failing else "")
    )
    return 1 if failing else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
