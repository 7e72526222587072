"""The analyses: a register in, findings out (overlap, gaps, structure, interlocks, rules, staleness)."""
