"""Tests of My Ponies."""
