"""govmap extract: documents of every format -> sourced proposals, linked to the register, accepted."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from govmap.cli import cli as main
from govmap.ingest.documents.extract import extract
from govmap.ingest.documents.link import link
from govmap.ingest.documents.measure import measure
from govmap.ingest.documents.read import DocumentUnreadable, read_bytes, read_document
from govmap.ingest.reading.load import load_register, loads

ROOT = Path(__file__).resolve().parents[1]
SEED_DOC = ROOT / "data" / "lancashire-community-safety-agreement-2022-2025.txt"
SEED = ROOT / "data" / "boards.yaml"

# A terms of reference in another style than the seed: numbered Markdown headings, a numbered
# list of priorities, links stated in prose ("reports to", "chaired by", "membership ... includes").
EASTBY_LINES = [
    ("h1", "Safer Eastby Partnership: Terms of Reference 2024–2027"),
    ("h2", "1. Purpose"),
    (
        "p",
        "The Safer Eastby Partnership is the community safety partnership for Eastby. It reports to the "
        "Eastby Health and Wellbeing Board and is chaired by the Chief Executive of Eastby Council.",
    ),
    ("h2", "2. Membership"),
    (
        "p",
        "The membership of the Partnership includes Eastby Council, Northmoor Police, Northmoor Fire and "
        "Rescue Service and the Northmoor Probation Service.",
    ),
    ("h2", "3. Priorities"),
    ("p", "Our priorities for 2024 to 2027 are:"),
    ("li", "Reducing serious violence"),
    ("li", "Tackling domestic abuse"),
    ("li", "Neighbourhood crime"),
    ("h2", "4. Governance"),
    (
        "p",
        "The Eastby Domestic Abuse Forum is a sub-group of the Safer Eastby Partnership. The Eastby Community "
        "Safety Strategy 2024-2027 is owned by the Safer Eastby Partnership.",
    ),
]
EASTBY_RECORDS = {
    ("bodies", "Safer Eastby Partnership", "partnership"),
    ("bodies", "Eastby Health and Wellbeing Board", "board"),
    ("bodies", "Eastby Domestic Abuse Forum", "network"),
    ("posts", "Chief Executive", None),
    ("organisations", "Eastby Council", "other"),
    ("organisations", "Northmoor Police", "police-force"),
    ("organisations", "Northmoor Fire and Rescue Service", "fire-and-rescue"),
    ("organisations", "Northmoor Probation Service", "probation"),
    ("themes", "Reducing serious violence", "priority"),
    ("themes", "Tackling domestic abuse", "priority"),
    ("themes", "Neighbourhood crime", "priority"),
    ("strategies", "Eastby Community Safety Strategy", "strategy"),
}
EASTBY_LINKS = {
    ("Safer Eastby Partnership", "reports_to", "Eastby Health and Wellbeing Board", None),
    ("Safer Eastby Partnership", "members", "Chief Executive", "chair"),
    ("Safer Eastby Partnership", "members", "Eastby Council", "member"),
    ("Safer Eastby Partnership", "members", "Northmoor Police", "member"),
    ("Safer Eastby Partnership", "members", "Northmoor Fire and Rescue Service", "member"),
    ("Safer Eastby Partnership", "members", "Northmoor Probation Service", "member"),
    ("Eastby Domestic Abuse Forum", "sub_group_of", "Safer Eastby Partnership", None),
    ("Eastby Community Safety Strategy", "owner", "Safer Eastby Partnership", None),
}


def _markdown() -> bytes:
    out = []
    n = 0
    for tag, text in EASTBY_LINES:
        if tag == "h1":
            out += [f"# {text}", ""]
        elif tag == "h2":
            out += [f"## {text}", ""]
        elif tag == "li":
            n += 1
            out.append(f"{n}. {text}")
        else:
            out += ["", text, ""]
    return "\n".join(out).encode()


def _text() -> bytes:
    """Plain text: headings are short lines standing alone, bullets are '•'."""
    out = []
    for tag, text in EASTBY_LINES:
        out += [f"• {text}"] if tag == "li" else [text, ""]
    return "\n".join(out).encode()


def _html() -> bytes:
    body = []
    items: list[str] = []
    for tag, text in EASTBY_LINES:
        if tag == "li":
            items.append(f"<li>{text}</li>")
            continue
        if items:
            body.append("<ol>" + "".join(items) + "</ol>")
            items = []
        body.append(f"<{tag}>{text}</{tag}>")
    if items:
        body.append("<ol>" + "".join(items) + "</ol>")
    page = (
        "<!doctype html><html><head><title>Safer Eastby</title><script>alert(1)</script></head><body>"
        "<nav><ul><li>Home</li><li>Contact the Eastby Website Team</li></ul></nav><main>"
        + "".join(body)
        + "</main><footer>Copyright Eastby Council Web Board</footer></body></html>"
    )
    return page.encode()


def _docx() -> bytes:
    import docx

    d = docx.Document()
    for tag, text in EASTBY_LINES:
        if tag == "h1":
            d.add_heading(text, 1)
        elif tag == "h2":
            d.add_heading(text, 2)
        elif tag == "li":
            d.add_paragraph(text, style="List Number")
        else:
            d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("–", "-")


def _pdf() -> bytes:
    """A one-page PDF written by hand: Helvetica, one text line a row, long paragraphs wrapped."""
    import textwrap

    rows: list[str] = []
    for tag, text in EASTBY_LINES:
        if tag == "li":
            rows.append(f"- {text}")
        else:
            rows += [*textwrap.wrap(text, 90), ""]
    ops = ["BT", "/F1 10 Tf", "12 TL", "50 800 Td"]
    for row in rows:
        ops.append(f"({_pdf_string(row)}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


FORMATS = {"md": _markdown, "txt": _text, "html": _html, "docx": _docx, "pdf": _pdf}


def _names(proposals):  # type: ignore[no-untyped-def]
    by_id = {r.id: r.name for r in proposals.records}
    records = {(r.section, r.name, r.kind) for r in proposals.records}
    links = {(by_id[k.source], k.field, by_id[k.target], k.role) for k in proposals.links}
    return records, links


# -- the seed: the figures issue 28 asks for ----------------------------------------------


def test_the_seed_document_gives_the_seed_registers_bodies_strategies_and_priorities():
    register = load_register(str(SEED))
    doc = read_document(SEED_DOC)
    proposals = link(extract(doc), register)
    m = measure(proposals, register, "lancs-csa-2022", doc.text)
    assert m.recall >= 0.9, m.missed
    assert m.precision >= 0.8, m.wrong
    assert m.quotes_verbatim == m.quotes > 60
    # the three it cannot find are the ones the document does not name
    assert set(m.missed) <= {"blackburn-with-darwen-csp", "blackpool-csp", "police-counter-terrorism-unit"}


def test_every_seed_proposal_is_unconfirmed_with_its_section_quote_and_reason():
    proposals = extract(read_document(SEED_DOC))
    for p in proposals.all():
        assert p.status == "unconfirmed"
        assert p.why
        assert p.quotes and all(q.section and q.text for q in p.quotes)
    board = next(r for r in proposals.records if r.name == "Lancashire Community Safety Partnership Board")
    assert board.aliases == ["County Strategy Group"]
    assert board.quotes[0].text == (
        "It is owned by the Lancashire Community Safety Partnership Board, as the County Strategy Group."
    )
    assert board.quotes[0].section == "Draft Lancashire Community Safety Agreement 2022 – 2025"


def test_seed_themes_take_the_kind_their_list_says():
    kinds = {(r.name, r.kind) for r in extract(read_document(SEED_DOC)).records if r.section == "themes"}
    assert ("Domestic Abuse", "priority") in kinds
    assert ("Alcohol and drug use", "cause") in kinds
    assert ("public safety", "multi-agency-theme") in kinds
    assert ("data sharing", "cross-cutting-theme") in kinds
    assert ("burglary", "public-concern") in kinds  # residents' top issues, from the survey
    assert ("cyber crime", "intelligence-focus") in kinds


def test_a_list_of_actions_is_not_read_as_priorities():
    names = {r.name for r in extract(read_document(SEED_DOC)).records}
    assert not any(n.startswith(("Collaboration", "Working", "A commitment")) for n in names)


# -- each format, with known answers ----------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_each_format_gives_the_terms_of_references_records_and_links(fmt):
    doc = read_bytes(FORMATS[fmt](), f"eastby-tor.{fmt}")
    assert doc.format == fmt
    proposals = extract(doc)
    records, links = _names(proposals)
    assert records == EASTBY_RECORDS
    assert links == EASTBY_LINKS
    for p in proposals.all():
        for q in p.quotes:
            assert doc.text[q.start : q.start + len(q.text)] == q.text


def test_a_web_pages_navigation_and_footer_are_left_out():
    names = {r.name for r in extract(read_bytes(_html(), "eastby.html")).records}
    assert "Eastby Website Team" not in names and "Eastby Council Web Board" not in names


def test_the_strategys_period_is_read_from_its_name():
    proposals = extract(read_bytes(_markdown(), "eastby.md"))
    strategy = next(r for r in proposals.records if r.section == "strategies")
    assert strategy.period == (2024, 2027)


def test_a_post_names_the_organisation_it_is_in():
    proposals = extract(read_bytes(_markdown(), "eastby.md"))
    post = next(r for r in proposals.records if r.section == "posts")
    assert post.organisation == "organisation-eastby-council"


# -- hostile and broken files -------------------------------------------------------------


def test_a_broken_pdf_is_refused_with_its_name(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"
    )
    r = CliRunner().invoke(main, ["extract", str(bad)])
    assert r.exit_code == 2
    assert r.output.startswith(f"error: {bad}: ")
    assert "Traceback" not in r.output


def test_a_docx_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<a>" + b" " * 50_000_000 + b"</a>")
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(buf.getvalue())
    with pytest.raises(DocumentUnreadable) as err:
        read_document(bomb)
    assert err.value.message.startswith(f"{bomb}: unpacks to 50,000,007 bytes from ")
    assert "looks like a zip bomb and was not opened" in err.value.message


def test_a_file_named_pdf_that_is_not_one_is_refused(tmp_path):
    fake = tmp_path / "minutes.pdf"
    fake.write_text("just text")
    r = CliRunner().invoke(main, ["extract", str(fake)])
    assert r.exit_code == 2
    assert r.output == (
        f"error: {fake}: the file is not a PDF (its first bytes say otherwise) (check the file; save it again as PDF or DOCX)\n"
    )


def test_a_document_over_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVMAP_MAX_DOCUMENT_BYTES", "100")
    big = tmp_path / "big.txt"
    big.write_text("x" * 101)
    r = CliRunner().invoke(main, ["extract", str(big)])
    assert r.exit_code == 2
    assert r.output == (
        f"error: {big}: file is 101 bytes, over the limit of 100 (split the document, or raise the limit "
        "with GOVMAP_MAX_DOCUMENT_BYTES)\n"
    )


def test_binary_data_in_a_text_file_is_refused(tmp_path):
    odd = tmp_path / "odd.txt"
    odd.write_bytes(b"\x00\x01\x02 board")
    with pytest.raises(DocumentUnreadable, match="holds binary data, not text"):
        read_document(odd)


def test_a_missing_document_is_a_usage_error(tmp_path):
    r = CliRunner().invoke(main, ["extract", str(tmp_path / "none.pdf")])
    assert r.exit_code == 2
    assert r.output == f"error: {tmp_path / 'none.pdf'}: no such file (check the path)\n"


# -- linking and accepting ----------------------------------------------------------------

EASTBY_REGISTER = """\
govmap: 1
areas:
  - {id: eastby, name: Eastby, kind: unitary}
