"""From a document's text to proposals: records with their quotes, links between them, second names.

:func:`extract` walks the document's blocks (:mod:`~govmap.ingest.documents.sections`),
finds the names in each sentence (:mod:`~govmap.ingest.documents.mentions`) and the
themes in its lists (:mod:`~govmap.ingest.documents.themes`), and reads the
phrases between two names that state a link ("reports to", "chaired by",
"owned by": :data:`~govmap.ingest.documents.rules.LINK_PATTERNS`) or a second
name ("X, as the Y", "X (formerly Y)").  A sentence that opens with "It" or
"The Board" refers to the first name of the sentence before.

The same name (in its normal form, :func:`govmap.ingest.names.normal`) is one
proposal with every quote; a theme is one per name and kind ("road safety" as
a priority and as a residents' concern are two records).  Every quote is a
verbatim piece of the document's text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from govmap.ingest.documents import rules
from govmap.ingest.documents.mentions import Mention, find_mentions
from govmap.ingest.documents.proposals import LinkProposal, Proposals, Quote, RecordProposal
from govmap.ingest.documents.read import DocumentText
from govmap.ingest.documents.sections import blocks_of, sentences_of
from govmap.ingest.documents.themes import theme_mentions
from govmap.ingest.names import normal, slug

#: A quote longer than this is cut to a window around the name (still verbatim).
MAX_QUOTE = 400
#: The most proposals made from one document (a 500-page PDF must not make a page nobody can read).
MAX_PROPOSALS = 1000

_WORD = {
    "bodies": "body",
    "organisations": "organisation",
    "posts": "post",
    "strategies": "strategy",
    "themes": "theme",
}
_ANAPHOR = re.compile(r"^\W*(?:The (?:membership|members|chair) of )?(It|This|They|[Tt]he (?:Board|Partnership|Group|"
                      r"Panel|Committee|Forum|Network|Unit|Agreement|Strategy|Plan|Assessment|Executive))\b")  # fmt: skip
_DRAFT = re.compile(r"\b(?:draft|consultation)\s+(?:the\s+)?$", re.I)
_COORDINATED = re.compile(r"\band\s+(?:is|are|will be)\b")
_ANAPHOR_SECTION = {
    "Agreement": "strategies",
    "Strategy": "strategies",
    "Plan": "strategies",
    "Assessment": "strategies",
}


@dataclass
class _Found:
    mention: Mention
    proposal: RecordProposal


def _quote(doc: DocumentText, section: str, sentence: str, at: int, start: int, end: int) -> Quote:
    """The sentence, or a window of it around [start, end) if it is long."""
    lead = len(sentence) - len(sentence.lstrip())
    text, pos = sentence.strip(), at + lead
    if len(text) > MAX_QUOTE:
        lo = max(pos, start - (MAX_QUOTE - (end - start)) // 2)
        hi = min(pos + len(text), lo + MAX_QUOTE)
        text, pos = doc.text[lo:hi], lo
    return Quote(doc.name, section or "(before the first heading)", text, pos)


class _Builder:
    def __init__(self, doc: DocumentText) -> None:
        self.doc = doc
        self.records: dict[tuple[str, str, str], RecordProposal] = {}
        self.links: dict[tuple[str, str, str, str | None], LinkProposal] = {}
        self.ids: set[str] = set()
        self.aliases: dict[tuple[str, str], RecordProposal] = {}

    def _new_id(self, section: str, name: str, kind: str | None) -> str:
        pid = slug(f"{_WORD[section]} {name}", self.ids)
        self.ids.add(pid)
        return pid

    def record(self, section: str, name: str, kind: str | None, why: str, quote: Quote) -> RecordProposal:
        key = (section, normal(name), kind or "" if section == "themes" else "")
        known = self.records.get(key) or self.aliases.get((section, normal(name)))
        if known is not None:
            if all(q.start != quote.start for q in known.quotes):
                known.quotes.append(quote)
            return known
        p = RecordProposal(self._new_id(section, name, kind), section, name, kind, why, [quote])
        self.records[key] = p
        return p

    def alias(self, main: RecordProposal, other: RecordProposal, how: str) -> None:
        """``other`` is a second name of ``main``: fold it in."""
        if other is main:
            return
        former = how.lower().startswith(("formerly", "previously"))
        names = main.former if former else main.aliases
        if other.name not in names:
            names.append(other.name)
        main.aliases.extend(a for a in other.aliases if a not in main.aliases)
        main.quotes.extend(q for q in other.quotes if all(q.start != k.start for k in main.quotes))
        main.why += f"; {'formerly' if former else 'also called'} '{other.name}' ({how})"
        for key, p in list(self.records.items()):
            if p is other:
                del self.records[key]
        self.aliases[(other.section, normal(other.name))] = main
        for link in self.links.values():
            if link.source == other.id:
                link.source = main.id
            if link.target == other.id:
                link.target = main.id

    def link(self, source: RecordProposal, field: str, target: RecordProposal, role: str | None,
             why: str, quote: Quote) -> None:  # fmt: skip
        key = (source.id, field, target.id, role)
        known = self.links.get(key)
        if known is not None:
            known.quotes.append(quote)
            return
        lid = slug(f"link {source.id} {field} {target.id}", self.ids)
        self.ids.add(lid)
        self.links[key] = LinkProposal(lid, source.id, field, target.id, why, [quote], role)


def _why(m: Mention) -> str:
    word = m.name.split()[-1].strip("()")
    if m.section == "posts":
        return "a post's title"
    if m.section == "strategies" and m.name.split()[-1].islower():
        return f"a planning document named in lower case ('{word}')"
    return f"a capitalised name ending in '{word}'"


def _fits(field: str, source: str, target: str) -> str | None:
    """The field a link phrase makes between records of these sections, or None if it cannot."""
    if field == "reports_to" and source == "bodies":
        return {"bodies": "reports_to", "organisations": "accountable_to", "posts": "accountable_to"}.get(
            target
        )
    if field == "accountable_to" and source == "bodies":
        return {"bodies": "reports_to", "organisations": "accountable_to", "posts": "accountable_to"}.get(
            target
        )
    if field == "sub_group_of" and source == target == "bodies":
        return field
    if field == "members" and source == "bodies" and target in ("bodies", "organisations", "posts"):
        return field
    if field == "owner" and source == "strategies" and target in ("bodies", "organisations", "posts"):
        return field
    if field == "themes" and source in ("bodies", "strategies") and target == "themes":
        return field
    return None


def _links_in(
    b: _Builder, found: list[_Found], sentence: str, at: int, quote: Quote, subject: _Found | None
) -> None:
    for pattern, field, role, reverse in rules.LINK_PATTERNS:
        for m in pattern.finditer(sentence):
            left = [f for f in found if f.mention.end <= at + m.start()]
            right = [f for f in found if f.mention.start >= at + m.end()]
            s = left[-1] if left else subject
            if left and _COORDINATED.search(sentence[left[-1].mention.end - at : m.start()]):
                s = subject or left[0]  # "It reports to X and is chaired by Y": the chair is the subject's
            if s is None or not right:
                continue
            listing = field == "members" and role == "member" and not reverse
            objects = right if listing else right[:1]
            if listing:
                # "members include A, B and C": the names up to the end of the list
                objects = [o for o in objects if o.mention.section in ("organisations", "posts", "bodies")]
            for o in objects:
                src, dst = (o, s) if reverse else (s, o)
                real = _fits(field, src.proposal.section, dst.proposal.section)
                if real is None or src.proposal is dst.proposal:
                    continue
                phrase = m.group().strip()
                b.link(src.proposal, real, dst.proposal, role, f"the text says '{phrase}'", quote)


def _aliases_in(b: _Builder, found: list[_Found], sentence: str, at: int) -> None:
    for first, second in zip(found, found[1:], strict=False):
        between = sentence[first.mention.end - at : second.mention.start - at]
        if first.mention.section == second.mention.section and rules.ALIAS_PATTERN.match(between):
            b.alias(first.proposal, second.proposal, between.strip(" ,(") or "same")


def extract(doc: DocumentText) -> Proposals:
    """Every record and link the document proposes, in the order they first appear.

    Examples
    --------
    >>> from govmap.ingest.documents.read import read_bytes
    >>> doc = read_bytes(b"Terms of reference\\n\\nThe Safer Eastby Partnership reports to the "
    ...                  b"Eastby Health and Wellbeing Board.\\n", "tor.txt")
    >>> p = extract(doc)
    >>> [(r.id, r.kind) for r in p.records]
    [('body-safer-eastby-partnership', 'partnership'), ('body-eastby-health-and-wellbeing-board', 'board')]
    >>> [(k.source, k.field, k.target) for k in p.links]
    [('body-safer-eastby-partnership', 'reports_to', 'body-eastby-health-and-wellbeing-board')]
    """
    b = _Builder(doc)
    blocks = blocks_of(doc)
    paragraph = ""
    previous: _Found | None = None
    for block in blocks:
        if block.kind == "para":
            paragraph = block.text
        for t in theme_mentions(block, paragraph if block.kind == "item" else block.text):
            q = Quote(doc.name, block.section or "(before the first heading)", t.quote, t.quote_start)
            b.record("themes", t.name, t.kind, t.why, q)
        for sentence, at in sentences_of(block):
            found: list[_Found] = []
            for m in find_mentions(sentence, at):
                q = _quote(doc, block.section, sentence, at, m.start, m.end)
                p = b.record(m.section, m.name, m.kind, _why(m), q)
                if m.acronym and m.acronym not in p.aliases:
                    p.aliases.append(m.acronym)
                if m.period and p.period is None:
                    p.period = m.period
                if m.section == "strategies" and _DRAFT.search(doc.text[max(0, m.start - 12) : m.start]):
                    p.stage = "draft"
                if found and found[-1].mention.section == "posts" and m.section == "organisations":
                    if re.fullmatch(r"\s+of\s+(?:the\s+)?", doc.text[found[-1].mention.end : m.start]):
                        found[-1].proposal.organisation = found[-1].proposal.organisation or p.id
                found.append(_Found(m, p))
            ana = _ANAPHOR.match(sentence)
            subject = None
            if ana and previous is not None and (not found or found[0].mention.start > at + ana.end()):
                want = _ANAPHOR_SECTION.get(ana.group(1).split()[-1])
                if want is None or previous.proposal.section == want:
                    subject = previous
            quote = _quote(doc, block.section, sentence, at, at, at + len(sentence))
            _aliases_in(b, found, sentence, at)
            _links_in(b, found, sentence, at, quote, subject)
            if subject is not None:
                previous = subject
            elif found:
                previous = found[0]
        if len(b.records) + len(b.links) > MAX_PROPOSALS:
            break
    records = list(b.records.values())[:MAX_PROPOSALS]
    kept = {r.id for r in records}
    links = [k for k in b.links.values() if k.source in kept and k.target in kept]
    digest = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    return Proposals(doc.name, doc.format, digest, records, links)
