"""The web front end: Flask app, map, report, register editing."""
