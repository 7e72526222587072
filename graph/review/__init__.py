"""The review cycle: what changed between two registers, what reviewers decided, what if bodies merge.

- :mod:`.diff`: records added, removed, changed and renamed; findings new, resolved and open.
- :mod:`.renames`: renames recorded (``former_names``) or found by name.
- :mod:`.sources`: a register read from a file or from a git revision of one (``git show``).
- :mod:`.decisions`: decisions on findings applied to a report (open first, stale ones reopened);
  :mod:`.decisions_render`: the Decisions section of a report's text.
- :mod:`.scenario`: a what-if scenario's steps (merge, retire, move) and the register they make;
  :mod:`.whatif`: its effect on findings and coverage.
- :mod:`.render`: Markdown and HTML for the diff and the scenario.

The review imports the report and the analyses, never the reverse.
"""
