"""`desktop_serve`: the one command a desktop shell runs."""
