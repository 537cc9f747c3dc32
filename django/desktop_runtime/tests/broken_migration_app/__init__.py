"""A test-only app whose migration always fails, to check desktop_serve's exit code 11."""
