"""Proposals as Markdown, HTML (one self-contained page) or JSON, and as YAML to keep."""

from __future__ import annotations

import html
import json
from typing import Any

from govmap.ingest.documents.proposals import LinkProposal, Proposals, RecordProposal

_FIELD_WORDS = {
    "reports_to": "reports to",
    "sub_group_of": "is a sub-group of",
    "accountable_to": "is accountable to",
    "members": "has as member",
    "themes": "leads on",
    "owner": "is owned by",
}


def describe(p: RecordProposal | LinkProposal) -> str:
    """One line for a proposal: 'body "Safer Eastby Partnership" (partnership)'."""
    if isinstance(p, RecordProposal):
        kind = f" ({p.kind})" if p.kind else ""
        extra = f", also called {', '.join(repr(a) for a in p.aliases)}" if p.aliases else ""
        period = f", {p.period[0]}-{p.period[1]}" if p.period else ""
        return f"{p.section.rstrip('s').replace('ie', 'y').replace('bodys', 'body')} '{p.name}'{kind}{extra}{period}"
    role = f" ({p.role})" if p.role and p.role != "member" else ""
    return f"'{p.source}' {_FIELD_WORDS.get(p.field, p.field)} '{p.target}'{role}"


def _match(p: RecordProposal | LinkProposal) -> str:
    if isinstance(p, RecordProposal) and p.match:
        return f"matches '{p.match.id}' ({p.match.name}) by {p.match.by}, score {p.match.score:.0f}"
    if isinstance(p, RecordProposal) and p.nearest:
        return f"nearest '{p.nearest.id}' ({p.nearest.name}), score {p.nearest.score:.0f}: below the match threshold"
    return ""


def to_markdown(proposals: Proposals) -> str:
    counts = proposals.counts()
    lines = [
        f"# Proposals from {proposals.document}",
        "",
        f"{len(proposals.all())} proposals ({', '.join(f'{n} {k}' for k, n in counts.items())})"
        + (f", matched against {proposals.register}" if proposals.register else "")
        + ". Every proposal is unconfirmed until a reviewer accepts it.",
        "",
    ]
    for outcome in counts:
        group = [p for p in proposals.all() if p.outcome == outcome]
        if not group:
            continue
        lines += [f"## {outcome.capitalize()} ({len(group)})", ""]
        for p in group:
            lines.append(f"- **{p.id}**: {describe(p)}")
            m = _match(p)
            if m:
                lines.append(f"  - {m}")
            if isinstance(p, RecordProposal) and p.new_facts:
                lines.append(f"  - new: {'; '.join(p.new_facts)}")
            lines.append(f"  - why: {p.why}")
            for q in p.quotes[:3]:
                lines.append(f'  - {q.section}: "{q.text}"')
        lines.append("")
    return "\n".join(lines)


def to_json(proposals: Proposals) -> str:
    return json.dumps(proposals.to_json(), indent=2, ensure_ascii=False) + "\n"


def to_yaml(proposals: Proposals) -> str:
    import yaml

    return str(yaml.safe_dump(proposals.to_json(), sort_keys=False, allow_unicode=True, width=100))


def to_html(proposals: Proposals) -> str:
    e = html.escape
    rows = []
    for p in proposals.all():
        quotes = "".join(
            f"<blockquote><cite>{e(q.section)}</cite> {e(q.text)}</blockquote>" for q in p.quotes[:3]
        )
        facts = "; ".join(p.new_facts) if isinstance(p, RecordProposal) else ""
        rows.append(
            f"<tr><td><code>{e(p.id)}</code></td><td>{e(describe(p))}</td><td>{e(p.outcome)}"
            f"<br><small>{e(_match(p))}{(' - new: ' + e(facts)) if facts else ''}</small></td>"
            f"<td>{e(p.why)}</td><td>{quotes}</td></tr>"
        )
    counts = ", ".join(f"{n} {k}" for k, n in proposals.counts().items())
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Proposals from {e(proposals.document)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:.3em;vertical-align:top}blockquote{margin:0 0 .3em}</style>"
        f"</head><body><main><h1>Proposals from {e(proposals.document)}</h1><p>{e(counts)}. "
        "Every proposal is unconfirmed until a reviewer accepts it.</p>"
        '<table><thead><tr><th scope="col">Id</th><th scope="col">Proposal</th><th scope="col">Outcome</th>'
        '<th scope="col">Why</th><th scope="col">Source</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table></main></body></html>\n"
    )


RENDERERS: dict[str, Any] = {"md": to_markdown, "html": to_html, "json": to_json, "yaml": to_yaml}
