"""Management commands of Stable Routines."""
