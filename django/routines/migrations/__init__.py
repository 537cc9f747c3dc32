"""Database migrations of Stable Routines."""
