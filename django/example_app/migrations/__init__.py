"""Database migrations of My Ponies."""
