"""The map: its data, layout, selection, query, style, page and offline export."""
