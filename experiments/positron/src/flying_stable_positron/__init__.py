"""Flying Stable in a Toga window, Django and its worker in the same process (experimental)."""
