"""The report: run the analyses and render their findings (Markdown, HTML, JSON, CSV, and
the committee pack as PDF).

:mod:`.assemble` runs the analyses into a :class:`Report`; :mod:`.text` and :mod:`.html`
render it; :mod:`.jsontext` writes its JSON; :mod:`.pdf` prints the pack (``print.css``).  The report imports the analyses, never the
reverse.
"""

from govmap.graph.report.assemble import FORMATS, Report, ReportOptions, report, source_of

__all__ = ["FORMATS", "Report", "ReportOptions", "report", "source_of"]
