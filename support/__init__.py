"""Helpers that know no other room: work in a second process, a synthetic register."""
