"""Documents -> sourced proposals for the register: reading, sections, rules, linking, accepting.

:func:`~govmap.ingest.documents.read.read_document` reads a PDF, DOCX, HTML,
Markdown or text file; :func:`~govmap.ingest.documents.extract.extract`
proposes records and links, each with its quote; :func:`~govmap.ingest.documents.link.link`
matches them against a register; :mod:`govmap.ingest.documents.accept` turns the
accepted ones into the register's validated edits.
"""
