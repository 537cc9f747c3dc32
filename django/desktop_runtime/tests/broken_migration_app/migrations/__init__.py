"""Migrations of the always-failing test app."""
