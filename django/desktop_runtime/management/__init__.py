"""Management commands of the desktop runtime."""