organisations:
  - {id: eastby-council, name: Eastby Council, type: unitary-council, areas: eastby}
bodies:
  - id: eastby-csp
    name: Eastby Community Safety Partnership
    aliases: [Safer Eastby Partnership]
    kind: csp
    areas: eastby
    members: [eastby-council]
"""


@pytest.fixture()
def eastby(tmp_path):
    reg = tmp_path / "boards.yaml"
    reg.write_text(EASTBY_REGISTER)
    doc = tmp_path / "eastby-tor.md"
    doc.write_bytes(_markdown())
    return reg, doc


def test_proposals_are_linked_to_the_register_as_new_facts_or_already_recorded(eastby):
    reg, doc = eastby
    proposals = link(extract(read_document(doc)), loads(EASTBY_REGISTER))
    by_name = {r.name: r for r in proposals.records}
    partnership = by_name["Safer Eastby Partnership"]
    assert (partnership.outcome, partnership.match.id, partnership.match.by) == (
        "already recorded",
        "eastby-csp",
        "alias",
    )
    assert by_name["Eastby Council"].outcome == "already recorded"
    assert by_name["Northmoor Police"].outcome == "new record"
    member = next(k for k in proposals.links if k.target == "eastby-council")
    assert (member.source, member.outcome) == ("eastby-csp", "already recorded")
    chair = next(k for k in proposals.links if k.role == "chair")
    assert (chair.source, chair.outcome) == ("eastby-csp", "new fact on an existing record")


def test_extract_into_writes_only_the_accepted_proposals_unconfirmed_and_sourced(eastby):
    reg, doc = eastby
    r = CliRunner().invoke(
        main, ["extract", str(doc), "--into", str(reg), "--accept", "organisation-northmoor-police"]
    )
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        f"changes to {reg}:",
        "  + document 'eastby-tor' added",
        "  + organisation 'northmoor-police' added",
        "1 record added, 0 changed, 0 renamed, 0 removed".replace("1 record", "2 records"),
    ]
    written = load_register(str(reg))
    police = written.get("northmoor-police")
    assert police.status.value == "unconfirmed"
    assert police.sources[0].doc == "eastby-tor"
    assert police.sources[0].section == "2. Membership"
    assert police.sources[0].note.startswith('quote: "The membership of the Partnership includes')
    assert written.get("eastby-health-and-wellbeing-board") is None
    assert written.get("eastby-tor").path == "eastby-tor.md"  # beside the register


def test_extract_into_a_link_needs_its_new_record_accepted_too(eastby):
    reg, doc = eastby
    before = reg.read_text()
    r = CliRunner().invoke(
        main,
        ["extract", str(doc), "--into", str(reg), "--accept",
         "link-body-safer-eastby-partnership-members-organisation-northmoor-police"],
    )  # fmt: skip
    assert r.exit_code == 0
    assert (
        "not written: link-body-safer-eastby-partnership-members-organisation-northmoor-police: " in r.output
    )
    assert "'organisation-northmoor-police' is a proposal not accepted: accept it too" in r.output
    assert reg.read_text() == before


def test_extract_into_accept_all_new_with_dry_run_writes_nothing(eastby):
    reg, doc = eastby
    before = reg.read_text()
    r = CliRunner().invoke(main, ["extract", str(doc), "--into", str(reg), "--accept-all-new", "--dry-run"])
    assert r.exit_code == 0, r.output
    assert "  + body 'eastby-health-and-wellbeing-board' added" in r.stdout
    assert "  ~ body 'eastby-csp' changed: " in r.stdout
    assert "dry run: nothing written" in r.output
    assert reg.read_text() == before


def test_extract_into_accept_all_new_gives_a_valid_register(eastby):
    reg, doc = eastby
    r = CliRunner().invoke(main, ["extract", str(doc), "--into", str(reg), "--accept-all-new"])
    assert r.exit_code == 0, r.output
    written = load_register(str(reg))
    csp = written.get("eastby-csp")
    chair = next(m for m in csp.members if m.role.value == "chair")
    assert chair.member == "chief-executive" and chair.status.value == "unconfirmed"
    assert written.get("chief-executive").organisation == "eastby-council"
    assert [t.target for t in written.get("eastby-community-safety-strategy").owner] == ["eastby-csp"]


def test_accepting_an_unknown_proposal_is_a_usage_error(eastby):
    reg, doc = eastby
    r = CliRunner().invoke(main, ["extract", str(doc), "--into", str(reg), "--accept", "nope"])
    assert r.exit_code == 2
    assert (
        "no proposal 'nope' in 1 document; the ids are in the output of 'govmap extract' without --into"
        in r.output
    )


def test_accept_without_into_is_a_usage_error(eastby):
    _, doc = eastby
    r = CliRunner().invoke(main, ["extract", str(doc), "--accept", "x"])
    assert r.exit_code == 2
    assert "--accept, --accept-all-new and --dry-run go with --into REGISTER" in r.output


@pytest.mark.parametrize("fmt", ["json", "html", "yaml", "md"])
def test_proposals_are_written_in_each_output_format(eastby, tmp_path, fmt):
    _, doc = eastby
    out = tmp_path / f"proposals.{fmt}"
    r = CliRunner().invoke(main, ["extract", str(doc), "-o", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert "Safer Eastby Partnership" in text and "unconfirmed" in text


def test_html_proposals_escape_the_documents_text(tmp_path):
    doc = tmp_path / "x.md"
    doc.write_text("# Terms\n\nThe Safer Eastby Board <script>alert(1)</script> meets.\n")
    r = CliRunner().invoke(main, ["extract", str(doc), "--format", "html"])
    assert r.exit_code == 0
    assert "<script>alert" not in r.output and "&lt;script&gt;" in r.output


def test_the_seed_register_copy_of_its_document_is_the_shared_seed():
    found = [p / "shared" / "seed" / SEED_DOC.name for p in (ROOT.parent, ROOT.parent.parent)]
    shared = next((p for p in found if p.exists()), None)
    if shared is None:
        pytest.skip("no shared/ beside the repository")
    assert shared.read_bytes() == SEED_DOC.read_bytes()


def test_extract_copies_nothing_it_does_not_need(tmp_path):
    # the register's document is found by its path, not added again
    reg = tmp_path / "boards.yaml"
    shutil.copy(SEED, reg)
    doc = tmp_path / SEED_DOC.name
    shutil.copy(SEED_DOC, doc)
    r = CliRunner().invoke(main, ["extract", str(doc), "--into", str(reg), "--accept-all-new", "--dry-run"])
    assert r.exit_code == 0, r.output
    assert "document" not in r.stdout.split("\n", 1)[1]


def test_a_former_name_in_the_text_links_to_the_renamed_record_and_is_proposed_as_one(tmp_path):
    reg = loads(
        "govmap: 1\nbodies:\n  - id: eastby-csp\n    name: Eastby Community Safety Partnership\n"
        "    kind: csp\n    former_names: [{name: Safer Eastby Partnership, end: 2024}]\n"
    )
    doc = read_bytes(
        b"# Annual report\n\nThe Safer Eastby Partnership met four times.\n\n"
        b"The Eastby Violence Board (formerly the Eastby Gangs Board) reports to the Safer Eastby Partnership.\n",
        "report.md",
    )
    proposals = link(extract(doc), reg)
    by_name = {r.name: r for r in proposals.records}
    assert (by_name["Safer Eastby Partnership"].match.id, by_name["Safer Eastby Partnership"].match.by) == (
        "eastby-csp",
        "former name",
    )
    assert by_name["Eastby Violence Board"].former == ["Eastby Gangs Board"]
    assert "Eastby Gangs Board" not in by_name


def test_a_draft_strategy_is_proposed_at_the_draft_stage():
    doc = read_bytes(
        b"# Plan\n\nThe Draft Eastby Community Safety Strategy 2025-2028 is out for comment.\n", "x.md"
    )
    strategy = next(r for r in extract(doc).records if r.section == "strategies")
    assert (strategy.name, strategy.stage, strategy.period) == (
        "Eastby Community Safety Strategy",
        "draft",
        (2025, 2028),
    )


def test_several_documents_are_read_in_one_run(eastby, tmp_path):
    _, doc = eastby
    second = tmp_path / "eastby-tor.html"
    second.write_bytes(_html())
    r = CliRunner().invoke(main, ["extract", str(doc), str(second), "--format", "json"])
    assert r.exit_code == 0, r.output
    import json

    runs = json.loads(r.stdout)
    assert [run["document"]["format"] for run in runs] == ["md", "html"]
