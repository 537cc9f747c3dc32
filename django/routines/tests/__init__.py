"""Tests of Stable Routines."""
