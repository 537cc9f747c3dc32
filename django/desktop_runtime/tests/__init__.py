"""Tests of the desktop runtime contract."""
